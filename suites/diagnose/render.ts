/**
 * The diagnosis as Markdown tables (for `hearth e2cl diagnose` and the report's section), as
 * flat JSON (`--json`), and as an inline-SVG chart: per model and split, the share of failed
 * steps readable from the prompt, from affordances, and hidden, beside the per-proposal
 * feedback accuracy of the model and of the prompt-only rules.
 */
import { barChart } from '../svg.ts';
import { accuracy, type Confusion, type Diagnosis, precision, recall } from './analyse.ts';

const pct = (x: number): string => (Number.isFinite(x) ? (x * 100).toFixed(1) : '–');
const share = (n: number, d: number): string => (d ? pct(n / d) : '–');
const conf = (c: Confusion): string => `${pct(accuracy(c))} | ${pct(precision(c))} | ${pct(recall(c))}`;

export function diagnosisMarkdown(d: Diagnosis, options: { topCauses?: number } = {}): string {
  const out: string[] = [];
  out.push(`Replayed ${d.replay.episodes} episodes (${d.replay.steps} steps) in the simulator: ${d.replay.mismatches} outcomes differ from the recorded ones.`, '');

  out.push('### Failed steps: readable from the prompt?', '',
    'A failure is *readable from the prompt* when the prompt-only rules flag the action from the text the agent had; *from affordances* when only the catalogue\'s properties of the named object say it cannot take the action; else *hidden* (a closed door on the way, several instances in different states, an observation cut short).', '',
    '| Model | Split | Mode | Steps | Failed | Prompt | Affordance | Hidden |', '|---|---|---|---|---|---|---|---|');
  for (const r of d.readability) {
    out.push(`| ${r.model} | ${r.split} | ${r.mode} | ${r.steps} | ${r.failed} (${share(r.failed, r.steps)}%) | ${share(r.prompt, r.failed)}% | ${share(r.affordance, r.failed)}% | ${share(r.hidden, r.failed)}% |`);
  }
  out.push('');

  out.push('### Self-feedback per proposal, and the prompt-only rule baseline', '',
    'Judged on every proposal of speculative inference (the action the model proposed, before a correction replaced it) against what that proposal does in the simulator. *executed* is the older per-executed-action measure. Acc = accuracy, P / R = precision / recall of `Error`, in %.', '',
    '| Model | Split | Proposals | Gate acc | Gate P | Gate R | Rules acc | Rules P | Rules R | Rules+aff. acc | P | R | Per executed action: acc | P | R | Unknown |',
    `|${'---|'.repeat(16)}`);
  for (const g of d.gate) {
    out.push(`| ${g.model} | ${g.split} | ${g.proposals.n} | ${conf(g.proposals)} | ${conf(g.rules)} | ${conf(g.rulesAffordance)} | ${conf(g.executed)} | ${g.unknown} |`);
  }
  out.push('');

  out.push('### Corrections', '',
    '| Model | Split | Corrections used | Ran | Repeat the step before | Repeating corrections proposed | Refused | Walks | Replaced a proposal that would have run | Successes lost vs plain | Gained |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of d.corrections) {
    out.push(`| ${c.model} | ${c.split} | ${c.corrections} | ${share(c.correctionsOk, c.corrections)}% | ${c.repeatPrevious} (${share(c.repeatPrevious, c.corrections)}%) | ${c.proposedRepeats} | ${c.refused} | ${c.walks} | ${c.replacedGood} | ${c.lostSuccesses} | ${c.gainedSuccesses} |`);
  }
  out.push('');

  if (d.familiarity) {
    out.push('### Familiar vs novel objects', '',
      'A task is *familiar* when every object its expert program names occurs in a training expert program, *novel* otherwise.', '',
      '| Model | Split | Mode | Group | N | Success | Step exec |', '|---|---|---|---|---|---|---|');
    for (const g of d.groups) out.push(`| ${g.model} | ${g.split} | ${g.mode} | ${g.group} | ${g.episodes} | ${share(g.success, g.episodes)} | ${share(g.okSteps, g.steps)} |`);
    out.push('');
  }

  const top = options.topCauses ?? 8;
  out.push(`### Failures by code and cause (top ${top} per model, split and mode)`, '', '| Model | Split | Mode | Cause | Readable | Count |', '|---|---|---|---|---|---|');
  const cells = new Map<string, number>();
  for (const f of d.failures) {
    const k = `${f.model}|${f.split}|${f.mode}`;
    const n = cells.get(k) ?? 0;
    if (n >= top) continue;
    cells.set(k, n + 1);
    out.push(`| ${f.model} | ${f.split} | ${f.mode} | ${f.cause} | ${f.readable} | ${f.count} |`);
  }
  out.push('');
  return out.join('\n');
}

/** One chart: failure readability shares and per-proposal feedback accuracy (model vs rules), unseen split first. */
export function diagnosisChart(d: Diagnosis, split = 'unseen'): string {
  const groups = d.readability.filter((r) => r.split === split && r.mode === 'speculative').map((r) => {
    const g = d.gate.find((x) => x.model === r.model && x.split === split);
    return {
      label: r.model,
      bars: [
        { name: 'failures readable from prompt', value: r.failed ? r.prompt / r.failed : NaN },
        { name: '… or from affordances', value: r.failed ? (r.prompt + r.affordance) / r.failed : NaN },
        { name: 'feedback acc. (model, per proposal)', value: g ? accuracy(g.proposals) : NaN },
        { name: 'feedback acc. (prompt-only rules)', value: g ? accuracy(g.rules) : NaN },
      ],
    };
  });
  return barChart(groups, { title: `Diagnosis (${split}, with speculative inference)`, yLabel: 'share', width: 760 });
}

/** Flat JSON: the diagnosis plus each confusion's rates. */
export function diagnosisJson(d: Diagnosis): Record<string, unknown> {
  const rates = (c: Confusion) => ({ ...c, accuracy: accuracy(c), precision: precision(c), recall: recall(c) });
  const nan = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const clean = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, nan(v)]));
  return {
    ...d,
    gate: d.gate.map((g) => ({
      ...g, proposals: clean(rates(g.proposals)), rules: clean(rates(g.rules)),
      rulesAffordance: clean(rates(g.rulesAffordance)), executed: clean(rates(g.executed)),
    })),
  };
}
