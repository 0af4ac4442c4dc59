/**
 * Task splits for E2CL from a task set (env/tasks: `generated` built in, `vh-programs` from
 * the user's VirtualHome data). Tasks without an NL expert program get one from the planner
 * (the teacher), and tasks the planner cannot solve are dropped from training with a count.
 *
 * A fair benchmark (issue 13 item 5): a split never holds the same task twice (same scene and
 * goal under another id), and a task is kept only if its expert program reaches the goal
 * under every one of GROUNDING_SEEDS grounding seeds (NL names bind to instances by a seeded
 * choice: a program that works only under the run's seed measures luck, not the agent).
 */
import { createHash } from 'node:crypto';
import { HearthError } from '../env/errors.ts';
import type { Split, Task, TaskSet } from '../env/task.ts';
import { getTaskSet } from '../env/tasks/index.ts';
import { Episode } from '../env/episode.ts';
import { nextActionForEpisode } from './teacher/episode-teacher.ts';

export interface TaskSplits {
  train: Task[];
  seen: Task[];
  unseen: Task[];
  /** Tasks dropped because no expert program could be made. */
  dropped: Array<{ id: string; reason: string }>;
}

/** Grounding seeds an expert program must work under (besides the run's own). */
export const GROUNDING_SEEDS = 8;

const sceneKeys = new WeakMap<object, string>();
/** A short content hash of a task's scene (generated tasks share scene objects: hashed once each). */
export function sceneKey(task: Task): string {
  let k = sceneKeys.get(task.scene);
  if (!k) sceneKeys.set(task.scene, (k = createHash('sha256').update(JSON.stringify(task.scene)).digest('hex').slice(0, 12)));
  return k;
}

/** What makes two tasks the same task: the scene and the goal. */
export function taskSignature(task: Task): string {
  return `${sceneKey(task)}|${JSON.stringify(task.goal)}`;
}

const GENERATED_SETS = ['generated', 'generated-closed-doors', 'generated-v1'];

export async function loadTaskSet(name: string, data?: string): Promise<TaskSet> {
  if (!GENERATED_SETS.includes(name) && name !== 'vh-programs' && name !== 'eai') {
    throw new HearthError('cli.usage', `unknown task set "${name}"`, 'use --tasks generated, generated-closed-doors or vh-programs --data DIR');
  }
  if (!GENERATED_SETS.includes(name) && !data) {
    throw new HearthError('cli.usage', `--tasks ${name} needs --data DIR (the VirtualHome data folder)`, 'pass --data DIR');
  }
  return getTaskSet(name, data ? { data } : {});
}

/** Run NL actions in an episode; the grounded ids (in order) or the first failure. */
function runNL(task: Task, actions: readonly string[], seed: number): { ok: boolean; ids: number[]; reason?: string; satisfied: boolean } {
  const ep = new Episode(task, { seed, maxSteps: actions.length + 2, lenient: true });
  const ids: number[] = [];
  let satisfied = false;
  for (const a of actions) {
    const out = ep.step(a);
    if (!out.ok) return { ok: false, ids, reason: `"${a}": ${out.failure?.message ?? 'failed'}`, satisfied: false };
    for (const m of (out.script ?? '').matchAll(/\((\d+)\)/g)) ids.push(Number(m[1]));
    satisfied = out.goal.satisfied === out.goal.total;
  }
  return { ok: true, ids, satisfied };
}

/**
 * An NL expert program for a task, checked by executing it as NL actions (where names are
 * grounded to instances by the episode's rules, which can differ from the ids the planner
 * chose). First the planner's whole program; if its NL form does not execute, the planner
 * is asked step by step from the episode's actual state, preferring the instances the
 * episode has already bound. Returns null with a reason when no NL program reaches the goal.
 */
export function nlExpert(task: Task, seed: number): { actions: string[]; scripts: string[] } | { reason: string } {
  const first = nextActionForEpisode(new Episode(task, { seed, maxSteps: 60, lenient: true }), { limits: { timeLimitMs: 1000 } });
  if (first.kind === 'done') return { actions: [], scripts: [] };
  if (first.kind === 'stuck') return { reason: `planner: ${first.reason}` };
  const actions = first.plan.steps.map((s) => s.nl);
  const r = runNL(task, actions, seed);
  if (r.ok && r.satisfied) return { actions, scripts: first.plan.steps.map((s) => s.script) };
  // The whole NL program did not replay: re-plan step by step from the episode's state.
  const ep = new Episode(task, { seed, maxSteps: 60, lenient: true });
  const acts: string[] = [];
  const scripts: string[] = [];
  for (let i = 0; i < 30; i++) {
    const next = nextActionForEpisode(ep, { limits: { timeLimitMs: 300 } });
    if (next.kind === 'done') return { actions: acts, scripts };
    if (next.kind === 'stuck') return { reason: `planner stuck after ${i} NL steps: ${next.reason}` };
    const out = ep.step(next.step.nl);
    if (!out.ok) return { reason: `NL action "${next.step.nl}" failed: ${out.failure?.message ?? ''}` };
    acts.push(next.step.nl);
    scripts.push(out.script ?? next.step.script);
  }
  return { reason: 'no NL program within 30 steps' };
}

