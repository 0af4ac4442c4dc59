/**
 * Episode logs: JSONL following env/schema/episode-log.schema.json. Line 1 is a header (content
 * hashes of the scene and of the action schema, seed, task, agent, and the initial scene), then
 * one record per step, then an end record. Every record is appended and fsync'd before the
 * writer returns, so a crash loses at most the step in flight.
 *
 * `readEpisodeLog` validates each line (ajv, against the schema's definition for its `type`);
 * on a malformed or truncated line it returns the steps before it and an error naming the line.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { finalize, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { ACTION_ALIASES, ACTION_LIST } from './actions.ts';
import type { Compat } from './executor.ts';
import type { CharacterState, Episode, StepExtras, StepOutcome } from './episode.ts';
import { HearthError } from './errors.ts';
import { readText } from './text.ts';
import { AppendFile } from './files.ts';
import type { Failure } from './failure.ts';
import type { GoalPredicate, GoalProgress } from './goal.ts';
import type { GraphDiff, GraphJSON } from './graph.ts';
import { walkEpisodeLog } from './episode-log-lines.ts';
import { NL_TEMPLATES } from './nl.ts';
import type { Task } from './task.ts';

export const EPISODE_LOG_VERSION = 1;

export interface LogHeader {
  type: 'header';
  version: 1;
  createdAt?: string;
  sceneHash: string;
  actionSchemaHash: string;
  taskSetHash?: string;
  seed: number;
  compat?: Compat;
  task?: { id?: string; title?: string; description?: string; goal?: GoalPredicate[]; expert?: string[] };
  agent?: Record<string, unknown>;
  /** Interactive episodes: the simulated user (version, seed, hidden profile, instructions). */
  user?: Record<string, unknown>;
  scene: GraphJSON;
}

export interface LogStep extends StepExtras {
  type: 'step';
  t: number;
  action: string;
  script?: string | null;
  ok: boolean;
  failure: Failure | null;
  diff: GraphDiff;
  goal: GoalProgress;
  observation?: string;
  character?: CharacterState;
  /** Interactive episodes: the dialogue round of this step. */
  round?: number;
}

/** Interactive episodes: one utterance of the user or the agent (between the steps of its round). */
export interface LogUtterance {
  type: 'utterance';
  round: number;
  speaker: 'user' | 'agent';
  kind: string;
  text: string;
  facts?: string[];
  judgement?: Record<string, unknown>;
}

export interface LogEnd {
  type: 'end';
  steps: number;
  success: boolean;
  terminated: boolean;
  truncated: boolean;
  goal?: GoalProgress;
}

// ---- hashing ----------------------------------------------------------------------------

/** JSON with object keys sorted at every level (arrays keep their order): equal content, equal text. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical scene JSON. */
export function sceneHash(scene: GraphJSON): string {
  return sha256(canonicalJSON(scene));
}

/**
 * The action schema an episode ran under: the verbs with their arity, the aliases, the NL
 * templates and the compat mode. Its hash changes whenever any of them does.
 */
export function actionSchema(compat: Compat = 'v1'): unknown {
  return {
    actions: ACTION_LIST.map((a) => [a.name, a.arity]),
    aliases: ACTION_ALIASES,
    nl: NL_TEMPLATES.map((x) => [x.action, x.arity, x.template]),
    compat,
  };
}

export function actionSchemaHash(compat: Compat = 'v1'): string {
  return sha256(canonicalJSON(actionSchema(compat)));
}

// ---- writing ----------------------------------------------------------------------------

export interface HeaderInput {
  task: Task;
  seed: number;
  compat?: Compat;
  agent?: Record<string, unknown>;
  taskSetHash?: string;
  user?: Record<string, unknown>;
  /** ISO time; `false` leaves it out (byte-identical logs for identical runs). Default: now. */
  createdAt?: string | false;
}

/** The header record of an episode (scene = the task's initial scene). */
export function makeHeader(input: HeaderInput): LogHeader {
  const { task } = input;
  const compat = input.compat ?? 'v1';
  const h: LogHeader = {
    type: 'header', version: EPISODE_LOG_VERSION,
    sceneHash: sceneHash(task.scene), actionSchemaHash: actionSchemaHash(compat),
    seed: input.seed, compat,
    task: { id: task.id, title: task.title, description: task.description, goal: task.goal },
    scene: task.scene,
  };
  if (task.expert) h.task!.expert = task.expert;
  if (input.createdAt !== false) h.createdAt = input.createdAt ?? new Date().toISOString();
  if (input.taskSetHash !== undefined) h.taskSetHash = input.taskSetHash;
  if (input.agent !== undefined) h.agent = input.agent;
  if (input.user !== undefined) h.user = input.user;
  return h;
}

/** The step record of an outcome. */
export function stepRecord(out: StepOutcome): LogStep {
  const r: LogStep = {
    type: 'step', t: out.t, action: out.action, script: out.script ?? null, ok: out.ok,
    failure: out.failure ?? null, diff: out.info.diff, goal: out.goal, observation: out.observation,
    character: out.info.character,
  };
  if (out.extras?.prompt !== undefined) r.prompt = out.extras.prompt;
  if (out.extras?.output !== undefined) r.output = out.extras.output;
  if (out.extras?.speculative !== undefined) r.speculative = out.extras.speculative;
  return r;
}

/**
 * Appends records to a JSONL file, fsync'ing each one (env/files.ts `AppendFile`: every byte
 * or none; a record that does not fit on the disk is cut back out, so the log never ends
 * mid-line, and the writer raises a HearthError).
 */
export class EpisodeLogWriter {
  readonly path: string;
  private file: AppendFile | undefined;
  private steps = 0;
  private executed = 0;
  private last: StepOutcome | undefined;
  private ended = false;

