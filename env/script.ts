/**
 * The script language: `[Action] <name> (id)` lines with 0–2 arguments
 * (spec/virtualhome-semantics.md §3), parsed the way VirtualHome's `parse_script_line` does:
 * the action by `^\[(\w+)\]` on the stripped line, then `<(.+?)>\s*\((.+?)\)` repeatedly on the
 * rest; names lower-cased with spaces as `_`. Differences, all deliberate:
 * - ids may be written the dataset's way, `(instance.id)` (the reference raises a raw ValueError);
 *   `{datasetIds: false}` restores the reference's rejection as a typed parse error;
 * - nothing throws: every problem is a value with a message, a line and a column, and a typed
 *   `Failure` (`parse`, `unknown_action`, `wrong_arity`) for agents.
 * Error texts are the reference's (`Unknown action "FLY"`,
 * `Wrong number of parameters for "PUTBACK". Got 1, expected 2`, `Cannot parse action`).
 */
import { actionSpec } from './actions.ts';
import type { Failure, FailureCode } from './failure.ts';
import type { ScriptArg, ScriptLine } from './script-types.ts';

export interface ParseError {
  /** The reference's text where it has one (`Unknown action "FLY"`), else ours. */
  message: string;
  /** 1-based: the script index given to parseScriptLine, or the source line in parseScript. */
  line: number;
  /** 1-based column in the line's text where the problem starts. */
  column: number;
  code: Extract<FailureCode, 'parse' | 'unknown_action' | 'wrong_arity'>;
  /** The same problem as a typed step failure. */
  failure: Failure;
}

export type ParseLineResult = { ok: true; line: ScriptLine } | { ok: false; error: ParseError };

export interface ParseOptions {
  /** Accept `(instance.id)` ids (default true). False mirrors the reference, which rejects them. */
  datasetIds?: boolean;
}

const ACTION_RE = /^\[([\p{L}\p{N}_]+)\]/u;
// Global so that each search starts at lastIndex (the reference re-searches the rest of the
// line). One shared instance: parsing is synchronous and sets lastIndex before every use.
const PARAM_RE = /<(.+?)>\s*\((.+?)\)/g;
const INT_RE = /^\s*([+-]?\d+)\s*$/;
const DATASET_RE = /^\s*(\d+)\.(\d+)\s*$/;

function fail(code: ParseError['code'], message: string, line: number, column: number,
  action: string, args: Array<number | string>, text: string): { ok: false; error: ParseError } {
  return {
    ok: false,
    error: {
      message, line, column, code,
      failure: { code, action, args, predicate: code === 'wrong_arity' ? `arity(${action})` : 'parse', message: `${message} in "${text}"` },
    },
  };
}

/** Parse one line. `index` is its 1-based position in the script (the `[n]` of messages). */
export function parseScriptLine(text: string, index: number, options: ParseOptions = {}): ParseLineResult {
  if (typeof text !== 'string') return fail('parse', 'Cannot parse action', index, 1, '', [], String(text));
  const stripped = text.trim();
  const lead = stripped.length === text.length || stripped.length === 0 ? 0 : text.indexOf(stripped[0]);
  const am = ACTION_RE.exec(stripped);
  if (!am) return fail('parse', 'Cannot parse action', index, lead + 1, '', [], stripped);
  const verb = am[1].toUpperCase();
  const spec = actionSpec(verb);
  if (!spec) return fail('unknown_action', `Unknown action "${verb}"`, index, lead + 2, verb, [], stripped);

  const args: ScriptArg[] = [];
  const re = PARAM_RE;
  re.lastIndex = am[0].length - 1; // the reference searches from the end of the action name
  for (let m = re.exec(stripped); m; m = re.exec(stripped)) {
    const lower = m[1].toLowerCase();
    const name = lower.includes(' ') ? lower.replace(/ /g, '_') : lower;
    const raw = m[2];
    const idColumn = lead + m.index + m[0].length - raw.length; // column of the id text (1-based)
    const im = INT_RE.exec(raw);
    if (im) {
      args.push({ name, id: Number(im[1]) });
      continue;
    }
    const dm = DATASET_RE.exec(raw);
    if (dm && options.datasetIds !== false) {
      args.push({ name, id: Number(dm[2]), instance: Number(dm[1]) });
      continue;
    }
    const message = dm
      ? `invalid literal for int() with base 10: '${raw}'`
      : `Invalid id "${raw}" for <${name}>: expected (n) or (instance.id)`;
    return fail('parse', message, index, idColumn, spec.name, args.map((a) => a.id), stripped);
  }
  if (args.length !== spec.arity) {
    return fail('wrong_arity', `Wrong number of parameters for "${spec.name}". Got ${args.length}, expected ${spec.arity}`,
      index, lead + 1, spec.name, args.map((a) => a.id), stripped);
  }
  return { ok: true, line: { action: spec.name, args, index, text: stripped } };
}

export type ParseScriptResult =
  | { ok: true; lines: ScriptLine[] }
  | { ok: false; error: ParseError & { index: number }; lines: ScriptLine[] };

/** Whether the reference's readers skip this raw line (no `[`, blank, or a `#` comment). */
export function isSkippedLine(raw: string): boolean {
  if (!raw.includes('[')) return true;
  const s = raw.trim();
  return s.length === 0 || s.startsWith('#');
}

/**
 * Parse a script text (one line per line, like `read_script`). Stops at the first error;
 * `error.line` is the source line (1-based), `error.index` the script index it would have had.
 */
export function parseScript(text: string, options: ParseOptions = {}): ParseScriptResult {
  return parseScriptLines(String(text ?? '').split(/\r?\n/), options);
}

/** Parse a list of line strings (like `read_script_from_list_string`). */
export function parseScriptLines(rawLines: readonly string[], options: ParseOptions = {}): ParseScriptResult {
  const lines: ScriptLine[] = [];
  let index = 1;
  for (let i = 0; i < rawLines.length; i++) {
    const raw = rawLines[i];
    if (isSkippedLine(raw)) continue;
    const r = parseScriptLine(raw, index, options);
    if (!r.ok) return { ok: false, error: { ...r.error, line: i + 1, index }, lines };
    lines.push(r.line);
    index++;
  }
  return { ok: true, lines };
}

function formatArg(a: ScriptArg): string {
  return a.instance === undefined ? `<${a.name}> (${a.id})` : `<${a.name}> (${a.instance}.${a.id})`;
}

/** `[ACTION] <name> (id) ...`: what parseScriptLine reads back to the same line. */
export function formatScriptLine(line: Pick<ScriptLine, 'action' | 'args'>): string {
  let s = `[${line.action}]`;
  for (const a of line.args) s += ' ' + formatArg(a);
  return s;
}

/** The reference's `str(ScriptLine)`: `[ACTION] <name> (id) [index]`, used inside messages. */
export function referenceLineText(line: Pick<ScriptLine, 'action' | 'args' | 'index'>): string {
  let s = `[${line.action}]`;
  for (const a of line.args) s += ` <${a.name}> (${a.id})`;
  return `${s} [${line.index}]`;
}
