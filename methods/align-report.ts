/**
 * `hearth align`'s report: per arm, unseen success and step executability (greedy, as E2CL
 * evaluates) and held-out pair accuracy, each the mean over seeds with a 95% percentile
 * bootstrap interval that resamples tasks (or held-out pairs) and keeps every seed's result on
 * them (suites/bootstrap.ts); cost as the median seconds per step and the peak tensor bytes;
 * the method's claim checked with a paired bootstrap of the difference on the same tasks.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../env/files.ts';
import { bootstrap, type Interval } from '../suites/bootstrap.ts';
import { barChart, lineChart } from '../suites/svg.ts';
import type { EvalEpisode } from '../exploration/pipeline.ts';
import type { AlignResult, SeedRun } from './align-run.ts';
import { FACETS, type Facet, type FacetVerdict } from './muffin/facets.ts';

export interface ArmSummary {
  name: string;
  seeds: number;
  success: Interval;
  stepExec: Interval;
  /** Held-out pairs whose chosen completion has the higher mean log-prob. */
  pairAccuracy: Interval;
  /** Held-out pairs whose chosen-minus-rejected mean log-prob grew over the start model's (TRL's eval rewards/accuracies, length-normalised). */
  rewardAccuracy: Interval;
  /** RISE: held-out subtle-error pairs of unseen tasks whose expert step has the higher mean log-prob than the edit. */
  subtleAccuracy?: Interval;
  /** Muffin: unseen-task episodes failing at least one facet (methods/muffin/facets.ts), and per facet the share failing it. */
  unhelpful?: Interval;
  facetFail?: Record<Facet, Interval>;
  perSeed: { success: number[]; stepExec: number[]; pairAccuracy: number[]; rewardAccuracy: number[]; subtleAccuracy?: number[]; unhelpful?: number[] };
  secondsPerStep: number | null;
  peakMiB: number | null;
  finalLoss: number | null;
}

const RESAMPLES = 1000;
const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const successOf = (eps: readonly EvalEpisode[], idx: readonly number[]): number => mean(idx.map((i) => (eps[i].success ? 1 : 0)));
function stepExecOf(eps: readonly EvalEpisode[], idx: readonly number[]): number {
  let ok = 0, n = 0;
  for (const i of idx) for (const s of eps[i].steps) { n++; ok += s.ok ? 1 : 0; }
  return n ? ok / n : NaN;
}
const pairAccOf = (m: readonly number[], idx: readonly number[]): number => mean(idx.map((i) => (m[i] > 0 ? 1 : 0)));
const unhelpfulOf = (v: readonly FacetVerdict[], idx: readonly number[]): number => mean(idx.map((i) => (v[i].helpful ? 0 : 1)));
const facetFailOf = (f: Facet) => (v: readonly FacetVerdict[], idx: readonly number[]): number => mean(idx.map((i) => (v[i].facets[f] ? 0 : 1)));

/** Interval of the mean over seeds of `stat`, resampling the n units (tasks or pairs) shared by all seeds. */
function overUnits<T>(perSeed: readonly T[], n: number, stat: (x: T, idx: readonly number[]) => number, seed: number): Interval {
  const units = Array.from({ length: n }, (_, i) => i);
  return bootstrap(units, (idx) => mean(perSeed.map((x) => stat(x, idx))), { resamples: RESAMPLES, seed });
}