  private constructor(path: string, file: AppendFile) {
    this.path = path;
    this.file = file;
  }

  /** Create (or truncate) `path`, creating its directory, and write the header. */
  static create(path: string, header: LogHeader | HeaderInput): EpisodeLogWriter {
    const file = AppendFile.open(path, { truncate: true, what: 'episode log', kind: 'log.write' });
    const w = new EpisodeLogWriter(path, file);
    try {
      w.append('type' in header ? header : makeHeader(header));
    } catch (e) {
      // No log rather than an empty one that reads as corrupt.
      w.close();
      rmSync(path, { force: true });
      throw e;
    }
    return w;
  }

  /** A writer for an episode that has been reset (seed, compat and task taken from it). */
  static forEpisode(path: string, episode: Episode, extra: Omit<HeaderInput, 'task' | 'seed' | 'compat'> = {}): EpisodeLogWriter {
    return EpisodeLogWriter.create(path, { ...extra, task: episode.task, seed: episode.seed, compat: episode.options.compat ?? 'v1' });
  }

  private append(record: object): void {
    if (this.file === undefined) throw new Error(`episode log ${this.path} is closed`);
    this.file.append(JSON.stringify(record) + '\n');
  }

  /** Append one step (`round`: its dialogue round, interactive episodes). */
  step(out: StepOutcome, round?: number): void {
    if (this.ended) throw new Error(`episode log ${this.path} already has its end record`);
    this.append(round === undefined ? stepRecord(out) : { ...stepRecord(out), round });
    this.steps++;
    if (!out.info.end) this.executed++;
    this.last = out;
  }

  /** Append one utterance (interactive episodes). */
  utterance(u: Omit<LogUtterance, 'type'>): void {
    if (this.ended) throw new Error(`episode log ${this.path} already has its end record`);
    this.append({ type: 'utterance', ...u });
  }

  /**
   * Append the end record and close. Without arguments it is derived from the last step
   * (`steps` counts executed actions: END is not one).
   */
  end(summary?: Omit<LogEnd, 'type'>): void {
    if (this.ended) return;
    const s = summary ?? {
      steps: this.executed,
      success: this.last?.info.success ?? false,
      terminated: this.last?.terminated ?? false,
      truncated: this.last?.truncated ?? false,
      ...(this.last ? { goal: this.last.goal } : {}),
    };
    this.append({ type: 'end', ...s });
    this.ended = true;
    this.close();
  }

  /** Close without an end record (an interrupted episode). */
  close(): void {
    if (this.file !== undefined) {
      const f = this.file;
      this.file = undefined;
      f.close();
    }
  }

  /** Number of step records written. */
  get stepCount(): number { return this.steps; }
}

/**
 * RxJS operator: append every step outcome to `writer`, the end record when the episode
 * completes, and close the file however the stream stops (an error or an unsubscribe leaves a
 * log without end record, which `readEpisodeLog` reads as an interrupted episode).
 */
export function logSteps(writer: EpisodeLogWriter): MonoTypeOperatorFunction<StepOutcome> {
  return (source) => source.pipe(
    tap({ next: (o) => writer.step(o), complete: () => writer.end() }),
    finalize(() => writer.close()),
  );
}

// ---- reading ----------------------------------------------------------------------------

export interface EpisodeLog {
  header: LogHeader;
  steps: LogStep[];
  /** Utterance records (interactive episodes; empty otherwise). */
  utterances: LogUtterance[];
  end?: LogEnd;
  /** The first bad line (1-based) and what is wrong with it; records after it are not read. */
  error?: { line: number; message: string };
}

let validators: Record<'header' | 'step' | 'end' | 'utterance', ValidateFunction> | undefined;

function loadValidators(): Record<'header' | 'step' | 'end' | 'utterance', ValidateFunction> {
  if (validators) return validators;
  const schema = JSON.parse(readFileSync(new URL('./schema/episode-log.schema.json', import.meta.url), 'utf8')) as { $id: string };
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addSchema(schema);
  const get = (name: string): ValidateFunction => {
    const v = ajv.getSchema(`${schema.$id}#/definitions/${name}`);
    if (!v) throw new Error(`episode-log schema has no definition "${name}"`);
    return v;
  };
  validators = { header: get('header'), step: get('step'), end: get('end'), utterance: get('utterance') };
  return validators;
}

function ajvText(v: ValidateFunction): string {
  const e = v.errors?.[0];
  if (!e) return 'invalid';
  return `${e.instancePath || '(record)'} ${e.message ?? 'is invalid'}`;
}

/**
 * Read and validate an episode log. Throws HearthError when the file cannot be read or its
 * first line is not a valid header; otherwise returns everything valid up to the first bad
 * line, with `error` naming that line.
 */
export function readEpisodeLog(path: string): EpisodeLog {
  const text = readText(path, 'episode log'); // strict UTF-8, BOM stripped
  const v = loadValidators();
  const check = (f: ValidateFunction) => (r: Record<string, unknown>): string | null => (f(r) ? null : ajvText(f));
  const w = walkEpisodeLog(text, { header: check(v.header), step: check(v.step), end: check(v.end), utterance: check(v.utterance) });
  if (w.fatal?.kind === 'empty') throw new HearthError('log.header', `episode log ${path} is empty`, 'an episode log starts with a header line');
  if (w.fatal) throw new HearthError('log.header', `episode log ${path}: ${w.fatal.message}`, 'line 1 must be the header record');
  const log: EpisodeLog = { header: w.header as unknown as LogHeader, steps: w.steps as unknown as LogStep[], utterances: w.utterances as unknown as LogUtterance[] };
  if (w.end) log.end = w.end as unknown as LogEnd;
  if (w.error) log.error = w.error;
  return log;
}
