/**
 * Task splits for E2CL from a task set (env/tasks: `generated` built in, `vh-programs` from
 * the user's VirtualHome data). Tasks without an NL expert program get one from the planner
 * (the teacher), and tasks the planner cannot solve are dropped from training with a count.
 */
import { HearthError } from '../env/errors.ts';
import type { Split, Task, TaskSet } from '../env/task.ts';
import { planTask } from './teacher/planner.ts';

export interface TaskSplits {
  train: Task[];
  seen: Task[];
  unseen: Task[];
  /** Tasks dropped because no expert program could be made. */
  dropped: Array<{ id: string; reason: string }>;
}

type GetTaskSet = (name: string, options?: { data?: string }) => TaskSet;

async function taskSetModule(): Promise<GetTaskSet> {
  // Loaded at run time: the task sets live in env/tasks (another area of the project).
  const path = '../env/tasks/index.ts';
  const mod = (await import(path)) as { getTaskSet?: GetTaskSet };
  if (!mod.getTaskSet) throw new Error('env/tasks/index.ts does not export getTaskSet');
  return mod.getTaskSet;
}

export async function loadTaskSet(name: string, data?: string): Promise<TaskSet> {
  if (name !== 'generated' && name !== 'vh-programs' && name !== 'eai') {
    throw new HearthError('cli.usage', `unknown task set "${name}"`, 'use --tasks generated or --tasks vh-programs --data DIR');
  }
  if (name !== 'generated' && !data) {
    throw new HearthError('cli.usage', `--tasks ${name} needs --data DIR (the VirtualHome data folder)`, 'pass --data DIR');
  }
  const get = await taskSetModule();
  return get(name, data ? { data } : undefined);
}

/** Give every task an NL expert program (its own, else the planner's); drop the unsolvable. */
export function withExperts(tasks: readonly Task[], keepUnsolved = false): { tasks: Task[]; dropped: Array<{ id: string; reason: string }> } {
  const out: Task[] = [];
  const dropped: Array<{ id: string; reason: string }> = [];
  for (const t of tasks) {
    if (t.expertNL && t.expertNL.length > 0) { out.push(t); continue; }
    const p = planTask(t, [], { limits: { timeLimitMs: 1000 } });
    if (p.solved) out.push({ ...t, expertNL: p.steps.map((s) => s.nl), expert: t.expert ?? p.steps.map((s) => s.script) });
    else if (keepUnsolved) out.push(t);
    else dropped.push({ id: t.id, reason: p.reason ?? 'planner found no program' });
  }
  return { tasks: out, dropped };
}

export function listSplit(set: TaskSet, split: Split, seed: number, count: number): Task[] {
  return set.list({ split, seed, count });
}

export async function loadSplits(name: string, data: string | undefined, seed: number,
  counts: { train: number; seen: number; unseen: number }): Promise<TaskSplits> {
  const set = await loadTaskSet(name, data);
  const train = withExperts(listSplit(set, 'train', seed, counts.train));
  // Evaluation tasks are never dropped (that would bias the scores); LCS skips those without an expert.
  const seen = withExperts(listSplit(set, 'seen', seed, counts.seen), true);
  const unseen = withExperts(listSplit(set, 'unseen', seed, counts.unseen), true);
  return { train: train.tasks, seen: seen.tasks, unseen: unseen.tasks, dropped: [...train.dropped, ...seen.dropped, ...unseen.dropped] };
}
