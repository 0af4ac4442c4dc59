/**
 * Reads an episode log (JSONL, env/schema/episode-log.schema.json) in the browser. It checks the
 * fields the viewer relies on, record by record, and stops at the first bad line: the steps
 * before it are kept and `error` names the line, so a truncated log still replays. A header
 * that cannot be read is `fatal` (there is no scene to show).
 *
 * Kept free of DOM and three.js so that it runs under node in the unit tests too.
 */
import { utteranceProblem, walkEpisodeLog } from '../../env/episode-log-lines.ts';
import type { EpisodeLog, LogEnd, LogHeader, LogStep, LogUtterance } from './log-types.ts';

export interface ParsedLog extends Partial<EpisodeLog> {
  steps: LogStep[];
  /** Interactive episodes' utterances (empty otherwise). */
  utterances: LogUtterance[];
  /** The first bad line (1-based) and what is wrong with it. */
  error?: { line: number; message: string };
  /** Set when not even the header could be read; nothing can be replayed. */
  fatal?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function checkTriples(v: unknown, where: string): string | null {
  if (!Array.isArray(v)) return `${where} must be an array`;
  for (let i = 0; i < v.length; i++) {
    const t = v[i];
    if (!Array.isArray(t) || t.length !== 3 || !isInt(t[0]) || typeof t[1] !== 'string' || !isInt(t[2])) {
      return `${where}/${i} must be [from_id, relation, to_id]`;
    }
  }
  return null;
}

function checkGoal(v: unknown, where: string): string | null {
  if (!isObj(v) || !isInt(v.satisfied) || !isInt(v.total) || v.satisfied < 0 || v.total < 0) {
    return `${where} must be {satisfied, total} (non-negative integers)`;
  }
  return null;
}

function checkHeader(r: Obj): string | null {
  if (r.version !== 1) return `/version must be 1, got ${JSON.stringify(r.version)}`;
  if (typeof r.sceneHash !== 'string') return '/sceneHash must be a string';
  if (typeof r.actionSchemaHash !== 'string') return '/actionSchemaHash must be a string';
  if (!isInt(r.seed)) return '/seed must be an integer';
  if (!isObj(r.scene)) return '/scene must be an object';
  if (!Array.isArray(r.scene.nodes)) return '/scene/nodes must be an array';
  if (!Array.isArray(r.scene.edges)) return '/scene/edges must be an array';
  for (let i = 0; i < r.scene.nodes.length; i++) {
    const n = r.scene.nodes[i] as unknown;
    if (!isObj(n) || !isInt(n.id) || typeof n.class_name !== 'string') return `/scene/nodes/${i} needs an integer id and a class_name`;
  }
  for (let i = 0; i < r.scene.edges.length; i++) {
    const e = r.scene.edges[i] as unknown;
    if (!isObj(e) || !isInt(e.from_id) || !isInt(e.to_id) || typeof e.relation_type !== 'string') {
      return `/scene/edges/${i} needs from_id, relation_type and to_id`;
    }
  }
  return null;
}

function checkStep(r: Obj): string | null {
  if (!isInt(r.t) || r.t < 1) return '/t must be an integer ≥ 1';
  if (typeof r.action !== 'string') return '/action must be a string';
  if (r.script !== undefined && r.script !== null && typeof r.script !== 'string') return '/script must be a string or null';
  if (typeof r.ok !== 'boolean') return '/ok must be a boolean';
  if (r.failure === undefined) return "must have required property 'failure'";
  if (r.failure !== null) {
    if (!isObj(r.failure)) return '/failure must be null or an object';
    for (const k of ['code', 'action', 'predicate', 'message']) {
      if (typeof r.failure[k] !== 'string') return `/failure/${k} must be a string`;
    }
    if (!Array.isArray(r.failure.args)) return '/failure/args must be an array';
  }
  if (!isObj(r.diff)) return "/diff must be an object";
  const d = r.diff;
  const e = checkTriples(d.edgesAdded, '/diff/edgesAdded') ?? checkTriples(d.edgesRemoved, '/diff/edgesRemoved');
  if (e) return e;
  if (!isObj(d.statesChanged)) return '/diff/statesChanged must be an object';
  for (const [k, v] of Object.entries(d.statesChanged)) {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((s) => Array.isArray(s) && s.every((x) => typeof x === 'string'))) {
      return `/diff/statesChanged/${k} must be [states before, states after]`;
    }
  }
  const g = checkGoal(r.goal, '/goal');
  if (g) return g;
  if (r.character !== undefined && !isObj(r.character)) return '/character must be an object';
  if (r.speculative !== undefined && !isObj(r.speculative)) return '/speculative must be an object';
  return null;
}

function checkEnd(r: Obj): string | null {
  if (!isInt(r.steps)) return '/steps must be an integer';
  for (const k of ['success', 'terminated', 'truncated']) if (typeof r[k] !== 'boolean') return `/${k} must be a boolean`;
  if (r.goal !== undefined) return checkGoal(r.goal, '/goal');
  return null;
}

export function parseEpisodeLog(text: string): ParsedLog {
  const w = walkEpisodeLog(text, { header: checkHeader, step: checkStep, end: checkEnd, utterance: utteranceProblem });
  const out: ParsedLog = { steps: w.steps as unknown as LogStep[], utterances: w.utterances as unknown as LogUtterance[] };
  if (w.fatal) {
    out.fatal = `${w.fatal.message} (line 1 must be the header record)`;
    if (w.fatal.kind === 'header') out.error = { line: 1, message: out.fatal };
    return out;
  }
  out.header = w.header as unknown as LogHeader;
  if (w.end) out.end = w.end as unknown as LogEnd;
  if (w.error) out.error = w.error;
  return out;
}
