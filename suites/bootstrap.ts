/**
 * Percentile bootstrap over episodes (the unit of sampling: steps of one episode are not
 * independent). Seeded, so the same episodes give the same interval.
 */
import { mulberry32 } from '../alignment/datasets/rng.ts';

export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

/**
 * `statistic` maps a resample (as indices into the items) to a number (NaN = undefined on this
 * resample, skipped). Returns the statistic on the full sample and the 2.5/97.5 percentiles.
 */
export function bootstrap<T>(items: readonly T[], statistic: (sample: readonly T[]) => number,
  options: { resamples?: number; seed?: number; level?: number } = {}): Interval {
  const value = statistic(items);
  const B = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (items.length === 0 || !Number.isFinite(value)) return { value, lo: value, hi: value };
  const rng = mulberry32(options.seed ?? 0);
  const stats: number[] = [];
  // Stryker disable next-line ArrayDeclaration: a preallocated length is only a hint; every slot is written before use
  const sample: T[] = new Array(items.length);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[rng.int(items.length)];
    const s = statistic(sample);
    if (Number.isFinite(s)) stats.push(s);
  }
  if (stats.length === 0) return { value, lo: value, hi: value };
  stats.sort((x, y) => x - y);
  const q = (p: number): number => {
    const pos = p * (stats.length - 1);
    const i = Math.floor(pos);
    const f = pos - i;
    return i + 1 < stats.length ? stats[i] * (1 - f) + stats[i + 1] * f : stats[i];
  };
  const alpha = (1 - level) / 2;
  return { value, lo: q(alpha), hi: q(1 - alpha) };
}

/** Whether two intervals are disjoint (the acceptance check "non-overlapping 95% intervals"). */
export function disjoint(a: Interval, b: Interval): boolean {
  return a.hi < b.lo || b.hi < a.lo;
}
