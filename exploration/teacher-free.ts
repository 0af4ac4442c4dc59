/**
 * Teacher-free exploration (spec/e2cl.md §3): the agent runs whole episodes on its own
 * (through the rollout engine); every step becomes a feedback record (`True` /
 * `Error, ...`; the final END `Task finished`), and every failed step asks the corrector
 * for replacements, each verified by executing it in a fork of the state before the
 * failure. The first candidate that executes becomes the correction record. With
 * `planningFrom` (not in the paper), the states visited off the expert's path also become
 * planning records with the planner's next action as target.
 */
import type { Task } from '../env/task.ts';
import { END_ACTION, type PromptOptions } from '../alignment/datasets/prompts.ts';
import { type E2CLRecord, correctionRecord, feedbackRecord, planningRecord } from '../alignment/datasets/records.ts';
import { type DetailLevel, FEEDBACK_FINISHED, feedbackTarget } from '../feedback/targets.ts';
import type { BatchedDecoder } from './batching.ts';
import type { Corrector, TeacherPlanner } from './correctors.ts';
import { type EpisodeFactory, forkAfter } from './env-adapter.ts';
import type { PolicyConfig } from './policy.ts';
import type { Progress } from './progress.ts';
import { type RolloutEpisode, type RolloutJob, runRollout } from './rollout.ts';
import { countCode } from './method-stats.ts';

export interface TeacherFreeConfig {
  factory: EpisodeFactory;
  seed: number;
  policy: PolicyConfig;
  detail: DetailLevel;
  corrector: Corrector;
  maxSteps?: number;
  concurrency?: number;
  timeoutMs?: number;
  /**
   * With a planner: every state an episode visits off the expert's path also becomes a
   * planning record whose target is the planner's next action from that state (`END` once the
   * goal holds), as in DAgger (Ross et al., 2011). Not in the paper: its teacher-free records
   * are feedback and corrections only, so the planning prompt never meets a history with the
   * agent's own mistakes in it, which is where deployment goes once a step goes wrong.
   */
  planningFrom?: TeacherPlanner;
}

export interface TeacherFreeStats {
  episodes: number;
  steps: number;
  failed: number;
  corrected: number;
  candidatesTried: number;
  candidatesRejected: number;
  successes: number;
  /** Failed steps by failure code (the error-type mix that exploration teaches). */
  errorCodes: Record<string, number>;
  /** Planning records from visited states (`planningFrom`), and states skipped as on the expert's path. */
  planningRecords?: number;
  onExpertPath?: number;
}

export async function teacherFree(tasks: ReadonlyArray<Task | RolloutJob>, decoder: BatchedDecoder, cfg: TeacherFreeConfig, progress?: Progress):
  Promise<{ records: E2CLRecord[]; stats: TeacherFreeStats; episodes: RolloutEpisode[] }> {
  const { promise } = runRollout(tasks, decoder, {
    factory: cfg.factory, policy: cfg.policy, speculative: false, maxSteps: cfg.maxSteps, seed: cfg.seed,
    concurrency: cfg.concurrency, timeoutMs: cfg.timeoutMs,
  }, (e) => { if (e.kind === 'end') progress?.tick(1); });
  const episodes = await promise;
  const stats: TeacherFreeStats = { episodes: episodes.length, steps: 0, failed: 0, corrected: 0, candidatesTried: 0, candidatesRejected: 0, successes: 0, errorCodes: {} };
  const records: E2CLRecord[] = [];
  const src = 'teacher-free';
  const decode = (p: string, o: Parameters<BatchedDecoder['request']>[1]): Promise<string> => decoder.request(p, o).promise;
  // Records are collected per episode and concatenated in task order (deterministic).
  const perEpisode = await Promise.all(episodes.map(async (ep) => {
    if (ep.success) stats.successes++;
    const recs: E2CLRecord[] = [];
    const actions = ep.steps.map((s) => s.action);
    for (let i = 0; i < ep.steps.length; i++) {
      const s = ep.steps[i];
      const history = ep.history.slice(0, i);
      stats.steps++;
      const fb = feedbackTarget({ ok: s.ok, failure: s.failure ?? null }, cfg.detail);
      recs.push(feedbackRecord(ep.task, history, s.action, fb, src, cfg.policy.prompt));
      if (s.ok) continue;
      stats.failed++;
      countCode(stats.errorCodes, s.failure?.code);
      const fork = () => forkAfter(cfg.factory, ep.task, { seed: cfg.seed }, actions.slice(0, i)).episode;
      const cands = await cfg.corrector.candidates({ task: ep.task, history, wrongAction: s.action, feedback: fb, fork, decode });
      for (const c of cands) {
        if (c === s.action) continue;
        stats.candidatesTried++;
        if (fork().step(c).ok) {
          recs.push(correctionRecord(ep.task, history, s.action, fb, c, src, cfg.policy.prompt));
          stats.corrected++;
          break;
        }
        stats.candidatesRejected++;
      }
    }
    if (ep.saidEnd) recs.push(feedbackRecord(ep.task, ep.history, END_ACTION, FEEDBACK_FINISHED, src, cfg.policy.prompt));
    if (cfg.planningFrom) recs.push(...visitedStatePlanning(ep, cfg, cfg.planningFrom, stats));
    return recs;
  }));
  for (const recs of perEpisode) records.push(...recs);
  return { records, stats, episodes };
}

/**
 * Planning records for the states an episode visited after it left the expert's path (the
 * states on it are the expert planning records already): the state after each executed
 * prefix, the last one included (where the agent said END or ran out of steps). The target is
 * the planner's next action there, kept only if it executes, or `END` when the goal holds.
 */
function visitedStatePlanning(ep: RolloutEpisode, cfg: TeacherFreeConfig, planner: TeacherPlanner, stats: TeacherFreeStats): E2CLRecord[] {
  const out: E2CLRecord[] = [];
  const actions = ep.steps.map((s) => s.action);
  const expert = ep.task.expertNL ?? [];
  for (let i = 1; i <= actions.length; i++) {
    if (i <= expert.length && actions.slice(0, i).every((a, j) => a === expert[j])) { stats.onExpertPath = (stats.onExpertPath ?? 0) + 1; continue; }
    const goal = ep.steps[i - 1].goal;
    let target: string | null;
    if (goal.satisfied === goal.total) target = END_ACTION;
    else {
      const fork = (): ReturnType<typeof forkAfter>['episode'] => forkAfter(cfg.factory, ep.task, { seed: cfg.seed }, actions.slice(0, i)).episode;
      target = planner.nextAction(fork(), ep.task);
      if (target !== null && !fork().step(target).ok) target = null;
    }
    if (target === null) continue;
    out.push(planningRecord(ep.task, ep.history.slice(0, i), target, 'teacher-free', cfg.policy.prompt));
    stats.planningRecords = (stats.planningRecords ?? 0) + 1;
  }
  return out;
}

export type { PromptOptions };
