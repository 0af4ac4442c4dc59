/**
 * Metric values pinned against hand-computed numbers (issue 24): the bootstrap's interval
 * level, resample count and size, seed and percentile interpolation; LCS with distinct
 * actions; every summary value, `counts` and the `hearth eval --json` object.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { bootstrap, disjoint } from '../../suites/bootstrap.ts';
import { lcsLength, normaliseAction, normalisedLcs } from '../../suites/lcs.ts';
import { type MetricEpisode, STATISTICS, summarise, summaryJson } from '../../suites/metrics.ts';

/** A statistic that ignores its sample and returns 0 on the full sample, then 1, 2, 3, ... */
function counter(): (s: readonly unknown[]) => number {
  let k = 0;
  return () => k++;
}

describe('bootstrap: level, resample count, interpolation', () => {
  it('default: 1000 resamples, 95% interval (2.5/97.5 percentiles, linear interpolation)', () => {
    // The resample statistics are 1..1000; p·(1000−1): 0.025·999 = 24.975 → 25 + 0.975 = 25.975,
    // 0.975·999 = 974.025 → 975 + 0.025 = 975.025.
    const r = bootstrap([1, 2, 3], counter());
    expect(r.value).toBe(0);
    expect(r.lo).toBeCloseTo(25.975, 9);
    expect(r.hi).toBeCloseTo(975.025, 9);
  });
  it('an 80% level gives the 10/90 percentiles', () => {
    const r = bootstrap([1, 2, 3], counter(), { level: 0.8 });
    expect(r.lo).toBeCloseTo(100.9, 9); // 0.1·999 = 99.9 → 100 + 0.9
    expect(r.hi).toBeCloseTo(900.1, 9); // 0.9·999 = 899.1 → 900 + 0.1
  });
  it('resamples: 11 gives statistics 1..11, 2.5% at 1.25 and 97.5% at 10.75', () => {
    const r = bootstrap(['a'], counter(), { resamples: 11 });
    expect(r.lo).toBeCloseTo(1.25, 12); // 0.025·10 = 0.25 → 1 + 0.25
    expect(r.hi).toBeCloseTo(10.75, 12);
  });
  it('one resample: both ends are that resample', () => {
    expect(bootstrap(['a'], counter(), { resamples: 1 })).toEqual({ value: 0, lo: 1, hi: 1 });
  });
  it('every resample has exactly n items, drawn from the items', () => {
    const sizes = new Set<number>();
    const seen = new Set<number>();
    bootstrap([10, 20, 30, 40, 50], (s) => { sizes.add(s.length); for (const x of s) seen.add(x); return 0; }, { resamples: 50 });
    expect([...sizes]).toEqual([5]);
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50]);
  });
});

describe('bootstrap: seed', () => {
  const items = [0, 1, 2, 3, 4, 5, 6];
  const record = (seed: number | undefined, B = 3): number[][] => {
    const out: number[][] = [];
    let first = true;
    bootstrap(items, (s) => { if (!first) out.push([...s]); first = false; return 0; }, { resamples: B, seed });
    return out;
  };
  /** The resamples by hand: item i of resample b is items[floor(u·n)], u from mulberry32(seed). */
  const byHand = (seed: number, B = 3): number[][] => {
    const rng = mulberry32(seed);
    return Array.from({ length: B }, () => items.map(() => items[Math.floor(rng.next() * items.length)]));
  };
  it('draws the resamples from mulberry32(seed), in order', () => {
    expect(record(42)).toEqual(byHand(42));
    expect(record(7)).toEqual(byHand(7));
    expect(record(undefined)).toEqual(byHand(0));
  });
  it('different seeds give different resamples, the same seed the same interval', () => {
    expect(record(1)).not.toEqual(record(2));
    const mean = (s: readonly number[]): number => s.reduce((a, b) => a + b, 0) / s.length;
    expect(bootstrap(items, mean, { seed: 5 })).toEqual(bootstrap(items, mean, { seed: 5 }));
    expect(bootstrap(items, mean, { seed: 5 })).not.toEqual(bootstrap(items, mean, { seed: 6 }));
  });
  it('a two-resample interval by hand', () => {
    // items [0, 1], mean; seed 3: compute both resample means by hand from the generator.
    const rng = mulberry32(3);
    const means = [0, 1].map(() => { const a = rng.int(2), b = rng.int(2); return (a + b) / 2; }).sort((x, y) => x - y);
    const r = bootstrap([0, 1], (s) => (s[0] + s[1]) / 2, { seed: 3, resamples: 2 });
    expect(r.value).toBe(0.5);
    expect(r.lo).toBeCloseTo(means[0] * 0.975 + means[1] * 0.025, 12);
    expect(r.hi).toBeCloseTo(means[0] * 0.025 + means[1] * 0.975, 12);
  });
});

