/** Paired statistics (suites/paired.ts): exact McNemar values, and the cluster bootstrap's use of scenes. */
import { describe, expect, it } from 'vitest';
import { mcnemar, mcnemarOf, pairByTask, pairedBootstrap, type PairedUnit } from '../../suites/paired.ts';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('McNemar (exact)', () => {
  it('matches the binomial tail by hand', () => {
    // 2 · P(X ≤ 2), X ~ Bin(12, 1/2) = 2 · (1 + 12 + 66) / 4096
    expect(mcnemar(10, 2).p).toBeCloseTo((2 * 79) / 4096, 12);
    expect(mcnemar(2, 10).p).toBeCloseTo((2 * 79) / 4096, 12);
    expect(mcnemar(5, 5).p).toBe(1);
    expect(mcnemar(0, 0).p).toBe(1);
    // 2 · P(X = 0), n = 6
    expect(mcnemar(6, 0).p).toBeCloseTo(2 / 64, 12);
  });
  it('counts only discordant pairs', () => {
    const units: Array<PairedUnit<boolean>> = [[true, false], [true, false], [true, true], [false, false], [false, true]]
      .map(([a, b], i) => ({ cluster: String(i), a, b }));
    expect(mcnemarOf(units, (x) => x)).toMatchObject({ aOnly: 2, bOnly: 1 });
  });
});

describe('paired cluster bootstrap', () => {
  it('no difference → diff 0 and p = 1', () => {
    const units = Array.from({ length: 40 }, (_, i) => ({ cluster: String(i % 8), a: i % 3 === 0 ? 1 : 0, b: i % 3 === 0 ? 1 : 0 }));
    const r = pairedBootstrap(units, mean, { seed: 1 });
    expect(r).toMatchObject({ diff: 0, lo: 0, hi: 0, p: 1, pairs: 40, clusters: 8 });
  });
  it('A better in every scene → p at the resolution floor', () => {
    // 12 scenes of 5 consecutive tasks: in each, A succeeds on 3 or 4 tasks and B on 1 or 2 of them.
    const units = Array.from({ length: 60 }, (_, i) => ({ cluster: String(Math.floor(i / 5)), a: i % 4 !== 0 ? 1 : 0, b: i % 4 === 1 ? 1 : 0 }));
    const r = pairedBootstrap(units, mean, { seed: 1, resamples: 1000 });
    expect(r.diff).toBeCloseTo(0.5, 12);
    expect(r.p).toBeLessThan(0.01);
    expect(r.lo).toBeGreaterThan(0);
  });
  it('the same pairs in two scenes are far less certain than in thirty (clustering matters)', () => {
    // A wins 15 pairs, all in one scene; the other scene is a tie.
    const pairs = Array.from({ length: 30 }, (_, i) => ({ a: i < 15 ? 1 : 0, b: 0 }));
    const two = pairedBootstrap(pairs.map((p, i) => ({ ...p, cluster: i < 15 ? 's1' : 's2' })), mean, { seed: 3 });
    const many = pairedBootstrap(pairs.map((p, i) => ({ ...p, cluster: `s${i}` })), mean, { seed: 3 });
    expect(two.diff).toBeCloseTo(many.diff, 12);
    expect(many.p).toBeLessThan(0.01);
    expect(two.p).toBeGreaterThan(0.2);
    expect(two.hi - two.lo).toBeGreaterThan(many.hi - many.lo);
  });
  it('pairs by task and refuses runs on different tasks', () => {
    const a = [{ taskId: 't1' }, { taskId: 't2' }];
    expect(pairByTask(a, a, (id) => `scene-${id}`).map((u) => u.cluster)).toEqual(['scene-t1', 'scene-t2']);
    expect(() => pairByTask(a, [{ taskId: 't1' }], String)).toThrow(/2 vs 1 episodes/);
    expect(() => pairByTask(a, [{ taskId: 't1' }, { taskId: 't3' }], String)).toThrow(/episode 1 is t2 in one run and t3/);
  });
});
