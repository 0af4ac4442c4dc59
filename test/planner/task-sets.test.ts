/**
 * The planner against the task sets, checked independently: every program it returns is
 * executed again here (fresh graph from the task's scene, fresh executor) and the goal tested.
 * Rates are asserted on samples small enough for the test budget; bench/plan.ts and
 * `hearth plan --set ... --json` measure the full sets.
 */
import { describe, expect, it } from 'vitest';
import { Executor } from '../../env/executor.ts';
import { goalMet } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Task } from '../../env/task.ts';
import { getTaskSet } from '../../env/tasks/index.ts';
import { plan, planTask } from '../../exploration/teacher/planner.ts';
import { describeVH, VH_DATA } from '../support/vh-data.ts';

function independentlyReaches(task: Task, lines: ReturnType<typeof plan>['steps']): boolean {
  const g = SceneGraph.fromJSON(task.scene, { lenient: true });
  const ex = new Executor(g);
  const r = ex.executeScript(lines.map((s) => s.line));
  return r.executable && goalMet(g, task.goal);
}

describe('planner on generated tasks', () => {
  const tasks = getTaskSet('generated').list({ seed: 11, count: 100 });

  it('solves at least 99 of 100 and every returned program reaches the goal', () => {
    let solved = 0;
    const failures: string[] = [];
    for (const task of tasks) {
      const r = planTask(task);
      if (r.solved) {
        solved++;
        expect(r.executes && r.satisfies).toBe(true);
        expect(independentlyReaches(task, r.steps), task.id).toBe(true);
      } else {
        // Unsolved tasks must say why.
        expect(r.reason, task.id).toBeTruthy();
        failures.push(`${task.id}: ${r.reason}`);
      }
    }
    expect(solved, failures.join('\n')).toBeGreaterThanOrEqual(99);
  }, 60_000);

  it('plans for the held-out (unseen) split too', () => {
    const unseen = getTaskSet('generated').list({ seed: 12, count: 30, split: 'unseen' });
    expect(unseen.length).toBeGreaterThan(0);
    const solved = unseen.filter((t) => planTask(t).solved).length;
    expect(solved / unseen.length).toBeGreaterThanOrEqual(0.99);
  }, 60_000);

  it('re-plans from mid-episode: after a wrong prefix the plan still reaches the goal', () => {
    // A messed-up start: take the first plan's first half, then wander to an unrelated object and sit if possible.
    let checked = 0;
    for (const task of tasks.slice(0, 20)) {
      const first = planTask(task);
      if (!first.solved || first.steps.length < 4) continue;
      const prefix = first.steps.slice(0, Math.floor(first.steps.length / 2)).map((s) => s.script);
      const seat = task.scene.nodes.find((n) => n.properties.includes('SITTABLE'));
      if (seat) prefix.push(`[WALK] <${seat.class_name}> (${seat.id})`, `[SIT] <${seat.class_name}> (${seat.id})`);
      const r = planTask(task, prefix);
      expect(r.solved, `${task.id}: ${r.reason}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  }, 60_000);
});

describeVH('planner on vh-programs (golden programs of scene 1)', () => {
  it('reaches the goal of at least 95% of the programs (every 4th of 400), each program verified', () => {
    const all = getTaskSet('vh-programs', { data: VH_DATA }).list();
    expect(all.length).toBe(400);
    const tasks = all.filter((_, i) => i % 4 === 0);
    let solved = 0;
    const failures: string[] = [];
    for (const task of tasks) {
      const r = planTask(task);
      if (r.solved) {
        solved++;
        expect(independentlyReaches(task, r.steps), task.id).toBe(true);
      } else {
        expect(r.reason).toBeTruthy();
        failures.push(`${task.id}: ${r.reason}`);
      }
    }
    expect(solved / tasks.length, failures.slice(0, 10).join('\n')).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
