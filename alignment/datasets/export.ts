/**
 * Dataset exports and the one reader for them. Formats (one JSON object per line):
 *
 * - `e2cl`: E2CL's `{input, output}` (what the authors' trainer reads).
 * - `messages`: TRL's conversational SFT format `{"messages": [{role, content}, ...]}`. TRL trains
 *   on the whole conversation by default and truncates from the end, so completions can be lost.
 * - `prompt-completion`: TRL's prompt-completion format `{"prompt", "completion"}`: TRL's
 *   SFTTrainer computes the loss on the completion only (`completion_only_loss`).
 * - `preference`: TRL's preference format `{"prompt", "chosen", "rejected"}` (DPOTrainer, ORPO,
 *   ...), with optional offline reference log-probs `ref_chosen_logps`, `ref_rejected_logps`
 *   (the column names TRL's DPOTrainer writes with `precompute_ref_log_probs`).
 *
 * In TRL's formats each text is a string ("standard") or a list of `{role, content}` messages
 * ("conversational"). Files are written atomically; `readDatasetJsonl` reads any of the four,
 * checking each line against its format's JSON Schema (ajv), and names the file, line and field
 * of a bad record.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { readText } from '../../env/text.ts';

export interface IOPair {
  input: string;
  output: string;
}

export interface Message { role: string; content: string }
/** A TRL text: a plain string (standard) or a list of messages (conversational). */
export type TrlText = string | Message[];

/** A preference record: texts, and the offline reference log-probs if computed. */
export interface PreferenceRecord {
  prompt: string;
  chosen: string;
  rejected: string;
  refChosen?: number;
  refRejected?: number;
}

export interface ExportOptions {
  /** Write TRL's conversational form (message lists) instead of plain strings. */
  conversational?: boolean;
}

const jsonl = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
const user = (content: string): Message[] => [{ role: 'user', content }];
const assistant = (content: string): Message[] => [{ role: 'assistant', content }];

export function toE2CLJsonl(records: readonly IOPair[]): string {
  return jsonl(records.map((r) => ({ input: r.input, output: r.output })));
}

export function toTrlMessagesJsonl(records: readonly IOPair[]): string {
  return jsonl(records.map((r) => ({ messages: [...user(r.input), ...assistant(r.output)] })));
}

/** TRL prompt-completion: `{"prompt": input, "completion": output}` (conversational: message lists). */
export function toTrlPromptCompletionJsonl(records: readonly IOPair[], o: ExportOptions = {}): string {
  return jsonl(records.map((r) => (o.conversational
    ? { prompt: user(r.input), completion: assistant(r.output) }
    : { prompt: r.input, completion: r.output })));
}

/** TRL preference: `{"prompt", "chosen", "rejected"}` plus `ref_chosen_logps`/`ref_rejected_logps` when known. */
export function toTrlPreferenceJsonl(records: readonly PreferenceRecord[], o: ExportOptions = {}): string {
  return jsonl(records.map((r) => {
    const row: Record<string, unknown> = o.conversational
      ? { prompt: user(r.prompt), chosen: assistant(r.chosen), rejected: assistant(r.rejected) }
      : { prompt: r.prompt, chosen: r.chosen, rejected: r.rejected };
    if (r.refChosen !== undefined && r.refRejected !== undefined) {
      row.ref_chosen_logps = r.refChosen;
      row.ref_rejected_logps = r.refRejected;
    }
    return row;
  }));
}

export function writeE2CLJsonl(path: string, records: readonly IOPair[]): void {
  writeFileAtomic(path, toE2CLJsonl(records), { what: 'dataset' });
}

/** TRL's conversational `messages` format. */
export function writeTrlJsonl(path: string, records: readonly IOPair[]): void {
  writeFileAtomic(path, toTrlMessagesJsonl(records), { what: 'dataset' });
}

export function writeTrlPromptCompletionJsonl(path: string, records: readonly IOPair[], o: ExportOptions = {}): void {
  writeFileAtomic(path, toTrlPromptCompletionJsonl(records, o), { what: 'dataset' });
}

export function writeTrlPreferenceJsonl(path: string, records: readonly PreferenceRecord[], o: ExportOptions = {}): void {
  writeFileAtomic(path, toTrlPreferenceJsonl(records, o), { what: 'dataset' });
}

// ---------------------------------------------------------------------------------------
// Reading

