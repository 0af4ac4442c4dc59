/**
 * A test oracle for "solvable in principle": a straight-line script built from a generated
 * task's goal predicates (open every door, then move things, then set states, then posture
 * and facing), run through the real executor. It is deliberately simple (it is not the
 * planner and the generator never calls it); a task it cannot solve is reported with the
 * failing line so that a human can judge whether the scene or the oracle is at fault.
 */
import { Executor } from '../../../env/executor.ts';
import { goalMet, type GoalPredicate } from '../../../env/goal.ts';
import { SceneGraph } from '../../../env/graph.ts';
import { parseScriptLine } from '../../../env/script.ts';
import type { Task } from '../../../env/task.ts';

export interface OracleResult { solved: boolean; script: string[]; failure?: string }

export function solveByGoal(task: Task): OracleResult {
  const g = SceneGraph.fromJSON(task.scene);
  const ex = new Executor(g);
  const c = ex.character;
  const script: string[] = [];
  let failure: string | undefined;
  const run = (action: string, ...ids: number[]): boolean => {
    const text = `[${action}] ${ids.map((id) => `<${g.node(id).className}> (${id})`).join(' ')}`;
    const parsed = parseScriptLine(text, script.length + 1);
    if (!parsed.ok) throw new Error(`oracle wrote an unparsable line: ${text}`);
    const r = ex.executeLine(parsed.line);
    if (r.ok) script.push(text);
    else failure ??= r.failure?.message;
    return r.ok;
  };
  const id = (ref: GoalPredicate['kind'] extends never ? never : number | { class: string }): number => {
    if (typeof ref === 'number') return ref;
    const ids = g.byClassName(ref.class);
    if (ids.length === 0) throw new Error(`no ${ref.class}`);
    return ids[0];
  };
  const insideClosedHost = (o: number): number | undefined => {
    for (const x of g.out(o, 'INSIDE')) if (g.get(x)?.category !== 'Rooms' && g.hasState(x, 'CLOSED')) return x;
    return undefined;
  };

  // 1. Open every door we can reach, until no more open.
  for (let round = 0; round < 10; round++) {
    let progress = false;
    for (const d of g.byClassName('door')) {
      if (!g.hasState(d, 'CLOSED')) continue;
      const m = g.mark();
      if (run('WALK', d) && run('OPEN', d)) progress = true;
      else g.rollback(m);
    }
    if (!progress) break;
  }
  failure = undefined;

  const goal = task.goal;
  const moves = goal.filter((p) => p.kind === 'edge' && (p.relation === 'ON' || p.relation === 'INSIDE') && id(p.from) !== c);
  const states = goal.filter((p) => p.kind === 'state' && id(p.node) !== c);
  const postures = goal.filter((p) => p.kind === 'edge' && p.relation === 'ON' && id(p.from) === c);
  const facings = goal.filter((p) => p.kind === 'edge' && p.relation === 'FACING');

  // TurnTo needs its target bound by a Walk first: walk there now, before doors get closed.
  for (const p of facings) if (p.kind === 'edge') run('WALK', id(p.to));

  // 2. Move things.
  for (const p of moves) {
    if (p.kind !== 'edge') continue;
    const o = id(p.from), d = id(p.to);
    run('WALK', o);
    const host = insideClosedHost(o);
    // v1 binds names only through Walk/Run/Find, so walk to the host before opening it.
    if (host !== undefined) { run('WALK', host); run('OPEN', host); }
    run('GRAB', o);
    run('WALK', d);
    if (g.hasState(d, 'CLOSED')) run('OPEN', d);
    run(p.relation === 'ON' ? 'PUTBACK' : 'PUTIN', o, d);
  }
  // 3. States; doors last (closing one may block later walks), switching on after putting in.
  const order = [...states].sort((a, b) => Number(isDoor(a)) - Number(isDoor(b)));
  function isDoor(p: GoalPredicate): boolean { return p.kind === 'state' && g.node(id(p.node)).className === 'door'; }
  for (const p of order) {
    if (p.kind !== 'state') continue;
    const n = id(p.node);
    if (g.hasState(n, p.state)) continue;
    run('WALK', n);
    switch (p.state) {
      case 'ON': if (g.hasState(n, 'PLUGGED_OUT')) run('PLUGIN', n); run('SWITCHON', n); break;
      case 'OFF': run('SWITCHOFF', n); break;
      case 'OPEN': run('OPEN', n); break;
      case 'CLOSED': run('CLOSE', n); break;
      case 'CLEAN': run('WASH', n); break;
      default: failure ??= `oracle cannot reach state ${p.state}`;
    }
  }
  // 4. Posture, then facing.
  for (const p of postures) {
    if (p.kind !== 'edge') continue;
    const seat = id(p.to);
    const lying = goal.some((q) => q.kind === 'state' && q.state === 'LYING');
    run('WALK', seat);
    run(lying ? 'LIE' : 'SIT', seat);
  }
  for (const p of facings) if (p.kind === 'edge' && !g.hasEdge(c, 'FACING', id(p.to))) run('TURNTO', id(p.to));

  const solved = goalMet(g, goal);
  return { solved, script, failure: solved ? undefined : failure ?? 'goal not met' };
}
