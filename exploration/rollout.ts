/**
 * The rollout engine (RxJS). Each episode is an Observable of step events ending with one
 * end event; the agent decides through a shared `BatchedDecoder`, so the model calls of all
 * live episodes are gathered into one `generate` call per turn. Unsubscribing cancels an
 * episode (its pending decode requests are dropped); a per-episode time limit is a
 * `takeUntil(timer(ms))` on the stream followed by a truncated end event.
 */
import type { GenerateOptions } from '../agent/language-model.ts';
import { Observable, concat, defer, EMPTY, from, mergeMap, of, takeUntil, timer, type Subscription } from 'rxjs';
import type { GraphDiff } from '../env/graph.ts';
import type { Task } from '../env/task.ts';
import { type HistoryStep, isEnd } from '../alignment/datasets/prompts.ts';
import { BatchedDecoder, CancelledError, EpisodeDecoder } from './batching.ts';
import { type EpisodeFactory, type StepOutcomeLike, tryInFork } from './env-adapter.ts';
import { type Decision, type PolicyConfig, oracleGatedAction, planAction, replanAfterFailure, speculativeAction, type SpeculativeTrace } from './policy.ts';
import { feedbackTarget } from '../feedback/targets.ts';

export interface RolloutStep {
  t: number;
  action: string;
  ok: boolean;
  failure: StepOutcomeLike['failure'] | null;
  observation: string;
  script: string | null;
  goal: { satisfied: number; total: number };
  prompt: string;
  output: string;
  speculative?: SpeculativeTrace;
  predictedFeedback?: string;
  corrected: boolean;
  /** Decided by `replanOnFailure` from the previous step's real feedback. */
  replanned?: boolean;
  /**
   * Speculative steps: the real outcome of the proposal `speculative.proposed`, so that the
   * feedback gate is scored per proposal (after a correction the executed action is the
   * correction; the proposal is then tried in a fork of the state before the step).
   */
  proposal?: { ok: boolean; code: string | null };
  diff?: GraphDiff;
  /** The env's own step outcome (episode logs are written from it). */
  raw: StepOutcomeLike;
}

export type EndReason = 'end' | 'terminated' | 'max-steps' | 'timeout' | 'truncated';

export interface RolloutEpisode {
  taskId: string;
  task: Task;
  seed: number;
  initialObservation: string;
  steps: RolloutStep[];
  /** Observations as the agent saw them (the prompt history). */
  history: HistoryStep[];
  /** The agent's last output was END. */
  saidEnd: boolean;
  success: boolean;
  goal: { satisfied: number; total: number };
  reason: EndReason;
  calls: number;
  expert?: string[];
  speculative: boolean;
}

/** Events carry the job's index in the rollout's list (tasks may repeat, e.g. with and without speculation). */
export type RolloutEvent =
  | { kind: 'step'; index: number; taskId: string; step: RolloutStep }
  | { kind: 'end'; index: number; episode: RolloutEpisode };

/** One episode to run: a task, and whether this episode uses speculative inference. */
export interface RolloutJob {
  task: Task;
  speculative?: boolean;
  /** Sampling temperature of this episode's actions (default: the policy's; 0 = greedy). */
  temperature?: number;
}

export interface RolloutConfig {
  factory: EpisodeFactory;
  policy: PolicyConfig;
  /** Default for jobs that do not say. */
  speculative: boolean;
  /** Step cap (E2CL: at most 26 steps). */
  maxSteps?: number;
  seed?: number;
  /** Episodes advanced together. */
  concurrency?: number;
  /** Wall-clock limit per episode in ms (none by default). */
  timeoutMs?: number;
}

export const E2CL_MAX_STEPS = 26;

function emptyDiff(): GraphDiff { return { edgesAdded: [], edgesRemoved: [], statesChanged: {} }; }

