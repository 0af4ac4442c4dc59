/**
 * The line-by-line rules of an episode log (JSONL: a header, steps t = 1, 2, …, an optional end
 * record), shared by `readEpisodeLog` (node, ajv against the schema) and the replay viewer
 * (browser, its own field checks). Callers pass the record checks; this walks the lines, stops
 * at the first bad one and keeps everything before it. No Node or DOM imports: the viewer
 * bundles this file.
 */

type Obj = Record<string, unknown>;

/** Each returns null for a valid record, else what is wrong with it. */
export interface RecordChecks {
  header(r: Obj): string | null;
  step(r: Obj): string | null;
  end(r: Obj): string | null;
  /** Interactive episodes' utterance records (absent: the minimal check `utteranceProblem`). */
  utterance?(r: Obj): string | null;
}

/** The fields every utterance record needs (what a reader without a schema checks). */
export function utteranceProblem(r: Obj): string | null {
  if (!Number.isInteger(r.round) || (r.round as number) < 0) return 'round must be an integer >= 0';
  if (r.speaker !== 'user' && r.speaker !== 'agent') return 'speaker must be "user" or "agent"';
  if (typeof r.kind !== 'string' || typeof r.text !== 'string') return 'kind and text must be strings';
  return null;
}

export interface WalkedLog {
  header?: Obj;
  steps: Obj[];
  /** Utterance records (interactive episodes), in file order. */
  utterances: Obj[];
  end?: Obj;
  /** The first bad line after the header (1-based) and what is wrong with it. */
  error?: { line: number; message: string };
  /** Set when the header cannot be read: `empty` file, or line 1 is not a valid header (`message` starts with `line 1: `). */
  fatal?: { kind: 'empty' | 'header'; message: string };
}

export function walkEpisodeLog(text: string, checks: RecordChecks): WalkedLog {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: WalkedLog = { steps: [], utterances: [] };
  const parse = (i: number): { ok: true; value: Obj } | { ok: false; message: string } => {
    try {
      const value: unknown = JSON.parse(lines[i]);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'not a JSON object' };
      return { ok: true, value: value as Obj };
    } catch (e) {
      const cut = i === lines.length - 1 && !text.endsWith('\n');
      return { ok: false, message: `${cut ? 'truncated line: ' : ''}invalid JSON (${(e as Error).message})` };
    }
  };

  if (lines.length === 0) {
    out.fatal = { kind: 'empty', message: 'the episode log is empty' };
    return out;
  }
  const first = parse(0);
  const why = !first.ok ? first.message
    : first.value.type !== 'header' ? `expected a header record, got type ${JSON.stringify(first.value.type)}` : checks.header(first.value);
  if (why !== null) {
    out.fatal = { kind: 'header', message: `line 1: ${why}` };
    return out;
  }
  out.header = (first as { value: Obj }).value;

  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const bad = (message: string): WalkedLog => { out.error = { line: lineNo, message: `line ${lineNo}: ${message}` }; return out; };
    if (out.end) return bad('record after the end record');
    const r = parse(i);
    if (!r.ok) return bad(r.message);
    const rec = r.value;
    if (rec.type === 'step') {
      const e = checks.step(rec);
      if (e !== null) return bad(`invalid step record: ${e}`);
      const expected = out.steps.length + 1;
      if (rec.t !== expected) return bad(`step record has t=${String(rec.t)}, expected ${expected}`);
      out.steps.push(rec);
    } else if (rec.type === 'utterance') {
      const e = (checks.utterance ?? utteranceProblem)(rec);
      if (e !== null) return bad(`invalid utterance record: ${e}`);
      out.utterances.push(rec);
    } else if (rec.type === 'end') {
      const e = checks.end(rec);
      if (e !== null) return bad(`invalid end record: ${e}`);
      out.end = rec;
    } else {
      return bad(`unknown record type ${JSON.stringify(rec.type)} (expected "step", "utterance" or "end")`);
    }
  }
  return out;
}
