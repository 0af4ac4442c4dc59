/**
 * Suite files (issue 18): one JSON or YAML file that says which tasks, which agents, which
 * protocol, which feedback detail, which seeds and repetitions, and which budgets. Checked
 * with JSON Schema (ajv) before any work starts; an error names the file, the line (YAML
 * and JSON alike: both are read through the `yaml` package's node ranges, JSON being YAML)
 * and the field, e.g. `quick.yaml:14: agents.2.kind must be one of …, got "plannr"`.
 *
 * Agents are validated in two passes (the common fields, then the fields of the agent's
 * kind) so that an error speaks of the kind the user wrote, not of every `oneOf` branch.
 * String values may use `${VAR}` and `${VAR:-default}` (environment variables), so that a
 * suite can point at a checkpoint that differs per machine; relative paths are relative to
 * the suite file.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { HearthError } from '../env/errors.ts';
import { locateJSONError } from '../env/json-locate.ts';
import { readText } from '../env/text.ts';
import type { Split } from '../env/task.ts';
import type { DetailLevel } from '../feedback/targets.ts';

export type Protocol = 'closed-loop' | 'one-shot';
export const AGENT_KINDS = ['planner', 'random', 'scripted', 'checkpoint', 'openai', 'gguf'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export interface TasksSpec {
  set: 'generated' | 'vh-programs' | 'eai';
  /** VirtualHome data folder (vh-programs, eai); default HEARTH_VH_DATA or ../shared/virtualhome. */
  data?: string;
  splits: Split[];
  /** Tasks per split. */
  count: number;
  /** Which tasks are listed (not the episode seed). */
  seed: number;
  /** Only tasks an expert can solve with NL actions (default true; E2CL's evaluation). */
  solvable: boolean;
  /** Only tasks whose NL expert program has at most this many steps. */
  maxExpertSteps?: number;
  /** Explicit task ids instead of a listing (each id names its split). */
  ids?: string[];
}

export interface Budgets {
  /** Executed actions per episode. */
  maxSteps: number;
  /** Tokens per action (and per correction) of an LM agent (default: the checkpoint's own settings, else 12). */
  maxTokens?: number;
  /** Tokens per predicted feedback (speculative inference; default as maxTokens, else 4). */
  feedbackTokens?: number;
  /** Wall-clock limit per episode (the episode ends as `timeout`). */
  episodeTimeoutMs?: number;
  /** Per HTTP request of an `openai` agent. */
  requestTimeoutMs?: number;
}

export interface PromptSpec {
  historySteps?: number;
  maxObservationChars?: number;
  keepHeldWhenCut?: boolean;
  feedbackInCorrection?: boolean;
}

interface AgentBase { name: string; kind: AgentKind }
export interface PlannerAgent extends AgentBase {
  kind: 'planner';
  planTimeMs?: number;
  /** Plan for EAI's own goals, action goals included (eai task set, one-shot; needs HEARTH_EAI_DATA): `hearth eai run --agent planner`'s plans. */
  eaiGoals?: boolean;
}
export interface RandomAgent extends AgentBase { kind: 'random' }
export interface ScriptedAgent extends AgentBase {
  kind: 'scripted';
  /** The same actions on every task, or per task id (`byTask`), or from a file (one per line). */
  actions?: string[];
  byTask?: Record<string, string[]>;
  file?: string;
}
export interface LmAgentCommon {
  speculative: boolean;
  prompt?: PromptSpec;
  temperature?: number;
  /** Episodes advanced together (their model calls are batched). */
  concurrency?: number;
}
export interface CheckpointAgent extends AgentBase, LmAgentCommon { kind: 'checkpoint'; path: string; backend?: string }
export interface GgufAgent extends AgentBase, LmAgentCommon { kind: 'gguf'; path: string }
export interface OpenAIAgent extends AgentBase, LmAgentCommon {
  kind: 'openai';
  baseUrl: string;
  model?: string;
  api?: 'completions' | 'chat';
  /** Name of the environment variable that holds the API key (the key itself never goes in a suite file). */
  apiKeyEnv?: string;
  cache?: string;
  cacheMode?: 'auto' | 'record' | 'replay' | 'off';
  retries?: number;
  promptsPerRequest?: number;
}
export type AgentSpec = PlannerAgent | RandomAgent | ScriptedAgent | CheckpointAgent | GgufAgent | OpenAIAgent;
export type LmAgent = CheckpointAgent | GgufAgent | OpenAIAgent;