/** One episode as a stream of step events and a final end event. */
export function episode$(job: RolloutJob, index: number, decoder: BatchedDecoder, cfg: RolloutConfig,
  partial?: { current?: RolloutEpisode }): Observable<RolloutEvent> {
  const task = job.task;
  const speculative = job.speculative ?? cfg.speculative;
  const policy: PolicyConfig = job.temperature === undefined ? cfg.policy
    : { ...cfg.policy, actionOptions: { ...cfg.policy.actionOptions, temperature: job.temperature } };
  return new Observable<RolloutEvent>((sub) => {
    const dec = new EpisodeDecoder(decoder);
    const seed = cfg.seed ?? 0;
    const maxSteps = cfg.maxSteps ?? E2CL_MAX_STEPS;
    const env = cfg.factory(task, { seed, maxSteps });
    const { observation, info } = env.reset(seed);
    const ep: RolloutEpisode = {
      taskId: task.id, task, seed, initialObservation: observation, steps: [], history: [], saidEnd: false, success: false,
      goal: info?.goal ?? { satisfied: 0, total: task.goal.length }, reason: 'max-steps', calls: 0, expert: task.expertNL, speculative,
    };
    if (partial) partial.current = ep;
    const decode = (p: string, o: Parameters<EpisodeDecoder['decode']>[1]): Promise<string> => dec.decode(p, o);
    const run = async (): Promise<void> => {
      for (let k = 1; k <= maxSteps; k++) {
        const d = await decide(task, ep, speculative, policy, decode, (a) => tryInFork(cfg.factory, task, { seed, maxSteps }, ep.steps.map((s) => s.action), a));
        ep.calls += d.calls;
        if (dec.cancelled) return;
        if (isEnd(d.action)) { ep.saidEnd = true; ep.reason = 'end'; break; }
        // The proposal's own outcome when a correction replaced it (before this step changes the state).
        const replaced = d.speculative?.used && !isEnd(d.speculative.proposed)
          ? tryInFork(cfg.factory, task, { seed, maxSteps }, ep.steps.map((s) => s.action), d.speculative.proposed) : null;
        const out = env.step(d.action, { prompt: d.prompt, output: d.output, ...(d.speculative ? { speculative: d.speculative } : {}) });
        const diff = out.info?.diff ?? emptyDiff();
        const step: RolloutStep = {
          t: k, action: d.action, ok: out.ok, failure: out.failure ?? null, observation: out.observation,
          script: out.script ?? null, goal: out.goal, prompt: d.prompt, output: d.output, speculative: d.speculative,
          predictedFeedback: d.predictedFeedback, corrected: d.speculative?.used ?? false, diff, raw: out,
          ...(d.replanned ? { replanned: true } : {}),
        };
        if (d.speculative) {
          // A replaced END is never executed; it is no failure (its label would be `Task finished`).
          const o = d.speculative.used ? replaced ?? { ok: true, failure: null } : out;
          step.proposal = { ok: o.ok, code: o.ok ? null : (o.failure?.code ?? 'unknown') };
        }
        ep.steps.push(step);
        ep.history.push({ action: d.action, observation: out.observation });
        ep.goal = out.goal;
        sub.next({ kind: 'step', index, taskId: task.id, step });
        if (out.terminated) { ep.reason = 'terminated'; break; }
        if (out.truncated) { ep.reason = k >= maxSteps ? 'max-steps' : 'truncated'; break; }
      }
      ep.success = ep.goal.satisfied === ep.goal.total;
      sub.next({ kind: 'end', index, episode: ep });
      sub.complete();
    };
    run().catch((e) => { if (!(e instanceof CancelledError)) sub.error(e); });
    return () => dec.cancel();
  });
}

/**
 * The agent's decision at the next step: the paper's planning or speculative inference, or
 * (options beyond the paper, policy.ts) a replan from the real feedback of the step that just
 * failed, once per failure, or the oracle-gated ceiling. `tryAction` tries an action in a copy
 * of the current state.
 */
