/**
 * From evaluated E2CL episodes to the report's rows and the acceptance checks of issue 5:
 * on the unseen split, full E2CL with speculative inference ≥ 10 points ahead of BC in
 * success rate and step executability with disjoint 95% intervals; speculative inference
 * raising step executability over the same checkpoint; self-feedback accuracy ≥ 85%.
 */
import { disjoint } from './bootstrap.ts';
import { type MetricEpisode, type MetricSummary, summarise } from './metrics.ts';
import type { ReportRow } from './report.ts';

export interface EvaluatedEpisode extends MetricEpisode {
  split: string;
  speculative: boolean;
}

export function reportRows(evals: Record<string, readonly EvaluatedEpisode[]>, options: { seed: number; resamples: number }): ReportRow[] {
  const rows: ReportRow[] = [];
  for (const split of ['unseen', 'seen']) {
    for (const [model, eps] of Object.entries(evals)) {
      for (const speculative of [false, true]) {
        const sel = eps.filter((e) => e.split === split && e.speculative === speculative);
        if (sel.length === 0) continue;
        rows.push({ model, speculative, split, summary: summarise(sel, { seed: options.seed, resamples: options.resamples }) });
      }
    }
  }
  return rows;
}

const pts = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}` : '–');

export function acceptanceChecks(rows: readonly ReportRow[], extra: { wallSeconds?: number; limitSeconds?: number } = {}):
  Array<{ name: string; pass: boolean; detail: string }> {
  const find = (model: string, speculative: boolean, split = 'unseen'): MetricSummary | undefined =>
    rows.find((r) => r.model === model && r.speculative === speculative && r.split === split)?.summary;
  const checks: Array<{ name: string; pass: boolean; detail: string }> = [];
  const bc = find('bc', false);
  const e2 = find('e2cl', true);
  const e2plain = find('e2cl', false);
  if (bc && e2) {
    for (const [key, label] of [['successRate', 'success rate'], ['stepExecutability', 'step executability']] as const) {
      const d = e2[key].value - bc[key].value;
      checks.push({
        name: `unseen: e2cl + spec ≥ bc + 10 points in ${label}, disjoint 95% intervals`,
        pass: d >= 0.1 && disjoint(e2[key], bc[key]),
        detail: `e2cl+spec ${pts(e2[key].value)} [${pts(e2[key].lo)}, ${pts(e2[key].hi)}] vs bc ${pts(bc[key].value)} [${pts(bc[key].lo)}, ${pts(bc[key].hi)}], Δ ${pts(d)} points`,
      });
    }
  }
  if (e2 && e2plain) {
    checks.push({
      name: 'unseen: speculative inference raises step executability of the e2cl checkpoint',
      pass: e2.stepExecutability.value > e2plain.stepExecutability.value,
      detail: `${pts(e2.stepExecutability.value)} with vs ${pts(e2plain.stepExecutability.value)} without`,
    });
  }
  if (e2) {
    checks.push({
      name: 'unseen: self-feedback accuracy of e2cl ≥ 85%',
      pass: e2.feedbackAccuracy.value >= 0.85,
      detail: `${pts(e2.feedbackAccuracy.value)}% (Error precision ${pts(e2.feedbackErrorPrecision.value)}, recall ${pts(e2.feedbackErrorRecall.value)}); correction success ${pts(e2.correctionSuccess.value)}% of ${e2.counts.corrections} corrections`,
    });
  }
  if (extra.wallSeconds !== undefined && extra.limitSeconds !== undefined && Number.isFinite(extra.limitSeconds)) {
    checks.push({ name: `whole run under ${Math.round(extra.limitSeconds / 60)} minutes`, pass: extra.wallSeconds < extra.limitSeconds, detail: `${(extra.wallSeconds / 60).toFixed(1)} min` });
  }
  return checks;
}
