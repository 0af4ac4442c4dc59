/**
 * A round's judgement, computed from the simulator only: whether the instruction is done in the
 * state the round left, and which of the user's preferences the round violated (a placement
 * over the final state, a forbidden action over the round's executed lines, an opened thing left
 * open). The simulated user's reactions are rendered from this, so what the user says and what
 * the metrics count cannot disagree.
 */
import type { StepOutcome } from '../env/episode.ts';
import type { SceneGraph } from '../env/graph.ts';
import type { Instruction } from './instructions.ts';
import { PLACEMENT_OPTIONS, type Preference } from './preferences.ts';
import { CHARACTER, nodeOf, placeOf } from './scene.ts';

export interface RoundJudgement {
  /** The instruction's effect holds in the state at the end of the round. */
  done: boolean;
  /** Ids of the profile's preferences the round violated (catalogue order of the profile). */
  violations: string[];
  /** done and nothing violated. */
  satisfied: boolean;
}

const held = (g: SceneGraph, id: number): boolean => g.hasEdge(CHARACTER, 'HOLDS_RH', id) || g.hasEdge(CHARACTER, 'HOLDS_LH', id);

/** Whether the instruction's effect holds in `graph` now. */
export function instructionDone(i: Instruction, graph: SceneGraph): boolean {
  if (i.kind === 'cosy') return graph.byClassName('sofa').some((s) => graph.hasEdge(CHARACTER, 'ON', s));
  const id = nodeOf(graph, i.object);
  if (held(graph, id)) return false;
  const at = placeOf(graph, id);
  return at !== null && PLACEMENT_OPTIONS[i.object].some((p) => p.relation === at.relation && p.target === at.target);
}

/** Whether one preference was violated by this round. `before`: the state when the agent's turn began. */
export function violated(p: Preference, i: Instruction, before: SceneGraph, graph: SceneGraph, steps: readonly StepOutcome[]): boolean {
  switch (p.kind) {
    case 'placement': {
      // Judged on the thing this round was about, once it is put somewhere it may go.
      if (i.kind !== 'put_away' || i.object !== p.object || !instructionDone(i, graph)) return false;
      const at = placeOf(graph, nodeOf(graph, p.object))!;
      return at.relation !== p.place.relation || at.target !== p.place.target;
    }
    case 'forbid': {
      const re = new RegExp(`^\\[${p.verb}\\] <${p.object}> `);
      return steps.some((s) => s.ok && s.script !== undefined && re.test(s.script));
    }
    case 'close_opened': {
      for (const id of graph.ids()) {
        if (!graph.hasProperty(id, 'CAN_OPEN') || graph.node(id).category === 'Doors') continue;
        if (graph.node(id).states.has('OPEN') && !before.node(id).states.has('OPEN')) return true;
      }
      return false;
    }
  }
}

export function judgeRound(i: Instruction, prefs: readonly Preference[], before: SceneGraph, graph: SceneGraph, steps: readonly StepOutcome[]): RoundJudgement {
  const done = instructionDone(i, graph);
  const violations = prefs.filter((p) => violated(p, i, before, graph, steps)).map((p) => p.id);
  return { done, violations, satisfied: done && violations.length === 0 };
}
