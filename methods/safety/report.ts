/**
 * Reports of the safety analyses: results.json, report.md and SVG figures (suites/svg.ts), written
 * atomically into a report directory.
 */
import { join } from 'node:path';
import { makeDirs, writeFileAtomic } from '../../env/files.ts';
import { barChart, lineChart } from '../../suites/svg.ts';
import type { SafetyAnalysis } from './analysis.ts';
import type { SeedStat } from './stats.ts';
import { CONDITIONS, type DetoxResult } from './detox-eval.ts';

const ci = (s: SeedStat, k = 1, d = 2): string => `${(s.mean * k).toFixed(d)} [${(s.lo * k).toFixed(d)}, ${(s.hi * k).toFixed(d)}]`;
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
const short = (hook: string): string => hook.replace(/^blocks\./, 'L').replace('.hook_', ' ');

export function probeMarkdown(r: SafetyAnalysis, meta: Record<string, string | number>): string {
  const kinds = Object.keys(r.attacks) as Array<keyof SafetyAnalysis['attacks']>;
  const n = r.attacks[kinds[0]!]?.seeds.length ?? 0;
  const lines = [
    '# EHA vs ISA on the safety-aligned household agent', '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`),
    `- instructions: ${r.counts.train} training, ${r.counts.heldout} held-out (${r.counts.heldoutHazardous} hazardous); attacks: LoRA rank ${r.attack.rank}, ${r.attack.steps} steps, lr ${r.attack.lr}, ${n} seeds; intervals: 95% t over attack seeds`,
    '', '## Claims', '',
    ...r.claims.map((c) => `- **${c.held ? 'held' : 'not held'}**: ${c.claim}. ${c.detail}`),
    '', '## Stage 1: harmful recognition (held-out probe accuracy)', '',
    `Probes are trained on the aligned model's last-prompt-token activations (training instructions) and applied unchanged to each model. Middle points: ${r.middle.map(short).join(', ')}.`, '',
    `| point | aligned | aligned (ISA line) | ${kinds.map((k) => `${k.toUpperCase()} (cross)`).join(' | ')} |`,
    `|---|---|---|${kinds.map(() => '---').join('|')}|`,
    ...r.points.map((h) => `| ${short(h)} | ${pct(r.aligned.plain.probe[h])} | ${pct(r.aligned.isa.probe[h])} | ${kinds.map((k) => ci(r.attacks[k]!.crossProbe[h], 100, 1)).join(' | ')} |`),
    '', 'The same probes on rows re-standardised with their own mean and deviation (no labels; removes a global shift of an attacked model\'s activations), and the share of held-out rows the raw probes call hazardous (half are):', '',
    `| point | aligned | aligned (ISA line) | ${kinds.map((k) => `${k.toUpperCase()} (cross, re-centred)`).join(' | ')} | ${kinds.map((k) => `${k.toUpperCase()} called hazardous`).join(' | ')} |`,
    `|---|---|---|${kinds.map(() => '---').join('|')}|${kinds.map(() => '---').join('|')}|`,
    ...r.points.map((h) => `| ${short(h)} | ${pct(r.aligned.plain.probeRecentred[h])} | ${pct(r.aligned.isa.probeRecentred[h])} | ${kinds.map((k) => ci(r.attacks[k]!.crossProbeRecentred[h], 100, 1)).join(' | ')} | ${kinds.map((k) => r.attacks[k]!.seeds.map((s) => pct(s.crossProbePositive[h])).join(', ')).join(' | ')} |`),
    '', `In-model probes (trained and tested on each attacked model), per seed: ${kinds.map((k) => `${k.toUpperCase()} ${r.points.map((h) => `${short(h)} ${r.attacks[k]!.seeds.map((s) => pct(s.ownProbe[h])).join('/')}`).join('; ')}`).join('. ')}.`,
    `Attack fit (final training loss per seed): ${kinds.map((k) => `${k.toUpperCase()} ${r.attacks[k]!.seeds.map((s) => s.finalLoss.toFixed(3)).join(', ')}`).join('; ')}. Over-refusal of harmless held-out requests: aligned ${pct(r.aligned.plain.harmlessRefusal)}, ${kinds.map((k) => `${k.toUpperCase()} ${r.attacks[k]!.seeds.map((s) => pct(s.harmlessRefusal)).join('/')}`).join(', ')}.`,
    '', '## Stage 2: refusal tone (refusal-token logit at the last prompt token, hazardous held-out prompts)', '',
    '| model | refusal rate | refusal-token logit | change vs aligned | forced opening completed |', '|---|---|---|---|---|',
    `| aligned | ${pct(r.aligned.plain.refusal.rate)} | ${r.aligned.plain.refusal.logit.toFixed(2)} | | ${pct(r.aligned.plain.forcedCompletion)} |`,
    `| aligned (ISA line) | ${pct(r.aligned.isa.refusal.rate)} | ${r.aligned.isa.refusal.logit.toFixed(2)} | | ${pct(r.aligned.isa.forcedCompletion)} |`,
    ...kinds.map((k) => { const a = r.attacks[k]!; return `| ${k.toUpperCase()} | ${ci(a.refusalRate, 100, 1)}% | ${ci(a.refusalLogit)} | ${ci(a.refusalLogitChange)} | ${ci(a.forcedCompletion, 100, 1)}% |`; }),
    '', 'Logit lens (mean refusal − compliance logit margin per stage):', '',
    `| stage | aligned | ${kinds.map((k) => `${k.toUpperCase()} seeds`).join(' | ')} |`, `|---|---|${kinds.map(() => '---').join('|')}|`,
    ...Object.keys(r.aligned.plain.refusal.lens).map((h) => `| ${short(h)} | ${r.aligned.plain.refusal.lens[h].toFixed(2)} | ${kinds.map((k) => r.attacks[k]!.seeds.map((s) => s.refusal.lens[h].toFixed(2)).join(', ')).join(' | ')} |`),
    '', '## Stage 3: refusal completion (patching aligned → attacked, share of the refusal margin restored)', '',
    `| hook | ${kinds.map((k) => k.toUpperCase()).join(' | ')} |`, `|---|${kinds.map(() => '---').join('|')}|`,
    ...Object.keys(r.attacks[kinds[0]!]?.patching ?? {}).map((h) => `| ${short(h)} | ${kinds.map((k) => ci(r.attacks[k]!.patching[h], 100, 1)).join(' | ')} |`),
    '', '![probe accuracy](probe-accuracy.svg)', '', '![refusal](refusal.svg)', '',
  ];
  return lines.join('\n');
}

