/**
 * Hearth's planner on an EAI task, one-shot: the symbolic planner on the task's node and edge
 * goals from the initial graph, then each action goal (TOUCH, WATCH, ...) appended or inserted
 * where it executes, written as EAI's output JSON (`hearth eai run --agent planner`, and
 * suites' `planner` agents with `eaiGoals: true`).
 */
import { Executor } from '../../env/executor.ts';
import type { GoalPredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Relation, State } from '../../env/vocabulary.ts';
import { planTask } from '../../exploration/teacher/planner.ts';
import type { EaiData, EaiTask } from './data.ts';
import { CORRECTED_ACTIONS, goalsHold, taskContext } from './evaluate.ts';

/** The planner's one-shot plan for a task, as EAI's output JSON text (duplicate keys kept). */
export function plannerOutput(data: EaiData, task: EaiTask): string {
  const p = data.program(task.id);
  const goal: GoalPredicate[] = [
    ...task.nodeGoals.map((g): GoalPredicate => ({ kind: 'state', node: g.id, state: g.state as State })),
    ...task.edgeGoals.map((g): GoalPredicate => ({ kind: 'edge', from: g.from_id, relation: g.relation_type as Relation, to: g.to_id })),
  ];
  const r = planTask({ id: `eai/${task.id}`, title: task.taskName, description: p.description, split: 'train', scene: p.init, goal });
  const steps: Array<{ action: string; args: Array<{ name: string; id: number }> }> = r.steps.map((s) => ({ action: s.line.action, args: s.line.args.map((a) => ({ name: a.name, id: a.id })) }));
  // Action goals (TOUCH, TYPE, WATCH, ...) are not states: append, in order, the first option
  // that executes after the plan on one of the task's objects (walking to it first if needed).
  const graph = SceneGraph.fromJSON(p.init, { lenient: true });
  const ex = new Executor(graph, { resolveById: true });
  const exec = (s: { action: string; args: Array<{ name: string; id: number }> }, i: number) =>
    ex.executeLine({ action: s.action, args: s.args, index: i, text: `[${s.action}]` }).ok;
  const start = ex.mark();
  steps.forEach((s, i) => exec(s, i + 1));
  const objects = [...new Set([...task.nodeGoals.map((g) => g.id), ...task.edgeGoals.flatMap((g) => [g.from_id, g.to_id]),
    ...steps.flatMap((s) => s.args.map((a) => a.id)), ...taskContext(data, task).relevant.values(),
    // then the objects the dataset's preparation added for this program (ids from 1000), which
    // the prompt may omit (the water a POUR goal needs is unchanged by the plan, so unlisted)
    ...p.init.nodes.map((n) => n.id).filter((id) => id >= 1000)])]
    // not the character, and not a room (EAI never counts the character close to a room)
    .filter((id) => graph.has(id) && graph.node(id).className !== 'character' && graph.node(id).category !== 'Rooms');
  type S = { action: string; args: Array<{ name: string; id: number }> };
  const arg = (id: number) => ({ name: graph.node(id).className, id });
  const INVERSE: Record<string, string> = { SWITCHOFF: 'SWITCHON', SWITCHON: 'SWITCHOFF', CLOSE: 'OPEN', OPEN: 'CLOSE', PLUGOUT: 'PLUGIN', PLUGIN: 'PLUGOUT' };
  const candidates = function* (action: string): Generator<S[]> {
    const n = CORRECTED_ACTIONS[action];
    if (n === 0) { yield [{ action, args: [] }]; return; }
    if (n === 1) {
      for (const id of objects) yield [{ action, args: [arg(id)] }];
      for (const id of objects) yield [{ action: 'WALK', args: [arg(id)] }, { action, args: [arg(id)] }];
      const inv = INVERSE[action];
      if (inv) for (const id of objects) yield [{ action: 'WALK', args: [arg(id)] }, { action: inv, args: [arg(id)] }, { action, args: [arg(id)] }];
      return;
    }
    for (const a of objects) {
      for (const b of objects) {
        if (a === b) continue;
        yield [{ action, args: [arg(a), arg(b)] }];
        yield [{ action: 'WALK', args: [arg(a)] }, { action: 'GRAB', args: [arg(a)] }, { action, args: [arg(a), arg(b)] }];
        yield [{ action: 'WALK', args: [arg(a)] }, { action: 'GRAB', args: [arg(a)] }, { action: 'WALK', args: [arg(b)] }, { action, args: [arg(a), arg(b)] }];
      }
    }
  };
  const goalsHeld = goalsHold(graph, task.nodeGoals, task.edgeGoals);
  for (const group of [...new Set(task.actionGoals)]) {
    let done = false;
    for (const action of group.split('|').map((a) => a.trim().toUpperCase())) {
      if (!Object.hasOwn(CORRECTED_ACTIONS, action)) continue;
      for (const seq of candidates(action)) {
        const mark = ex.mark();
        // The appended steps must execute and keep the goals the plan reached.
        if (seq.every((s, i) => exec(s, steps.length + i + 1)) && (!goalsHeld || goalsHold(graph, task.nodeGoals, task.edgeGoals))) {
          steps.push(...seq); done = true; break;
        }
        ex.rollback(mark);
      }
      if (done) break;
      // Else insert it earlier (POUR water into the coffee maker before the plan closes it):
      // replay the whole program with the steps inserted, latest position first.
      const end = ex.mark();
      ex.rollback(start);
      outer: for (let at = steps.length - 1; at >= 0 && !done; at--) {
        for (const seq of candidates(action)) {
          const trial = [...steps.slice(0, at), ...seq, ...steps.slice(at)];
          if (trial.every((s, i) => exec(s, i + 1)) && (!goalsHeld || goalsHold(graph, task.nodeGoals, task.edgeGoals))) {
            steps.splice(at, 0, ...seq); done = true; break outer;
          }
          ex.rollback(start);
        }
      }
      if (!done) steps.forEach((s, i) => exec(s, i + 1));
      void end;
      if (done) break;
    }
  }
  // No goal to reach (the annotation has none): one step that executes, since EAI wants a non-empty plan.
  if (steps.length === 0) {
    for (const seq of [[{ action: 'STANDUP', args: [] }], ...objects.map((id) => [{ action: 'WALK', args: [arg(id)] }])] as S[][]) {
      const mark = ex.mark();
      if (seq.every((s, i) => exec(s, i + 1))) { steps.push(...seq); break; }
      ex.rollback(mark);
    }
  }
  if (steps.length === 0) return '{}';
  return `{\n${steps.map((s) => `  ${JSON.stringify(s.action)}: ${JSON.stringify(s.args.flatMap((a) => [a.name, String(a.id)]))}`).join(',\n')}\n}`;
}