export interface SuiteSpec {
  name: string;
  description?: string;
  tasks: TasksSpec;
  protocol: Protocol;
  feedback: DetailLevel;
  seeds: number[];
  repetitions: number;
  budgets: Budgets;
  /** After `speculative: both` is expanded into two agents (`name` and `name+spec`). */
  agents: AgentSpec[];
  /** `logs`: an episode log per episode under `logs/` (for the viewer; default true). */
  report: { resamples: number; logs: boolean };
}

export interface LoadedSuite {
  spec: SuiteSpec;
  /** The suite file (absolute). */
  file: string;
  /** sha256 of the canonical spec: a run directory belongs to exactly one spec. */
  hash: string;
}

type Schema = Record<string, unknown>;
const int = (minimum: number, maximum = Number.MAX_SAFE_INTEGER): Schema => ({ type: 'integer', minimum, maximum });
const str: Schema = { type: 'string', minLength: 1 };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });
const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.+-]*$', maxLength: 64 };

const PROMPT = obj({ historySteps: int(0), maxObservationChars: int(1), keepHeldWhenCut: { type: 'boolean' }, feedbackInCorrection: { type: 'boolean' } });
const LM_COMMON: Record<string, Schema> = {
  name: NAME, kind: str, speculative: { enum: [true, false, 'both'] }, prompt: PROMPT,
  temperature: { type: 'number', minimum: 0, maximum: 100 }, concurrency: int(1, 4096),
};

export const SUITE_SCHEMA: Schema = obj({
  $schema: { type: 'string' },
  name: NAME,
  description: { type: 'string' },
  tasks: obj({
    set: { enum: ['generated', 'vh-programs', 'eai'] }, data: str,
    splits: { type: 'array', items: { enum: ['seen', 'unseen', 'train'] }, minItems: 1, uniqueItems: true },
    count: int(1, 100_000), seed: int(Number.MIN_SAFE_INTEGER), solvable: { type: 'boolean' }, maxExpertSteps: int(1, 10_000),
    ids: { type: 'array', items: str, minItems: 1, uniqueItems: true },
  }, ['set']),
  protocol: { enum: ['closed-loop', 'one-shot'] },
  feedback: { enum: ['none', 'generic', 'specific'] },
  seeds: { type: 'array', items: int(Number.MIN_SAFE_INTEGER), minItems: 1, uniqueItems: true },
  repetitions: int(1, 10_000),
  budgets: obj({
    maxSteps: int(1, 10_000), maxTokens: int(1, 4096), feedbackTokens: int(1, 4096), episodeTimeoutMs: int(1), requestTimeoutMs: int(1),
  }),
  agents: { type: 'array', minItems: 1, items: { type: 'object', properties: { name: NAME, kind: { enum: [...AGENT_KINDS] } }, required: ['name', 'kind'] } },
  report: obj({ resamples: int(10, 1_000_000), logs: { type: 'boolean' } }),
}, ['name', 'tasks', 'agents']);