describe('bootstrap: undefined values', () => {
  it('skips NaN resamples', () => {
    let k = 0;
    // full sample 0; resamples 1..10, odd ones NaN → statistics 2, 4, 6, 8, 10
    const r = bootstrap([1], () => { const v = k++; return v % 2 === 1 ? NaN : v; }, { resamples: 10, level: 0.5 });
    expect(r.lo).toBeCloseTo(4, 12); // 0.25·4 = 1 → stats[1]
    expect(r.hi).toBeCloseTo(8, 12);
  });
  it('no items, a non-finite value, or only NaN resamples: a point interval', () => {
    expect(bootstrap([], () => 0.5)).toEqual({ value: 0.5, lo: 0.5, hi: 0.5 });
    expect(bootstrap([1, 2], () => NaN)).toEqual({ value: NaN, lo: NaN, hi: NaN });
    expect(bootstrap([1, 2], () => Infinity)).toEqual({ value: Infinity, lo: Infinity, hi: Infinity });
    let k = 0;
    expect(bootstrap([1, 2], () => (k++ === 0 ? 0.25 : NaN), { resamples: 5 })).toEqual({ value: 0.25, lo: 0.25, hi: 0.25 });
  });
  it('no items: the statistic is called once, on the empty sample, and never resampled', () => {
    const calls: number[] = [];
    expect(bootstrap([], (s) => { calls.push(s.length); return 0.5; })).toEqual({ value: 0.5, lo: 0.5, hi: 0.5 });
    expect(calls).toEqual([0]);
  });
  it('disjoint is strict at touching ends', () => {
    expect(disjoint({ value: 0, lo: 0, hi: 0.3 }, { value: 1, lo: 0.3, hi: 1 })).toBe(false);
    expect(disjoint({ value: 1, lo: 0.3, hi: 1 }, { value: 0, lo: 0, hi: 0.3 })).toBe(false);
    expect(disjoint({ value: 1, lo: 0.31, hi: 1 }, { value: 0, lo: 0, hi: 0.3 })).toBe(true);
  });
});

describe('LCS with distinct actions', () => {
  it('unrelated actions share nothing', () => {
    expect(lcsLength(['walk', 'grab'], ['open', 'close'])).toBe(0);
    expect(normalisedLcs(['Walk to kitchen', 'Grab cup'], ['Open fridge', 'Close fridge'])).toBe(0);
  });
  it('order matters: a reversed plan shares one action', () => {
    expect(lcsLength(['a', 'b', 'c'], ['c', 'b', 'a'])).toBe(1);
    expect(normalisedLcs(['a', 'b', 'c'], ['c', 'b', 'a'])).toBeCloseTo(1 / 3, 12);
  });
  it('hand-computed values, normalised by the longer sequence', () => {
    expect(lcsLength(['x', 'a', 'y', 'b'], ['a', 'b'])).toBe(2);
    expect(lcsLength(['a', 'b'], ['x', 'a', 'y', 'b'])).toBe(2);
    expect(lcsLength([...'AGGTAB'], [...'GXTXAYB'])).toBe(4);
    expect(lcsLength([...'ABC'], [...'ABC'])).toBe(3);
    expect(lcsLength([...'ABCD'], [...'ACBD'])).toBe(3);
    expect(normalisedLcs(['a', 'b'], ['x', 'a', 'y', 'b'])).toBe(0.5);
    expect(normalisedLcs(['x', 'a', 'y', 'b', 'z'], ['a', 'b'])).toBe(0.4);
    expect(normalisedLcs([], ['a'])).toBe(0);
  });
  it('normalises case and whitespace only', () => {
    expect(normaliseAction('  Walk \t to   Kitchen ')).toBe('walk to kitchen');
    expect(normaliseAction('')).toBe('');
    expect(normalisedLcs(['WALK TO kitchen'], [' walk  to kitchen'])).toBe(1);
    expect(normalisedLcs(['walk to kitchen'], ['walk to kitchens'])).toBe(0);
  });
});

