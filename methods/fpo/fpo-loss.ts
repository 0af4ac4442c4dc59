/**
 * FPO (spec §A) on the local model: the policy's length-normalised log-probs and its pooled SAE
 * features over the completion, against an offline reference (the starting model's
 * length-normalised log-probs and pooled features, computed once before training):
 *
 *   c̄(y) = (1/|y|) Σ_t m_t · SAE(h_t^ℓ)                       pooled features (B, F)
 *   L = −log σ(β[(u_w − u_l) − α(D(y_l) − sg D(y_w))])        `preferenceLoss` kind 'fpo'
 *
 * m_t marks the positions that predict completion tokens (the last prompt token and the
 * completion, EOS target included): the hidden states that produce the completion. h^ℓ is the
 * residual stream the SAE was trained on (its `hook`, e.g. `blocks.1.hook_resid_post`).
 */
import { HearthError } from '../../env/errors.ts';
import { captureHooks, parseHookName } from '../../agent/interp/hooks.ts';
import type { SparseAutoencoder } from '../../agent/interp/sae.ts';
import type { LocalModel } from '../../agent/local-model.ts';
import { seqLogProb } from '../../agent/logprob.ts';
import { tf } from '../../agent/tfjs.ts';
import { preferenceLoss, type PreferenceOptions } from '../../alignment/losses.ts';
import { rewardMetrics, type PreferencePair } from '../../alignment/preference.ts';
import type { LossFn } from '../../alignment/trainer.ts';

export interface FpoPair extends PreferencePair {
  /** Offline reference: pooled SAE features (F,) of the chosen / rejected completion. */
  refChosenFeatures?: Float32Array;
  refRejectedFeatures?: Float32Array;
}

/**
 * Mean log-probs (B,) and pooled SAE features (B, F) of each `{input, output}` (output + EOS),
 * differentiable w.r.t. the model (call inside a gradient tape or a tidy).
 */
export function logProbsAndFeatures(lm: LocalModel, sae: SparseAutoencoder, rows: ReadonlyArray<{ input: string; output: string }>): { logps: tf.Tensor1D; features: tf.Tensor2D } {
  const point = parseHookName(sae.config.hook, lm.config.layers);
  const b = lm.batchPairs([...rows], true);
  let acts: tf.Tensor2D | null = null;
  const { logits } = lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, hooks: captureHooks(point, (r) => { acts = r; }) });
  if (!acts) throw new Error(`hook ${sae.config.hook} did not fire`);
  const logps = seqLogProb(logits!, b.targets, b.mask, b.batch, { average: 'mean' });
  // Only the completion-predicting rows are encoded (a handful per sequence, not all B*T): the
  // SAE's TopK over F features is the costly part of FPO's step.
  const rowsIdx: number[] = [];
  const owner: number[] = [];
  const counts = new Float32Array(b.batch);
  for (let r = 0; r < b.batch; r++) {
    for (let t = 0; t < b.time; t++) if (b.mask[r * b.time + t]) { rowsIdx.push(r * b.time + t); owner.push(r); counts[r]++; }
  }
  const codes = sae.encode(tf.gather(acts, tf.tensor1d(rowsIdx, 'int32')) as tf.Tensor2D); // (M, F)
  // Mean per sequence as one product: P (B, M) with P[b, j] = 1/|y_b| where row j belongs to b.
  const P = new Float32Array(b.batch * rowsIdx.length);
  owner.forEach((r, j) => { P[r * rowsIdx.length + j] = 1 / counts[r]; });
  const pooled = tf.matMul(tf.tensor2d(P, [b.batch, rowsIdx.length]), codes) as tf.Tensor2D; // (B, F)
  return { logps, features: pooled };
}

/** The pairs with the offline reference filled in: mean log-probs and pooled features of `reference` (no gradient). */
export function withFpoReference(reference: LocalModel, sae: SparseAutoencoder, pairs: readonly PreferencePair[], chunk = 8): FpoPair[] {
  const out: FpoPair[] = [];
  for (let i = 0; i < pairs.length; i += chunk) {
    const part = pairs.slice(i, i + chunk);
    const B = part.length;
    const [lp, fe] = tf.tidy(() => {
      const r = logProbsAndFeatures(reference, sae, [...part.map((p) => ({ input: p.prompt, output: p.chosen })), ...part.map((p) => ({ input: p.prompt, output: p.rejected }))]);
      return [r.logps.dataSync() as Float32Array, r.features.dataSync() as Float32Array];
    });
    const F = sae.config.features;
    part.forEach((p, j) => out.push({
      ...p, refChosen: lp[j], refRejected: lp[B + j],
      refChosenFeatures: fe.slice(j * F, (j + 1) * F), refRejectedFeatures: fe.slice((B + j) * F, (B + j + 1) * F),
    }));
  }
  return out;
}

/** The FPO `LossFn` over micro-batches of pairs with their offline reference (normalised by `totalPairs`). */
export function fpoLossFn(totalPairs: number, sae: SparseAutoencoder, o: Omit<PreferenceOptions, 'kind'>): LossFn<readonly FpoPair[]> {
  return (pairs, ctx) => {
    const missing = pairs.findIndex((p) => p.refChosen === undefined || !p.refChosenFeatures || !p.refRejectedFeatures);
    if (missing >= 0) throw new HearthError('loss.reference', `FPO pair ${missing} of the batch has no offline reference`, 'compute it once with withFpoReference');
    const B = pairs.length;
    const { logps, features } = logProbsAndFeatures(ctx.lm, sae, [...pairs.map((p) => ({ input: p.prompt, output: p.chosen })), ...pairs.map((p) => ({ input: p.prompt, output: p.rejected }))]);
    const F = sae.config.features;
    const r = preferenceLoss({
      policyChosen: tf.slice(logps, [0], [B]) as tf.Tensor1D,
      policyRejected: tf.slice(logps, [B], [B]) as tf.Tensor1D,
      refChosen: pairs.map((p) => p.refChosen!), refRejected: pairs.map((p) => p.refRejected!),
      policyChosenFeatures: tf.slice(features, [0, 0], [B, F]) as tf.Tensor2D,
      policyRejectedFeatures: tf.slice(features, [B, 0], [B, F]) as tf.Tensor2D,
      refChosenFeatures: pairs.map((p) => p.refChosenFeatures!), refRejectedFeatures: pairs.map((p) => p.refRejectedFeatures!),
    }, { ...o, kind: 'fpo' });
    return { loss: tf.div(tf.sum(r.losses), totalPairs) as tf.Scalar, metrics: rewardMetrics(r, totalPairs) };
  };
}
