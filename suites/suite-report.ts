/**
 * A suite run's outputs, all made from the ledger's episodes (so a resumed run writes the
 * same files as an uninterrupted one):
 *
 * - `results.json`: the suite, per (agent, split) every metric with its 95% interval, and
 *   every episode (without wall-clock times, which differ between runs);
 * - `results.csv`: one row per episode;
 * - `report.html`: a bar chart (success rate per split and agent, with intervals), a table per
 *   split and a per-task drill-down (every agent's episodes and their actions).
 *
 * Intervals are percentile bootstraps over TASKS (suites/bootstrap.ts): a resample draws
 * tasks with replacement and takes all of a drawn task's episodes (seeds, repetitions), since
 * episodes of one task are not independent.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../env/files.ts';
import { bootstrap, type Interval } from './bootstrap.ts';
import type { EaiGroupResult } from './eai-suite.ts';
import type { Summary } from './eai/evaluate.ts';
import type { EpisodeRecord } from './ledger.ts';
import { normalisedLcs } from './lcs.ts';
import { type MetricEpisode, STATISTICS } from './metrics.ts';
import { cell, COLUMNS } from './report.ts';
import type { SuiteRun } from './runner.ts';
import type { LoadedSuite } from './spec.ts';
import { barChart, esc } from './svg.ts';

type MetricName = keyof typeof STATISTICS;

export interface SummaryRow {
  agent: string;
  split: string;
  episodes: number;
  tasks: number;
  metrics: Record<MetricName, Interval>;
}

const toMetric = (r: EpisodeRecord): MetricEpisode => ({
  taskId: r.task, success: r.success, goal: r.goal, expert: r.expert,
  steps: r.steps.map((s) => ({ action: s.action, ok: s.ok, predictedFeedback: s.predictedFeedback, corrected: s.corrected })),
  hazards: r.hazards,
});

/** Every metric over `records` with a 95% interval from resampling tasks. */
export function summariseByTask(records: readonly EpisodeRecord[], resamples: number, seed = 0): Record<MetricName, Interval> {
  const byTask = new Map<string, MetricEpisode[]>();
  for (const r of records) {
    if (!byTask.has(r.task)) byTask.set(r.task, []);
    byTask.get(r.task)!.push(toMetric(r));
  }
  const clusters = [...byTask.values()];
  // LCS is the one costly statistic (quadratic per episode): computed once per episode, not per resample.
  const lcsOf = new Map<MetricEpisode, number>();
  for (const e of clusters.flat()) if (e.expert) lcsOf.set(e, normalisedLcs(e.steps.map((x) => x.action), e.expert));
  const lcs = (eps: readonly MetricEpisode[]): number => {
    let n = 0;
    let sum = 0;
    for (const e of eps) { const v = lcsOf.get(e); if (v !== undefined) { n++; sum += v; } }
    return n ? sum / n : NaN;
  };
  const out = {} as Record<MetricName, Interval>;
  let i = 0;
  for (const [name, stat] of Object.entries(STATISTICS) as Array<[MetricName, (eps: readonly MetricEpisode[]) => number]>) {
    const f = name === 'lcs' ? lcs : stat;
    out[name] = bootstrap(clusters, (sample) => f(sample.flat()), { seed: seed + 7919 * i++, resamples });
  }
  return out;
}

export function summaryRows(suite: LoadedSuite, records: readonly EpisodeRecord[]): SummaryRow[] {
  const splits = [...new Set(records.map((r) => r.split))];
  const rows: SummaryRow[] = [];
  for (const agent of suite.spec.agents) {
    for (const split of [...splits, ...(splits.length > 1 ? ['all'] : [])]) {
      const rs = records.filter((r) => r.agent === agent.name && (split === 'all' || r.split === split));
      if (rs.length === 0) continue;
      rows.push({ agent: agent.name, split, episodes: rs.length, tasks: new Set(rs.map((r) => r.task)).size, metrics: summariseByTask(rs, suite.spec.report.resamples) });
    }
  }
  return rows;
}

const finite = (x: Interval): { value: number; lo: number; hi: number } | null => (Number.isFinite(x.value) ? { value: x.value, lo: x.lo, hi: x.hi } : null);

/** results.json's object (deterministic: no times). */
export function resultsJson(suite: LoadedSuite, rows: readonly SummaryRow[], records: readonly EpisodeRecord[]): Record<string, unknown> {
  const s = suite.spec;
  return {
    suite: s.name, hash: suite.hash, protocol: s.protocol, feedback: s.feedback, seeds: s.seeds, repetitions: s.repetitions,
    tasks: { set: s.tasks.set, splits: s.tasks.splits, count: s.tasks.count, seed: s.tasks.seed },
    agents: s.agents.map((a) => ({ name: a.name, kind: a.kind, ...('speculative' in a ? { speculative: a.speculative } : {}) })),
    summary: rows.map((r) => ({
      agent: r.agent, split: r.split, episodes: r.episodes, tasks: r.tasks,
      metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, finite(v)])),
    })),
    episodes: records.map(({ ms: _ms, worker: _worker, ...rest }) => rest),
  };
}

