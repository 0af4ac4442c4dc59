/**
 * The claim of issue 13 from evaluated episodes: the margins per seed, the paired test pooled
 * over seeds, the gate per proposal and "speculation raises success" (suites/e2cl-report.ts).
 */
import { describe, expect, it } from 'vitest';
import { acceptanceChecks, comparisons, type EvaluatedEpisode, seedClaim } from '../../suites/e2cl-report.ts';

/** n tasks in n/4 scenes; `wins(i)` decides success; each episode has 4 steps of which `ok(i)` ran. */
function episodes(n: number, speculative: boolean, wins: (i: number) => boolean, ok: (i: number) => number): EvaluatedEpisode[] {
  return Array.from({ length: n }, (_, i) => ({
    taskId: `t${i}`, split: 'unseen', speculative, success: wins(i), goal: { satisfied: wins(i) ? 1 : 0, total: 1 },
    steps: Array.from({ length: 4 }, (_, k) => ({ action: `a${k}`, ok: k < ok(i) })),
  }));
}
const scene = (id: string): string => `s${Math.floor(Number(id.slice(1)) / 4)}`;

/** bc succeeds on every 5th task; e2cl + spec on those and `extra` more of every 10. */
function evals(n: number, extra: number) {
  const bcWin = (i: number) => i % 5 === 0;
  const e2Win = (i: number) => bcWin(i) || i % 10 < extra;
  return {
    bc: [...episodes(n, false, bcWin, () => 2), ...episodes(n, true, bcWin, () => 2)],
    e2cl: [...episodes(n, false, bcWin, () => 2), ...episodes(n, true, e2Win, (i) => (e2Win(i) ? 4 : 2))],
  };
}

describe('issue 13 claim', () => {
  it('passes when e2cl + spec is well ahead in every seed, with the pooled test', () => {
    const runs = [1, 2, 3].map((seed) => ({ seed, evals: evals(80, 3), cluster: scene }));
    const c = seedClaim(runs, { seed: 7, resamples: 500 });
    expect(c.perSeed.map((s) => s.checks.every((x) => x.pass))).toEqual([true, true, true]);
    expect(c.pooled.map((x) => x.clusters)).toEqual([60, 60]);
    expect(c.pooled.every((x) => x.p < 0.05)).toBe(true);
    expect(c.pass).toBe(true);
  });
  it('fails naming the seed that is not ahead', () => {
    const runs = [{ seed: 1, evals: evals(80, 3), cluster: scene }, { seed: 2, evals: evals(80, 0), cluster: scene }];
    const c = seedClaim(runs, { seed: 7, resamples: 500 });
    expect(c.pass).toBe(false);
    // Seed 2 ties in success (its step executability is still ahead: the winning episodes run every step).
    expect(c.checks.filter((x) => !x.pass).map((x) => x.name)).toEqual(['seed 2, unseen: e2cl + spec ≥ bc + 5 points in success']);
  });
  it('a 2.5-point lead is below the margin even when the test is significant', () => {
    // extra = 1 of every 10 → +10 points; thin it to every 40th task → +2.5.
    const e = evals(400, 0);
    e.e2cl = [...e.e2cl.filter((x) => !x.speculative), ...e.e2cl.filter((x) => x.speculative).map((x, i) => (i % 40 === 1 ? { ...x, success: true } : x))];
    const checks = acceptanceChecks(comparisons(e, scene, { seed: 1, resamples: 500 }));
    const success = checks.find((x) => x.name.startsWith('unseen: e2cl + spec ≥ bc + 5 points in success'))!;
    expect(success.pass).toBe(false);
    expect(success.detail).toMatch(/^Δ 2\.5 points/);
  });
  it('the gate check needs accuracy, recall and precision together', () => {
    const gate = (accuracy: number, precision: number, recall: number) =>
      acceptanceChecks([], { gate: { accuracy, precision, recall, proposals: 100 } })[0].pass;
    expect(gate(0.86, 0.81, 0.61)).toBe(true);
    expect(gate(0.84, 0.81, 0.61)).toBe(false);
    expect(gate(0.9, 0.79, 0.61)).toBe(false);
    expect(gate(0.9, 0.81, 0.59)).toBe(false);
  });
  it('speculation must raise success over the same checkpoint', () => {
    const checks = acceptanceChecks(comparisons(evals(80, 3), scene, { seed: 1, resamples: 200 }));
    expect(checks.find((x) => x.name === 'unseen: speculative inference raises success of the e2cl checkpoint')?.pass).toBe(true);
    const flat = acceptanceChecks(comparisons(evals(80, 0), scene, { seed: 1, resamples: 200 }));
    expect(flat.find((x) => x.name === 'unseen: speculative inference raises success of the e2cl checkpoint')?.pass).toBe(false);
  });
});
