/**
 * RISE's subtle errors on household plans (spec §B, item 7): an expert step is edited with one
 * predefined error type and the edit is kept only if the simulator shows it fails (the edited
 * action does not execute, or the expert's remaining steps after it no longer reach the goal):
 *   skip            drop the step (a precondition such as `Open fridge`, or a swap of two steps):
 *                   the next expert step is done in its place
 *   wrong-object    the step's (first) object replaced by another object of the same plan
 *   wrong-container the target of a two-object step (put in/on, pour into) replaced by another
 *                   target seen in any expert plan
 * Where the authors prompt the policy to make the edit, the harness edits by rule (a
 * reconstruction: our small model cannot follow edit instructions). A pair is (prompt of the
 * expert prefix, expert step, edited step), with per-token weights that emphasise the tokens
 * where the two differ (`editWeights`).
 */
import { parseNLAction, renderNLAction } from '../../env/nl.ts';
import type { Task } from '../../env/task.ts';
import { planningPrompt, type PromptOptions } from '../../alignment/datasets/prompts.ts';
import { mixSeed, mulberry32, shuffled } from '../../alignment/datasets/rng.ts';
import type { PreferencePair } from '../../alignment/preference.ts';
import type { EpisodeFactory } from '../../exploration/env-adapter.ts';
import { forkAfter } from '../../exploration/env-adapter.ts';
import type { ExpertTrajectory } from '../../exploration/expert.ts';

export type EditKind = 'skip' | 'wrong-object' | 'wrong-container';
export const EDIT_KINDS: readonly EditKind[] = ['skip', 'wrong-object', 'wrong-container'];

export interface EditedPair extends PreferencePair { taskId: string; step: number; edit: EditKind }

/** The edited step of `kind` at step k of `actions` (null where the kind does not apply). */
export function editStep(actions: readonly string[], k: number, kind: EditKind, targets: readonly string[], pick: (n: number) => number): string | null {
  if (kind === 'skip') return k + 1 < actions.length && actions[k + 1] !== actions[k] ? actions[k + 1] : null;
  const p = parseNLAction(actions[k]);
  if (!p.matched || p.names.length === 0) return null;
  if (kind === 'wrong-object') {
    const others = [...new Set(actions.flatMap((a) => parseNLAction(a).names))].filter((n) => n !== p.names[0] && !p.names.includes(n));
    if (!others.length) return null;
    return renderNLAction(p.verb, [others[pick(others.length)], ...p.names.slice(1)]);
  }
  if (p.names.length !== 2) return null;
  const others = targets.filter((t) => t !== p.names[1] && t !== p.names[0]);
  if (!others.length) return null;
  return renderNLAction(p.verb, [p.names[0], others[pick(others.length)]]);
}

/** Whether replacing step k by `edited` fails in the simulator (does not execute, or the goal is no longer reached). */
export function editFails(factory: EpisodeFactory, task: Task, seed: number, actions: readonly string[], k: number, edited: string, kind: EditKind): boolean {
  const { episode } = forkAfter(factory, task, { seed, maxSteps: actions.length + 4 }, actions.slice(0, k));
  const out = episode.step(edited);
  if (!out.ok) return true;
  let goal = out.goal;
  for (const a of actions.slice(kind === 'skip' ? k + 2 : k + 1)) {
    const r = episode.step(a);
    if (!r.ok) return true;
    goal = r.goal;
  }
  return !(goal.total > 0 && goal.satisfied === goal.total);
}

/** Verified subtle-error pairs of expert trajectories: at most `perTask` per task, seeded. */
export function subtleErrorPairs(trajectories: readonly ExpertTrajectory[], factory: EpisodeFactory, o: { seed: number; prompt: PromptOptions; perTask?: number }): EditedPair[] {
  const targets = [...new Set(trajectories.flatMap((tr) => tr.steps.map((s) => parseNLAction(s.action)).filter((p) => p.matched && p.names.length === 2).map((p) => p.names[1])))].sort();
  const out: EditedPair[] = [];
  trajectories.forEach((tr, ti) => {
    const rng = mulberry32(mixSeed(o.seed, 'rise', ti));
    const actions = tr.steps.map((s) => s.action);
    const slots = shuffled(actions.flatMap((_, k) => EDIT_KINDS.map((kind) => ({ k, kind }))), rng);
    let n = 0;
    for (const { k, kind } of slots) {
      if (n >= (o.perTask ?? 1)) break;
      const edited = editStep(actions, k, kind, targets, (m) => rng.int(m));
      if (!edited || edited === actions[k] || !editFails(factory, tr.task, o.seed, actions, k, edited, kind)) continue;
      out.push({ taskId: tr.task.id, step: k, edit: kind, prompt: planningPrompt(tr.task, tr.steps.slice(0, k), o.prompt), chosen: actions[k], rejected: edited });
      n++;
    }
  });
  return out;
}

/**
 * Per-token weights of two token sequences: `w` on the tokens between their common prefix and
 * common suffix (the edit), 1 elsewhere. RISE's "focus on the error tokens" [unverified form].
 */
export function editWeights(a: readonly number[], b: readonly number[], w: number): { a: number[]; b: number[] } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const weigh = (x: readonly number[]) => x.map((_, i) => (i >= p && i < x.length - s ? w : 1));
  return { a: weigh(a), b: weigh(b) };
}
