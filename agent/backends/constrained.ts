/**
 * Constrained decoding for backends that can score text but not restrict their sampler: the
 * output must be one of `allowed`, so score every allowed string as a continuation of the
 * prompt (sum of log-probs) and pick the best (temperature 0) or sample from the
 * renormalised distribution (temperature > 0, optional top-p), with a seeded PRNG.
 * Whole-string scoring is exact for the "which of these strings" question; it differs from
 * token-by-token constrained greedy decoding only when the two disagree on the argmax.
 */
import { Prng } from '../../env/prng.ts';
import { sampleToken } from '../sampling.ts';

export interface ChooseOptions {
  temperature?: number;
  topP?: number;
  seed?: number;
}

/** Index of the chosen string given its total log-prob `scores[i]` (the token sampler's rules). */
export function chooseByScore(scores: readonly number[], options: ChooseOptions): number {
  if (scores.length === 0) throw new Error('chooseByScore: no candidates');
  return sampleToken(scores, options.temperature ?? 0, options.topP ?? 1, new Prng(options.seed ?? 0));
}
