/**
 * alignment/losses.ts refuses bad options and shapes with exact errors (issue 24's losses
 * mutation group): unknown kind, beta, label smoothing, missing reference log-probs, lengths
 * or FPO features, and mismatched label/weight counts; plus preferenceMetrics by hand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { preferenceLoss, preferenceMetrics, rankingLoss, sequenceLogProbs, weightedNll, candidateScores, type PreferenceOptions } from '../../alignment/losses.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';

beforeAll(async () => { await initBackend('cpu'); });

const v = (x: number[]) => tf.tensor1d(x);
const inputs = () => ({ policyChosen: v([-1, -2]), policyRejected: v([-2, -1]), refChosen: [-1.5, -1.5], refRejected: [-1.5, -1.5] });

function hearthError(f: () => unknown): HearthError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(HearthError); return e as HearthError; }
  throw new Error('did not throw');
}

describe('preferenceLoss options', () => {
  it('unknown kind', () => {
    const e = hearthError(() => preferenceLoss(inputs(), { kind: 'kto', beta: 0.1 } as unknown as PreferenceOptions));
    expect([e.kind, e.message, e.hint]).toEqual(['loss.options', 'unknown preference loss kind "kto"', 'use one of sigmoid, ipo, hinge, robust, simpo, orpo, fpo']);
  });
  it('beta must be positive', () => {
    for (const beta of [0, -0.1, NaN]) {
      const e = hearthError(() => preferenceLoss(inputs(), { kind: 'sigmoid', beta }));
      expect([e.kind, e.message, e.hint]).toEqual(['loss.options', `beta must be > 0, got ${beta}`, 'DPO uses 0.1']);
    }
    expect(() => preferenceLoss(inputs(), { kind: 'sigmoid', beta: 1e-6 })).not.toThrow();
  });
  it('label smoothing in [0, 0.5)', () => {
    for (const labelSmoothing of [-0.01, 0.5, 0.7]) {
      const e = hearthError(() => preferenceLoss(inputs(), { kind: 'sigmoid', beta: 0.1, labelSmoothing }));
      expect([e.kind, e.message, e.hint]).toEqual(['loss.options', `labelSmoothing must be in [0, 0.5), got ${labelSmoothing}`, 'it is the probability a preference label is flipped']);
    }
    expect(() => preferenceLoss(inputs(), { kind: 'sigmoid', beta: 0.1, labelSmoothing: 0 })).not.toThrow();
    expect(() => preferenceLoss(inputs(), { kind: 'sigmoid', beta: 0.1, labelSmoothing: 0.49 })).not.toThrow();
  });
  it('reference log-probs: both needed unless reference-free', () => {
    for (const drop of ['refChosen', 'refRejected'] as const) {
      const i: Record<string, unknown> = inputs();
      delete i[drop];
      const e = hearthError(() => preferenceLoss(i as never, { kind: 'ipo', beta: 0.1 }));
      expect([e.kind, e.message, e.hint]).toEqual(['loss.options', 'preference loss "ipo" needs reference log-probs (refChosen, refRejected)',
        'compute them with the reference model (or offline), or set referenceFree']);
    }
    const { refChosen: _a, refRejected: _b, ...free } = inputs();
    expect(() => preferenceLoss(free as never, { kind: 'sigmoid', beta: 0.1, referenceFree: true })).not.toThrow();
  });
  it('length normalisation needs both lengths', () => {
    const e = hearthError(() => preferenceLoss({ ...inputs(), chosenLengths: [2, 3] }, { kind: 'sigmoid', beta: 0.1, lengthNormalize: true }));
    expect([e.kind, e.message, e.hint]).toEqual(['loss.options', 'lengthNormalize needs rejectedLengths', 'pass rejectedLengths (completion token counts)']);
    const f = hearthError(() => preferenceLoss({ ...inputs(), rejectedLengths: [2, 3] }, { kind: 'sigmoid', beta: 0.1, lengthNormalize: true }));
    expect(f.message).toBe('lengthNormalize needs chosenLengths');
  });
  it('fpo needs all four feature matrices', () => {
    const F = () => tf.tensor2d([[1, 0, 2], [0, 3, 1]]);
    const all = { policyChosenFeatures: F(), policyRejectedFeatures: F(), refChosenFeatures: F(), refRejectedFeatures: F() };
    for (const drop of Object.keys(all)) {
      const i: Record<string, unknown> = { ...inputs(), ...all };
      delete i[drop];
      const e = hearthError(() => preferenceLoss(i as never, { kind: 'fpo', beta: 0.1, topK: 2 }));
      expect([e.kind, e.message, e.hint]).toEqual(['loss.options', 'preference loss "fpo" needs policy and reference pooled SAE features for chosen and rejected',
        'pass policyChosenFeatures, policyRejectedFeatures, refChosenFeatures, refRejectedFeatures (B, F)']);
    }
    expect(() => preferenceLoss({ ...inputs(), ...all } as never, { kind: 'fpo', beta: 0.1, topK: 2 })).not.toThrow();
  });
});

describe('shape checks', () => {
  it('sequenceLogProbs: rows must match labels; 2-D logits need a batch', () => {
    expect(() => sequenceLogProbs(tf.zeros([1, 3, 4]) as tf.Tensor3D, Int32Array.of(0, 1))).toThrow('sequenceLogProbs: 3 logit rows for 2 labels');
    expect(() => sequenceLogProbs(tf.zeros([3, 4]) as tf.Tensor2D, Int32Array.of(0, 1, 2))).toThrow('sequenceLogProbs: 2-D logits need options.batch');
  });
  it('candidateScores: 2-D logits need a batch', () => {
    expect(() => candidateScores(tf.zeros([3, 4]) as tf.Tensor2D, Int32Array.of(0, 1, 2))).toThrow('candidateScores: 2-D logits need options.batch');
  });
  it('rankingLoss: labels must be B×K', () => {
    const s = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => rankingLoss(s, [[1, 0, 0]])).toThrow('rankingLoss: labels must be 2×3');
    expect(() => rankingLoss(s, [[1, 0, 0], [1, 0]])).toThrow('rankingLoss: labels must be 2×3');
    expect(() => rankingLoss(s, [[1, 0], [1, 0, 0]])).toThrow('rankingLoss: labels must be 2×3');
    expect(() => rankingLoss(s, [[1, 0, 0], [0, 1, 0]])).not.toThrow();
  });
  it('weightedNll: one weight per log-prob', () => {
    expect(() => weightedNll(v([-1, -2]), [1])).toThrow('weightedNll: 1 weights for 2 log-probs');
  });
});

describe('preferenceMetrics by hand', () => {
  it('mean rewards, accuracy (strictly better) and margin', () => {
    const r = preferenceLoss({ policyChosen: v([-1, -2, -3]), policyRejected: v([-2, -2, -1]), refChosen: [0, 0, 0], refRejected: [0, 0, 0] }, { kind: 'sigmoid', beta: 1 });
    const m = preferenceMetrics(r);
    // rewards = beta·(policy − ref): chosen −1, −2, −3; rejected −2, −2, −1.
    expect(m['rewards/chosen']).toBeCloseTo(-2, 5);
    expect(m['rewards/rejected']).toBeCloseTo(-5 / 3, 5);
    expect(m['rewards/accuracies']).toBeCloseTo(1 / 3, 5); // only the first; the tie does not count
    expect(m['rewards/margins']).toBeCloseTo(-2 + 5 / 3, 5);
  });
});