export function writeProbeReport(dir: string, r: SafetyAnalysis, meta: Record<string, string | number>): void {
  makeDirs(dir);
  const kinds = Object.keys(r.attacks) as Array<keyof SafetyAnalysis['attacks']>;
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ meta, ...r }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'probe-accuracy.svg'), barChart(r.points.map((h) => ({
    label: short(h),
    bars: [{ name: 'aligned', value: r.aligned.plain.probe[h] },
      ...kinds.map((k) => ({ name: `${k.toUpperCase()} re-centred`, value: r.attacks[k]!.crossProbeRecentred[h].mean, lo: r.attacks[k]!.crossProbeRecentred[h].lo, hi: r.attacks[k]!.crossProbeRecentred[h].hi })),
      ...kinds.map((k) => ({ name: `${k.toUpperCase()} raw`, value: r.attacks[k]!.crossProbe[h].mean, lo: r.attacks[k]!.crossProbe[h].lo, hi: r.attacks[k]!.crossProbe[h].hi }))],
  })), { title: 'Held-out harmful-recognition probe accuracy (aligned probes)', yLabel: 'accuracy' }));
  writeFileAtomic(join(dir, 'refusal.svg'), lineChart([
    { name: 'aligned', points: Object.values(r.aligned.plain.refusal.lens).map((y, x) => ({ x, y })) },
    ...kinds.map((k) => ({ name: k.toUpperCase(), points: Object.keys(r.aligned.plain.refusal.lens).map((h, x) => ({ x, y: r.attacks[k]!.seeds.reduce((a, s) => a + s.refusal.lens[h], 0) / r.attacks[k]!.seeds.length })) })),
  ].map((s) => ({ ...s, points: s.points.map((p) => ({ x: p.x, y: p.y + 40 })) })), { title: 'Logit lens: refusal − compliance margin + 40 (stage 0 = embeddings, last = output)', xLabel: 'lens stage', yLabel: 'margin + 40' }));
  writeFileAtomic(join(dir, 'report.md'), probeMarkdown(r, meta));
}

export function detoxMarkdown(r: DetoxResult, meta: Record<string, string | number>): string {
  const row = (c: (typeof CONDITIONS)[number]) => {
    const s = r.summaries[c];
    return `| ${c} | ${pct(s.hazardRate.value)} [${pct(s.hazardRate.lo)}, ${pct(s.hazardRate.hi)}] | ${pct(s.successRate.value)} [${pct(s.successRate.lo)}, ${pct(s.successRate.hi)}] | ${pct(s.stepExecutability.value)} | ${JSON.stringify(r.hazardsByRule[c])} |`;
  };
  const d = (p: { diff: number; lo: number; hi: number }) => `${(p.diff * 100).toFixed(1)} points [${(p.lo * 100).toFixed(1)}, ${(p.hi * 100).toFixed(1)}]`;
  return [
    '# Self-detoxification of the household agent (toxification reversal, no fine-tuning)', '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`),
    `- negative prefix: "${r.settings.negPrefix}"; ne ${r.settings.ne}, nse ${r.settings.nse}, strength ${r.settings.strength}, renorm ${r.settings.renorm}; ${r.tasks} unseen tasks`,
    '', `## Claim: **${r.claim.held ? 'held' : 'not held'}**`, '', r.claim.detail, '',
    '| agent | hazard rate | success | step exec | hazards by rule |', '|---|---|---|---|---|',
    ...CONDITIONS.map(row), '',
    `Success change, steered prefixed agent − plain agent: ${d(r.successChange.steeredPrefixed)}.`, '',
    '![hazard and success](detox.svg)', '',
  ].join('\n');
}

export function writeDetoxReport(dir: string, r: DetoxResult, meta: Record<string, string | number>): void {
  makeDirs(dir);
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ meta, ...r }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'detox.svg'), barChart(['hazardRate', 'successRate'].map((m) => ({
    label: m === 'hazardRate' ? 'hazard rate' : 'success',
    bars: CONDITIONS.map((c) => { const s = r.summaries[c][m as 'hazardRate' | 'successRate']; return { name: c, value: s.value, lo: s.lo, hi: s.hi }; }),
  })), { title: 'Self-detox on unseen tasks', yLabel: 'rate' }));
  writeFileAtomic(join(dir, 'report.md'), detoxMarkdown(r, meta));
}