export function summariseArm(name: string, runs: ReadonlyArray<Pick<SeedRun, 'episodes' | 'pairMargins' | 'subtleMargins' | 'verdicts'> & Partial<SeedRun>>, startMargins: readonly number[], seed: number): ArmSummary {
  const subtle = runs.every((r) => r.subtleMargins) ? runs.map((r) => r.subtleMargins!) : null;
  const verdicts = runs.length && runs.every((r) => r.verdicts) ? runs.map((r) => r.verdicts!) : null;
  const nTasks = runs[0]?.episodes.length ?? 0;
  const nPairs = runs[0]?.pairMargins.length ?? 0;
  const gains = runs.map((r) => r.pairMargins.map((m, i) => m - startMargins[i]));
  const all = Array.from({ length: nTasks }, (_, i) => i);
  const allPairs = Array.from({ length: nPairs }, (_, i) => i);
  const costs = runs.filter((r) => r.secondsPerStep !== undefined);
  return {
    name, seeds: runs.length,
    success: overUnits(runs.map((r) => r.episodes), nTasks, successOf, seed),
    stepExec: overUnits(runs.map((r) => r.episodes), nTasks, stepExecOf, seed + 1),
    pairAccuracy: overUnits(runs.map((r) => r.pairMargins), nPairs, pairAccOf, seed + 2),
    rewardAccuracy: overUnits(gains, nPairs, pairAccOf, seed + 3),
    perSeed: {
      success: runs.map((r) => successOf(r.episodes, all)),
      stepExec: runs.map((r) => stepExecOf(r.episodes, all)),
      pairAccuracy: runs.map((r) => pairAccOf(r.pairMargins, allPairs)),
      rewardAccuracy: gains.map((g) => pairAccOf(g, allPairs)),
      ...(subtle ? { subtleAccuracy: subtle.map((m) => pairAccOf(m, m.map((_, i) => i))) } : {}),
      ...(verdicts ? { unhelpful: verdicts.map((v) => unhelpfulOf(v, all)) } : {}),
    },
    ...(subtle ? { subtleAccuracy: overUnits(subtle, subtle[0].length, pairAccOf, seed + 4) } : {}),
    ...(verdicts ? {
      unhelpful: overUnits(verdicts, nTasks, unhelpfulOf, seed + 5),
      facetFail: Object.fromEntries(FACETS.map((f, i) => [f, overUnits(verdicts, nTasks, facetFailOf(f), seed + 6 + i)])) as Record<Facet, Interval>,
    } : {}),
    secondsPerStep: costs.length ? mean(costs.map((r) => r.secondsPerStep!)) : null,
    peakMiB: costs.length ? Math.max(...costs.map((r) => r.peakBytes!)) / 2 ** 20 : null,
    finalLoss: costs.length ? mean(costs.map((r) => r.curve![r.curve!.length - 1]?.loss ?? NaN)) : null,
  };
}

/** Paired difference a − b of the mean-over-seeds success (or step executability) on the same tasks. */
export function pairedDifference(a: readonly SeedRun[], b: readonly SeedRun[], metric: 'success' | 'stepExec', seed: number): Interval {
  const stat = metric === 'success' ? successOf : stepExecOf;
  const n = a[0].episodes.length;
  return bootstrap(Array.from({ length: n }, (_, i) => i),
    (idx) => mean(a.map((r) => stat(r.episodes, idx))) - mean(b.map((r) => stat(r.episodes, idx))), { resamples: RESAMPLES, seed });
}

const pct = (x: Interval): string => `${(100 * x.value).toFixed(1)} [${(100 * x.lo).toFixed(1)}, ${(100 * x.hi).toFixed(1)}]`;
const pts = (x: Interval): string => `${(100 * x.value).toFixed(1)} points [${(100 * x.lo).toFixed(1)}, ${(100 * x.hi).toFixed(1)}]`;

export interface ClaimCheck { claim: string; held: boolean | null; detail: string }

