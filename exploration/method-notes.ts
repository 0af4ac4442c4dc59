/**
 * Report lines about the method (issue 13): the recipe's training/exploration/inference
 * choices that are not the paper's defaults, and the run's method figures (method-stats.ts).
 */
import type { MethodSummary, Recipe } from './pipeline.ts';
import type { GateScores } from './method-stats.ts';

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

function scores(s: GateScores): string {
  return `accuracy ${pct(s.accuracy)}, Error recall ${pct(s.errorRecall)} (${s.truePositive}/${s.failing}), precision ${pct(s.errorPrecision)} (n=${s.n})`;
}

function mix(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? e.map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ') : 'none';
}

export function methodRecipeNotes(r: Recipe): string[] {
  return [
    `Method settings: learning rate ${r.continueSchedule ? 'one schedule: bc-init warms up and decays over its own steps plus bc\'s fine-tune, and every fine-tune continues bc-init\'s optimizer from the learning rate it stopped at (no warm-up, no restart at the peak)' : 'each fine-tune warms up to the peak again'}; ${r.lengthGroups ? `batches grouped by length in ${r.lengthBy === 'tokens' ? 'model tokens' : 'characters'} (groups of ${r.lengthGroups} batches)` : 'batches in shuffled order'}; feedback decoded with up to ${r.feedbackTokens} tokens (whole targets); teacher-free: ${r.teacherFree.greedyEpisodes ?? 0} greedy episode(s) per task, the rest at T=${r.teacherFree.temperature}; speculative correction guard: ${r.correctionGuard ?? 'none'}${r.correctionGuard === 'no-repeat' ? ' (a correction repeating the proposal or the previous action is refused and the proposal executed)' : ' (the paper\'s loop)'}${(r.correctionAttempts ?? 1) > 1 ? `; up to ${r.correctionAttempts} corrections per step (greedy, then seeded samples; the paper tries one)` : ''}${r.replanOnFailure ? '; after a failed step the next comes from the correction prompt with the environment\'s real feedback, once per failure (not in the paper)' : ''}${r.heldOutShare ? `; exploration records of ${(r.heldOutShare * 100).toFixed(0)}% of the training tasks held out of every mix to score feedback on unseen steps` : ''}.`,
  ];
}

export function methodNotes(m: MethodSummary | undefined): string[] {
  if (!m) return [];
  const out: string[] = [];
  out.push(`Error-type mix (failure codes): exploration teacher-guided ${mix(m.errorMix.exploration['teacher-guided'] ?? {})}; teacher-free ${mix(m.errorMix.exploration['teacher-free'] ?? {})}; evaluation (unseen, plain) ${Object.entries(m.errorMix.evaluation).map(([k, v]) => `${k}: ${mix(v)}`).join('; ')}.`);
  for (const [name, s] of Object.entries(m.speculative)) {
    const c = s.corrections;
    if (!s.gate.n) continue;
    out.push(`Speculative ${name} (unseen), gate per proposal: ${scores(s.gate)}; corrections decoded ${c.corrections}, used ${c.used} (fixed a failing proposal ${c.fixed}, replaced a good one ${c.replacedGood}), refused by the guard ${c.refused}, repeating the proposal ${c.repeatsProposal} / the previous action ${c.repeatsPrevious} (repeat rate ${pct(c.repeatRate)}).`);
  }
  for (const [name, f] of Object.entries(m.feedback)) {
    out.push(`Feedback of ${name} on held-out tasks' exploration steps: ${scores(f.heldOut)}; on as many of its training feedback records: ${scores(f.train)}.`);
  }
  const g = m.guardAblation;
  if (g) {
    const row = (x: NonNullable<typeof g>['paper']): string => `success ${pct(x.successRate)}, step exec ${pct(x.stepExecutability)}, corrections used ${x.corrections.used} (fixed ${x.corrections.fixed}, replaced a good action ${x.corrections.replacedGood}), repeat rate ${pct(x.corrections.repeatRate)}`;
    out.push(`e2cl + spec on unseen tasks, the paper's loop exactly: ${row(g.paper)}; with the correction guard: ${row(g.guarded)}.`);
  }
  out.push(`Feedback decode budget: ${m.feedbackBudget.maxTokens} tokens; the longest feedback target needs ${m.feedbackBudget.longest || 'unknown'}.`);
  return out;
}
