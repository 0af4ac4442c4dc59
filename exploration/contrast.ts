/**
 * Contrast proposals for teacher-guided exploration (recipe `contrastProposals`, issue 13).
 *
 * Why: the feedback head trained on the agent's own proposals learns which of the training
 * tasks' actions fail, not how to read a failure from the prompt (held-out precision 27–30%
 * while it fits its training records at 86–91%). The failure it most has to catch on unseen
 * tasks is an action on an object the scene does not have, named because the agent met it in
 * other training tasks (`unknown_object`, ~2/3 of unseen failures, most of them readable from
 * the prompt: the name is nowhere in it). A contrast proposal is the expert's next action with
 * one object swapped for an object some training program names (most often another task's):
 * the same prompt then carries a `True` (the expert's action, from the agent's own proposals or the planning
 * records) and a simulator-labelled outcome for the swapped name, which differ only in
 * whether the named object fits what the prompt shows. Labels are never assumed: each
 * contrast proposal is executed in a fork like any other proposal.
 */
import { parseNLAction, renderNLAction } from '../env/nl.ts';
import type { Rng } from '../alignment/datasets/rng.ts';

/** Object names (script form, `food_donut`) that a set of NL actions name, sorted, without repeats. */
export function namesInActions(actions: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const a of actions) {
    const p = parseNLAction(a);
    if (p.matched) for (const n of p.names) out.add(n);
  }
  return [...out].sort();
}

/**
 * `action` with one of its objects (chosen by `rng`) replaced by a name from `pool` that the
 * action does not already name; null for actions without objects, that do not parse, or
 * when the pool has no other name.
 */
export function swapObject(action: string, pool: readonly string[], rng: Rng): string | null {
  const p = parseNLAction(action);
  if (!p.matched || p.names.length === 0) return null;
  const others = pool.filter((n) => !p.names.includes(n));
  if (others.length === 0) return null;
  const slot = rng.int(p.names.length);
  const names = p.names.slice();
  names[slot] = others[rng.int(others.length)];
  return renderNLAction(p.verb, names);
}
