/**
 * Episodes with Gymnasium's conventions: `reset(seed)` gives the first observation, `step(action)`
 * gives `{observation, ok, failure?, goal, terminated, truncated, info}`.
 *
 * - Actions are E2CL natural-language actions by default (`Walk to kitchen`, env/nl.ts), or
 *   script lines (`[WALK] <kitchen> (11)`) with `actionFormat: 'script'`.
 * - `END` (any case, surrounding blanks ignored) ends the episode: `terminated` is true and
 *   nothing is executed. E2CL's agent decides when it is done, so reaching the goal does not end
 *   the episode unless `stopOnGoal` is set.
 * - A failed action does not end the episode (the state is unchanged, the failure is in the
 *   history), as in E2CL. After `maxSteps` executed actions (default 26: E2CL's `threshold > 25`)
 *   the episode is `truncated`.
 * - One Executor and one grounder per episode, rebuilt on reset: v1's "must be found first"
 *   bindings and the NL name bindings persist across steps, as in the authors' loop.
 * - NL lines are executed with script index 0, as the authors do (`parse_script_line(line, 0)`),
 *   so failure messages read `... when executing "[SWITCHON] <tv> (410) [0]"`; script-format
 *   actions get their step number as index.
 *
 * The same episode as an RxJS Observable: `episode$(task, agent)` (cold: each subscription runs a
 * fresh episode) or `episode.asObservable(agent)` (continues this episode from its current state).
 */
import { defer, Observable } from 'rxjs';
import { Executor, type Compat } from './executor.ts';
import type { Failure } from './failure.ts';
import { goalMet, goalProgress, type GoalProgress } from './goal.ts';
import { SceneGraph, type GraphDiff } from './graph.ts';
import { NLGrounder, type NLParsed } from './nl.ts';
import { heldObjects, observationText, observe, roomOfNode, type StructuredObservation } from './observation.ts';
import { parseScriptLine } from './script.ts';
import type { ScriptLine } from './script-types.ts';
import type { Task } from './task.ts';
import { HearthError } from './errors.ts';

export type ActionFormat = 'nl' | 'script';

export const END_ACTION = 'END';
export const DEFAULT_MAX_STEPS = 26;

export interface EpisodeOptions {
  /** Seed of the grounding PRNG (default 0). `reset(seed)` overrides it. */
  seed?: number;
  /** Executed actions before truncation (default 26). */
  maxSteps?: number;
  /** Simulator rules (default 'v1'). */
  compat?: Compat;
  /** How `step` reads its action (default 'nl'). */
  actionFormat?: ActionFormat;
  /** End the episode (terminated) as soon as every goal predicate holds (default false). */
  stopOnGoal?: boolean;
  /** Load the scene in lenient mode (unknown property/state strings dropped). */
  lenient?: boolean;
  /** NL name → node id bindings known at the start (the dataset's `object_id_dict`). */
  bindings?: Readonly<Record<string, number>>;
}

/** Where the character is after a step (also written to episode logs). */
export interface CharacterState {
  room: number | null;
  /** Ids the character has a CLOSE edge to, in edge order. */
  close: number[];
  /** Held ids, right hand first. */
  holds: number[];
}

export interface GroundingState {
  seed: number;
  bindings: Map<string, number>;
  lastObject: number | undefined;
  draws: number;
}

/** What an agent may attach to its action for the log (E2CL's prompt, raw output, speculative inference). */
export interface StepExtras {
  prompt?: string;
  output?: string;
  speculative?: {
    proposed?: string;
    predictedFeedback?: string;
    correction?: string | null;
    correctionFeedback?: string | null;
    used?: boolean;
  };
}

export interface StepInfo {
  /** The state change of this step (empty for failures and END). */
  diff: GraphDiff;
  character: CharacterState;
  structured: StructuredObservation;
  /** Every goal predicate holds now. */
  success: boolean;
  /** This step was `END`. */
  end: boolean;
  /** How the NL action was read (NL format only, not for END). */
  parsed?: NLParsed;
  /** Messages the reference logs on steps that still succeed (e.g. PlugOut while on). */
  warnings?: string[];
  /** Where the reference would have raised an exception instead of failing cleanly. */
  exception?: string;
}

export interface StepOutcome {
  /** 1-based step number. */
  t: number;
  /** The action as the agent wrote it. */
  action: string;
  /** The grounded script line (`[WALK] <kitchen> (11)`), when the action got that far. */
  script?: string;
  observation: string;
  ok: boolean;
  failure?: Failure;
  goal: GoalProgress;
  terminated: boolean;
  truncated: boolean;
  extras?: StepExtras;
  info: StepInfo;
}

