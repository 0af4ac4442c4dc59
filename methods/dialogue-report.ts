/**
 * The report every `hearth dialogue run --method X` writes: a table of metrics per arm with 95%
 * bootstrap intervals (the unit of resampling is one dialogue with one unseen user; dialogues
 * of all seeds pooled), the per-seed means, line charts of a metric per round, the paper's claim
 * with whether it held, and free notes. report.md, results.json and plots/*.svg in `out`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../env/files.ts';
import { bootstrap, disjoint, type Interval } from '../suites/bootstrap.ts';
import { lineChart, type Series } from '../suites/svg.ts';

/** One dialogue's per-round outcomes under one arm and seed. */
export interface ScoredDialogue {
  arm: string;
  seed: number;
  rounds: Array<Record<string, boolean | number>>;
}

export interface MetricDef {
  key: string;
  head: string;
  explain: string;
  /** The dialogue's value (NaN: undefined for this dialogue, skipped). */
  of(d: ScoredDialogue): number;
}

export interface PerRoundDef { title: string; yLabel: string; file: string; of(round: Record<string, boolean | number>): number }

export interface ClaimCheck { claim: string; held: boolean | null; evidence: string }

export interface ReportTable { arm: string; metrics: Record<string, Interval>; perSeed: Record<string, Record<number, number>> }

/** Mean of the finite values (NaN when none). */
export function meanOf(xs: readonly number[]): number {
  const f = xs.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
}

/** Share of a dialogue's rounds with `pred` true among those with `given` true (NaN if none). */
export function shareOf(rounds: ScoredDialogue['rounds'], pred: (r: ScoredDialogue['rounds'][number]) => boolean, given: (r: ScoredDialogue['rounds'][number]) => boolean = () => true): number {
  const g = rounds.filter(given);
  return g.length ? g.filter(pred).length / g.length : NaN;
}

export function summarise(dialogues: readonly ScoredDialogue[], arms: readonly string[], metrics: readonly MetricDef[]): ReportTable[] {
  return arms.map((arm) => {
    const mine = dialogues.filter((d) => d.arm === arm);
    const out: ReportTable = { arm, metrics: {}, perSeed: {} };
    for (const m of metrics) {
      const vals = mine.map((d) => m.of(d));
      out.metrics[m.key] = bootstrap(vals, (s) => meanOf(s), { seed: 17 });
      const seeds = [...new Set(mine.map((d) => d.seed))].sort((a, b) => a - b);
      out.perSeed[m.key] = Object.fromEntries(seeds.map((s) => [s, meanOf(mine.filter((d) => d.seed === s).map((d) => m.of(d)))]));
    }
    return out;
  });
}

export const fmt = (x: Interval, digits = 3): string => (Number.isFinite(x.value) ? `${x.value.toFixed(digits)} [${x.lo.toFixed(digits)}, ${x.hi.toFixed(digits)}]` : 'n/a');

/** Mean of `of` per round index, per arm (a line per arm). */
export function perRoundSeries(dialogues: readonly ScoredDialogue[], arms: readonly string[], of: (r: ScoredDialogue['rounds'][number]) => number): Series[] {
  return arms.map((arm) => {
    const mine = dialogues.filter((d) => d.arm === arm);
    const T = Math.max(0, ...mine.map((d) => d.rounds.length));
    return { name: arm, points: Array.from({ length: T }, (_, t) => ({ x: t + 1, y: meanOf(mine.map((d) => (d.rounds[t] ? of(d.rounds[t]) : NaN))) })) };
  });
}

export interface DialogueReportInput {
  method: string;
  title: string;
  dialogues: ScoredDialogue[];
  arms: string[];
  metrics: MetricDef[];
  perRound: PerRoundDef[];
  claims: ClaimCheck[];
  /** Extra markdown sections (cost tables, settings). */
  sections: string[];
  /** Anything else for results.json. */
  extra?: Record<string, unknown>;
}

/** Whether arm a beats arm b on a metric: disjoint 95% intervals in the right direction (null: undefined). */
export function beats(tables: readonly ReportTable[], a: string, b: string, key: string, higher = true): boolean | null {
  const x = tables.find((t) => t.arm === a)?.metrics[key];
  const y = tables.find((t) => t.arm === b)?.metrics[key];
  if (!x || !y || !Number.isFinite(x.value) || !Number.isFinite(y.value)) return null;
  return disjoint(x, y) && (higher ? x.value > y.value : x.value < y.value);
}

export function writeDialogueReport(out: string, input: DialogueReportInput, tables: ReportTable[]): string {
  mkdirSync(join(out, 'plots'), { recursive: true });
  const seeds = [...new Set(input.dialogues.map((d) => d.seed))].sort((a, b) => a - b);
  const lines = [`# ${input.title}`, '',
    `${input.dialogues.length / Math.max(1, input.arms.length)} dialogues per arm with unseen users (seeds ${seeds.join(', ')}); 95% bootstrap intervals over dialogues (1000 resamples).`, '',
    `| arm | ${input.metrics.map((m) => m.head).join(' | ')} |`, `|---|${input.metrics.map(() => '---').join('|')}|`,
    ...tables.map((t) => `| ${t.arm} | ${input.metrics.map((m) => fmt(t.metrics[m.key])).join(' | ')} |`), '',
    ...input.metrics.map((m) => `- **${m.head}**: ${m.explain}`), '',
    '## Per seed (means)', '',
    `| arm | metric | ${seeds.map((s) => `seed ${s}`).join(' | ')} |`, `|---|---|${seeds.map(() => '---').join('|')}|`,
    ...tables.flatMap((t) => input.metrics.map((m) => `| ${t.arm} | ${m.head} | ${seeds.map((s) => (Number.isFinite(t.perSeed[m.key][s]) ? t.perSeed[m.key][s].toFixed(3) : 'n/a')).join(' | ')} |`)), '',
    '## Claims', '',
    ...input.claims.map((c) => `- ${c.claim}: **${c.held === null ? 'undecided' : c.held ? 'held' : 'did not hold'}** (${c.evidence})`), '',
  ];
  for (const p of input.perRound) {
    const svg = lineChart(perRoundSeries(input.dialogues, input.arms, p.of), { title: p.title, xLabel: 'round', yLabel: p.yLabel });
    writeFileAtomic(join(out, 'plots', p.file), svg);
    lines.push(`![${p.title}](plots/${p.file})`, '');
  }
  lines.push(...input.sections);
  const md = lines.join('\n');
  writeFileAtomic(join(out, 'report.md'), `${md}\n`);
  writeFileAtomic(join(out, 'results.json'), `${JSON.stringify({ method: input.method, seeds, tables, claims: input.claims, dialogues: input.dialogues, ...input.extra }, null, 1)}\n`);
  return md;
}