const CSV_COLUMNS = ['key', 'suite', 'task', 'split', 'agent', 'seed', 'repetition', 'success', 'goal_satisfied', 'goal_total', 'steps', 'failed_steps', 'reason', 'calls'];

function csvField(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function resultsCsv(records: readonly EpisodeRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    lines.push([r.key, r.suite, r.task, r.split, r.agent, r.seed, r.repetition, r.success, r.goal.satisfied, r.goal.total,
      r.steps.length, r.steps.filter((s) => !s.ok).length, r.reason, r.calls].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Where `hearth view RUN_DIR` serves the viewer (its default port). */
export const VIEWER = 'http://127.0.0.1:8765/';

/** A link that opens one episode (its log's path relative to the run directory) in the viewer serving the run directory. */
export const viewerLink = (log: string): string => `${VIEWER}?name=${encodeURIComponent(log)}`;

/** EAI's metrics (eai.json) as a table: one row per agent, seed and repetition, both scorings. */
function eaiTable(groups: readonly EaiGroupResult[]): string {
  const num = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : String(x));
  const cols: Array<[string, (s: Summary) => number | null]> = [
    ['executable', (x) => x.trajectory_evaluation.execution_success_rate], ['task success', (x) => x.goal_evaluation.task_success_rate],
    ['state goal', (x) => x.goal_evaluation.state_goal], ['relation goal', (x) => x.goal_evaluation.relation_goal], ['action goal', (x) => x.goal_evaluation.action_goal],
    ['parsing', (x) => x.trajectory_evaluation.grammar_error.parsing], ['hallucination', (x) => x.trajectory_evaluation.grammar_error.hallucination],
    ['arguments', (x) => x.trajectory_evaluation.grammar_error.predicate_argument_number], ['wrong order', (x) => x.trajectory_evaluation.runtime_error.wrong_order],
    ['missing step', (x) => x.trajectory_evaluation.runtime_error.missing_step], ['affordance', (x) => x.trajectory_evaluation.runtime_error.affordance_error],
    ['additional step', (x) => x.trajectory_evaluation.runtime_error.additional_step],
  ];
  const rows = groups.flatMap((g) => ([['corrected', g.corrected], ['official', g.official]] as const).map(([scoring, sum]) =>
    `<tr><td>${esc(g.agent)} (seed ${g.seed}, rep ${g.repetition})</td><td>${scoring}</td><td>${g.tasks}</td>${cols.map(([, f]) => `<td>${esc(sum ? num(f(sum)) : '–')}</td>`).join('')}</tr>`));
  return `<h2>EAI action sequencing (<a href="eai.json">eai.json</a>)</h2><p>Each agent's one-shot plans as EAI outputs, scored as in docs/eai.md (rates in %; official = eai-eval 1.0.5's scoring, – where it would stop).</p>
<table><thead><tr><th>Agent</th><th>Scoring</th><th>Tasks</th>${cols.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function suiteHtml(suite: LoadedSuite, rows: readonly SummaryRow[], records: readonly EpisodeRecord[], run?: Pick<SuiteRun, 'seconds' | 'ran' | 'skipped' | 'agentTimes'>, out?: string,
  eai?: readonly EaiGroupResult[]): string {
  const extraFiles = eai ? [{ href: 'eai.json', what: 'EAI\'s metrics' }] : [];
  const s = suite.spec;
  const agents = s.agents.map((a) => a.name);
  const splits = [...new Set(rows.map((r) => r.split))];
  const chart = (key: MetricName, label: string): string => barChart(splits.map((split) => ({
    label: split,
    bars: rows.filter((r) => r.split === split).map((r) => ({ name: r.agent, value: r.metrics[key].value, lo: r.metrics[key].lo, hi: r.metrics[key].hi })),
  })), { title: `${label} by split (95% intervals over tasks)`, yLabel: label });
  const tables = splits.map((split) => {
    const rs = rows.filter((r) => r.split === split);
    return `<h3>Split: ${esc(split)}</h3><table><thead><tr><th>Agent</th><th>Tasks</th><th>Episodes</th>${COLUMNS.map((c) => `<th title="${esc(c.explain)}">${esc(c.head)}</th>`).join('')}</tr></thead><tbody>${
      rs.map((r) => `<tr><td>${esc(r.agent)}</td><td>${r.tasks}</td><td>${r.episodes}</td>${COLUMNS.map((c) => `<td>${esc(cell(r.metrics[c.key as MetricName], c.rate))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  });
  const taskIds = [...new Set(records.map((r) => r.task))];
  const drill = taskIds.map((id) => {
    const rs = records.filter((r) => r.task === id);
    const cells = agents.map((a) => {
      const mine = rs.filter((r) => r.agent === a);
      const ok = mine.filter((r) => r.success).length;
      const steps = mine.length ? (mine.reduce((n, r) => n + r.steps.length, 0) / mine.length).toFixed(1) : '–';
      return `<td class="${mine.length && ok === mine.length ? 'pass' : ok === 0 ? 'miss' : ''}">${ok}/${mine.length} · ${steps} steps</td>`;
    }).join('');
    const detail = rs.map((r) => `<li><b>${esc(r.agent)}</b> seed ${r.seed} rep ${r.repetition}: ${r.success ? 'success' : 'not solved'}, goal ${r.goal.satisfied}/${r.goal.total}, ${esc(r.reason)}${
      r.log ? ` · <a class="view" href="${esc(viewerLink(r.log))}" title="the episode in the replay viewer (hearth view ${esc(out ?? '.')} must be running)">open in the viewer</a>`
        + ` · <a href="${esc(r.log)}" title="${esc(`hearth view ${join(out ?? '.', r.log)} --open`)}">episode log</a>` : ''}<br>${
      r.steps.map((st) => `<span class="${st.ok ? 'ok' : 'bad'}" title="${esc(st.failure ?? 'ok')}">${esc(st.action)}</span>`).join(' → ') || '<i>no actions</i>'}</li>`).join('');
    const expert = rs[0]?.expert ? `<p>Expert: ${esc(rs[0].expert.join(' → '))}</p>` : '';
    return `<tr><td><details><summary>${esc(id)}</summary>${expert}<ul>${detail}</ul></details></td><td>${esc(rs[0]?.split ?? '')}</td>${cells}</tr>`;
  }).join('\n');
  const notes = [
    `Protocol ${s.protocol}, feedback ${s.feedback}; task set ${s.tasks.set} (${s.tasks.splits.join(', ')}, ${s.tasks.count} per split${s.tasks.solvable ? ', solvable by an expert' : ''}); seeds ${s.seeds.join(', ')}; ${s.repetitions} repetition(s); at most ${s.budgets.maxSteps} steps.`,
    `Rates in %, with 95% percentile-bootstrap intervals over tasks (${s.report.resamples} resamples; all episodes of a drawn task).`,
    ...(records.some((r) => r.log) ? [`Every episode has a log for the replay viewer: start it on this run with \`hearth view ${out ?? '.'}\` (it serves ${VIEWER}), then each episode's "open in the viewer" link below opens that episode.`] : []),
    ...(run ? [`This run: ${run.ran} episodes run, ${run.skipped} taken from the ledger, ${run.seconds.toFixed(1)} s (${Object.entries(run.agentTimes).map(([a, t]) => `${a}: ${t.episodes} in ${t.seconds.toFixed(1)} s`).join('; ')}).`] : []),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Suite ${esc(s.name)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;font-size:12px;margin-bottom:1em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;vertical-align:top}td:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}
.pass{color:#2a7d2a}.miss{color:#b22}.ok{color:#2a7d2a}.bad{color:#b22;text-decoration:line-through}details ul{text-align:left;font-size:11px}</style></head><body>
<h1>Suite ${esc(s.name)}</h1>
<p>Data: <a href="results.json">results.json</a> (metrics with intervals, every episode) · <a href="results.csv">results.csv</a> (one row per episode)${
  extraFiles.map((f) => ` · <a href="${esc(f.href)}">${esc(f.href)}</a> (${esc(f.what)})`).join('')}</p>
${s.description ? `<p>${esc(s.description)}</p>` : ''}
<ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
<div class="charts">${chart('successRate', 'Success rate')}
${chart('stepExecutability', 'Step executability')}</div>
<h2>Agents</h2>
${tables.join('\n')}
${eai ? eaiTable(eai) : ''}
<h2>Per task</h2>
<p>Successful episodes / episodes and mean executed steps per agent; open a task for every episode's actions (struck through: failed).</p>
<table><thead><tr><th>Task</th><th>Split</th>${agents.map((a) => `<th>${esc(a)}</th>`).join('')}</tr></thead><tbody>
${drill}
</tbody></table>
<h2>Columns</h2><ul>${COLUMNS.map((c) => `<li><b>${esc(c.head)}</b>: ${esc(c.explain)}</li>`).join('')}</ul>
</body></html>
`;
}

/** Write results.json, results.csv and report.html into `out` (each atomically); `eai`: eai.json's groups, for the report. */
export function writeSuiteOutputs(out: string, suite: LoadedSuite, run: SuiteRun, eai?: readonly EaiGroupResult[]): SummaryRow[] {
  const rows = summaryRows(suite, run.records);
  const opts = { what: 'suite results', kind: 'suite.write' };
  writeFileAtomic(join(out, 'results.json'), `${JSON.stringify(resultsJson(suite, rows, run.records), null, 1)}\n`, opts);
  writeFileAtomic(join(out, 'results.csv'), resultsCsv(run.records), opts);
  writeFileAtomic(join(out, 'report.html'), suiteHtml(suite, rows, run.records, run, out, eai), opts);
  return rows;
}
