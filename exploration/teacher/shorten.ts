/**
 * Plan shortening: the search orders subgoals greedily, so a program can undo and redo work
 * (close the door, open it again to reach the printer, close it again). Dropping blocks of
 * one to three steps while the program still executes and reaches the goal (checked by
 * executing it, NL grounding included) removes such detours. For the teacher this matters
 * twice: shorter demonstrations, and a corrector whose first action does not flip back and
 * forth between replans.
 */
import type { Compat } from '../../env/executor.ts';
import { goalMet, type GoalPredicate } from '../../env/goal.ts';
import type { SceneGraph } from '../../env/graph.ts';
import type { ScriptLine } from '../../env/script-types.ts';
import type { NLStart } from './nl-grounding.ts';
import { PlanningSim } from './sim.ts';

export interface ShortenContext {
  graph: SceneGraph;
  goal: readonly GoalPredicate[];
  compat: Compat;
  bound: readonly number[];
  nl?: NLStart;
  /** Stop trying after this many program executions. */
  maxChecks?: number;
}

/**
 * Opening a door is kept even where v1 would let the character pass a closed door (walking to
 * the nearest closed door puts it in the door's room): a teacher should not demonstrate that
 * quirk.
 */
function keep(graph: SceneGraph, l: ScriptLine): boolean {
  return l.action === 'OPEN' && graph.out(l.args[0].id, 'BETWEEN').size > 0;
}

/**
 * Walk the program once; at each position try dropping the next 3, 2 or 1 steps by executing
 * the rest from the current prefix state (then rolling back). The simulator state after the
 * prefix is shared by all tries at a position, so a pass costs O(length²) steps.
 * The graph must be at the program's start state; it is left there.
 */
export function shorten(ctx: ShortenContext, lines: readonly ScriptLine[]): ScriptLine[] {
  const g = ctx.graph;
  const start = g.mark();
  const sim = new PlanningSim(g, ctx.compat, ctx.bound, ctx.nl);
  sim.strict = true;
  let cur = lines.slice();
  let checks = 0;
  const max = ctx.maxChecks ?? 300;
  const rest = (from: number): boolean => {
    const m = sim.mark();
    let ok = true;
    for (let j = from; j < cur.length && ok; j++) ok = sim.apply(cur[j].action, cur[j].args.map((a) => a.id));
    ok &&= goalMet(g, ctx.goal);
    sim.rollback(m);
    return ok;
  };
  try {
    for (let i = 0; i < cur.length; i++) {
      for (let size = 3; size >= 1 && checks < max; size--) {
        if (i + size > cur.length || cur.slice(i, i + size).some((l) => keep(g, l))) continue;
        const cand = [...cur.slice(0, i), ...cur.slice(i + size)];
        const saved = cur;
        cur = cand;
        checks++;
        if (rest(i)) size++; // dropped: try the same sizes again at this position
        else cur = saved;
      }
      if (i < cur.length && !sim.apply(cur[i].action, cur[i].args.map((a) => a.id))) {
        return lines.slice(); // cannot happen for a program that executed; keep the original
      }
    }
    return cur;
  } finally {
    g.rollback(start);
  }
}
