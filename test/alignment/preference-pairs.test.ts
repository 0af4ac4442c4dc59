/**
 * Preference pairs from executed samples: chosen reaches the goal (or, when allowed, executes
 * further), rejected fails; duplicates collapse; the choice is seeded.
 */
import { describe, expect, it } from 'vitest';
import { pairsFromSamples, type ExecutedSample } from '../../alignment/datasets/preference-pairs.ts';
import { HearthError } from '../../env/errors.ts';

const S = (plan: string, success: boolean, executedSteps: number, goalProgress?: number): ExecutedSample => ({ plan, success, executedSteps, goalProgress });

describe('pairsFromSamples', () => {
  const samples = [S('A', true, 5), S('B', false, 2), S('C', false, 4), S('A', false, 0), S('D', true, 6)];
  it('chosen reaches the goal, rejected fails; identical plans count once (the first kept)', () => {
    const all = pairsFromSamples('p', samples, { seed: 1, maxPairs: 10 });
    expect(all).toHaveLength(4); // {A, D} × {B, C}
    for (const r of all) {
      expect(['A', 'D']).toContain(r.chosen);
      expect(['B', 'C']).toContain(r.rejected);
      expect(r.prompt).toBe('p');
    }
    expect(new Set(all.map((r) => r.chosen + r.rejected)).size).toBe(4);
  });
  it('no pair when nothing succeeds, unless executing further is allowed; ties make no pair', () => {
    const failing = [S('B', false, 2), S('C', false, 4), S('E', false, 4, 0.5), S('F', false, 4, 0.5)];
    expect(pairsFromSamples('p', failing, { seed: 1, maxPairs: 10 })).toEqual([]);
    const further = pairsFromSamples('p', failing, { seed: 1, maxPairs: 10, require: 'further' });
    const got = further.map((r) => `${r.chosen}>${r.rejected}`).sort();
    expect(got).toEqual(['C>B', 'E>B', 'E>C', 'F>B', 'F>C']); // E and F tie: no pair between them
    expect(pairsFromSamples('p', [S('A', true, 3), S('D', true, 5)], { seed: 1 })).toEqual([]); // nothing failed
  });
  it('seeded choice of maxPairs, spreading chosen plans first', () => {
    const one = pairsFromSamples('p', samples, { seed: 3 });
    expect(one).toHaveLength(1);
    expect(pairsFromSamples('p', samples, { seed: 3 })).toEqual(one);
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) seen.add(JSON.stringify(pairsFromSamples('p', samples, { seed })));
    expect(seen.size).toBeGreaterThan(1);
    const two = pairsFromSamples('p', samples, { seed: 5, maxPairs: 2 });
    expect(new Set(two.map((r) => r.chosen))).toEqual(new Set(['A', 'D']));
    expect(() => pairsFromSamples('p', samples, { seed: 1, maxPairs: 0 })).toThrow(HearthError);
  });
});
