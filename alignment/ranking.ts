/**
 * Ranking over K sampled candidates per context on the local model (Muffin, spec §C; Cooper):
 * the policy scores every candidate (`candidateScores`), `rankingLoss` orders them by their
 * labels (helpful above unhelpful), and an NLL term keeps the gold/demonstration likely:
 *   L = λ_rank · L_rank + λ_lm · NLL(gold)/|gold|.
 * A `LossFn` for `Trainer.stepWith`; the policy runs without dropout, like the preference step.
 */
import { HearthError } from '../env/errors.ts';
import { tf } from '../agent/tfjs.ts';
import { candidateScores, rankingLoss, type CandidateScoreOptions, type RankingOptions } from './losses.ts';
import type { LossFn } from './trainer.ts';

export interface RankingExample {
  prompt: string;
  /** K sampled completions (K may differ between examples: shorter rows are padded). */
  candidates: string[];
  /** Their labels, higher = better (Muffin: 1 helpful, 0 unhelpful; a negative label is ignored). */
  labels: number[];
  /** The demonstration the NLL term is on (absent: no NLL term for this example). */
  gold?: string;
}

export interface RankingStepOptions extends RankingOptions, CandidateScoreOptions {
  /** λ_rank (Muffin 1). */
  rankWeight?: number;
  /** λ_lm, weight of the gold's mean-token NLL (Muffin 1). */
  nllWeight?: number;
  /** Scores are multiplied by this before the ranking loss (Muffin's `scale`, 1). */
  scale?: number;
  includeEos?: boolean;
}

/** Muffin's defaults: margin 0.01, offset grouping, probability scores, λ_rank = λ_lm = 1. */
export const MUFFIN_RANKING: RankingStepOptions = { kind: 'offset', margin: 0.01, mode: 'prob', alpha: 1, rankWeight: 1, nllWeight: 1, scale: 1 };

/**
 * The ranking + NLL loss over micro-batches of examples, normalised by `totalExamples` so the
 * micro-batches add up to the step's mean. Metrics: `loss/rank`, `loss/nll`, and
 * `ranking/top1` (the share of examples whose best-scored candidate has the highest label).
 */
export function rankingLossFn(totalExamples: number, o: RankingStepOptions = MUFFIN_RANKING): LossFn<readonly RankingExample[]> {
  const includeEos = o.includeEos ?? true;
  return (examples, ctx) => {
    examples.forEach((e, i) => {
      if (e.candidates.length !== e.labels.length || e.candidates.length === 0) {
        throw new HearthError('loss.ranking', `ranking example ${i} has ${e.candidates.length} candidates and ${e.labels.length} labels`, 'give one label per candidate, at least one candidate');
      }
    });
    const B = examples.length;
    const K = Math.max(...examples.map((e) => e.candidates.length));
    const rows = examples.flatMap((e) => Array.from({ length: K }, (_, k) => ({ input: e.prompt, output: e.candidates[k] ?? '' })));
    const labels = examples.map((e) => Array.from({ length: K }, (_, k) => (k < e.labels.length ? e.labels[k] : -1)));
    const b = ctx.lm.batchPairs(rows, includeEos);
    const { logits } = ctx.lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid });
    const scores = tf.reshape(tf.mul(candidateScores(logits!, b.targets, { mask: b.mask, batch: b.batch, mode: o.mode, alpha: o.alpha }), o.scale ?? 1), [B, K]) as tf.Tensor2D;
    const rank = tf.div(tf.sum(rankingLoss(scores, labels, { kind: o.kind, margin: o.margin })), totalExamples) as tf.Scalar;
    let loss = tf.mul(o.rankWeight ?? 1, rank) as tf.Scalar;
    let nllValue = 0;
    const gold = examples.filter((e) => e.gold !== undefined);
    if (gold.length && (o.nllWeight ?? 1) !== 0) {
      const lp = ctx.lm.pairLogProbs(gold.map((e) => ({ input: e.prompt, output: e.gold! })), { average: 'mean', includeEos });
      const nll = tf.div(tf.neg(tf.sum(lp)), totalExamples) as tf.Scalar;
      nllValue = nll.dataSync()[0];
      loss = tf.add(loss, tf.mul(o.nllWeight ?? 1, nll)) as tf.Scalar;
    }
    const s = scores.dataSync();
    let top1 = 0;
    labels.forEach((row, i) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (row[k] >= 0 && s[i * K + k] > s[i * K + best]) best = k;
      if (row[best] === Math.max(...row)) top1++;
    });
    return { loss, metrics: { 'loss/rank': rank.dataSync()[0], 'loss/nll': nllValue, 'ranking/top1': top1 / totalExamples } };
  };
}
