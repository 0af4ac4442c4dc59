/**
 * Training a TopK sparse autoencoder (agent/interp/sae.ts) on activation rows, and collecting
 * those rows from the local model at a hook site. Loss: normalised MSE Σ‖x − x̂‖² / Σ‖x − x̄‖²
 * per batch (the batch FVU), plus Gao et al.'s AuxK term (α = 1/32): the reconstruction error
 * modelled by the top-k_aux *dead* features, which gives dead features a gradient again.
 * AdamW without weight decay, constant learning rate after warm-up; decoder rows renormalised
 * after every step. Seeded: the same rows and seed give the same SAE.
 */
import { HearthError } from '../env/errors.ts';
import { captureHooks, parseHookName } from '../agent/interp/hooks.ts';
import { SparseAutoencoder, topkRelu, type SaeConfig, type SaeMetrics } from '../agent/interp/sae.ts';
import type { LocalModel } from '../agent/local-model.ts';
import { tf } from '../agent/tfjs.ts';
import { mulberry32 } from './datasets/rng.ts';
import { AdamW } from './optim.ts';

export interface SaeTrainOptions {
  features: number;
  k: number;
  hook: string;
  steps: number;
  /** Rows per step. */
  batch: number;
  lr: number;
  seed: number;
  /** AuxK: dead features used to model the residual error (default D/2), weight (default 1/32). */
  auxK?: number;
  auxWeight?: number;
  /** A feature is dead for AuxK after this many rows without firing (default 20 batches). */
  deadAfterRows?: number;
  onStep?(info: { step: number; loss: number; fvu: number; dead: number }): void;
}

/** Mean over rows, and the scale s with E‖x/s‖² = D. rows: (N, D). */
function rowStats(x: tf.Tensor2D): { mean: tf.Tensor1D; scale: number } {
  const D = x.shape[1];
  const ms = tf.tidy(() => tf.mean(tf.sum(tf.square(x), 1)).dataSync()[0]);
  return { mean: tf.mean(x, 0) as tf.Tensor1D, scale: Math.sqrt(Math.max(ms, 1e-12) / D) };
}