export interface HistoryEntry {
  t: number;
  action: string;
  script?: string;
  ok: boolean;
  failure?: Failure;
  observation: string;
  goal: GoalProgress;
}

export interface TaskInfo {
  id: string;
  title: string;
  description: string;
}

export interface ResetResult {
  observation: string;
  info: {
    seed: number;
    task: TaskInfo;
    goal: GoalProgress;
    success: boolean;
    character: CharacterState;
    structured: StructuredObservation;
  };
}

/** What an agent sees before choosing the next action. */
export interface AgentView {
  task: TaskInfo;
  /** The step number the next action will get. */
  t: number;
  /** The latest observation (the reset observation before step 1). */
  observation: string;
  history: readonly HistoryEntry[];
}

export type AgentReply = string | ({ action: string } & StepExtras);
export type EpisodeAgent = (view: AgentView) => AgentReply | Promise<AgentReply>;

const EMPTY_DIFF: GraphDiff = Object.freeze({ edgesAdded: [], edgesRemoved: [], statesChanged: {} }) as GraphDiff;

export function isEndAction(action: string): boolean {
  return action.trim().toUpperCase() === END_ACTION;
}

export class Episode {
  readonly task: Task;
  readonly options: Readonly<EpisodeOptions>;
  readonly maxSteps: number;
  readonly actionFormat: ActionFormat;
  private _graph!: SceneGraph;
  private executor!: Executor;
  private grounder!: NLGrounder;
  private _history: HistoryEntry[] = [];
  private _seed = 0;
  private done = false;
  private lastObservation = '';
  private executed = 0;
  /** The scene is parsed on the first reset (explicit, or implied by the first use). */
  private built = false;

  constructor(task: Task, options: EpisodeOptions = {}) {
    this.task = task;
    this.options = { ...options };
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    if (!Number.isInteger(this.maxSteps) || this.maxSteps < 1) {
      throw new HearthError('episode.max_steps', `maxSteps must be a positive integer, got ${String(options.maxSteps)}`);
    }
    this.actionFormat = options.actionFormat ?? 'nl';
    if (this.actionFormat !== 'nl' && this.actionFormat !== 'script') {
      throw new HearthError('episode.action_format', `unknown action format "${String(options.actionFormat)}"`, 'use "nl" or "script"');
    }
    this._seed = options.seed ?? 0;
    if (!Number.isFinite(this._seed)) throw new HearthError('episode.seed', `seed must be a finite number, got ${String(options.seed)}`);
  }

  /** Reset with the constructor's seed if nobody has yet (callers usually reset right after constructing). */
  private ensure(): void {
    if (!this.built) this.reset();
  }

  /** The live scene graph (mutated in place by steps). */
  get graph(): SceneGraph { this.ensure(); return this._graph; }
  get history(): readonly HistoryEntry[] { return this._history; }
  get seed(): number { return this._seed; }
  /** The character's node id. */
  get character(): number { this.ensure(); return this.executor.character; }
  /** True once terminated or truncated. */
  get finished(): boolean { return this.done; }
  get taskInfo(): TaskInfo { return { id: this.task.id, title: this.task.title, description: this.task.description }; }

  /** Start over from the task's initial scene. Without a seed, the constructor's seed is used. */
  reset(seed?: number): ResetResult {
    const s = seed ?? this.options.seed ?? 0;
    if (!Number.isFinite(s)) throw new HearthError('episode.seed', `seed must be a finite number, got ${String(seed)}`);
    this._seed = s;
    this._graph = SceneGraph.fromJSON(this.task.scene, { lenient: this.options.lenient, source: `task ${this.task.id}` });
    this.executor = new Executor(this._graph, { compat: this.options.compat });
    this.grounder = new NLGrounder(this._graph, this.executor.character, { seed: s, bindings: this.options.bindings });
    this._history = [];
    this.done = false;
    this.executed = 0;
    this.built = true;
    const structured = observe(this._graph, this.executor.character);
    this.lastObservation = structured.text;
    return {
      observation: structured.text,
      info: {
        seed: s, task: this.taskInfo, goal: goalProgress(this._graph, this.task.goal),
        success: goalMet(this._graph, this.task.goal), character: this.characterState(), structured,
      },
    };
  }

  /** The NL grounder's state: seed, name → id bindings, last interacted object, PRNG draws so far. */
  groundingState(): GroundingState {
    this.ensure();
    return { seed: this._seed, bindings: new Map(this.grounder.bindings()), lastObject: this.grounder.lastObject(), draws: this.grounder.draws() };
  }

  /** Where the character is now. */
  characterState(): CharacterState {
    this.ensure();
    const g = this._graph;
    const c = this.executor.character;
    return { room: roomOfNode(g, c) ?? null, close: [...g.out(c, 'CLOSE')], holds: heldObjects(g, c) };
  }

