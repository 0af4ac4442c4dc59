/**
 * Linear probes: L2-regularised logistic regression on activation rows (features standardised
 * with the training rows' mean and deviation), trained by full-batch gradient descent from
 * zero weights, so a probe is a deterministic function of its data. Held-out accuracy is the
 * measure; a probe trained on one model applies unchanged to another's activations
 * (cross-model probing, "No Two Devils Alike").
 */
import { HearthError } from '../../env/errors.ts';

export interface Probe {
  w: Float64Array;
  b: number;
  mean: Float64Array;
  std: Float64Array;
}

export interface ProbeOptions {
  /** L2 penalty on w (default 1e-2). */
  l2?: number;
  /** Gradient steps (default 300). */
  steps?: number;
  lr?: number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Fit on rows X (n × d) with labels y ∈ {0, 1}. */
export function trainProbe(X: readonly ArrayLike<number>[], y: readonly number[], opts: ProbeOptions = {}): Probe {
  const n = X.length;
  if (n === 0 || n !== y.length) throw new HearthError('interp.probe', `a probe needs rows and as many labels (got ${n} rows, ${y.length} labels)`, 'pass one label per activation row');
  if (!y.some((v) => v === 1) || !y.some((v) => v === 0)) throw new HearthError('interp.probe', 'a probe needs both classes among its training rows', 'include rows of label 0 and label 1');
  const d = X[0].length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of X) for (let j = 0; j < d; j++) mean[j] += r[j] / n;
  for (const r of X) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  const Z = X.map((r) => Float64Array.from({ length: d }, (_, j) => (r[j] - mean[j]) / std[j]));
  const w = new Float64Array(d);
  let b = 0;
  const l2 = opts.l2 ?? 1e-2;
  const lr = opts.lr ?? 0.5;
  const gw = new Float64Array(d);
  for (let s = 0; s < (opts.steps ?? 300); s++) {
    gw.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let z = b;
      for (let j = 0; j < d; j++) z += w[j] * Z[i][j];
      const e = sigmoid(z) - y[i];
      gb += e / n;
      for (let j = 0; j < d; j++) gw[j] += (e * Z[i][j]) / n;
    }
    for (let j = 0; j < d; j++) w[j] -= lr * (gw[j] + l2 * w[j]);
    b -= lr * gb;
  }
  return { w, b, mean, std };
}

/** P(label 1) for one row. */
export function probeScore(p: Probe, x: ArrayLike<number>): number {
  let z = p.b;
  for (let j = 0; j < p.w.length; j++) z += p.w[j] * ((x[j] - p.mean[j]) / p.std[j]);
  return sigmoid(z);
}

/** Share of rows whose thresholded score (0.5) equals the label. */
export function probeAccuracy(p: Probe, X: readonly ArrayLike<number>[], y: readonly number[]): number {
  if (X.length === 0) return NaN;
  let ok = 0;
  X.forEach((x, i) => { if ((probeScore(p, x) >= 0.5 ? 1 : 0) === y[i]) ok++; });
  return ok / X.length;
}

/**
 * Accuracy of a probe's direction on rows standardised with their own mean and deviation (no
 * labels used): a cross-model probe that survives a global shift or rescaling of the other
 * model's activations, which alone would put every row on one side of the threshold.
 */
export function probeAccuracyRecentred(p: Probe, X: readonly ArrayLike<number>[], y: readonly number[]): number {
  if (X.length === 0) return NaN;
  const d = p.w.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of X) for (let j = 0; j < d; j++) mean[j] += r[j] / X.length;
  for (const r of X) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / X.length;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) + 1e-6;
  return probeAccuracy({ ...p, mean, std }, X, y);
}

/** Share of rows the probe calls label 1 (1 or 0: it says one thing of every row). */
export function probePositiveShare(p: Probe, X: readonly ArrayLike<number>[]): number {
  return X.length ? X.filter((x) => probeScore(p, x) >= 0.5).length / X.length : NaN;
}