export function trainSae(rows: tf.Tensor2D, o: SaeTrainOptions): { sae: SparseAutoencoder; curve: Array<{ step: number; loss: number; fvu: number; dead: number }> } {
  const [N, D] = rows.shape;
  if (N < o.batch) throw new HearthError('interp.sae', `only ${N} activation rows for SAE batches of ${o.batch}`, 'collect more rows or use a smaller batch');
  const config: SaeConfig = { d: D, features: o.features, k: o.k, hook: o.hook };
  const sae = new SparseAutoencoder(config, o.seed);
  const { mean, scale } = rowStats(rows);
  sae.scale = scale;
  sae.bDec.assign(tf.tidy(() => tf.div(mean, scale)));
  mean.dispose();
  const F = o.features;
  const auxK = Math.min(o.auxK ?? Math.floor(D / 2), F);
  const auxWeight = o.auxWeight ?? 1 / 32;
  const deadAfter = o.deadAfterRows ?? 20 * o.batch;
  const sinceFired = new Float64Array(F);
  const adam = new AdamW({ lr: o.lr, warmupSteps: Math.min(50, Math.ceil(o.steps / 20)), totalSteps: o.steps, schedule: 'constant', weightDecay: 0 });
  const rng = mulberry32(o.seed);
  const vars = sae.variables();
  const byName = new Map<string, string>();
  for (const [k, v] of vars) byName.set(v.name, k);
  const curve: Array<{ step: number; loss: number; fvu: number; dead: number }> = [];
  for (let step = 1; step <= o.steps; step++) {
    const idx = Int32Array.from({ length: o.batch }, () => rng.int(N));
    let deadCount = 0;
    const deadMask = new Float32Array(F);
    for (let j = 0; j < F; j++) if (sinceFired[j] >= deadAfter) { deadMask[j] = 1; deadCount++; }
    let fvu = 0;
    const firedBox: { v: Float32Array | number[] } = { v: [] };
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.gather(rows, tf.tensor1d(idx, 'int32')) as tf.Tensor2D; // (n, D)
      const pre = sae.preActivations(x); // (n, F)
      const c = topkRelu(pre, o.k);
      const xh = sae.decode(c);
      const xbar = tf.mean(x, 0, true);
      const denom = tf.sum(tf.squaredDifference(x, xbar));
      const recon = tf.div(tf.sum(tf.squaredDifference(x, xh)), denom) as tf.Scalar;
      fvu = recon.dataSync()[0];
      firedBox.v = tf.max(tf.cast(tf.greater(c, 0), 'float32'), 0).dataSync() as Float32Array;
      if (deadCount === 0) return recon;
      // AuxK: the error e (no gradient into the main path) modelled by the top dead features.
      const eConst = tf.tensor2d(tf.div(tf.sub(x, xh), scale).dataSync() as Float32Array, [o.batch, D]); // (n, D), a constant
      const zAux = topkRelu(tf.mul(pre, tf.tensor1d(deadMask)) as tf.Tensor2D, Math.min(auxK, deadCount));
      const eHat = tf.matMul(zAux, sae.wDec);
      const aux = tf.div(tf.sum(tf.squaredDifference(eConst, eHat)), tf.maximum(tf.sum(tf.squaredDifference(eConst, tf.mean(eConst, 0, true))), 1e-12));
      return tf.add(recon, tf.mul(auxWeight, aux)) as tf.Scalar;
    }, [...vars.values()]);
    const loss = value.dataSync()[0];
    value.dispose();
    const g = new Map<string, tf.Tensor>();
    for (const [vn, t] of Object.entries(grads)) g.set(byName.get(vn)!, t);
    adam.apply(vars, g);
    for (const t of g.values()) t.dispose();
    sae.normaliseDecoder();
    for (let j = 0; j < F; j++) sinceFired[j] = firedBox.v[j] > 0 ? 0 : sinceFired[j] + o.batch;
    if (step % 25 === 0 || step === o.steps) {
      const info = { step, loss, fvu, dead: deadCount / F };
      curve.push(info);
      o.onStep?.(info);
    }
  }
  adam.dispose();
  return { sae, curve };
}

/**
 * Activation rows (N, D) at `hook` for each text pair (prompt + completion), from positions
 * with a real token, leaving out position 0 (BOS, whose residual norm is an outlier that would
 * dominate the variance). `only: 'completion'` keeps the positions that predict completion
 * tokens (what FPO pools over). Kept outside any tidy: the caller disposes the result.
 */
export function collectActivations(lm: LocalModel, pairs: ReadonlyArray<{ input: string; output: string }>,
  o: { hook: string; only?: 'all' | 'completion'; chunk?: number; maxRows?: number }): tf.Tensor2D {
  const point = parseHookName(o.hook, lm.config.layers);
  const parts: Float32Array[] = [];
  let total = 0;
  let width = 0;
  const chunk = o.chunk ?? 16;
  for (let i = 0; i < pairs.length && total < (o.maxRows ?? Infinity); i += chunk) {
    const b = lm.batchPairs(pairs.slice(i, i + chunk), true);
    let acts: Float32Array = new Float32Array(0);
    tf.tidy(() => {
      lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, logits: 'none',
        hooks: captureHooks(point, (r) => { width = r.shape[1]; acts = r.dataSync() as Float32Array; }) });
    });
    for (let r = 0; r < b.batch; r++) {
      for (let t = 1; t < b.time; t++) {
        const at = r * b.time + t;
        if (!b.valid[at] || (o.only === 'completion' && !b.mask[at])) continue;
        parts.push(acts.slice(at * width, (at + 1) * width));
        total++;
      }
    }
  }
  const n = Math.min(total, o.maxRows ?? Infinity);
  const out = new Float32Array(n * width);
  for (let i = 0; i < n; i++) out.set(parts[i], i * width);
  return tf.tensor2d(out, [n, width]);
}

export type { SaeMetrics };
