/**
 * E2CL evaluation metrics over finished episodes (issue 5 item 8). Rates are in 0..1.
 * - successRate: share of episodes whose goal holds at the end.
 * - goalConditionRecall: mean over episodes of satisfied/total goal predicates.
 * - stepExecutability: executed actions that succeeded / executed actions (pooled over episodes).
 * - episodeExecutability: share of episodes with no failed action.
 * - lcs: mean normalised LCS of the executed actions against the expert program.
 * - avgSteps: mean executed actions per episode (END not counted).
 * - feedbackAccuracy: self-predicted feedback vs actual outcome of the executed action
 *   ("Error" in the prediction ⇔ the action failed), with precision/recall of Error.
 * - correctionRate: steps whose action was replaced by a speculative correction / steps.
 * - correctionSuccess: replaced actions that then executed / replaced actions.
 * - hazardRate: share of episodes in which the agent's actions brought about a household hazard
 *   (feedback/hazards.ts), over the episodes that were checked for hazards (NaN if none was).
 * Every metric carries a 95% percentile-bootstrap interval over episodes.
 */
import { bootstrap, type Interval } from './bootstrap.ts';
import { normalisedLcs } from './lcs.ts';

/** One executed step as the metrics need it (structurally what exploration's rollouts produce). */
export interface MetricStep {
  action: string;
  ok: boolean;
  /** The model's predicted feedback for the action that was executed (speculative inference only). */
  predictedFeedback?: string | null;
  /** True when a speculative correction replaced the proposed action. */
  corrected?: boolean;
}

export interface MetricEpisode {
  taskId: string;
  success: boolean;
  goal: { satisfied: number; total: number };
  steps: readonly MetricStep[];
  /** The expert program as NL actions (for LCS); absent → LCS not computed for the episode. */
  expert?: readonly string[];
  /** Rules of the hazards the episode's actions brought about (absent: not checked). */
  hazards?: readonly string[];
}

export interface MetricSummary {
  episodes: number;
  successRate: Interval;
  goalConditionRecall: Interval;
  stepExecutability: Interval;
  episodeExecutability: Interval;
  lcs: Interval;
  avgSteps: Interval;
  feedbackAccuracy: Interval;
  feedbackErrorPrecision: Interval;
  feedbackErrorRecall: Interval;
  correctionRate: Interval;
  correctionSuccess: Interval;
  hazardRate: Interval;
  /** Raw counts, for the report. */
  counts: { steps: number; failedSteps: number; predicted: number; corrections: number; correctionsOk: number };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function ratio(eps: readonly MetricEpisode[], num: (e: MetricEpisode) => number, den: (e: MetricEpisode) => number): number {
  let n = 0;
  let d = 0;
  for (const e of eps) { n += num(e); d += den(e); }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: n ≤ d, so d = 0 gives 0/0 = NaN either way
  return d > 0 ? n / d : NaN;
}

const predicted = (s: MetricStep): boolean => typeof s.predictedFeedback === 'string';
// Stryker disable next-line StringLiteral: only called after `predicted(s)`, so the fallback is for the type checker
const predictsError = (s: MetricStep): boolean => (s.predictedFeedback ?? '').includes('Error');

export const STATISTICS: Record<Exclude<keyof MetricSummary, 'episodes' | 'counts'>, (eps: readonly MetricEpisode[]) => number> = {
  successRate: (eps) => mean(eps.map((e) => (e.success ? 1 : 0))),
  goalConditionRecall: (eps) => mean(eps.map((e) => (e.goal.total > 0 ? e.goal.satisfied / e.goal.total : 1))),
  stepExecutability: (eps) => ratio(eps, (e) => e.steps.filter((s) => s.ok).length, (e) => e.steps.length),
  episodeExecutability: (eps) => mean(eps.map((e) => (e.steps.every((s) => s.ok) ? 1 : 0))),
  lcs: (eps) => mean(eps.filter((e) => e.expert).map((e) => normalisedLcs(e.steps.map((s) => s.action), e.expert!))),
  avgSteps: (eps) => mean(eps.map((e) => e.steps.length)),
  feedbackAccuracy: (eps) => ratio(eps, (e) => e.steps.filter((s) => predicted(s) && predictsError(s) === !s.ok).length,
    (e) => e.steps.filter(predicted).length),
  feedbackErrorPrecision: (eps) => ratio(eps, (e) => e.steps.filter((s) => predicted(s) && predictsError(s) && !s.ok).length,
    (e) => e.steps.filter((s) => predicted(s) && predictsError(s)).length),
  feedbackErrorRecall: (eps) => ratio(eps, (e) => e.steps.filter((s) => predicted(s) && predictsError(s) && !s.ok).length,
    (e) => e.steps.filter((s) => predicted(s) && !s.ok).length),
  correctionRate: (eps) => ratio(eps, (e) => e.steps.filter((s) => s.corrected).length, (e) => e.steps.length),
  correctionSuccess: (eps) => ratio(eps, (e) => e.steps.filter((s) => s.corrected && s.ok).length,
    (e) => e.steps.filter((s) => s.corrected).length),
  hazardRate: (eps) => mean(eps.filter((e) => e.hazards).map((e) => (e.hazards!.length > 0 ? 1 : 0))),
};

export function summarise(episodes: readonly MetricEpisode[], options: { seed?: number; resamples?: number } = {}): MetricSummary {
  const out: Partial<MetricSummary> = { episodes: episodes.length };
  let i = 0;
  for (const [name, stat] of Object.entries(STATISTICS)) {
    (out as Record<string, Interval>)[name] = bootstrap(episodes, stat, { seed: (options.seed ?? 0) + 7919 * i++, resamples: options.resamples });
  }
  const steps = episodes.flatMap((e) => e.steps);
  out.counts = {
    steps: steps.length,
    failedSteps: steps.filter((s) => !s.ok).length,
    predicted: steps.filter(predicted).length,
    corrections: steps.filter((s) => s.corrected).length,
    correctionsOk: steps.filter((s) => s.corrected && s.ok).length,
  };
  return out as MetricSummary;
}

/** The flat JSON of `hearth eval --json`: point values (null when undefined), plus intervals. */
export function summaryJson(s: MetricSummary): Record<string, unknown> {
  const v = (x: Interval): number | null => (Number.isFinite(x.value) ? x.value : null);
  const ci = (x: Interval): [number, number] | null => (Number.isFinite(x.value) ? [x.lo, x.hi] : null);
  const names = Object.keys(STATISTICS) as Array<keyof typeof STATISTICS>;
  const o: Record<string, unknown> = {};
  for (const n of names) o[n] = v(s[n]);
  o.episodes = s.episodes;
  o.ci95 = Object.fromEntries(names.map((n) => [n, ci(s[n])]));
  o.counts = s.counts;
  return o;
}
