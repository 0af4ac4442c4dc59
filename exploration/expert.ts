/**
 * Expert trajectories: the expert's NL actions executed in the simulator, with the
 * observations they produce (E2CL's `ObserANDState`). A task whose expert program does not
 * execute is skipped and counted, never silently repaired.
 */
import type { Task } from '../env/task.ts';
import type { HistoryStep } from '../alignment/datasets/prompts.ts';
import type { EpisodeFactory } from './env-adapter.ts';

export interface ExpertTrajectory {
  task: Task;
  steps: HistoryStep[];
  /** The goal holds after the last step. */
  satisfied: boolean;
}

export type ExpertSource = (task: Task) => string[] | undefined;

/** Default expert: the task's own NL program. */
export const taskExpert: ExpertSource = (task) => task.expertNL;

export function expertTrajectory(task: Task, factory: EpisodeFactory, seed: number, source: ExpertSource = taskExpert):
  { ok: true; trajectory: ExpertTrajectory } | { ok: false; reason: string } {
  const actions = source(task);
  if (!actions || actions.length === 0) return { ok: false, reason: 'no expert program' };
  const env = factory(task, { seed, maxSteps: actions.length + 2 });
  env.reset(seed);
  const steps: HistoryStep[] = [];
  let satisfied = false;
  for (let i = 0; i < actions.length; i++) {
    const out = env.step(actions[i]);
    if (!out.ok) return { ok: false, reason: `expert step ${i + 1} "${actions[i]}" failed: ${out.failure?.message ?? 'unknown'}` };
    steps.push({ action: actions[i], observation: out.observation });
    satisfied = out.goal.total > 0 && out.goal.satisfied === out.goal.total;
  }
  return { ok: true, trajectory: { task, steps, satisfied } };
}
