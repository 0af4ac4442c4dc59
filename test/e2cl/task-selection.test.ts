/**
 * Task selection for a fair benchmark (issue 13 item 5): a split holds no task twice, and every
 * kept task's expert program reaches the goal under each grounding seed checked. Measured on
 * `generated-v1` (the set of the audit, where both problems occur), seed 42.
 */
import { describe, expect, it } from 'vitest';
import { getTaskSet } from '../../env/tasks/index.ts';
import { groundingSeeds, seedDependence, solvableTasks, taskSignature } from '../../exploration/task-source.ts';

const set = getTaskSet('generated-v1');

describe('fair task selection', () => {
  const fair = solvableTasks(set, 'unseen', 42, 120, 6);
  const old = solvableTasks(set, 'unseen', 42, 120, 6, { distinct: false, groundingSeeds: 0 });
  it('the old selection repeats tasks and keeps seed-dependent experts; the fair one does neither', () => {
    const dup = (ts: typeof fair.tasks) => ts.length - new Set(ts.map(taskSignature)).size;
    expect(dup(old.tasks)).toBeGreaterThan(0);
    expect(old.tasks.filter((t) => seedDependence(t, groundingSeeds(42).slice(1)) !== null).length).toBeGreaterThan(0);
    expect(fair.tasks).toHaveLength(120);
    expect(dup(fair.tasks)).toBe(0);
    for (const t of fair.tasks) expect(seedDependence(t, groundingSeeds(42)), t.id).toBeNull();
    expect(fair.dropped.some((d) => /^the same task as generated-v1\/s42\/unseen\/\d+$/.test(d.reason))).toBe(true);
    expect(fair.dropped.some((d) => /^expert program fails under grounding seed \d+$/.test(d.reason))).toBe(true);
  });
  it('grounding seeds: the run seed first, then distinct others, deterministic', () => {
    const s = groundingSeeds(42);
    expect(s[0]).toBe(42);
    expect(new Set(s).size).toBe(9);
    expect(groundingSeeds(42)).toEqual(s);
    expect(groundingSeeds(7)).not.toEqual(s);
  });
});