/** FPO vs DPO: quality (success, step executability, held-out pair accuracy) at least DPO's, and lower cost. */
export function fpoClaim(res: AlignResult, s: Record<string, ArmSummary>): ClaimCheck | null {
  const fpo = res.arms.find((a) => a.arm.name === 'fpo');
  const dpo = res.arms.find((a) => a.arm.name === 'dpo');
  if (!fpo || !dpo) return null;
  const dS = pairedDifference(fpo.runs, dpo.runs, 'success', 7);
  const dE = pairedDifference(fpo.runs, dpo.runs, 'stepExec', 8);
  const quality = dS.value >= 0 && dE.value >= 0;
  const f = s.fpo, d = s.dpo;
  const cheaperTime = f.secondsPerStep! < d.secondsPerStep!;
  const cheaperMem = f.peakMiB! < d.peakMiB!;
  const online = res.onlineDpoCost;
  const vsOnline = online ? ` Against DPO with the reference model in memory (${online.secondsPerStep.toFixed(2)} s/step, ${(online.peakBytes / 2 ** 20).toFixed(1)} MiB peak): FPO is ${f.secondsPerStep! < online.secondsPerStep ? 'faster' : 'slower'} and uses ${f.peakMiB! < online.peakBytes / 2 ** 20 ? 'less' : 'more'} memory.` : '';
  return {
    claim: res.method.claim ?? '',
    held: quality && cheaperTime && cheaperMem,
    detail: `FPO − DPO on the same unseen tasks: success ${pts(dS)}, step executability ${pts(dE)} (quality ${quality ? 'at least' : 'below'} DPO's by the point estimates${dS.lo <= 0 && dS.hi >= 0 ? '; the success interval contains 0' : ''}); held-out pair accuracy FPO ${pct(f.pairAccuracy)} vs DPO ${pct(d.pairAccuracy)}, held-out reward accuracy FPO ${pct(f.rewardAccuracy)} vs DPO ${pct(d.rewardAccuracy)}. Cost against DPO with its offline reference: ${f.secondsPerStep!.toFixed(2)} vs ${d.secondsPerStep!.toFixed(2)} s/step, ${f.peakMiB!.toFixed(1)} vs ${d.peakMiB!.toFixed(1)} MiB peak tensor memory (FPO ${cheaperTime ? 'faster' : 'slower'}, ${cheaperMem ? 'less' : 'more'} memory).${vsOnline}`,
  };
}

/** RISE vs plain DPO: higher accuracy on held-out subtle-error pairs (paired bootstrap over those pairs, interval above 0). */
export function riseClaim(res: AlignResult, s: Record<string, ArmSummary>): ClaimCheck | null {
  const rise = res.arms.find((a) => a.arm.name === 'rise');
  const dpo = res.arms.find((a) => a.arm.name === 'dpo');
  if (!rise || !dpo || !rise.runs[0].subtleMargins) return null;
  const n = rise.runs[0].subtleMargins.length;
  const acc = (runs: readonly SeedRun[], idx: readonly number[]) => mean(runs.map((r) => pairAccOf(r.subtleMargins!, idx)));
  const d = bootstrap(Array.from({ length: n }, (_, i) => i), (idx) => acc(rise.runs, idx) - acc(dpo.runs, idx), { resamples: RESAMPLES, seed: 9 });
  const dS = pairedDifference(rise.runs, dpo.runs, 'success', 10);
  return {
    claim: res.method.claim ?? '',
    held: d.lo > 0,
    detail: `subtle-error accuracy on ${n} held-out pairs of unseen tasks: RISE ${pct(s.rise.subtleAccuracy!)} vs DPO ${pct(s.dpo.subtleAccuracy!)} (start ${pct(s['bc (start)'].subtleAccuracy!)}); RISE − DPO ${pts(d)}${d.lo > 0 ? '' : ' (the interval does not lie above 0)'}. Unseen success RISE − DPO ${pts(dS)}.`,
  };
}

/**
 * Muffin vs its SFT start on the same unseen tasks (paired bootstrap over tasks, every seed kept):
 * held when the unhelpful-plan rate's difference lies below 0 and success is not lower, i.e. the
 * success difference's interval reaches 0 or above (not significantly lower).
 */