async function decide(task: Task, ep: RolloutEpisode, speculative: boolean, policy: PolicyConfig,
  decode: (p: string, o: GenerateOptions) => Promise<string>, tryAction: (a: string) => StepOutcomeLike): Promise<Decision> {
  const detail = policy.feedbackDetail ?? 'specific';
  const last = ep.steps[ep.steps.length - 1];
  // A failed replan goes back to planning: no chains of corrections.
  if (policy.replanOnFailure && last && !last.ok && !last.replanned) return replanAfterFailure(task, ep.history, feedbackTarget(last, detail), decode, policy);
  if (!speculative) return planAction(task, ep.history, decode, policy);
  if (policy.oracleGate) {
    return oracleGatedAction(task, ep.history, decode, policy, (a) => {
      const o = tryAction(a);
      return { ok: o.ok, feedback: feedbackTarget(o, detail) };
    });
  }
  return speculativeAction(task, ep.history, decode, policy);
}

/** An episode with the per-episode time limit applied through the stream. */
export function timedEpisode$(job: RolloutJob, index: number, decoder: BatchedDecoder, cfg: RolloutConfig): Observable<RolloutEvent> {
  const partial: { current?: RolloutEpisode } = {};
  let ended = false;
  const body = defer(() => episode$(job, index, decoder, cfg, partial));
  const limited = cfg.timeoutMs !== undefined ? body.pipe(takeUntil(timer(cfg.timeoutMs))) : body;
  return concat(
    new Observable<RolloutEvent>((sub) => limited.subscribe({
      next: (e) => { if (e.kind === 'end') ended = true; sub.next(e); },
      error: (e) => sub.error(e),
      complete: () => sub.complete(),
    })),
    defer(() => {
      if (ended || !partial.current) return EMPTY;
      const ep = partial.current;
      ep.reason = 'timeout';
      ep.success = ep.goal.total > 0 && ep.goal.satisfied === ep.goal.total;
      return of<RolloutEvent>({ kind: 'end', index, episode: ep });
    }),
  );
}

/** Many episodes, `concurrency` at a time, all decoding through one batched decoder. */
export function rollout$(jobs: ReadonlyArray<Task | RolloutJob>, decoder: BatchedDecoder, cfg: RolloutConfig): Observable<RolloutEvent> {
  return from(jobs).pipe(mergeMap((j, i) => timedEpisode$(asJob(j), i, decoder, cfg), cfg.concurrency ?? 32));
}

function asJob(j: Task | RolloutJob): RolloutJob {
  return 'task' in j && typeof (j as RolloutJob).task === 'object' && 'goal' in (j as RolloutJob).task ? (j as RolloutJob) : { task: j as Task };
}

/** Run a rollout to completion; `onEvent` sees every event (logs, progress). Returns episodes in task order. */
export function runRollout(jobs: ReadonlyArray<Task | RolloutJob>, decoder: BatchedDecoder, cfg: RolloutConfig,
  onEvent?: (e: RolloutEvent) => void): { promise: Promise<RolloutEpisode[]>; subscription: Subscription } {
  const byIndex = new Map<number, RolloutEpisode>();
  let subscription!: Subscription;
  const promise = new Promise<RolloutEpisode[]>((resolve, reject) => {
    subscription = rollout$(jobs, decoder, cfg).subscribe({
      next: (e) => {
        if (e.kind === 'end') byIndex.set(e.index, e.episode);
        // A throwing handler (e.g. an unwritable episode log) ends the rollout through the
        // promise; thrown from here, RxJS would report it as an unhandled error instead.
        try { onEvent?.(e); } catch (err) { queueMicrotask(() => subscription?.unsubscribe()); reject(err); }
      },
      error: reject,
      complete: () => resolve(jobs.map((_, i) => byIndex.get(i)).filter((e): e is RolloutEpisode => e !== undefined)),
    });
  });
  return { promise, subscription };
}
