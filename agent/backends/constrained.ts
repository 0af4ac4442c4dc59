/**
 * Constrained decoding for backends that can score text but not restrict their sampler: the
 * output must be one of `allowed`, so score every allowed string as a continuation of the
 * prompt (sum of log-probs) and pick the best (temperature 0) or sample from the
 * renormalised distribution (temperature > 0, optional top-p), with a seeded PRNG.
 * Whole-string scoring is exact for the "which of these strings" question; it differs from
 * token-by-token constrained greedy decoding only when the two disagree on the argmax.
 */
import { Prng } from '../../env/prng.ts';

export interface ChooseOptions {
  temperature?: number;
  topP?: number;
  seed?: number;
}

/** Index of the chosen string given its total log-prob `scores[i]`. */
export function chooseByScore(scores: readonly number[], options: ChooseOptions): number {
  if (scores.length === 0) throw new Error('chooseByScore: no candidates');
  const t = options.temperature ?? 0;
  if (t <= 0) {
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    return best;
  }
  const max = Math.max(...scores);
  const weights = scores.map((s) => Math.exp((s - max) / t));
  const total = weights.reduce((a, b) => a + b, 0);
  // Nucleus: keep the most likely candidates until their mass reaches topP.
  const order = weights.map((w, i) => i).sort((a, b) => weights[b] - weights[a] || a - b);
  const topP = options.topP ?? 1;
  const kept: number[] = [];
  let mass = 0;
  for (const i of order) {
    kept.push(i);
    mass += weights[i] / total;
    if (mass >= topP) break;
  }
  const keptMass = kept.reduce((a, i) => a + weights[i], 0);
  let r = new Prng(options.seed ?? 0).next() * keptMass;
  for (const i of kept) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return kept[kept.length - 1];
}