export function muffinClaim(res: AlignResult, s: Record<string, ArmSummary>): ClaimCheck | null {
  const muffin = res.arms.find((a) => a.arm.name === 'muffin');
  if (!muffin || !res.start.verdicts || !muffin.runs[0].verdicts) return null;
  const start = [res.start as SeedRun];
  const n = res.start.episodes.length;
  const units = Array.from({ length: n }, (_, i) => i);
  const rate = (runs: readonly SeedRun[], idx: readonly number[]) => mean(runs.map((r) => unhelpfulOf(r.verdicts!, idx)));
  const dU = bootstrap(units, (idx) => rate(muffin.runs, idx) - rate(start, idx), { resamples: RESAMPLES, seed: 12 });
  const dS = pairedDifference(muffin.runs, start, 'success', 13);
  const dE = pairedDifference(muffin.runs, start, 'stepExec', 14);
  const fewer = dU.hi < 0;
  const notLower = dS.hi >= 0;
  const ablation = s['nll-only']?.unhelpful ? ` The gold's NLL alone (nll-only, same contexts, no ranking term): unhelpful ${pct(s['nll-only'].unhelpful)}, success ${pct(s['nll-only'].success)}.` : '';
  return {
    claim: res.method.claim ?? '',
    held: fewer && notLower,
    detail: `unhelpful-plan rate on ${n} unseen tasks: Muffin ${pct(s.muffin.unhelpful!)} vs start ${pct(s['bc (start)'].unhelpful!)}; Muffin − start ${pts(dU)}${fewer ? '' : ' (the interval does not lie below 0)'}. Success Muffin − start ${pts(dS)} (${notLower ? 'not significantly lower' : 'lower: the interval lies below 0'}); step executability ${pts(dE)}.${ablation}`,
  };
}

export function alignSummaries(res: AlignResult): Record<string, ArmSummary> {
  const out: Record<string, ArmSummary> = { 'bc (start)': summariseArm('bc (start)', [res.start], res.start.pairMargins, 11) };
  for (const a of res.arms) out[a.arm.name] = summariseArm(a.arm.name, a.runs, res.start.pairMargins, 11);
  return out;
}

