/**
 * Figures about the E2CL method itself (issue 13), computed from a run's records and
 * evaluation episodes, for the report and `results.json`:
 * - the error-type mix (failures by code) that exploration teaches vs the one evaluation meets;
 * - the feedback gate of speculative inference scored **per proposal** (the action the gate
 *   judged, whose real outcome the rollout knows even when a correction replaced it), not per
 *   executed action;
 * - how often speculative corrections repeat the proposal or the previous action;
 * - feedback accuracy and `Error` recall of a trained model on feedback records it was not
 *   trained on (held-out tasks) and on records it was trained on (fit).
 */
import type { GenerateOptions, LanguageModel } from '../agent/language-model.ts';
import { cleanOutput } from '../alignment/datasets/prompts.ts';
import type { E2CLRecord } from '../alignment/datasets/records.ts';
import { predictsError } from '../feedback/targets.ts';
import type { EvalEpisode } from './pipeline.ts';

export function countCode(counts: Record<string, number>, code: string | null | undefined): void {
  const k = code ?? 'unknown';
  counts[k] = (counts[k] ?? 0) + 1;
}

/** Counts turned into shares of their total (rounded to 0.001), keys sorted by count. */
export function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out[k] = total ? Math.round((v / total) * 1000) / 1000 : 0;
  return out;
}

/** Failed executed steps by failure code. */
export function evalErrorCodes(episodes: readonly EvalEpisode[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of episodes) for (const s of e.steps) if (!s.ok) countCode(counts, s.failure);
  return counts;
}

/** Binary scores of predicted `Error` against real failure. */
export interface GateScores {
  n: number;
  /** Items that really fail. */
  failing: number;
  predictedError: number;
  truePositive: number;
  accuracy: number | null;
  errorPrecision: number | null;
  errorRecall: number | null;
}

export function gateScores(items: Iterable<{ predictedError: boolean; fails: boolean }>): GateScores {
  let n = 0, failing = 0, predicted = 0, tp = 0, right = 0;
  for (const it of items) {
    n++;
    if (it.fails) failing++;
    if (it.predictedError) predicted++;
    if (it.fails && it.predictedError) tp++;
    if (it.fails === it.predictedError) right++;
  }
  const r = (a: number, b: number): number | null => (b ? Math.round((a / b) * 10000) / 10000 : null);
  return { n, failing, predictedError: predicted, truePositive: tp, accuracy: r(right, n), errorPrecision: r(tp, predicted), errorRecall: r(tp, failing) };
}

/** The gate per proposal: the feedback predicted for the proposed action vs that action's real outcome. */
export function perProposalGate(episodes: readonly EvalEpisode[]): GateScores {
  const items: Array<{ predictedError: boolean; fails: boolean }> = [];
  for (const e of episodes) {
    for (const s of e.steps) {
      if (!s.proposal || typeof s.proposalFeedback !== 'string') continue;
      items.push({ predictedError: predictsError(s.proposalFeedback), fails: !s.proposal.ok });
    }
  }
  return gateScores(items);
}

export interface CorrectionStats {
  /** Steps where the gate fired and a correction was decoded. */
  corrections: number;
  used: number;
  refused: number;
  repeatsProposal: number;
  repeatsPrevious: number;
  /** (repeatsProposal + repeatsPrevious) / corrections. */
  repeatRate: number | null;
  /** Used corrections whose proposal would have executed (the correction replaced a good action). */
  replacedGood: number;
  /** Used corrections that executed where the proposal would have failed. */
  fixed: number;
}

export function correctionStats(episodes: readonly EvalEpisode[]): CorrectionStats {
  const s: CorrectionStats = { corrections: 0, used: 0, refused: 0, repeatsProposal: 0, repeatsPrevious: 0, repeatRate: null, replacedGood: 0, fixed: 0 };
  for (const e of episodes) {
    for (const st of e.steps) {
      if (typeof st.correction !== 'string') continue;
      s.corrections++;
      if (st.corrected) {
        s.used++;
        if (st.proposal?.ok) s.replacedGood++;
        else if (st.ok) s.fixed++;
      }
      if (st.refused) s.refused++;
      if (st.repeats === 'proposal') s.repeatsProposal++;
      if (st.repeats === 'previous') s.repeatsPrevious++;
    }
  }
  s.repeatRate = s.corrections ? Math.round(((s.repeatsProposal + s.repeatsPrevious) / s.corrections) * 10000) / 10000 : null;
  return s;
}

/**
 * Feedback records scored with a model: its greedy output for each record's prompt vs the
 * record's label (`Error…` = fails). Outputs are decoded with `options` (the run's feedback
 * budget), `batch` prompts per call.
 */
export async function feedbackRecordScores(lm: LanguageModel, records: readonly E2CLRecord[], options: GenerateOptions, batch = 64): Promise<GateScores> {
  const fb = records.filter((r) => r.kind === 'feedback');
  const items: Array<{ predictedError: boolean; fails: boolean }> = [];
  for (let i = 0; i < fb.length; i += batch) {
    const part = fb.slice(i, i + batch);
    const outs = await lm.generate(part.map((r) => r.input), options);
    part.forEach((r, j) => items.push({ predictedError: predictsError(cleanOutput(outs[j] ?? '')), fails: r.output.startsWith('Error') }));
  }
  return gateScores(items);
}
