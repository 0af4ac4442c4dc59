/**
 * Preference pairs from executed samples (issue 14, "preference data from the simulator"):
 * given K plans sampled for one prompt and what the simulator made of each, form
 * (chosen, rejected) pairs where the chosen plan reaches the goal, or, when neither does,
 * executes further; the rejected plan always fails. Pure: the sampling and execution happen
 * elsewhere (exploration rollouts), this only decides the pairs, seeded.
 */
import { HearthError } from '../../env/errors.ts';
import type { PreferenceRecord } from './export.ts';
import { mulberry32, shuffled } from './rng.ts';

export interface ExecutedSample {
  /** The sampled completion (the plan text the model produced). */
  plan: string;
  /** The goal was reached. */
  success: boolean;
  /** Steps that executed before the first failure (or all of them). */
  executedSteps: number;
  /** Goal progress in [0, 1] at the end (optional tie-breaker after executedSteps). */
  goalProgress?: number;
}

export interface PairingOptions {
  /** At most this many pairs per prompt (default 1). */
  maxPairs?: number;
  seed: number;
  /**
   * 'goal' (default): chosen must reach the goal. 'further': when no sample reaches it, a
   * sample that executes further (then has more goal progress) may be chosen.
   */
  require?: 'goal' | 'further';
}

/** `a` strictly better than `b`: reaching the goal first, then executed steps, then goal progress. */
function better(a: ExecutedSample, b: ExecutedSample): boolean {
  if (a.success !== b.success) return a.success;
  if (a.executedSteps !== b.executedSteps) return a.executedSteps > b.executedSteps;
  return (a.goalProgress ?? 0) > (b.goalProgress ?? 0);
}

/**
 * Pairs for one prompt: distinct plans (the first of identical texts kept), every (i, j) with i
 * strictly better than j and j failed (with require 'goal', i succeeded), then a seeded choice
 * of at most `maxPairs`, each plan used as chosen at most once while others remain.
 */
export function pairsFromSamples(prompt: string, samples: readonly ExecutedSample[], o: PairingOptions): PreferenceRecord[] {
  const max = o.maxPairs ?? 1;
  if (!Number.isInteger(max) || max < 1) throw new HearthError('dataset.pairs', `maxPairs must be a positive integer, got ${max}`, 'use 1 or more');
  const seen = new Set<string>();
  const distinct = samples.filter((s) => (seen.has(s.plan) ? false : (seen.add(s.plan), true)));
  const candidates: Array<[number, number]> = [];
  distinct.forEach((a, i) => distinct.forEach((b, j) => {
    if (i === j || b.success || !better(a, b)) return;
    if ((o.require ?? 'goal') === 'goal' && !a.success) return;
    candidates.push([i, j]);
  }));
  const order = shuffled(candidates, mulberry32(o.seed));
  const picked: Array<[number, number]> = [];
  const usedChosen = new Set<number>();
  for (const pass of [0, 1]) {
    for (const [i, j] of order) {
      if (picked.length >= max) break;
      if (picked.some(([a, b]) => a === i && b === j)) continue;
      if (pass === 0 && usedChosen.has(i)) continue; // spread the chosen plans first
      picked.push([i, j]);
      usedChosen.add(i);
    }
  }
  return picked.map(([i, j]) => ({ prompt, chosen: distinct[i].plan, rejected: distinct[j].plan }));
}