export type DatasetFormat = 'e2cl' | 'messages' | 'prompt-completion' | 'preference';
export const DATASET_FORMATS: readonly DatasetFormat[] = ['e2cl', 'messages', 'prompt-completion', 'preference'];

export type DatasetRecord =
  | { format: 'e2cl'; input: string; output: string }
  | { format: 'messages'; messages: Message[] }
  | { format: 'prompt-completion'; prompt: TrlText; completion: TrlText }
  | { format: 'preference'; prompt: TrlText; chosen: TrlText; rejected: TrlText; ref_chosen_logps?: number; ref_rejected_logps?: number };

export interface Dataset {
  path: string;
  format: DatasetFormat;
  records: DatasetRecord[];
  /** 1-based line of each record in the file. */
  lines: number[];
}

const message = { type: 'object', required: ['role', 'content'], properties: { role: { type: 'string' }, content: { type: 'string' } } };
const messages = { type: 'array', minItems: 1, items: message };
// A TRL text: a string, or (the `items` keyword only applies to arrays) a non-empty message list.
const text = { type: ['string', 'array'], minItems: 1, items: message };
const SCHEMAS: Record<DatasetFormat, object> = {
  e2cl: { type: 'object', required: ['input', 'output'], properties: { input: { type: 'string' }, output: { type: 'string' } } },
  messages: { type: 'object', required: ['messages'], properties: { messages } },
  'prompt-completion': { type: 'object', required: ['prompt', 'completion'], properties: { prompt: text, completion: text } },
  preference: {
    type: 'object', required: ['prompt', 'chosen', 'rejected'],
    properties: { prompt: text, chosen: text, rejected: text, ref_chosen_logps: { type: 'number' }, ref_rejected_logps: { type: 'number' } },
    dependencies: { ref_chosen_logps: ['ref_rejected_logps'], ref_rejected_logps: ['ref_chosen_logps'] },
  },
};
const FIX: Record<DatasetFormat, string> = {
  e2cl: '{"input": string, "output": string}',
  messages: '{"messages": [{"role": string, "content": string}, ...]}',
  'prompt-completion': '{"prompt": text, "completion": text} (text = a string or a list of {"role", "content"})',
  preference: '{"prompt": text, "chosen": text, "rejected": text} (text = a string or a list of {"role", "content"})',
};

let ajv: Ajv | null = null;
const validators = new Map<DatasetFormat, ValidateFunction>();
function validator(f: DatasetFormat): ValidateFunction {
  ajv ??= new Ajv({ allErrors: false, strict: false });
  let v = validators.get(f);
  if (!v) validators.set(f, (v = ajv.compile(SCHEMAS[f])));
  return v;
}

/** The format a record's keys say it is in, or null. */
export function detectFormat(r: Record<string, unknown>): DatasetFormat | null {
  if ('chosen' in r || 'rejected' in r) return 'preference';
  if ('completion' in r) return 'prompt-completion';
  if ('messages' in r) return 'messages';
  if ('input' in r || 'output' in r) return 'e2cl';
  return null;
}

