/**
 * Preference pairs from household episodes (issue 14 item 2, wired): for each training task the
 * agent samples K plans (whole episodes at temperature T, one decode seed per sample, the
 * environment's seed fixed), the simulator executes them, and `pairsFromSamples` picks
 * (chosen, rejected) plans: chosen reaches the goal, or, when none does, executes further; the
 * rejected one fails. The agent acts one step per prompt, so a plan pair becomes a step pair at
 * the first step where the two plans differ: the planning prompt of the shared history, the
 * chosen plan's action there and the rejected plan's (`END` when a plan stopped there).
 */
import type { LanguageModel } from '../agent/language-model.ts';
import type { Task } from '../env/task.ts';
import { END_ACTION, planningPrompt, type HistoryStep, type PromptOptions } from '../alignment/datasets/prompts.ts';
import { pairsFromSamples, type ExecutedSample } from '../alignment/datasets/preference-pairs.ts';
import { mixSeed } from '../alignment/datasets/rng.ts';
import type { PreferencePair } from '../alignment/preference.ts';
import { BatchedDecoder } from '../exploration/batching.ts';
import type { EpisodeFactory } from '../exploration/env-adapter.ts';
import { Progress } from '../exploration/progress.ts';
import { runRollout, type RolloutEpisode } from '../exploration/rollout.ts';

export interface SamplingOptions {
  /** Sampled plans per task. */
  samples: number;
  temperature: number;
  seed: number;
  maxSteps: number;
  actionTokens: number;
  prompt: PromptOptions;
  /** Pairs kept per task (default 2). */
  maxPairs?: number;
  quiet?: boolean;
}

export interface HouseholdPair extends PreferencePair {
  taskId: string;
  /** Step index (0-based) where the plans part. */
  step: number;
}

export interface SamplingStats {
  tasks: number;
  episodes: number;
  successes: number;
  tasksWithPairs: number;
  pairs: number;
}

/** What pairing needs of an executed plan. */
export function executedSample(e: RolloutEpisode): ExecutedSample {
  const firstFail = e.steps.findIndex((s) => !s.ok);
  return {
    plan: [...e.steps.map((s) => s.action), ...(e.saidEnd ? [END_ACTION] : [])].join('\n'),
    success: e.success,
    executedSteps: firstFail < 0 ? e.steps.length : firstFail,
    goalProgress: e.goal.total ? e.goal.satisfied / e.goal.total : 0,
  };
}

/** The step pair where two executed plans of one task part (null if one is the other). */
export function divergencePair(task: Task, chosen: RolloutEpisode, rejected: RolloutEpisode, prompt: PromptOptions): HouseholdPair | null {
  const a = [...chosen.steps.map((s) => s.action), END_ACTION];
  const b = [...rejected.steps.map((s) => s.action), END_ACTION];
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i >= a.length || i >= b.length) return null;
  const history: HistoryStep[] = chosen.steps.slice(0, i).map((s) => ({ action: s.action, observation: s.observation }));
  return { taskId: task.id, step: i, prompt: planningPrompt(task, history, prompt), chosen: a[i], rejected: b[i] };
}

/**
 * Sample, execute and pair: the step pairs of all tasks (task order), counts, and the executed
 * plans themselves (`samples[k][t]`: sample k of task t; Muffin labels them by facets).
 */
export async function householdPairs(lm: LanguageModel, tasks: readonly Task[], factory: EpisodeFactory, o: SamplingOptions): Promise<{ pairs: HouseholdPair[]; stats: SamplingStats; samples: RolloutEpisode[][] }> {
  const dec = new BatchedDecoder(lm, { maxBatch: 64 });
  const progress = new Progress('sample plans', tasks.length * o.samples, o.quiet);
  const bySample: RolloutEpisode[][] = [];
  for (let k = 0; k < o.samples; k++) {
    const policy = {
      prompt: o.prompt,
      actionOptions: { maxTokens: o.actionTokens, stop: ['\n'], temperature: o.temperature, seed: mixSeed(o.seed, 'sample', k) },
      feedbackOptions: { maxTokens: 4, stop: ['\n'] },
    };
    const eps = await runRollout(tasks, dec, { factory, policy, speculative: false, maxSteps: o.maxSteps, seed: o.seed, concurrency: 64 },
      (e) => { if (e.kind === 'end') progress.tick(1); }).promise;
    bySample.push(eps);
  }
  dec.close();
  const pairs: HouseholdPair[] = [];
  const stats: SamplingStats = { tasks: tasks.length, episodes: 0, successes: 0, tasksWithPairs: 0, pairs: 0 };
  tasks.forEach((task, t) => {
    const eps = bySample.map((s) => s[t]);
    stats.episodes += eps.length;
    stats.successes += eps.filter((e) => e.success).length;
    const samples = eps.map(executedSample);
    const records = pairsFromSamples(task.id, samples, { seed: mixSeed(o.seed, 'pairs', t), maxPairs: o.maxPairs ?? 2, require: 'further' });
    let n = 0;
    for (const r of records) {
      const ci = samples.findIndex((s) => s.plan === r.chosen);
      const ri = samples.findIndex((s) => s.plan === r.rejected);
      const p = divergencePair(task, eps[ci], eps[ri], o.prompt);
      if (p && !pairs.some((q) => q.prompt === p.prompt && q.chosen === p.chosen && q.rejected === p.rejected)) { pairs.push(p); n++; }
    }
    if (n) stats.tasksWithPairs++;
  });
  stats.pairs = pairs.length;
  return { pairs, stats, samples: bySample };
}
