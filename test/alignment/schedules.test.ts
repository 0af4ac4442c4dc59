/**
 * The learning-rate schedules the methods need (issue 14): cosine (default, unchanged),
 * constant with warm-up, and Noam (Muffin: max_lr·min(step^−½, step·warmup^−1.5)), by hand.
 */
import { describe, expect, it } from 'vitest';
import { learningRate } from '../../alignment/optim.ts';

describe('learningRate schedules', () => {
  it('cosine is the default and unchanged', () => {
    const s = { lr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 };
    expect(learningRate(60, s)).toBeCloseTo(0.55, 12);
    expect(learningRate(60, { ...s, schedule: 'cosine' })).toBe(learningRate(60, s));
  });
  it('constant: linear warm-up, then lr for ever', () => {
    const s = { lr: 2e-3, warmupSteps: 4, totalSteps: 10, schedule: 'constant' as const };
    expect([1, 2, 4, 5, 10, 1000].map((t) => learningRate(t, s))).toEqual([5e-4, 1e-3, 2e-3, 2e-3, 2e-3, 2e-3]);
    expect(learningRate(1, { ...s, warmupSteps: 0 })).toBe(2e-3);
  });
  it('noam: Muffin’s max_lr 1e-3, warm-up 1200 peaks at step 1200 with 1e-3/√1200, then decays as step^−½', () => {
    const s = { lr: 1e-3, warmupSteps: 1200, totalSteps: 0, schedule: 'noam' as const };
    expect(learningRate(1, s)).toBeCloseTo(1e-3 * 1200 ** -1.5, 15);
    expect(learningRate(600, s)).toBeCloseTo(1e-3 * 600 * 1200 ** -1.5, 15);
    expect(learningRate(1200, s)).toBeCloseTo(1e-3 / Math.sqrt(1200), 15);
    expect(learningRate(4800, s)).toBeCloseTo(1e-3 / Math.sqrt(4800), 15);
    expect(learningRate(1200, s)).toBeGreaterThan(learningRate(1199, s));
    expect(learningRate(1200, s)).toBeGreaterThan(learningRate(1201, s));
  });
});
