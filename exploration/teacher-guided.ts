/**
 * Teacher-guided exploration (spec/e2cl.md §2): along each expert prefix the agent proposes
 * the next action; the proposal is executed in a fork of the state after the prefix (the
 * expert path itself is never disturbed) and labelled with its environment feedback. A
 * failed proposal also yields a correction record whose target is the expert's action at
 * that step (the paper) or the planner's action from the same state (option, verified in a
 * fork). Proposals identical to the expert's action add no correction (the authors'
 * `corrective_filter`). All proposals of all tasks go through the batched decoder at once.
 */
import type { Task } from '../env/task.ts';
import { END_ACTION, type HistoryStep, type PromptOptions, cleanOutput, isEnd, planningPrompt } from '../alignment/datasets/prompts.ts';
import { type E2CLRecord, correctionRecord, feedbackRecord } from '../alignment/datasets/records.ts';
import { type DetailLevel, FEEDBACK_FINISHED, feedbackTarget } from '../feedback/targets.ts';
import type { BatchedDecoder } from './batching.ts';
import { type EpisodeFactory, forkAfter } from './env-adapter.ts';
import type { TeacherPlanner } from './correctors.ts';
import type { ExpertTrajectory } from './expert.ts';
import type { Progress } from './progress.ts';
import { countCode } from './method-stats.ts';
import { mixSeed, mulberry32 } from '../alignment/datasets/rng.ts';
import { swapObject } from './contrast.ts';

export interface TeacherGuidedConfig {
  factory: EpisodeFactory;
  seed: number;
  prompt: PromptOptions;
  detail: DetailLevel;
  /** `expert` (the paper) or `planner` (re-plan from the agent's actual state). */
  correction: 'expert' | 'planner';
  planner?: TeacherPlanner;
  /** Proposals per prefix: the greedy one plus (samples-1) sampled at `temperature`. */
  samples: number;
  temperature: number;
  maxTokens: number;
  /**
   * Contrast proposals (contrast.ts): per prefix, this many copies of the expert's next action
   * with one object swapped for a name from `names` (other training programs' objects), each
   * executed and labelled like a proposal (default none: the paper).
   */
  contrast?: { perPrefix: number; names: readonly string[] };
}

export interface TeacherGuidedStats {
  prefixes: number;
  proposals: number;
  matchedExpert: number;
  executed: number;
  failed: number;
  corrections: number;
  prematureEnd: number;
  /** Contrast proposals executed, and how many of them failed (also counted in `executed` / `failed`). */
  contrastProposals?: number;
  contrastFailed?: number;
  /** Failed proposals by failure code (the error-type mix that exploration teaches). */
  errorCodes: Record<string, number>;
}

export async function teacherGuided(trajectories: readonly ExpertTrajectory[], decoder: BatchedDecoder, cfg: TeacherGuidedConfig,
  progress?: Progress): Promise<{ records: E2CLRecord[]; stats: TeacherGuidedStats }> {
  const stats: TeacherGuidedStats = { prefixes: 0, proposals: 0, matchedExpert: 0, executed: 0, failed: 0, corrections: 0, prematureEnd: 0, errorCodes: {} };
  const records: E2CLRecord[] = [];
  const jobs = trajectories.map(async (tr) => {
    const n = tr.steps.length;
    const prefixJobs = Array.from({ length: n + 1 }, async (_, k) => {
      const history = tr.steps.slice(0, k);
      const expertNext = k < n ? tr.steps[k].action : END_ACTION;
      const prompt = planningPrompt(tr.task, history, cfg.prompt);
      const outs = await Promise.all(Array.from({ length: cfg.samples }, (_, i) => decoder.request(prompt, i === 0
        ? { maxTokens: cfg.maxTokens, stop: ['\n'] }
        : { maxTokens: cfg.maxTokens, stop: ['\n'], temperature: cfg.temperature, seed: cfg.seed + i }).promise));
      const proposals = [...new Set(outs.map(cleanOutput))];
      stats.prefixes++;
      const recs: E2CLRecord[] = [];
      for (const a of proposals) {
        stats.proposals++;
        if (a === expertNext) { stats.matchedExpert++; }
        recs.push(...label(tr.task, history, a, expertNext, k, cfg, stats));
      }
      if (cfg.contrast && !isEnd(expertNext)) {
        const rng = mulberry32(mixSeed(cfg.seed, 'contrast', tr.task.id, k));
        const tried = new Set(proposals);
        for (let i = 0; i < cfg.contrast.perPrefix; i++) {
          const c = swapObject(expertNext, cfg.contrast.names, rng);
          if (c === null || tried.has(c)) continue;
          tried.add(c);
          const failedBefore = stats.failed;
          recs.push(...label(tr.task, history, c, expertNext, k, cfg, stats));
          stats.contrastProposals = (stats.contrastProposals ?? 0) + 1;
          stats.contrastFailed = (stats.contrastFailed ?? 0) + (stats.failed - failedBefore);
        }
      }
      progress?.tick(1);
      return recs;
    });
    // Concatenated in prefix order, whatever order the batches came back in.
    return (await Promise.all(prefixJobs)).flat();
  });
  for (const r of await Promise.all(jobs)) records.push(...r);
  return { records, stats };
}

function label(task: Task, history: readonly HistoryStep[], a: string, expertNext: string, k: number, cfg: TeacherGuidedConfig,
  stats: TeacherGuidedStats): E2CLRecord[] {
  const src = 'teacher-guided';
  if (isEnd(a)) {
    // END is never executed: at the end of the expert path it is right ("Task finished");
    // before it the agent quit early, which the environment cannot comment on.
    if (isEnd(expertNext)) return [feedbackRecord(task, history, a, FEEDBACK_FINISHED, src, cfg.prompt)];
    stats.prematureEnd++;
    return [];
  }
  const actions = history.map((h) => h.action);
  const opts = { seed: cfg.seed };
  const outcome = forkAfter(cfg.factory, task, opts, actions).episode.step(a);
  stats.executed++;
  const fb = feedbackTarget({ ok: outcome.ok, failure: outcome.failure ?? null }, cfg.detail);
  const recs: E2CLRecord[] = [feedbackRecord(task, history, a, fb, src, cfg.prompt)];
  if (outcome.ok) return recs;
  stats.failed++;
  countCode(stats.errorCodes, outcome.failure?.code);
  if (a === expertNext) return recs;
  let target: string | null = expertNext;
  if (cfg.correction === 'planner' && cfg.planner) {
    const fork = forkAfter(cfg.factory, task, opts, actions).episode;
    const p = cfg.planner.nextAction(fork, task);
    target = p && forkAfter(cfg.factory, task, opts, actions).episode.step(p).ok ? p : expertNext;
  }
  void k;
  if (target) {
    recs.push(correctionRecord(task, history, a, fb, target, src, cfg.prompt));
    stats.corrections++;
  }
  return recs;
}
