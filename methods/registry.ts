/**
 * The alignment methods `hearth align --method X` runs, assembled from the shared parts. A
 * method is a list of arms trained on the same pairs from the same start: the method itself
 * first, then the baselines its paper's claim is measured against, and the claim in words.
 */
import { HearthError } from '../env/errors.ts';
import type { PreferenceStepOptions } from '../alignment/preference.ts';
import { MUFFIN_RANKING, type RankingStepOptions } from '../alignment/ranking.ts';

/** An arm trained on preference pairs with one of `preferenceLoss`'s variants. */
export interface PreferenceArm {
  /** Name in the report (dpo, simpo, fpo, ...). */
  name: string;
  /** The loss and its hyper-parameters (the authors' or TRL's defaults, see docs/alignment.md). */
  loss: Omit<PreferenceStepOptions, 'reference'>;
  /** Its training pairs: the sampled ones (default), or RISE's mix of sampled and subtle-error pairs. */
  data?: 'sampled' | 'rise';
  ranking?: undefined;
}

/** An arm trained on Muffin's ranking contexts (methods/muffin/contexts.ts) with the ranking + NLL loss (alignment/ranking.ts). */
export interface RankingArm {
  name: string;
  ranking: RankingStepOptions;
  data: 'muffin';
  loss?: undefined;
}

export type Arm = PreferenceArm | RankingArm;

export interface AlignMethod {
  name: string;
  summary: string;
  arms: Arm[];
  /** The paper's claim checked by the report (absent: the method is a baseline only). */
  claim?: string;
  /** FPO: an SAE on the residual stream is trained first. */
  needsSae: boolean;
  /** RISE: subtle-error pairs are built (training mix, and the held-out subtle-error metric). */
  subtleErrors?: boolean;
  /** Muffin: plans are judged by facets (training labels, and the unhelpful-plan rate of every evaluation). */
  facets?: boolean;
}

/** DPO as TRL's default (sigmoid, β 0.1, summed log-probs, offline reference). */
export const DPO: PreferenceArm = { name: 'dpo', loss: { kind: 'sigmoid', beta: 0.1 } };
/** IPO (TRL's length-normalised form), β 0.1. */
export const IPO: PreferenceArm = { name: 'ipo', loss: { kind: 'ipo', beta: 0.1 } };
/** SimPO with the FPO repository's config: β 2, γ 0.5 (mean log-probs, no reference). */
export const SIMPO: PreferenceArm = { name: 'simpo', loss: { kind: 'simpo', beta: 2, gamma: 0.5 } };
/** FPO with its code's defaults: β 0.1, α 0.5, top-k 50 (mean log-probs, offline reference and features). */
export const FPO: PreferenceArm = { name: 'fpo', loss: { kind: 'fpo', beta: 0.1, alpha: 0.5, topK: 50 } };

/**
 * RISE (spec §B, reconstruction): DPO β 0.4 (its train.sh) on half sampled pairs and half
 * subtle-error pairs, the edited tokens weighted 2 in both completions [unverified], plus
 * 1·NLL(y_w)/|y_w|; against plain DPO (same β) on sampled pairs only, same pair count and steps.
 */
export const RISE: PreferenceArm = { name: 'rise', loss: { kind: 'sigmoid', beta: 0.4, nllWeight: 1 }, data: 'rise' };
export const DPO_RISE_BASELINE: PreferenceArm = { name: 'dpo', loss: { kind: 'sigmoid', beta: 0.4 } };

/**
 * Muffin (spec §C) with its code's defaults: offset-grouped margin ranking (m 0.01) over the
 * candidates' mean token probabilities, plus 1·NLL(gold)/|gold|; no reference. Its ablation
 * `nll-only` trains on the same contexts with the ranking term off (λ_rank 0): the gold's NLL
 * alone, which tells what the ranking adds.
 */
export const MUFFIN: RankingArm = { name: 'muffin', ranking: MUFFIN_RANKING, data: 'muffin' };
export const MUFFIN_NLL_ONLY: RankingArm = { name: 'nll-only', ranking: { ...MUFFIN_RANKING, rankWeight: 0 }, data: 'muffin' };

export const METHODS: Record<string, AlignMethod> = {
  dpo: { name: 'dpo', summary: 'DPO (sigmoid loss) with an offline reference', arms: [DPO], needsSae: false },
  ipo: { name: 'ipo', summary: 'IPO with an offline reference', arms: [IPO], needsSae: false },
  simpo: { name: 'simpo', summary: 'SimPO: length-normalised, reference-free, margin γ', arms: [SIMPO], needsSae: false },
  fpo: {
    name: 'fpo', summary: 'FPO (spec §A) against DPO and SimPO on the same pairs', arms: [FPO, DPO, SIMPO], needsSae: true,
    claim: 'FPO: quality at least DPO\'s at lower cost (peak memory, seconds per step)',
  },
  rise: {
    name: 'rise', summary: 'RISE (spec §B, reconstructed) against plain DPO on sampled pairs', arms: [RISE, DPO_RISE_BASELINE], needsSae: false, subtleErrors: true,
    claim: 'RISE: better than plain DPO on subtle errors (held-out subtle-error pairs of unseen tasks)',
  },
  muffin: {
    name: 'muffin', summary: 'Muffin (spec §C): facet-labelled candidates, ranking + NLL on the teacher\'s action, against its SFT start (and the NLL term alone)',
    arms: [MUFFIN, MUFFIN_NLL_ONLY], needsSae: false, facets: true,
    claim: 'Muffin: fewer unhelpful plans than its SFT start, success not lower (unseen tasks)',
  },
};

export function methodNamed(name: string | undefined): AlignMethod {
  const names = Object.keys(METHODS).join(', ');
  if (name === undefined) throw new HearthError('cli.usage', '--method is required', `pick one of ${names}`);
  const m = METHODS[name];
  if (!m) throw new HearthError('cli.usage', `unknown method "${name}"`, `pick one of ${names}`);
  return m;
}
