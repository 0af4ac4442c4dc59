/**
 * The diagnosis of replayed evaluation episodes (issue 13 item 1), per model, split and mode
 * (plain / speculative):
 * - failures by code and cause (the failed precondition's name: `missing_step: close`), and
 *   for each whether it is readable from the prompt (the prompt-only rules flag it), from
 *   affordances (the catalogue says the object cannot take the action) or hidden;
 * - the speculative gate judged per proposal (the action the model proposed, before any
 *   correction replaced it) against what the proposal would have done, beside the rule
 *   baseline on the same proposals;
 * - corrections: how many, how many repeat the step just executed, how many are walks, and
 *   paired flips of episode success against the same checkpoint without speculation;
 * - success and step executability on tasks whose objects all occur in training experts
 *   (familiar) vs tasks with a novel object.
 */
import { parseNLAction } from '../../env/nl.ts';
import { affordanceRule, parseFeedbackPrompt, promptRule } from './rules.ts';
import type { ReplayedAction, ReplayedEpisode } from './replay.ts';

export type Readability = 'prompt' | 'affordance' | 'hidden';

export interface CellKey { model: string; split: string; mode: 'plain' | 'speculative' }

export interface FailureRow extends CellKey { code: string; cause: string; readable: Readability; count: number }

export interface ReadabilityRow extends CellKey { steps: number; failed: number; prompt: number; affordance: number; hidden: number }

/** Binary prediction counts of `Error` against real failure. */
export interface Confusion { n: number; tp: number; fp: number; fn: number; tn: number }

export interface GateRow extends CellKey {
  /** Per proposal: the model's gate (proposals whose gate and outcome are known). */
  proposals: Confusion;
  /** The same proposals, prompt-only rules. */
  rules: Confusion;
  /** The same proposals, prompt-only rules or the affordance check. */
  rulesAffordance: Confusion;
  /** Per executed action (the old metric, for comparison): the prediction recorded for the executed action. */
  executed: Confusion;
  /** Steps whose proposal could not be known (older runs did not record it). */
  unknown: number;
}

export interface CorrectionRow extends CellKey {
  corrections: number;
  correctionsOk: number;
  /** Corrections equal to the action executed at the step before. */
  repeatPrevious: number;
  /** Corrections the model proposed that repeat its proposal or the previous action, used or not (runs that record it). */
  proposedRepeats: number;
  /** Of those, refused by a correction guard. */
  refused: number;
  walks: number;
  /** Episodes successful without speculation and failed with it (same checkpoint, same task), and the reverse. */
  lostSuccesses: number;
  gainedSuccesses: number;
  /** Replaced proposals that would have run (the correction threw away a good action). */
  replacedGood: number;
}

export interface GroupRow extends CellKey { group: 'familiar' | 'novel'; episodes: number; success: number; steps: number; okSteps: number }

export interface Diagnosis {
  replay: { episodes: number; steps: number; mismatches: number };
  failures: FailureRow[];
  readability: ReadabilityRow[];
  gate: GateRow[];
  corrections: CorrectionRow[];
  groups: GroupRow[];
  /** Whether the familiar/novel split was possible (the run's training experts were found). */
  familiarity: boolean;
}

export interface ModelEpisodes { model: string; episodes: readonly ReplayedEpisode[] }

const empty = (): Confusion => ({ n: 0, tp: 0, fp: 0, fn: 0, tn: 0 });
function add(c: Confusion, predictedError: boolean, failed: boolean): void {
  c.n++;
  if (predictedError && failed) c.tp++;
  else if (predictedError) c.fp++;
  else if (failed) c.fn++;
  else c.tn++;
}

export function accuracy(c: Confusion): number { return c.n ? (c.tp + c.tn) / c.n : NaN; }
export function precision(c: Confusion): number { return c.tp + c.fp ? c.tp / (c.tp + c.fp) : NaN; }
export function recall(c: Confusion): number { return c.tp + c.fn ? c.tp / (c.tp + c.fn) : NaN; }

/** `missing_step: close`: the code and the name of the failed precondition (`close(character, tv)` → `close`). */
export function causeOf(f: { code: string; predicate: string }): string {
  const head = /^(not )?[A-Za-z_]+/.exec(f.predicate)?.[0] ?? '';
  return head ? `${f.code}: ${head}` : f.code;
}

export function readabilityOf(a: ReplayedAction): Readability {
  if (promptRule(parseFeedbackPrompt(a.prompt)) !== null) return 'prompt';
  if (affordanceRule(a.action) === true) return 'affordance';
  return 'hidden';
}

/** The object names an NL program mentions (`Put cup in fridge` → cup, fridge). */
export function objectNames(actions: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const a of actions) {
    const p = parseNLAction(a);
    if (p.matched) for (const n of p.names) out.add(n.toLowerCase());
  }
  return out;
}

