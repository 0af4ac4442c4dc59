/**
 * From evaluated E2CL episodes to the report's rows, the paired comparisons between models
 * and the acceptance checks of issue 13:
 * - on the unseen split, e2cl + speculative inference ahead of bc by ≥ 5 points of success
 *   and ≥ 5 of step executability, each with a paired test p < 0.05 (cluster bootstrap over
 *   scenes; with several seeds, per seed for the margins and pooled over seeds for the test);
 * - per-proposal self-feedback accuracy ≥ 85% with `Error` recall ≥ 60% at precision ≥ 0.8
 *   (from the diagnosis: the gate judged on what the model proposed, not on what ran);
 * - speculative inference raising success (not only executability) over the same checkpoint.
 */
import { type MetricEpisode, type MetricSummary, STATISTICS, summarise } from './metrics.ts';
import { mcnemarOf, pairByTask, pairedBootstrap, type PairedResult, type PairedUnit } from './paired.ts';
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
const pval = (p: number): string => (Number.isFinite(p) ? (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`) : 'p –');

/** A model in one evaluation mode. */
export interface Arm { model: string; speculative: boolean }
const armName = (a: Arm): string => `${a.model}${a.speculative ? ' + spec' : ''}`;

export const E2CL_SPEC: Arm = { model: 'e2cl', speculative: true };
export const BC: Arm = { model: 'bc', speculative: false };
export const E2CL_PLAIN: Arm = { model: 'e2cl', speculative: false };

export type ComparedMetric = 'successRate' | 'stepExecutability';
export const COMPARED: readonly ComparedMetric[] = ['successRate', 'stepExecutability'];
const LABEL: Record<ComparedMetric, string> = { successRate: 'success', stepExecutability: 'step executability' };

/** Task groups compared apart: all tasks, and tasks with familiar or novel objects (see diagnose/analyse.ts). */
export type TaskGroup = 'all' | 'familiar' | 'novel';

export interface Comparison extends PairedResult {
  a: string;
  b: string;
  split: string;
  group: TaskGroup;
  metric: ComparedMetric;
  /** Exact McNemar on success (pairs as independent), for the success metric. */
  mcnemar?: { aOnly: number; bOnly: number; p: number };
}

/** The paired units of two arms on one split: episodes on the same tasks, clustered by `cluster(taskId)`. */
export function armUnits(evals: Record<string, readonly EvaluatedEpisode[]>, split: string, a: Arm, b: Arm,
  cluster: (taskId: string) => string): Array<PairedUnit<EvaluatedEpisode>> {
  const sel = (x: Arm) => (evals[x.model] ?? []).filter((e) => e.split === split && e.speculative === x.speculative);
  return pairByTask(sel(a), sel(b), cluster);
}

/** Paired comparison of two arms' episodes for one metric (cluster bootstrap, plus McNemar for success). */
export function compareUnits(units: ReadonlyArray<PairedUnit<EvaluatedEpisode>>, metric: ComparedMetric,
  meta: { a: string; b: string; split: string; group: TaskGroup }, options: { seed: number; resamples: number }): Comparison {
  const r = pairedBootstrap(units, STATISTICS[metric], { seed: options.seed, resamples: options.resamples });
  return { ...meta, metric, ...r, ...(metric === 'successRate' ? { mcnemar: mcnemarOf(units, (e) => e.success) } : {}) };
}

/**
 * The report's comparisons on the unseen split: e2cl + spec vs bc, and e2cl + spec vs e2cl
 * without speculation, for success and step executability, on all tasks and (when `familiar`
 * is given) on familiar and novel tasks apart.
 */
export function comparisons(evals: Record<string, readonly EvaluatedEpisode[]>, cluster: (taskId: string) => string,
  options: { seed: number; resamples: number; familiar?: (e: EvaluatedEpisode) => boolean; split?: string }): Comparison[] {
  const split = options.split ?? 'unseen';
  const out: Comparison[] = [];
  for (const [a, b] of [[E2CL_SPEC, BC], [E2CL_SPEC, E2CL_PLAIN]] as const) {
    if (!evals[a.model] || !evals[b.model]) continue;
    const units = armUnits(evals, split, a, b, cluster);
    if (units.length === 0) continue;
    const groups: Array<[TaskGroup, Array<PairedUnit<EvaluatedEpisode>>]> = [['all', units]];
    if (options.familiar) {
      groups.push(['familiar', units.filter((u) => options.familiar!(u.a))], ['novel', units.filter((u) => !options.familiar!(u.a))]);
    }
    for (const [group, us] of groups) {
      for (const metric of COMPARED) out.push(compareUnits(us, metric, { a: armName(a), b: armName(b), split, group }, options));
    }
  }
  return out;
}

export function comparisonTable(cs: readonly Comparison[]): string {
  const lines = ['| A | B | Tasks | Metric | A − B (points) | 95% interval | Paired p (scenes) | McNemar (A only / B only, p) | Pairs | Scenes |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const c of cs) {
    const mc = c.mcnemar ? `${c.mcnemar.aOnly} / ${c.mcnemar.bOnly}, ${pval(c.mcnemar.p)}` : '–';
    lines.push(`| ${c.a} | ${c.b} | ${c.group} | ${LABEL[c.metric]} | ${pts(c.diff)} | [${pts(c.lo)}, ${pts(c.hi)}] | ${pval(c.p)} | ${mc} | ${c.pairs} | ${c.clusters} |`);
  }
  return lines.join('\n');
}

/** The per-proposal gate figures the feedback check needs (from the diagnosis of the same run). */
export interface GateFigures { accuracy: number; precision: number; recall: number; proposals: number }

export const CLAIM = { margin: 0.05, alpha: 0.05, feedbackAccuracy: 0.85, errorRecall: 0.6, errorPrecision: 0.8 };

type Check = { name: string; pass: boolean; detail: string };

/** The margin checks of one seed (e2cl + spec vs bc on all unseen tasks); the test goes with them for one seed. */
export function marginChecks(cs: readonly Comparison[], withTest: boolean, label = 'unseen'): Check[] {
  const checks: Check[] = [];
  for (const metric of COMPARED) {
    const c = cs.find((x) => x.split === 'unseen' && x.a === 'e2cl + spec' && x.b === 'bc' && x.group === 'all' && x.metric === metric);
    if (!c) continue;
    const ahead = c.diff >= CLAIM.margin;
    checks.push({
      name: `${label}: e2cl + spec ≥ bc + ${CLAIM.margin * 100} points in ${LABEL[metric]}${withTest ? `, paired p < ${CLAIM.alpha}` : ''}`,
      pass: ahead && (!withTest || c.p < CLAIM.alpha),
      detail: `Δ ${pts(c.diff)} points [${pts(c.lo)}, ${pts(c.hi)}], ${pval(c.p)} over ${c.pairs} tasks in ${c.clusters} scenes`,
    });
  }
  return checks;
}

export function acceptanceChecks(cs: readonly Comparison[], extra: { gate?: GateFigures; wallSeconds?: number; limitSeconds?: number } = {}): Check[] {
  const checks = marginChecks(cs, true);
  const spec = cs.find((x) => x.split === 'unseen' && x.a === 'e2cl + spec' && x.b === 'e2cl' && x.group === 'all' && x.metric === 'successRate');
  if (spec) {
    checks.push({
      name: 'unseen: speculative inference raises success of the e2cl checkpoint',
      pass: spec.diff > 0,
      detail: `Δ ${pts(spec.diff)} points [${pts(spec.lo)}, ${pts(spec.hi)}], ${pval(spec.p)}`,
    });
  }
  if (extra.gate) {
    const g = extra.gate;
    checks.push({
      name: `unseen: e2cl feedback per proposal ≥ ${CLAIM.feedbackAccuracy * 100}% accurate, Error recall ≥ ${CLAIM.errorRecall * 100}% at precision ≥ ${CLAIM.errorPrecision}`,
      pass: g.accuracy >= CLAIM.feedbackAccuracy && g.recall >= CLAIM.errorRecall && g.precision >= CLAIM.errorPrecision,
      detail: `accuracy ${pts(g.accuracy)}%, precision ${pts(g.precision)}, recall ${pts(g.recall)} over ${g.proposals} proposals`,
    });
  }
  if (extra.wallSeconds !== undefined && extra.limitSeconds !== undefined && Number.isFinite(extra.limitSeconds)) {
    checks.push({ name: `whole run under ${Math.round(extra.limitSeconds / 60)} minutes`, pass: extra.wallSeconds < extra.limitSeconds, detail: `${(extra.wallSeconds / 60).toFixed(1)} min` });
  }
  return checks;
}

export interface SeedRun {
  seed: number;
  evals: Record<string, readonly EvaluatedEpisode[]>;
  /** Scene of a task of this seed's run. */
  cluster: (taskId: string) => string;
}

/**
 * The claim over several seeds (issue 13 item 8): in every seed e2cl + spec is ahead of bc by
 * the margins on the unseen split, and the paired test pooled over seeds (clusters are
 * (seed, scene)) gives p < 0.05 for each metric. Each seed's own comparison is kept.
 */
export function seedClaim(runs: readonly SeedRun[], options: { seed: number; resamples: number }): {
  perSeed: Array<{ seed: number; comparisons: Comparison[]; checks: Check[] }>; pooled: Comparison[]; checks: Check[]; pass: boolean;
} {
  const perSeed = runs.map((r) => {
    const cs = comparisons(r.evals, r.cluster, options).filter((c) => c.b === 'bc' && c.group === 'all');
    return { seed: r.seed, comparisons: cs, checks: marginChecks(cs, false, `seed ${r.seed}, unseen`) };
  });
  const units = runs.flatMap((r) => armUnits(r.evals, 'unseen', E2CL_SPEC, BC, (id) => `${r.seed}/${r.cluster(id)}`));
  const pooled = COMPARED.map((metric) => compareUnits(units, metric, { a: armName(E2CL_SPEC), b: armName(BC), split: 'unseen', group: 'all' }, options));
  const checks: Check[] = [...perSeed.flatMap((s) => s.checks)];
  for (const c of pooled) {
    checks.push({
      name: `pooled over ${runs.length} seeds: e2cl + spec ahead of bc in ${LABEL[c.metric]}, paired p < ${CLAIM.alpha}`,
      pass: c.diff > 0 && c.p < CLAIM.alpha,
      detail: `Δ ${pts(c.diff)} points [${pts(c.lo)}, ${pts(c.hi)}], ${pval(c.p)} over ${c.pairs} tasks in ${c.clusters} (seed, scene) clusters`,
    });
  }
  return { perSeed, pooled, checks, pass: checks.length > 0 && checks.every((c) => c.pass) };
}
