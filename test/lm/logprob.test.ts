/**
 * Log-probabilities pinned against hand-computed values (issue 24): token log-probs and
 * their fused gradient, masked/weighted sequence sums and means, the cross-entropy's
 * normaliser, and log σ.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { logSigmoid, maskedCrossEntropy, seqLogProb, tokenLogProbs } from '../../agent/logprob.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';

beforeAll(async () => { await initBackend('cpu'); });

const L3 = Math.log(3);
// Row 0: logits [0, ln 3] → p = [1/4, 3/4]. Row 1: [ln 2, ln 2] → p = [1/2, 1/2]. Row 2: [ln 3, 0] → [3/4, 1/4].
const logits = (): tf.Tensor2D => tf.tensor2d([[0, L3], [Math.log(2), Math.log(2)], [L3, 0]]);
const close = (got: ArrayLike<number>, want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
};

describe('tokenLogProbs', () => {
  it('log p(target) per row, from Int32Array or a tensor', () => {
    close(tokenLogProbs(logits(), Int32Array.of(1, 0, 1)).dataSync(), [Math.log(3 / 4), Math.log(1 / 2), Math.log(1 / 4)]);
    close(tokenLogProbs(logits(), tf.tensor1d([0, 1, 0], 'int32')).dataSync(), [Math.log(1 / 4), Math.log(1 / 2), Math.log(3 / 4)]);
  });
  it('is stable for large logits', () => {
    close(tokenLogProbs(tf.tensor2d([[1000, 0]]), Int32Array.of(1)).dataSync(), [-1000], 2);
  });
  it('gradient: (onehot − softmax) · dy', () => {
    const t = Int32Array.of(1, 0, 1);
    const dy = tf.tensor1d([1, 2, -1]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tokenLogProbs(x as tf.Tensor2D, t), dy)))(logits());
    close(g.dataSync(), [
      (0 - 1 / 4) * 1, (1 - 3 / 4) * 1,
      (1 - 1 / 2) * 2, (0 - 1 / 2) * 2,
      (0 - 3 / 4) * -1, (1 - 1 / 4) * -1,
    ]);
  });
});

describe('seqLogProb', () => {
  // 2 sequences × 2 positions; rows: [0, ln3] [ln2, ln2] | [ln3, 0] [0, ln3]
  const lg = (): tf.Tensor2D => tf.tensor2d([[0, L3], [Math.log(2), Math.log(2)], [L3, 0], [0, L3]]);
  const targets = Int32Array.of(1, 0, 0, 1);
  const lp = [Math.log(3 / 4), Math.log(1 / 2), Math.log(3 / 4), Math.log(3 / 4)];
  it('sums masked log-probs per sequence', () => {
    close(seqLogProb(lg(), targets, Float32Array.of(1, 1, 1, 1), 2).dataSync(), [lp[0] + lp[1], lp[2] + lp[3]]);
    close(seqLogProb(lg(), targets, Float32Array.of(0, 1, 1, 0), 2).dataSync(), [lp[1], lp[2]]);
    close(seqLogProb(lg(), targets, Float32Array.of(0, 1, 1, 0), 2, { average: 'sum' }).dataSync(), [lp[1], lp[2]]);
  });
  it('weights multiply the mask', () => {
    const w = Float32Array.of(2, 0.5, 3, 1);
    close(seqLogProb(lg(), targets, Float32Array.of(1, 1, 0, 1), 2, { weights: w }).dataSync(), [2 * lp[0] + 0.5 * lp[1], lp[3]]);
  });
  it('mean divides by the (weighted) count; an empty mask gives 0', () => {
    close(seqLogProb(lg(), targets, Float32Array.of(1, 1, 0, 1), 2, { average: 'mean' }).dataSync(), [(lp[0] + lp[1]) / 2, lp[3]]);
    const w = Float32Array.of(3, 1, 1, 1);
    close(seqLogProb(lg(), targets, Float32Array.of(1, 1, 0, 0), 2, { average: 'mean', weights: w }).dataSync(), [(3 * lp[0] + lp[1]) / 4, 0]);
  });
  it('one sequence of four positions', () => {
    close(seqLogProb(lg(), targets, Float32Array.of(1, 1, 1, 1), 1, { average: 'mean' }).dataSync(), [lp.reduce((a, b) => a + b) / 4]);
  });
});

describe('maskedCrossEntropy', () => {
  const t = Int32Array.of(1, 0, 1);
  it('−Σ w log p / Σ w', () => {
    const w = Float32Array.of(1, 0, 2);
    expect(maskedCrossEntropy(logits(), t, w).dataSync()[0]).toBeCloseTo(-(Math.log(3 / 4) + 2 * Math.log(1 / 4)) / 3, 5);
  });
  it('an explicit normaliser replaces Σ w', () => {
    const w = Float32Array.of(1, 1, 0);
    expect(maskedCrossEntropy(logits(), t, w, 8).dataSync()[0]).toBeCloseTo(-(Math.log(3 / 4) + Math.log(1 / 2)) / 8, 5);
  });
  it('all-zero weights give 0, not NaN', () => {
    expect(maskedCrossEntropy(logits(), t, Float32Array.of(0, 0, 0)).dataSync()[0]).toBeCloseTo(0, 9);
  });
});

describe('logSigmoid', () => {
  it('log σ(z) at hand-computed points, stable at the extremes', () => {
    close(logSigmoid(tf.tensor1d([0, 2, -2, 50, -50])).dataSync(),
      [-Math.log(2), -Math.log(1 + Math.exp(-2)), -Math.log(1 + Math.exp(2)), 0, -50], 4);
  });
});