export function alignMarkdown(res: AlignResult, s: Record<string, ArmSummary>, claim: ClaimCheck | null, notes: string[]): string {
  const hasSubtle = Object.values(s).some((a) => a.subtleAccuracy);
  const rows = Object.values(s).map((a) => `| ${a.name} | ${a.seeds} | ${pct(a.success)} | ${pct(a.stepExec)} | ${pct(a.pairAccuracy)} | ${pct(a.rewardAccuracy)} |${hasSubtle ? ` ${a.subtleAccuracy ? pct(a.subtleAccuracy) : '–'} |` : ''} ${a.secondsPerStep?.toFixed(2) ?? '–'} | ${a.peakMiB?.toFixed(1) ?? '–'} | ${a.finalLoss?.toFixed(4) ?? '–'} |`);
  const perSeed = Object.values(s).filter((a) => a.seeds > 1).map((a) => `- ${a.name}: success ${a.perSeed.success.map((x) => (100 * x).toFixed(1)).join(' / ')}; step exec ${a.perSeed.stepExec.map((x) => (100 * x).toFixed(1)).join(' / ')}; pair accuracy ${a.perSeed.pairAccuracy.map((x) => (100 * x).toFixed(1)).join(' / ')}; reward accuracy ${a.perSeed.rewardAccuracy.map((x) => (100 * x).toFixed(1)).join(' / ')}`);
  const subtleNote = res.subtle ? [`## Subtle errors (RISE)`, '', `Expert steps edited by rule (${Object.entries(res.subtle.kinds).map(([k, v]) => `${k} ${v}`).join(', ')}), each kept only if the simulator shows the edit fails: ${res.subtle.train} pairs from the training tasks (half of RISE's pairs are drawn from them, the other half sampled; the same count as DPO's sampled pairs), ${res.subtle.heldOut} from the unseen tasks held out (Subtle-error acc: the expert step has the higher mean log-prob than its edit). Edited tokens weigh 2 in RISE's loss [unverified form].`, ''] : [];
  const facetRows = Object.values(s).filter((a) => a.unhelpful && a.facetFail).map((a) => `| ${a.name} | ${pct(a.unhelpful!)} | ${FACETS.map((f) => pct(a.facetFail![f])).join(' | ')} | ${pct(a.success)} |`);
  const rates = (r: NonNullable<AlignResult['muffin']>['sampled']) => `${(100 * r.unhelpful).toFixed(1)}% unhelpful (fail: ${FACETS.map((f) => `${f} ${(100 * r[f]).toFixed(1)}%`).join(', ')})`;
  const ranked = res.arms.find((a) => a.arm.name === 'muffin')?.runs.flatMap((r) => r.curve) ?? [];
  const rankNote = ranked.length ? ` Muffin's ranking term was non-zero in ${ranked.filter((c) => (c.rank ?? 0) > 0).length} of ${ranked.length} steps (all seeds), ${mean(ranked.map((c) => c.rank ?? 0)).toFixed(4)} on average against a total loss of ${mean(ranked.map((c) => c.loss)).toFixed(4)}: with margin 0.01 on mean token probabilities, a context costs nothing once its helpful candidates score 0.01 above the unhelpful ones.` : '';
  const muffinNote = res.muffin && facetRows.length ? ['## Facets (Muffin)', '',
    'Every plan is judged by the simulator (deterministic replays; no LLM judge): **executes** (no step failed), **progress** (more goal conditions hold at the end than at the start), **safe** (no household hazard arose from its actions, feedback/hazards.ts; one the goal asks for, e.g. an open fridge, not counted), **efficient** (no executed step can be left out with the rest still executing, reaching the same goal progress and adding no hazard). Unhelpful = fails at least one facet (Muffin\'s AND). Rates in % of unseen-task episodes, mean over seeds, 95% bootstrap over tasks; columns after "Unhelpful" are the share failing each facet.', '',
    `| Arm | Unhelpful | ${FACETS.map((f) => `Fails ${f}`).join(' | ')} | Success |`, `|---|---|${FACETS.map(() => '---').join('|')}|---|`, ...facetRows, '',
    `Training data: the ${res.muffin.sampled.plans} sampled plans of the training tasks are ${rates(res.muffin.sampled)}; for reference, the expert plans of the ${res.muffin.expert.plans} unseen tasks are ${rates(res.muffin.expert)}. Contexts (branch points of a task\'s sampled plans): ${res.muffin.train.contexts} to train on with ${res.muffin.train.candidates} candidates (${res.muffin.train.helpfulCandidates} labelled helpful; ${res.muffin.train.mixed} contexts with both labels, the only ones with a ranking loss; ${res.muffin.train.withGold} with the teacher\'s action as gold); ${res.muffin.heldOutContexts} contexts of the held-out tasks left out.${rankNote}`, ''] : [];
  const sae = res.sae ? [`## SAE`, '', `TopK SAE on \`${res.sae.hook}\` of the start model (F = ${res.sae.features}, k = ${res.sae.k}), trained on expert planning prompts of 80% of the training tasks, measured on the other 20% (${res.sae.heldOut.rows} token rows, BOS left out): FVU ${res.sae.heldOut.fvu.toFixed(4)}, L0 ${res.sae.heldOut.l0.toFixed(1)}, dead ${(100 * res.sae.heldOut.deadFraction).toFixed(1)}% (on its training rows: FVU ${res.sae.train.fvu.toFixed(4)}, dead ${(100 * res.sae.train.deadFraction).toFixed(1)}%). Trained in ${res.sae.seconds.toFixed(0)} s; saved in \`sae/\`.`, ''] : [];
  return [
    `# hearth align --method ${res.method.name}`, '',
    ...notes.map((n) => `- ${n}`), '',
    ...(claim ? ['## Claim', '', `**${claim.claim}**: ${claim.held ? 'HELD' : 'NOT HELD'} here. ${claim.detail}`, ''] : []),
    '## Results (unseen tasks, greedy decoding)', '',
    'Rates in %: the mean over seeds, with a 95% percentile bootstrap interval over tasks (pair accuracy: over held-out pairs), every seed kept on each resample. Held-out pair acc: pairs (from tasks not trained on) whose chosen action has the higher mean log-prob; held-out reward acc: pairs whose chosen-minus-rejected mean log-prob grew over the start model\'s (TRL\'s eval rewards/accuracies, length-normalised; 0 for the start by definition). s/step: median over steps, mean over seeds (reference scoring excluded: it is offline). Peak: tensor bytes alive at the end of the largest forward pass, counted from before the arm\'s model was loaded (its weights, AdamW moments, kept activations; FPO also its SAE).', '',
    `| Arm | Seeds | Success | Step exec | Held-out pair acc | Held-out reward acc |${hasSubtle ? ' Subtle-error acc |' : ''} s/step | Peak MiB | Final loss |`,
    `|---|---|---|---|---|---|${hasSubtle ? '---|' : ''}---|---|---|`,
    ...rows, '',
    ...(perSeed.length ? ['Per seed:', '', ...perSeed, ''] : []),
    ...subtleNote,
    ...muffinNote,
    ...sae,
    '## Plots', '', '![quality](plots/quality.svg)', '', '![loss](plots/loss.svg)', '',
  ].join('\n');
}

