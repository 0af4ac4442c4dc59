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

/** Whether `lines` execute from the graph's current state and reach the goal (graph restored). */
function works(ctx: ShortenContext, lines: readonly ScriptLine[]): boolean {
  const m = ctx.graph.mark();
  try {
    const sim = new PlanningSim(ctx.graph, ctx.compat, ctx.bound, ctx.nl);
    sim.strict = true;
    for (const l of lines) if (!sim.apply(l.action, l.args.map((a) => a.id))) return false;
    return goalMet(ctx.graph, ctx.goal);
  } finally {
    ctx.graph.rollback(m);
  }
}

/**
 * Opening a door is kept even where v1 would let the character pass a closed door (walking to
 * the nearest closed door puts it in the door's room): a teacher should not demonstrate that
 * quirk.
 */
function keep(ctx: ShortenContext, l: ScriptLine): boolean {
  return l.action === 'OPEN' && ctx.graph.out(l.args[0].id, 'BETWEEN').size > 0;
}

export function shorten(ctx: ShortenContext, lines: readonly ScriptLine[]): ScriptLine[] {
  let cur = lines.slice();
  let checks = 0;
  const max = ctx.maxChecks ?? 400;
  for (let size = 3; size >= 1; size--) {
    for (let i = 0; i + size <= cur.length && checks < max;) {
      if (cur.slice(i, i + size).some((l) => keep(ctx, l))) { i++; continue; }
      const cand = [...cur.slice(0, i), ...cur.slice(i + size)];
      checks++;
      if (works(ctx, cand)) cur = cand; else i++;
    }
  }
  return cur;
}