/** Familiar when every object the task's expert program names occurs in some training expert program. */
export function isFamiliar(expert: readonly string[], trainingNames: ReadonlySet<string>): boolean {
  for (const n of objectNames(expert)) if (!trainingNames.has(n)) return false;
  return true;
}

function bump<K extends object>(map: Map<string, K>, key: string, make: () => K): K {
  let v = map.get(key);
  if (!v) map.set(key, (v = make()));
  return v;
}

export function diagnose(models: readonly ModelEpisodes[], trainingNames?: ReadonlySet<string>): Diagnosis {
  const failures = new Map<string, FailureRow>();
  const readability = new Map<string, ReadabilityRow>();
  const gate = new Map<string, GateRow>();
  const corrections = new Map<string, CorrectionRow>();
  const groups = new Map<string, GroupRow>();
  let steps = 0, mismatches = 0, episodes = 0;

  for (const { model, episodes: eps } of models) {
    for (const r of eps) {
      episodes++;
      mismatches += r.mismatches;
      const ep = r.episode;
      const cell: CellKey = { model, split: ep.split, mode: ep.speculative ? 'speculative' : 'plain' };
      const ck = `${model}|${cell.split}|${cell.mode}`;
      const rd = bump(readability, ck, () => ({ ...cell, steps: 0, failed: 0, prompt: 0, affordance: 0, hidden: 0 }));
      for (const s of r.steps) {
        steps++;
        rd.steps++;
        const f = s.executed.failure;
        if (f) {
          rd.failed++;
          const readable = readabilityOf(s.executed);
          rd[readable]++;
          const cause = causeOf(f);
          bump(failures, `${ck}|${cause}|${readable}`, () => ({ ...cell, code: f.code, cause, readable, count: 0 })).count++;
        }
      }
      if (trainingNames && ep.expert) {
        const group = isFamiliar(ep.expert, trainingNames) ? 'familiar' : 'novel';
        const g = bump(groups, `${ck}|${group}`, () => ({ ...cell, group, episodes: 0, success: 0, steps: 0, okSteps: 0 }));
        g.episodes++;
        if (ep.success) g.success++;
        g.steps += r.steps.length;
        g.okSteps += r.steps.filter((s) => s.executed.ok).length;
      }
      if (!ep.speculative) continue;
      const gr = bump(gate, ck, () => ({ ...cell, proposals: empty(), rules: empty(), rulesAffordance: empty(), executed: empty(), unknown: 0 }));
      const co = bump(corrections, ck, () => ({ ...cell, corrections: 0, correctionsOk: 0, repeatPrevious: 0, proposedRepeats: 0, refused: 0, walks: 0, lostSuccesses: 0, gainedSuccesses: 0, replacedGood: 0 }));
      r.steps.forEach((s, i) => {
        const predicted = ep.steps[i].predictedFeedback;
        if (ep.steps[i].repeats) co.proposedRepeats++;
        if (ep.steps[i].refused) co.refused++;
        if (typeof predicted === 'string') add(gr.executed, predicted.includes('Error'), !s.executed.ok);
        if (!s.proposal || s.gate === null) { gr.unknown++; return; }
        const failed = !s.proposal.ok;
        add(gr.proposals, s.gate, failed);
        const rule = promptRule(parseFeedbackPrompt(s.proposal.prompt)) !== null;
        add(gr.rules, rule, failed);
        add(gr.rulesAffordance, rule || affordanceRule(s.proposal.action) === true, failed);
        if (s.corrected) {
          co.corrections++;
          if (s.executed.ok) co.correctionsOk++;
          if (i > 0 && s.executed.action === r.steps[i - 1].executed.action) co.repeatPrevious++;
          if (parseNLAction(s.executed.action).verb === 'WALK') co.walks++;
          if (s.proposal.ok) co.replacedGood++;
        }
      });
    }
    // Paired flips: the same checkpoint's plain and speculative episodes on the same tasks (run order).
    for (const split of new Set(eps.map((r) => r.episode.split))) {
      const plain = eps.filter((r) => r.episode.split === split && !r.episode.speculative);
      const spec = eps.filter((r) => r.episode.split === split && r.episode.speculative);
      const co = corrections.get(`${model}|${split}|speculative`);
      if (!co || plain.length !== spec.length) continue;
      plain.forEach((p, i) => {
        if (p.episode.taskId !== spec[i].episode.taskId) return;
        if (p.episode.success && !spec[i].episode.success) co.lostSuccesses++;
        if (!p.episode.success && spec[i].episode.success) co.gainedSuccesses++;
      });
    }
  }
  return {
    replay: { episodes, steps, mismatches },
    failures: [...failures.values()].sort((a, b) => b.count - a.count),
    readability: [...readability.values()],
    gate: [...gate.values()],
    corrections: [...corrections.values()],
    groups: [...groups.values()],
    familiarity: trainingNames !== undefined,
  };
}