export function writeAlignReport(out: string, res: AlignResult, notes: string[]): { summaries: Record<string, ArmSummary>; claim: ClaimCheck | null } {
  const summaries = alignSummaries(res);
  const claim = fpoClaim(res, summaries) ?? riseClaim(res, summaries) ?? muffinClaim(res, summaries);
  const bars = (key: 'success' | 'stepExec' | 'pairAccuracy' | 'rewardAccuracy' | 'subtleAccuracy' | 'unhelpful', label: string) => ({
    label, bars: Object.values(summaries).filter((a) => a[key]).map((a) => ({ name: a.name, value: a[key]!.value, lo: a[key]!.lo, hi: a[key]!.hi })),
  });
  writeFileAtomic(join(out, 'plots', 'quality.svg'), barChart([bars('success', 'unseen success'), bars('stepExec', 'step executability'), bars('pairAccuracy', 'held-out pair accuracy'), bars('rewardAccuracy', 'held-out reward accuracy'),
    ...(summaries['bc (start)'].subtleAccuracy ? [bars('subtleAccuracy', 'subtle-error accuracy')] : []),
    ...(summaries['bc (start)'].unhelpful ? [bars('unhelpful', 'unhelpful plans')] : [])],
    { title: `hearth align --method ${res.method.name}`, yLabel: '%' }));
  writeFileAtomic(join(out, 'plots', 'loss.svg'), lineChart(res.arms.map((a) => ({
    name: a.arm.name, points: a.runs[0].curve.map((_, i) => ({ x: i + 1, y: a.runs.reduce((acc, r) => acc + r.curve[i].loss, 0) / a.runs.length })),
  })), { title: 'training loss (mean over seeds)', xLabel: 'step', yLabel: 'loss' }));
  writeFileAtomic(join(out, 'report.md'), alignMarkdown(res, summaries, claim, notes));
  const json = {
    method: res.method.name, sizes: res.sizes, sampling: res.sampling, subtle: res.subtle, muffin: res.muffin, trainPairs: res.trainPairs, heldOutPairs: res.heldOutPairs,
    sae: res.sae, onlineDpoCost: res.onlineDpoCost, timings: res.timings, summaries, claim,
    curves: Object.fromEntries(res.arms.map((a) => [a.arm.name, a.runs.map((r) => r.curve)])),
  };
  writeFileAtomic(join(out, 'results.json'), JSON.stringify(json, null, 1));
  return { summaries, claim };
}