export const AGENT_SCHEMAS: Record<AgentKind, Schema> = {
  planner: obj({ name: NAME, kind: str, planTimeMs: int(1), eaiGoals: { type: 'boolean' } }, ['name', 'kind']),
  random: obj({ name: NAME, kind: str }, ['name', 'kind']),
  scripted: obj({
    name: NAME, kind: str, actions: { type: 'array', items: { type: 'string' } }, file: str,
    byTask: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  }, ['name', 'kind']),
  checkpoint: obj({ ...LM_COMMON, path: str, backend: { enum: ['wasm', 'cpu', 'tensorflow'] } }, ['name', 'kind', 'path']),
  gguf: obj({ ...LM_COMMON, path: str }, ['name', 'kind', 'path']),
  openai: obj({
    ...LM_COMMON, baseUrl: { type: 'string', pattern: '^https?://' }, model: str, api: { enum: ['completions', 'chat'] }, apiKeyEnv: str,
    cache: str, cacheMode: { enum: ['auto', 'record', 'replay', 'off'] }, retries: int(0, 100), promptsPerRequest: int(1, 4096),
  }, ['name', 'kind', 'baseUrl']),
};

export const DEFAULT_BUDGETS: Budgets = { maxSteps: 26 };

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
const validators = new Map<Schema, ValidateFunction>();
function validator(s: Schema): ValidateFunction {
  let v = validators.get(s);
  if (!v) validators.set(s, (v = ajv.compile(s)));
  return v;
}

