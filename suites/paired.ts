/**
 * Paired comparisons of two models on the same tasks (issue 13 item 5). Both models ran the
 * same task list, so the unit is a pair of episodes (one per model) on one task, and tasks
 * of one scene are not independent (their scene is easy or hard for both), so resampling is
 * by scene: a cluster bootstrap over scenes of the difference A − B. Seeded.
 *
 * - pairedBootstrap: the difference of any statistic (a mean, or a pooled ratio such as step
 *   executability), its 95% interval and a two-sided p-value by test inversion (the smallest
 *   level at which the percentile interval excludes 0, i.e. 2 × the share of resamples on
 *   the far side of 0), with clusters = scenes.
 * - mcnemar: the exact McNemar test on a binary outcome (success), pairs taken as
 *   independent (a check beside the clustered bootstrap, which is the one the claim uses).
 */
import { mulberry32 } from '../alignment/datasets/rng.ts';

export interface PairedUnit<T> {
  /** Cluster (scene) of the pair; with several seeds pooled, prefix it with the seed. */
  cluster: string;
  a: T;
  b: T;
}

export interface PairedResult {
  /** statistic(A) − statistic(B) on all pairs. */
  diff: number;
  lo: number;
  hi: number;
  /** Two-sided bootstrap p-value of "no difference" (resolution 2 / resamples). */
  p: number;
  pairs: number;
  clusters: number;
}

/** Pair two episode lists run on the same task list (same order); the task ids must agree. */
export function pairByTask<T extends { taskId: string }>(a: readonly T[], b: readonly T[], cluster: (taskId: string) => string): Array<PairedUnit<T>> {
  if (a.length !== b.length) throw new Error(`paired comparison: ${a.length} vs ${b.length} episodes (the two runs must use the same tasks)`);
  return a.map((x, i) => {
    if (x.taskId !== b[i].taskId) throw new Error(`paired comparison: episode ${i} is ${x.taskId} in one run and ${b[i].taskId} in the other`);
    return { cluster: cluster(x.taskId), a: x, b: b[i] };
  });
}

export function pairedBootstrap<T>(units: ReadonlyArray<PairedUnit<T>>, statistic: (xs: readonly T[]) => number,
  options: { resamples?: number; seed?: number } = {}): PairedResult {
  const diffOf = (us: ReadonlyArray<PairedUnit<T>>): number => statistic(us.map((u) => u.a)) - statistic(us.map((u) => u.b));
  const diff = diffOf(units);
  const byCluster = new Map<string, Array<PairedUnit<T>>>();
  for (const u of units) {
    let c = byCluster.get(u.cluster);
    if (!c) byCluster.set(u.cluster, (c = []));
    c.push(u);
  }
  const clusters = [...byCluster.values()];
  const base = { diff, pairs: units.length, clusters: clusters.length };
  if (units.length === 0 || !Number.isFinite(diff)) return { ...base, lo: diff, hi: diff, p: NaN };
  const B = options.resamples ?? 2000;
  const rng = mulberry32(options.seed ?? 0);
  const stats: number[] = [];
  for (let b = 0; b < B; b++) {
    const sample: Array<PairedUnit<T>> = [];
    for (let i = 0; i < clusters.length; i++) sample.push(...clusters[rng.int(clusters.length)]);
    const d = diffOf(sample);
    if (Number.isFinite(d)) stats.push(d);
  }
  if (stats.length === 0) return { ...base, lo: diff, hi: diff, p: NaN };
  stats.sort((x, y) => x - y);
  const q = (p: number): number => stats[Math.min(stats.length - 1, Math.max(0, Math.round(p * (stats.length - 1))))];
  const below = stats.filter((d) => d <= 0).length;
  const above = stats.filter((d) => d >= 0).length;
  // Test inversion: the (1 − p) percentile interval just reaches 0.
  const p = Math.min(1, (2 * Math.min(below, above)) / stats.length);
  return { ...base, lo: q(0.025), hi: q(0.975), p };
}

/** log(n choose k). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact two-sided McNemar test: `aOnly` pairs where only A succeeded, `bOnly` where only B
 * did. Under "no difference" each discordant pair is a fair coin.
 */
export function mcnemar(aOnly: number, bOnly: number): { aOnly: number; bOnly: number; p: number } {
  const n = aOnly + bOnly;
  if (n === 0) return { aOnly, bOnly, p: 1 };
  const k = Math.min(aOnly, bOnly);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return { aOnly, bOnly, p: Math.min(1, 2 * tail) };
}

/** McNemar on a binary outcome of paired units. */
export function mcnemarOf<T>(units: ReadonlyArray<PairedUnit<T>>, outcome: (x: T) => boolean): { aOnly: number; bOnly: number; p: number } {
  let aOnly = 0;
  let bOnly = 0;
  for (const u of units) {
    const a = outcome(u.a), b = outcome(u.b);
    if (a && !b) aOnly++;
    else if (b && !a) bOnly++;
  }
  return mcnemar(aOnly, bOnly);
}