/** Give every task an NL expert program (its own, else the planner's); drop the unsolvable unless `keepUnsolved`. */
export function withExperts(tasks: readonly Task[], keepUnsolved = false, seed = 0): { tasks: Task[]; dropped: Array<{ id: string; reason: string }> } {
  const out: Task[] = [];
  const dropped: Array<{ id: string; reason: string }> = [];
  for (const t of tasks) {
    if (t.expertNL && t.expertNL.length > 0) { out.push(t); continue; }
    const e = nlExpert(t, seed);
    if ('actions' in e) out.push({ ...t, expertNL: e.actions, expert: t.expert ?? e.scripts });
    else if (keepUnsolved) out.push(t);
    else dropped.push({ id: t.id, reason: e.reason });
  }
  return { tasks: out, dropped };
}

export function listSplit(set: TaskSet, split: Split, seed: number, count: number): Task[] {
  return set.list({ split, seed, count });
}

/** The grounding seeds a program is checked under: the run's seed and GROUNDING_SEEDS others derived from it. */
export function groundingSeeds(seed: number, n = GROUNDING_SEEDS): number[] {
  return [seed, ...Array.from({ length: n }, (_, i) => (Math.imul(seed ^ 0x5bd1e995, 31 + i) + 7919 * (i + 1)) >>> 0)];
}

/** The first grounding seed under which the expert program does not reach the goal, or null. */
export function seedDependence(task: Task, seeds: readonly number[]): number | null {
  for (const s of seeds) {
    const r = runNL(task, task.expertNL ?? [], s);
    if (!r.ok || !r.satisfied) return s;
  }
  return null;
}

export interface SelectionOptions {
  /** Drop a task whose scene and goal repeat an earlier one of the split (default true). */
  distinct?: boolean;
  /** Extra grounding seeds the expert program must work under (default GROUNDING_SEEDS; 0: the run's seed only). */
  groundingSeeds?: number;
}

/**
 * The first `count` tasks of a split that have an NL expert program (the goal is reachable
 * in the agent's action space), distinct, and whose program works under any grounding seed
 * (SelectionOptions). Lists more tasks until enough are found or the set runs dry.
 */
export function solvableTasks(set: TaskSet, split: Split, seed: number, count: number, maxExpertSteps = Infinity,
  options: SelectionOptions = {}): { tasks: Task[]; dropped: Array<{ id: string; reason: string }>; listed: number } {
  const limited = Number.isFinite(maxExpertSteps);
  const distinct = options.distinct ?? true;
  const seeds = groundingSeeds(seed, options.groundingSeeds ?? GROUNDING_SEEDS).slice(1);
  let want = Math.ceil(count * (limited ? 3 : 2.2)) + 4;
  for (;;) {
    const listed = listSplit(set, split, seed, want);
    const out: Task[] = [];
    const dropped: Array<{ id: string; reason: string }> = [];
    const taken = new Map<string, string>();
    for (const t of listed) {
      if (out.length >= count) break;
      const same = distinct ? taken.get(taskSignature(t)) : undefined;
      if (same !== undefined) { dropped.push({ id: t.id, reason: `the same task as ${same}` }); continue; }
      const r = withExperts([t], false, seed);
      for (const x of r.tasks) {
        // A recipe may keep only short tasks (the quick recipe's small model); the others are counted as skipped.
        if ((x.expertNL?.length ?? 0) > maxExpertSteps) { dropped.push({ id: x.id, reason: `expert program has ${x.expertNL?.length} steps (> ${maxExpertSteps})` }); continue; }
        const bad = seedDependence(x, seeds);
        if (bad !== null) { dropped.push({ id: x.id, reason: `expert program fails under grounding seed ${bad}` }); continue; }
        out.push(x);
        taken.set(taskSignature(x), x.id);
      }
      dropped.push(...r.dropped);
    }
    if (out.length >= count || listed.length < want) return { tasks: out, dropped, listed: out.length + dropped.length };
    want *= 2;
  }
}

export async function loadSplits(name: string, data: string | undefined, seed: number,
  counts: { train: number; seen: number; unseen: number }, maxExpertSteps = Infinity): Promise<TaskSplits> {
  const set = await loadTaskSet(name, data);
  // Training needs expert programs; evaluation uses tasks whose goal an expert can reach with
  // NL actions (the others would cap every method's success alike), and the report says so.
  const train = solvableTasks(set, 'train', seed, counts.train, maxExpertSteps);
  const seen = solvableTasks(set, 'seen', seed, counts.seen, maxExpertSteps);
  const unseen = solvableTasks(set, 'unseen', seed, counts.unseen, maxExpertSteps);
  return { train: train.tasks, seen: seen.tasks, unseen: unseen.tasks, dropped: [...train.dropped, ...seen.dropped, ...unseen.dropped] };
}
