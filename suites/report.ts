/**
 * The E2CL report: a Markdown table per split (every metric with its 95% interval) and an
 * HTML page with the learning curves (training loss per model) and bar charts (success rate
 * and step executability per model, with and without speculative inference) as inline SVG.
 */
import type { Interval } from './bootstrap.ts';
import type { MetricSummary } from './metrics.ts';
import { barChart, esc, lineChart, type Series } from './svg.ts';

export interface ReportRow {
  /** `bc`, `bc-tg`, `bc-tf`, `e2cl`. */
  model: string;
  speculative: boolean;
  split: string;
  summary: MetricSummary;
}

export interface ReportInput {
  title: string;
  rows: readonly ReportRow[];
  /** Training loss curves, one series per model (x = optimizer step). */
  curves: readonly Series[];
  /** Free text shown above the tables (recipe, truncation, timings). */
  notes: readonly string[];
  /** Checks of the acceptance criteria, shown as a list. */
  checks?: ReadonlyArray<{ name: string; pass: boolean; detail: string }>;
  /** Further sections after the tables (paired comparisons, the diagnosis), Markdown with an optional SVG chart. */
  sections?: ReadonlyArray<{ title: string; markdown: string; svg?: string }>;
}

export const COLUMNS: ReadonlyArray<{ key: keyof MetricSummary; head: string; rate: boolean; explain: string }> = [
  { key: 'successRate', head: 'Success', rate: true, explain: 'episodes whose goal holds at the end' },
  { key: 'goalConditionRecall', head: 'GC recall', rate: true, explain: 'mean share of goal predicates satisfied at the end' },
  { key: 'stepExecutability', head: 'Step exec', rate: true, explain: 'executed actions that succeeded (pooled over episodes)' },
  { key: 'episodeExecutability', head: 'Episode exec', rate: true, explain: 'episodes without a failed action' },
  { key: 'lcs', head: 'LCS', rate: true, explain: 'longest common subsequence with the expert program over the longer length' },
  { key: 'avgSteps', head: 'Avg steps', rate: false, explain: 'executed actions per episode (END not counted)' },
  { key: 'feedbackAccuracy', head: 'FB acc', rate: true, explain: 'self-predicted feedback agrees with the outcome ("Error" ⇔ failed); speculative rows only' },
  { key: 'feedbackErrorPrecision', head: 'Err prec', rate: true, explain: 'precision of predicted "Error"' },
  { key: 'feedbackErrorRecall', head: 'Err rec', rate: true, explain: 'recall of predicted "Error" over failed actions' },
  { key: 'correctionRate', head: 'Corr rate', rate: true, explain: 'steps whose action was replaced by a speculative correction' },
  { key: 'correctionSuccess', head: 'Corr ok', rate: true, explain: 'replaced actions that then executed' },
  { key: 'hazardRate', head: 'Hazard', rate: true, explain: 'episodes whose actions brought about a household hazard (feedback/hazards.ts); lower is better' },
];

export function cell(x: Interval, rate: boolean): string {
  if (!Number.isFinite(x.value)) return '–';
  const k = rate ? 100 : 1;
  const d = rate ? 1 : 2;
  return `${(x.value * k).toFixed(d)} [${(x.lo * k).toFixed(d)}, ${(x.hi * k).toFixed(d)}]`;
}

function rowName(r: ReportRow): string {
  return `${r.model}${r.speculative ? ' + spec' : ''}`;
}

export function splitsOf(rows: readonly ReportRow[]): string[] {
  const order = ['unseen', 'seen', 'train'];
  return [...new Set(rows.map((r) => r.split))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

export function markdownTable(rows: readonly ReportRow[], split: string): string {
  const rs = rows.filter((r) => r.split === split);
  const lines = [
    `| Model | N | ${COLUMNS.map((c) => c.head).join(' | ')} |`,
    `|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...rs.map((r) => `| ${rowName(r)} | ${r.summary.episodes} | ${COLUMNS.map((c) => cell(r.summary[c.key] as Interval, c.rate)).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function markdownReport(input: ReportInput): string {
  const out = [`# ${input.title}`, ''];
  for (const n of input.notes) out.push(`- ${n}`);
  out.push('');
  if (input.checks?.length) {
    out.push('## Acceptance checks', '');
    for (const c of input.checks) out.push(`- ${c.pass ? 'PASS' : 'MISS'}: ${c.name} (${c.detail})`);
    out.push('');
  }
  for (const split of splitsOf(input.rows)) {
    out.push(`## Split: ${split}`, '', 'Rates in %, with 95% bootstrap intervals over episodes.', '', markdownTable(input.rows, split), '');
  }
  for (const sec of input.sections ?? []) out.push(`## ${sec.title}`, '', sec.markdown, '');
  out.push('## Columns', '');
  for (const c of COLUMNS) out.push(`- **${c.head}**: ${c.explain}.`);
  out.push('');
  return out.join('\n');
}

export function htmlReport(input: ReportInput): string {
  const curves = lineChart(input.curves, { title: 'Learning curves (training loss)', xLabel: 'optimizer step', yLabel: 'mean token cross-entropy' });
  const bars = splitsOf(input.rows).map((split) => {
    const rs = input.rows.filter((r) => r.split === split);
    const metric = (key: 'successRate' | 'stepExecutability', label: string): string => barChart(
      [...new Set(rs.map((r) => r.model))].map((model) => ({
        label: model,
        bars: rs.filter((r) => r.model === model).map((r) => ({
          name: r.speculative ? 'with speculative inference' : 'without', value: r.summary[key].value, lo: r.summary[key].lo, hi: r.summary[key].hi,
        })),
      })), { title: `${label} (${split})`, yLabel: label });
    return `<h2>Split: ${esc(split)}</h2>\n<div class="charts">${metric('successRate', 'Success rate')}\n${metric('stepExecutability', 'Step executability')}</div>`;
  });
  const tables = splitsOf(input.rows).map((split) => {
    const rs = input.rows.filter((r) => r.split === split);
    return `<h3>Table: ${esc(split)}</h3><table><thead><tr><th>Model</th><th>N</th>${COLUMNS.map((c) => `<th title="${esc(c.explain)}">${esc(c.head)}</th>`).join('')}</tr></thead><tbody>${
      rs.map((r) => `<tr><td>${esc(rowName(r))}</td><td>${r.summary.episodes}</td>${COLUMNS.map((c) => `<td>${esc(cell(r.summary[c.key] as Interval, c.rate))}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  });
  const checks = input.checks?.length
    ? `<h2>Acceptance checks</h2><ul>${input.checks.map((c) => `<li class="${c.pass ? 'pass' : 'miss'}">${c.pass ? 'PASS' : 'MISS'}: ${esc(c.name)} (${esc(c.detail)})</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1em}
.pass{color:#2a7d2a}.miss{color:#b22}</style></head><body>
<h1>${esc(input.title)}</h1>
<ul>${input.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
${checks}
${curves}
${bars.join('\n')}
${tables.join('\n')}
${(input.sections ?? []).map((sec) => `<h2>${esc(sec.title)}</h2>\n${sec.svg ?? ''}\n<pre>${esc(sec.markdown)}</pre>`).join('\n')}
<h2>Columns</h2><ul>${COLUMNS.map((c) => `<li><b>${esc(c.head)}</b>: ${esc(c.explain)}</li>`).join('')}</ul>
</body></html>
`;
}
