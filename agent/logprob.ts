/**
 * Token and sequence log-probabilities with masks: the one primitive every alignment loss
 * (SFT cross-entropy, the DPO family, ranking losses) is built from.
 */
import { tf } from './tfjs.ts';

/**
 * log p(target_i | logits_i) for each row: (N, V) logits, (N,) int targets → (N,).
 * Fused: the backward pass is (onehot - softmax) * dy directly, not through log-softmax.
 */
const pickLogProb = tf.customGrad(((logits: tf.Tensor2D, onehot: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  const lse = tf.logSumExp(logits, 1); // (N,)
  save([logits, onehot, lse]);
  return {
    value: tf.sub(tf.sum(tf.mul(logits, onehot), 1), lse),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [lg, oh, l] = saved;
      const p = tf.exp(tf.sub(lg, tf.expandDims(l, 1))); // softmax (N, V)
      return [tf.mul(tf.sub(oh, p), tf.expandDims(dy, 1)), tf.zerosLike(oh)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (logits: tf.Tensor2D, onehot: tf.Tensor2D) => tf.Tensor1D;

export function tokenLogProbs(logits: tf.Tensor2D, targets: Int32Array | tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const t = targets instanceof Int32Array ? tf.tensor1d(targets, 'int32') : targets;
  return pickLogProb(logits, tf.oneHot(t, V) as tf.Tensor2D);
}

export interface SeqLogProbOptions {
  /** Per-token weights (N,), multiplied with the mask (e.g. RISE's emphasis on edited tokens). */
  weights?: Float32Array;
  /** 'sum' (default) or 'mean' over each sequence's masked tokens (weighted mean with weights). */
  average?: 'sum' | 'mean';
}

/**
 * Per-sequence masked log-prob. logits (B*T, V) for B sequences of T positions, targets and
 * mask (B*T,) (mask 1 = the token counts). Returns (B,).
 */
export function seqLogProb(logits: tf.Tensor2D, targets: Int32Array, mask: Float32Array, batch: number, options: SeqLogProbOptions = {}): tf.Tensor1D {
  const N = targets.length;
  const T = N / batch;
  const w = new Float32Array(N);
  // Stryker disable next-line EqualityOperator: a typed array ignores the write past its end
  for (let i = 0; i < N; i++) w[i] = mask[i] * (options.weights ? options.weights[i] : 1);
  const lp = tf.mul(tokenLogProbs(logits, targets), tf.tensor1d(w)); // (N,)
  const sums = tf.sum(tf.reshape(lp, [batch, T]), 1) as tf.Tensor1D; // (B,)
  if (options.average !== 'mean') return sums;
  const denom = new Float32Array(batch);
  // Stryker disable next-line EqualityOperator: a typed array ignores the write past its end
  for (let b = 0; b < batch; b++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += w[b * T + t];
    denom[b] = Math.max(s, 1e-9);
  }
  return tf.div(sums, tf.tensor1d(denom)) as tf.Tensor1D;
}

/**
 * Masked mean cross-entropy: -Σ w_i log p_i / normaliser (default Σ w_i). Passing the
 * token count of a whole accumulated batch as the normaliser makes the gradients of
 * micro-batches add up to the gradient of the full batch.
 */
export function maskedCrossEntropy(logits: tf.Tensor2D, targets: Int32Array, weights: Float32Array, normaliser?: number): tf.Scalar {
  let total = 0;
  for (const w of weights) total += w;
  const denom = normaliser ?? Math.max(total, 1e-9);
  return tf.div(tf.neg(tf.sum(tf.mul(tokenLogProbs(logits, targets), tf.tensor1d(weights)))), denom) as tf.Scalar;
}

/** log σ(z) = -softplus(-z), stable for large |z|. */
export function logSigmoid(z: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(z)));
}