describe('summary values, counts and JSON', () => {
  const episodes: MetricEpisode[] = [
    { taskId: 'a', success: true, goal: { satisfied: 2, total: 2 }, expert: ['walk', 'grab', 'put'],
      steps: [
        { action: 'walk', ok: true, predictedFeedback: 'True' },
        { action: 'grab', ok: false, predictedFeedback: 'Error, far', corrected: true },
        { action: 'put', ok: true },
      ] },
    { taskId: 'b', success: false, goal: { satisfied: 1, total: 4 }, expert: ['open', 'close'],
      steps: [
        { action: 'walk', ok: false, predictedFeedback: 'True' },
        { action: 'open', ok: true, predictedFeedback: null, corrected: true },
      ] },
    { taskId: 'c', success: false, goal: { satisfied: 0, total: 0 }, steps: [] },
  ];
  // Built inside each test, so a throwing mutant fails tests rather than the file's collection.
  const summary = () => summarise(episodes, { seed: 11, resamples: 40 });

  it('point values by hand', () => {
    const s = summary();
    expect(s.episodes).toBe(3);
    expect(s.successRate.value).toBeCloseTo(1 / 3, 12);
    expect(s.goalConditionRecall.value).toBeCloseTo((1 + 0.25 + 1) / 3, 12); // total 0 counts as 1
    expect(s.stepExecutability.value).toBeCloseTo(3 / 5, 12);
    expect(s.episodeExecutability.value).toBeCloseTo(1 / 3, 12); // the empty episode counts as executable
    expect(s.lcs.value).toBeCloseTo((1 + 0.5) / 2, 12); // c has no expert
    expect(s.avgSteps.value).toBeCloseTo(5 / 3, 12);
    expect(s.feedbackAccuracy.value).toBeCloseTo(2 / 3, 12); // 3 predictions: right, right, wrong
    expect(s.feedbackErrorPrecision.value).toBe(1);
    expect(s.feedbackErrorRecall.value).toBe(0.5);
    expect(s.correctionRate.value).toBeCloseTo(2 / 5, 12);
    expect(s.correctionSuccess.value).toBe(0.5);
  });
  it('counts', () => {
    const s = summary();
    expect(s.counts).toEqual({ steps: 5, failedSteps: 2, predicted: 3, corrections: 2, correctionsOk: 1 });
  });
  it('each metric is bootstrapped with seed + 7919·(its index) and the given resamples', () => {
    const s = summary();
    Object.entries(STATISTICS).forEach(([name, stat], i) => {
      expect((s as unknown as Record<string, unknown>)[name]).toEqual(bootstrap(episodes, stat, { seed: 11 + 7919 * i, resamples: 40 }));
    });
    const d = summarise(episodes);
    Object.entries(STATISTICS).forEach(([name, stat], i) => {
      expect((d as unknown as Record<string, unknown>)[name]).toEqual(bootstrap(episodes, stat, { seed: 7919 * i, resamples: 1000 }));
    });
  });
  it('summaryJson: values, nulls for undefined metrics, intervals, counts', () => {
    const s = summary();
    const j = summaryJson(s);
    expect(j.successRate).toBeCloseTo(1 / 3, 12);
    expect(j.avgSteps).toBeCloseTo(5 / 3, 12);
    expect(j.episodes).toBe(3);
    expect(j.counts).toEqual({ steps: 5, failedSteps: 2, predicted: 3, corrections: 2, correctionsOk: 1 });
    const ci = j.ci95 as Record<string, [number, number] | null>;
    expect(Object.keys(ci)).toEqual(Object.keys(STATISTICS));
    expect(ci.lcs).toEqual([s.lcs.lo, s.lcs.hi]);
    expect(ci.successRate).toEqual([s.successRate.lo, s.successRate.hi]);
    const none = summaryJson(summarise([{ taskId: 'z', success: true, goal: { satisfied: 1, total: 1 }, steps: [{ action: 'a', ok: true }] }], { resamples: 5 }));
    expect(none.feedbackAccuracy).toBeNull();
    expect(none.lcs).toBeNull();
    expect((none.ci95 as Record<string, unknown>).feedbackAccuracy).toBeNull();
    expect(none.successRate).toBe(1);
    expect((none.ci95 as Record<string, unknown>).successRate).toEqual([1, 1]);
    expect(Object.keys(none).sort()).toEqual([...Object.keys(STATISTICS), 'ci95', 'counts', 'episodes'].sort());
  });
  it('no episodes: every rate undefined', () => {
    const e = summarise([]);
    expect(e.episodes).toBe(0);
    expect(Number.isNaN(e.successRate.value)).toBe(true);
    expect(e.counts).toEqual({ steps: 0, failedSteps: 0, predicted: 0, corrections: 0, correctionsOk: 0 });
  });
});
