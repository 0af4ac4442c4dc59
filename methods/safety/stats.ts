/**
 * Mean and 95% Student-t interval over a few attack seeds (n = 3 in the report: t = 4.303).
 * With one value the interval is that value (no spread can be estimated; the report says n).
 */
export interface SeedStat { mean: number; lo: number; hi: number; values: number[] }

/** Two-sided 97.5% quantiles of Student's t for 1..10 degrees of freedom. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

export function seedStat(values: readonly number[]): SeedStat {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, values: [...values] };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean, values: [...values] };
  const sd = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (T975[n - 2] ?? 1.96) * sd / Math.sqrt(n);
  return { mean, lo: mean - half, hi: mean + half, values: [...values] };
}