/** What a schema node accepts, in words. */
function describe(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
  if (s.type === 'integer') {
    const lo = s.minimum as number | undefined;
    const hi = s.maximum as number | undefined;
    const big = (x: number | undefined): boolean => x === undefined || Math.abs(x) >= Number.MAX_SAFE_INTEGER;
    if (big(lo) && big(hi)) return 'an integer';
    return big(hi) ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`;
  }
  if (s.type === 'number') return `a number in [${String(s.minimum)}, ${String(s.maximum)}]`;
  if (s.type === 'boolean') return 'true or false';
  if (s.type === 'array') return s.minItems ? 'a non-empty list' : 'a list';
  if (s.type === 'object') return 'a mapping (object)';
  if (s.type === 'string') {
    if (s.pattern === NAME.pattern) return 'a name of letters, digits and _ . + - (at most 64)';
    if (typeof s.pattern === 'string' && s.pattern.startsWith('^http')) return 'an http:// or https:// URL';
    return 'a non-empty string';
  }
  return 'valid';
}

type PathPart = string | number;

function pathOf(e: ErrorObject): PathPart[] {
  if (e.instancePath === '') return [];
  return e.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const dotted = (p: readonly PathPart[]): string => p.map(String).join('.');

/** Where a file's text has the node at `path` (1-based line), walking up to the nearest node that exists. */
function lineOf(doc: Document | undefined, lc: LineCounter, path: readonly PathPart[], key?: string): number | undefined {
  if (!doc) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (!node || typeof node !== 'object') continue;
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      const r = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (r) return lc.linePos(r[0]).line;
    }
    const r = (node as { range?: [number, number, number] }).range;
    if (r) return lc.linePos(r[0]).line;
  }
  return undefined;
}

function schemaError(file: string, doc: Document | undefined, lc: LineCounter, e: ErrorObject, base: PathPart[] = []): HearthError {
  const path = [...base, ...pathOf(e)];
  const where = (extra?: string): string => {
    const line = lineOf(doc, lc, path, extra);
    return line !== undefined ? `${file}:${line}` : file;
  };
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys(((e.parentSchema ?? {}) as Schema).properties as object ?? {}).filter((k) => k !== '$schema').sort();
    return new HearthError('suite.schema', `${where(extra)}: unknown field "${dotted([...path, extra])}"`, `fields here: ${known.join(', ')}`);
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return new HearthError('suite.schema', `${where()}: missing field "${dotted([...path, missing])}"`, 'see docs/suites.md for the format');
  }
  if (e.keyword === 'uniqueItems') {
    return new HearthError('suite.schema', `${where()}: "${dotted(path)}" lists a value twice`, 'give each value once');
  }
  if (e.keyword === 'minItems') {
    return new HearthError('suite.schema', `${where()}: "${dotted(path)}" must not be empty`, 'give at least one item');
  }
  const want = describe((e.parentSchema ?? {}) as Schema);
  const field = path.length ? `"${dotted(path)}"` : 'the suite';
  return new HearthError('suite.schema', `${where()}: ${field} must be ${want}, got ${JSON.stringify(e.data)}`, 'see docs/suites.md for the format');
}

/** `${VAR}` and `${VAR:-default}` in every string value; an unset variable without default is an error naming it. */
function interpolate(value: unknown, file: string, doc: Document | undefined, lc: LineCounter, path: PathPart[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
      const v = process.env[name];
      if (v !== undefined && v !== '') return v;
      if (def !== undefined) return def;
      const line = lineOf(doc, lc, path);
      throw new HearthError('suite.env', `${line !== undefined ? `${file}:${line}` : file}: "${dotted(path)}" uses \${${name}}, which is not set`,
        `set ${name}, or write \${${name}:-default}`);
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, file, doc, lc, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, file, doc, lc, [...path, k])]));
  }
  return value;
}

/** Parse a suite file's text (JSON or YAML, by extension; `.yml`/`.yaml` → YAML). */
function parseText(text: string, file: string): { data: unknown; doc: Document | undefined; lc: LineCounter } {
  const lc = new LineCounter();
  const yamlFile = /\.ya?ml$/i.test(file);
  if (!yamlFile) {
    try {
      JSON.parse(text);
    } catch {
      const { offset, problem } = locateJSONError(text);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const col = offset - before.lastIndexOf('\n');
      throw new HearthError('suite.syntax', `${file}:${line}:${col}: ${problem}`, 'fix the JSON (or write the suite in YAML with a .yaml name)');
    }
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lc.linePos(err.pos[0]);
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new HearthError('suite.syntax', `${file}:${pos.line}:${pos.col}: ${msg}`, yamlFile ? 'fix the YAML' : 'fix the JSON');
  }
  return { data: doc.toJS({ maxAliasCount: 100 }) as unknown, doc, lc };
}

const absolute = (base: string, p: string): string => (isAbsolute(p) ? p : resolve(base, p));

/**
 * sha256 of the spec as JSON with sorted keys. An agent's `cacheMode` and `baseUrl` are left
 * out: recording or replaying does not change what a run computes, nor does the address the
 * model is reached at (the cache keys by model name too), so a suite recorded against a server
 * can be resumed against the server on another port, or re-scored offline in replay mode,
 * under the same hash. (Name the model, `model:`, when two servers could serve different ones.)
 */
export function specHash(spec: SuiteSpec): string {
  const stripped = { ...spec, agents: spec.agents.map((a) => (a.kind === 'openai' ? { ...a, cacheMode: undefined, baseUrl: undefined } : a)) };
  const canon = (v: unknown): unknown => (Array.isArray(v) ? v.map(canon)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v);
  return createHash('sha256').update(JSON.stringify(canon(stripped))).digest('hex');
}

/** Check a parsed suite (already interpolated) and fill defaults; `base` resolves relative paths. */
export function checkSuite(data: unknown, file: string, base: string, doc?: Document, lc: LineCounter = new LineCounter()): SuiteSpec {
  const top = validator(SUITE_SCHEMA);
  if (!top(data)) {
    const e = top.errors![0];
    if (e.instancePath === '' && e.keyword === 'type') throw new HearthError('suite.schema', `${file}: a suite must be a mapping (object) at the top`, 'see docs/suites.md');
    throw schemaError(file, doc, lc, e);
  }
  const d = data as Record<string, unknown> & { agents: Array<Record<string, unknown>>; tasks: Record<string, unknown> };
  const agents: AgentSpec[] = [];
  const names = new Set<string>();
  d.agents.forEach((a, i) => {
    const kind = a.kind as AgentKind;
    const v = validator(AGENT_SCHEMAS[kind]);
    if (!v(a)) throw schemaError(file, doc, lc, v.errors![0], ['agents', i]);
    const expanded: Array<Record<string, unknown>> = [];
    if (kind === 'checkpoint' || kind === 'gguf' || kind === 'openai') {
      if (a.speculative === 'both') expanded.push({ ...a, speculative: false }, { ...a, name: `${String(a.name)}+spec`, speculative: true });
      else expanded.push({ ...a, speculative: a.speculative === true });
    } else {
      expanded.push({ ...a });
    }
    for (const x of expanded) {
      const name = String(x.name);
      if (names.has(name)) {
        const line = lineOf(doc, lc, ['agents', i, 'name']);
        throw new HearthError('suite.schema', `${line !== undefined ? `${file}:${line}` : file}: agent name "${name}" is used twice (agents.${i}.name)`, 'give every agent its own name');
      }
      names.add(name);
      if (typeof x.path === 'string') x.path = absolute(base, x.path);
      if (typeof x.file === 'string') x.file = absolute(base, x.file);
      if (typeof x.cache === 'string') x.cache = absolute(base, x.cache);
      if (kind === 'planner' && x.eaiGoals === true && (d.tasks.set !== 'eai' || d.protocol !== 'one-shot')) {
        const line = lineOf(doc, lc, ['agents', i, 'eaiGoals']);
        throw new HearthError('suite.schema', `${line !== undefined ? `${file}:${line}` : file}: planner "${name}" has eaiGoals, which needs tasks.set eai and protocol one-shot`, 'remove eaiGoals, or make the suite an EAI one-shot suite');
      }
      if (kind === 'scripted' && x.actions === undefined && x.byTask === undefined && x.file === undefined) {
        const line = lineOf(doc, lc, ['agents', i]);
        throw new HearthError('suite.schema', `${line !== undefined ? `${file}:${line}` : file}: scripted agent "${name}" needs "actions", "byTask" or "file"`, 'give its actions');
      }
      agents.push(x as unknown as AgentSpec);
    }
  });
  const t = d.tasks;
  const set = t.set as TasksSpec['set'];
  const tasks: TasksSpec = {
    set, splits: (t.splits as Split[] | undefined) ?? ['seen', 'unseen'], count: (t.count as number | undefined) ?? 10,
    seed: (t.seed as number | undefined) ?? 0, solvable: (t.solvable as boolean | undefined) ?? true,
  };
  if (typeof t.data === 'string') tasks.data = absolute(base, t.data);
  if (typeof t.maxExpertSteps === 'number') tasks.maxExpertSteps = t.maxExpertSteps;
  if (Array.isArray(t.ids)) tasks.ids = t.ids as string[];
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...(d.budgets as Partial<Budgets> | undefined) };
  const spec: SuiteSpec = {
    name: d.name as string, tasks, protocol: (d.protocol as Protocol | undefined) ?? 'closed-loop',
    feedback: (d.feedback as DetailLevel | undefined) ?? 'none', seeds: (d.seeds as number[] | undefined) ?? [0],
    repetitions: (d.repetitions as number | undefined) ?? 1, budgets, agents,
    report: { resamples: ((d.report as { resamples?: number } | undefined)?.resamples) ?? 1000, logs: ((d.report as { logs?: boolean } | undefined)?.logs) ?? true },
  };
  if (typeof d.description === 'string') spec.description = d.description;
  return spec;
}

/** Read, parse, interpolate and check a suite file. */
export function loadSuite(path: string): LoadedSuite {
  const file = resolve(path);
  const text = readText(file, 'suite file');
  const { data, doc, lc } = parseText(text, path);
  const interpolated = interpolate(data, path, doc, lc);
  const spec = checkSuite(interpolated, path, dirname(file), doc, lc);
  return { spec, file, hash: specHash(spec) };
}

export function isLmAgent(a: AgentSpec): a is LmAgent {
  return a.kind === 'checkpoint' || a.kind === 'gguf' || a.kind === 'openai';
}
