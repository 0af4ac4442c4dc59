/**
 * Preference training on the local model: pairs `{prompt, chosen, rejected}` (TRL's
 * preference format), their reference log-probs computed once (offline, stored beside the
 * dataset) or by a reference model in memory, and the `LossFn` that runs the policy on both
 * completions and applies `preferenceLoss` (alignment/losses.ts).
 *
 * The policy runs without dropout, as TRL's DPOTrainer does by default (`disable_dropout`):
 * with dropout the policy's log-probs at step 0 would differ from the reference's and the
 * implicit rewards would not start at zero.
 */
import { HearthError } from '../env/errors.ts';
import type { LocalModel } from '../agent/local-model.ts';
import { tf } from '../agent/tfjs.ts';
import { preferenceLoss, type PreferenceOptions, type PreferenceResult } from './losses.ts';
import type { LossFn } from './trainer.ts';

export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
  /** Offline reference log-probs of chosen / rejected (same reduction as the loss uses). */
  refChosen?: number;
  refRejected?: number;
  /** Per-token weights of the chosen / rejected completion tokens (RISE: edited tokens). */
  chosenWeights?: number[];
  rejectedWeights?: number[];
}

export interface PreferenceStepOptions extends PreferenceOptions {
  /** A reference model in memory; otherwise the pairs' refChosen/refRejected are used. */
  reference?: LocalModel;
  /** Sequence log-prob reduction; default 'mean' for simpo, orpo and fpo, else 'sum'. */
  reduce?: 'sum' | 'mean';
  /** Count EOS as a completion token (default true: it is what ends a trained output). */
  includeEos?: boolean;
  /** λ of an added NLL term on the chosen completion (ORPO, RISE, Muffin: λ·NLL(y_w)/|y_w|). */
  nllWeight?: number;
}

/** The reduction a kind's sequence log-probs use unless told otherwise. */
export function defaultReduce(o: Pick<PreferenceStepOptions, 'kind' | 'reduce'>): 'sum' | 'mean' {
  return o.reduce ?? (o.kind === 'simpo' || o.kind === 'orpo' || o.kind === 'fpo' ? 'mean' : 'sum');
}

/** Whether this loss uses reference log-probs (SimPO and ORPO never do). */
export function needsReference(o: Pick<PreferenceStepOptions, 'kind' | 'referenceFree'>): boolean {
  return !(o.referenceFree || o.kind === 'simpo' || o.kind === 'orpo');
}

/**
 * The pairs with `refChosen`/`refRejected` filled in by `reference` (no gradient): the offline
 * reference, computed once before training and stored with the dataset.
 */
export function withReferenceLogProbs(reference: LocalModel, pairs: readonly PreferencePair[], o: Pick<PreferenceStepOptions, 'kind' | 'reduce' | 'includeEos'>): PreferencePair[] {
  const average = defaultReduce(o);
  const includeEos = o.includeEos ?? true;
  const score = (side: 'chosen' | 'rejected'): number[] => {
    const out: number[] = [];
    for (let i = 0; i < pairs.length; i += 16) {
      const part = pairs.slice(i, i + 16);
      const weights = part.some((p) => p[`${side}Weights`]) ? part.map((p) => p[`${side}Weights`] ?? []) : undefined;
      const lp = tf.tidy(() => reference.pairLogProbs(part.map((p) => ({ input: p.prompt, output: p[side] })), { average, includeEos, tokenWeights: weights }));
      out.push(...lp.dataSync());
      lp.dispose();
    }
    return out;
  };
  const c = score('chosen');
  const r = score('rejected');
  return pairs.map((p, i) => ({ ...p, refChosen: c[i], refRejected: r[i] }));
}

/**
 * A preference loss over micro-batches of pairs: Σ_micro-batch losses / `totalPairs` (so the
 * micro-batches add up to the mean over the step), plus `nllWeight`·mean NLL of the chosen
 * completions. Metrics: TRL's `rewards/chosen`, `rewards/rejected`, `rewards/accuracies`,
 * `rewards/margins` as means over the step.
 */
export function preferenceLossFn(totalPairs: number, o: PreferenceStepOptions): LossFn<readonly PreferencePair[]> {
  const average = defaultReduce(o);
  const includeEos = o.includeEos ?? true;
  if (o.kind === 'fpo') throw new HearthError('loss.options', 'the FPO step needs SAE features, which preferenceStep does not compute', 'use fpoLossFn (methods/fpo/fpo-loss.ts) with Trainer.stepWith, after withFpoReference');
  return (pairs, ctx) => {
    const B = pairs.length;
    let refChosen: number[] | undefined;
    let refRejected: number[] | undefined;
    if (needsReference(o)) {
      if (o.reference) {
        const withRef = withReferenceLogProbs(o.reference, pairs, o);
        refChosen = withRef.map((p) => p.refChosen!);
        refRejected = withRef.map((p) => p.refRejected!);
      } else {
        const missing = pairs.findIndex((p) => p.refChosen === undefined || p.refRejected === undefined);
        if (missing >= 0) {
          throw new HearthError('loss.reference', `preference pair ${missing} of the batch has no reference log-probs`,
            'compute them once with withReferenceLogProbs, pass a reference model, or set referenceFree');
        }
        refChosen = pairs.map((p) => p.refChosen!);
        refRejected = pairs.map((p) => p.refRejected!);
      }
    }
    const weighted = pairs.some((p) => p.chosenWeights || p.rejectedWeights);
    // Chosen and rejected in one forward pass (TRL's concatenated_forward).
    const all = ctx.lm.pairLogProbs(
      [...pairs.map((p) => ({ input: p.prompt, output: p.chosen })), ...pairs.map((p) => ({ input: p.prompt, output: p.rejected }))],
      { average, includeEos, tokenWeights: weighted ? [...pairs.map((p) => p.chosenWeights ?? []), ...pairs.map((p) => p.rejectedWeights ?? [])] : undefined },
    );
    const policyChosen = tf.slice(all, [0], [B]) as tf.Tensor1D;
    const policyRejected = tf.slice(all, [B], [B]) as tf.Tensor1D;
    const r = preferenceLoss({ policyChosen, policyRejected, refChosen, refRejected }, o);
    let loss = tf.div(tf.sum(r.losses), totalPairs) as tf.Scalar;
    if (o.nllWeight) {
      const nllChosen = average === 'mean' ? policyChosen : ctx.lm.pairLogProbs(pairs.map((p) => ({ input: p.prompt, output: p.chosen })), { average: 'mean', includeEos });
      loss = tf.add(loss, tf.mul(o.nllWeight, tf.div(tf.neg(tf.sum(nllChosen)), totalPairs))) as tf.Scalar;
    }
    return { loss, metrics: rewardMetrics(r, totalPairs) };
  };
}

/** TRL's `rewards/*` of a micro-batch as shares of the step's `totalPairs` (they add up over micro-batches). */
export function rewardMetrics(r: Pick<PreferenceResult, 'chosenRewards' | 'rejectedRewards'>, totalPairs: number): Record<string, number> {
  const c = r.chosenRewards.dataSync();
  const j = r.rejectedRewards.dataSync();
  let sc = 0, sj = 0, acc = 0;
  for (let i = 0; i < c.length; i++) { sc += c[i]; sj += j[i]; acc += c[i] > j[i] ? 1 : 0; }
  return { 'rewards/chosen': sc / totalPairs, 'rewards/rejected': sj / totalPairs, 'rewards/accuracies': acc / totalPairs, 'rewards/margins': (sc - sj) / totalPairs };
}