/** `/messages/2/content` → `messages[2].content`. */
function fieldOf(e: ErrorObject): string {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'dependencies') parts.push(String((e.params as { missingProperty: string }).missingProperty));
  return parts.reduce((s, p) => (/^\d+$/.test(p) ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function problem(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required': return 'is missing';
    case 'dependencies': return `is missing (it comes with ${(e.params as { property: string }).property})`;
    case 'type': return `must be ${(e.params as { type: string | string[] }).type === 'number' ? 'a number' : Array.isArray((e.params as { type: unknown }).type) ? 'a string or a list of {"role", "content"} messages' : `a ${(e.params as { type: string }).type}`}`;
    case 'minItems': return 'must not be an empty list';
    default: return e.message ?? 'is invalid';
  }
}

/**
 * Read a dataset JSONL file in any of the four formats. Every line must be in the same format
 * unless `mixed` (then `format` is the first line's; each record carries its own), and
 * `expect` restricts which are accepted; blank lines are skipped. Errors are HearthErrors
 * naming `file:line` and the field.
 */
export function readDatasetJsonl(path: string, o: { expect?: readonly DatasetFormat[]; what?: string; mixed?: boolean } = {}): Dataset {
  const what = o.what ?? 'dataset';
  const lines = readText(path, what).split('\n'); // strict UTF-8, BOM stripped; missing file named
  const accepted = o.expect ?? DATASET_FORMATS;
  const hint = (f: DatasetFormat | null) => `each line must be ${(f ? [f] : accepted).map((x) => FIX[x]).join(', or ')}`;
  let format: DatasetFormat | null = null;
  let firstLine = 0;
  const records: DatasetRecord[] = [];
  const at: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `${path}:${i + 1}`;
    let v: unknown;
    try { v = JSON.parse(line); } catch (e) {
      throw new HearthError('dataset.json', `${where}: not valid JSON (${(e as Error).message})`, 'each line must be one JSON object');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HearthError('dataset.record', `${where}: not a JSON object`, hint(format));
    const r = v as Record<string, unknown>;
    const f = detectFormat(r);
    if (!f) throw new HearthError('dataset.record', `${where}: no known fields (expected "input"/"output", "messages", "prompt"/"completion" or "prompt"/"chosen"/"rejected")`, hint(format));
    if (!accepted.includes(f)) throw new HearthError('dataset.format', `${where}: a record in ${f} format, but this reader takes ${accepted.join(' or ')}`, hint(null));
    if (format === null) { format = f; firstLine = i + 1; }
    else if (f !== format && !o.mixed) throw new HearthError('dataset.format', `${where}: a record in ${f} format, but line ${firstLine} is in ${format} format`, 'keep one format per file');
    const validate = validator(f);
    if (!validate(r)) {
      const e = validate.errors![0];
      throw new HearthError('dataset.field', `${where}: field "${fieldOf(e)}" ${problem(e)}`, hint(f));
    }
    records.push({ format: f, ...r } as DatasetRecord);
    at.push(i + 1);
  }
  if (format === null) throw new HearthError('dataset.empty', `${what} ${path} has no records`, hint(null));
  return { path, format, records, lines: at };
}

/** A TRL text as plain text: a string as is; messages' contents joined by newlines. */
export function textOf(t: TrlText): string {
  return typeof t === 'string' ? t : t.map((m) => m.content).join('\n');
}

/**
 * An SFT dataset as `{input, output}` pairs: e2cl as is; messages: the non-assistant turns
 * joined as the input, the last (assistant) turn the output; prompt-completion: the texts.
 */
export function datasetPairs(d: Dataset): IOPair[] {
  return d.records.map((r, k) => {
    switch (r.format) {
      case 'e2cl': return { input: r.input, output: r.output };
      case 'prompt-completion': return { input: textOf(r.prompt), output: textOf(r.completion) };
      case 'messages': {
        const last = r.messages[r.messages.length - 1];
        if (last.role !== 'assistant') {
          throw new HearthError('dataset.field', `${d.path}:${d.lines[k]}: field "messages[${r.messages.length - 1}].role" must be "assistant" (the last turn is the output)`, 'end each conversation with an assistant turn');
        }
        return { input: r.messages.filter((m) => m.role !== 'assistant').map((m) => m.content).join('\n'), output: last.content };
      }
      default:
        throw new HearthError('dataset.format', `${d.path} is a preference dataset, not an SFT one`, 'pass an {input, output}, messages or prompt-completion file');
    }
  });
}

/** A preference dataset as records (texts flattened, offline reference log-probs kept). */
export function datasetPreferences(d: Dataset): PreferenceRecord[] {
  if (d.format !== 'preference') throw new HearthError('dataset.format', `${d.path} is a ${d.format} dataset, not a preference one`, `pass ${FIX.preference}`);
  return d.records.map((r) => {
    const p = r as Extract<DatasetRecord, { format: 'preference' }>;
    const out: PreferenceRecord = { prompt: textOf(p.prompt), chosen: textOf(p.chosen), rejected: textOf(p.rejected) };
    if (p.ref_chosen_logps !== undefined) { out.refChosen = p.ref_chosen_logps; out.refRejected = p.ref_rejected_logps; }
    return out;
  });
}

/** Read `{input, output}`, TRL `messages` or prompt-completion JSONL into pairs. */
export function readPairsJsonl(path: string): IOPair[] {
  try {
    return datasetPairs(readDatasetJsonl(path, { expect: ['e2cl', 'messages', 'prompt-completion'] }));
  } catch (e) {
    if (e instanceof HearthError && e.kind === 'dataset.empty') return []; // as before: an empty set is the caller's to judge
    throw e;
  }
}

/** Read a TRL preference JSONL file (with offline reference log-probs if present). */
export function readPreferenceJsonl(path: string): PreferenceRecord[] {
  return datasetPreferences(readDatasetJsonl(path, { expect: ['preference'] }));
}