  /** What an agent sees before the next step. */
  view(): AgentView {
    this.ensure();
    return { task: this.taskInfo, t: this._history.length + 1, observation: this.lastObservation, history: this._history };
  }

  /** Take one action. Throws (a programming error) once the episode has finished; call reset(). */
  step(action: string, extras?: StepExtras): StepOutcome {
    if (this.done) throw new Error('Episode.step called after the episode finished; call reset() first');
    if (typeof action !== 'string') throw new Error(`Episode.step needs a string action, got ${typeof action}`);
    this.ensure();
    const t = this._history.length + 1;
    const g = this._graph;
    const c = this.executor.character;

    if (isEndAction(action)) {
      this.done = true;
      const goal = goalProgress(g, this.task.goal);
      const structured = observe(g, c);
      const out: StepOutcome = {
        t, action, observation: '', ok: true, goal, terminated: true, truncated: false,
        info: { diff: EMPTY_DIFF, character: this.characterState(), structured, success: goalMet(g, this.task.goal), end: true },
      };
      if (extras) out.extras = extras;
      this._history.push({ t, action, ok: true, observation: '', goal });
      return out;
    }

    const mark = g.mark();
    let line: ScriptLine | undefined;
    let failure: Failure | undefined;
    let parsed: NLParsed | undefined;
    if (this.actionFormat === 'nl') {
      const r = this.grounder.ground(action);
      parsed = r.parsed;
      if (r.ok) line = r.line; else failure = r.failure;
    } else {
      const r = parseScriptLine(action, t);
      if (r.ok) line = r.line; else failure = r.error.failure;
    }
    let warnings: string[] | undefined;
    let exception: string | undefined;
    if (line) {
      const res = this.executor.executeLine(line);
      if (!res.ok) failure = res.failure;
      warnings = res.warnings;
      exception = res.exception;
    }
    this.executed++;
    const ok = failure === undefined;
    const diff = g.diffSince(mark);
    const structured = observe(g, c);
    const observation = structured.text;
    this.lastObservation = observation;
    const goal = goalProgress(g, this.task.goal);
    const success = goal.satisfied === goal.total;
    const terminated = this.options.stopOnGoal === true && success;
    const truncated = !terminated && this.executed >= this.maxSteps;
    this.done = terminated || truncated;

    const info: StepInfo = { diff, character: this.characterState(), structured, success, end: false };
    if (parsed) info.parsed = parsed;
    if (warnings && warnings.length > 0) info.warnings = warnings;
    if (exception !== undefined) info.exception = exception;
    const out: StepOutcome = { t, action, observation, ok, goal, terminated, truncated, info };
    if (line) out.script = line.text;
    if (failure) out.failure = failure;
    if (extras) out.extras = extras;
    const h: HistoryEntry = { t, action, ok, observation, goal };
    if (line) h.script = line.text;
    if (failure) h.failure = failure;
    this._history.push(h);
    return out;
  }

  /**
   * This episode driven by an agent, as an Observable of step outcomes that completes when the
   * episode terminates or is truncated. Unsubscribing stops asking the agent. The agent may be
   * synchronous or return a promise (a language model).
   */
  asObservable(agent: EpisodeAgent): Observable<StepOutcome> {
    return new Observable<StepOutcome>((subscriber) => {
      let stopped = false;
      const run = async (): Promise<void> => {
        while (!stopped && !this.done) {
          const reply = await agent(this.view());
          if (stopped) return;
          const out = typeof reply === 'string' ? this.step(reply) : this.step(reply.action, extrasOf(reply));
          subscriber.next(out);
        }
        if (!stopped) subscriber.complete();
      };
      run().catch((e: unknown) => { if (!stopped) subscriber.error(e); });
      return () => { stopped = true; };
    });
  }
}

function extrasOf(reply: { action: string } & StepExtras): StepExtras | undefined {
  const { action: _action, ...rest } = reply;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** A fresh episode per subscription (reset with `options.seed`), driven by `agent`. */
export function episode$(task: Task, agent: EpisodeAgent, options: EpisodeOptions = {}): Observable<StepOutcome> {
  return defer(() => new Episode(task, options).asObservable(agent));
}

/** Run an agent until the episode ends; the outcomes in order. */
export async function runEpisode(episode: Episode, agent: EpisodeAgent): Promise<StepOutcome[]> {
  const outs: StepOutcome[] = [];
  while (!episode.finished) {
    const reply = await agent(episode.view());
    outs.push(typeof reply === 'string' ? episode.step(reply) : episode.step(reply.action, extrasOf(reply)));
  }
  return outs;
}
