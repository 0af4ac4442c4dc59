/**
 * A program's goal: the difference between its final graph and its initial graph, as goal
 * predicates. What counts and what is a side effect (the reference's bookkeeping):
 *
 * - States: every state a node gained is a positive predicate; a state it lost is a negated
 *   one, unless the node also gained a state (CLOSED→OPEN is said by OPEN alone).
 * - Added ON, INSIDE (to a non-room), HOLDS_RH/HOLDS_LH edges; the character's new room
 *   (INSIDE to a room); FACING edges the character gained (from TurnTo, or from the seat it
 *   sat on).
 * - Removed ON / INSIDE (to a non-room) / HOLDS edges, as negated predicates, unless the same
 *   node gained an ON or INSIDE edge (its new place says where it went).
 * - Ignored: CLOSE edges (proximity, rewritten by every Walk/Grab/Put), FACING edges lost,
 *   and objects' INSIDE edges to rooms (v1 even files held objects under the character's
 *   old room when it walks).
 */
import type { GoalPredicate } from '../../goal.ts';
import type { SceneGraph } from '../../graph.ts';
import type { Relation } from '../../vocabulary.ts';

const PLACE: readonly Relation[] = ['ON', 'INSIDE', 'HOLDS_RH', 'HOLDS_LH'];

const isRoom = (g: SceneGraph, id: number) => g.get(id)?.category === 'Rooms';

export function goalFromDiff(init: SceneGraph, final: SceneGraph): GoalPredicate[] {
  const goal: GoalPredicate[] = [];
  const c = init.character();

  for (const n of init.nodes()) {
    const after = final.get(n.id);
    if (!after) continue;
    const gained = [...after.states].filter((s) => !n.states.has(s)).sort();
    const lost = [...n.states].filter((s) => !after.states.has(s)).sort();
    for (const s of gained) goal.push({ kind: 'state', node: n.id, state: s });
    if (gained.length === 0) for (const s of lost) goal.push({ kind: 'state', node: n.id, state: s, negated: true });
  }

  const added: Array<[number, Relation, number]> = [];
  const removed: Array<[number, Relation, number]> = [];
  for (const e of final.edges()) if (e[1] !== 'CLOSE' && !init.hasEdge(e[0], e[1], e[2])) added.push(e);
  for (const e of init.edges()) if (e[1] !== 'CLOSE' && !final.hasEdge(e[0], e[1], e[2])) removed.push(e);
  const cmp = (a: [number, Relation, number], b: [number, Relation, number]) =>
    a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
  added.sort(cmp);
  removed.sort(cmp);

  const placedAnew = new Set<number>();
  for (const [from, rel, to] of added) {
    if ((rel === 'ON' || rel === 'INSIDE') && !isRoom(final, to)) placedAnew.add(from);
  }
  for (const [from, rel, to] of added) {
    const keep = (PLACE.includes(rel) && !(rel === 'INSIDE' && isRoom(final, to)))
      || (from === c && rel === 'INSIDE' && isRoom(final, to))
      || (from === c && rel === 'FACING');
    if (keep) goal.push({ kind: 'edge', from, relation: rel, to });
  }
  for (const [from, rel, to] of removed) {
    if (!PLACE.includes(rel) || (rel === 'INSIDE' && isRoom(init, to))) continue;
    if ((rel === 'ON' || rel === 'INSIDE') && placedAnew.has(from)) continue;
    goal.push({ kind: 'edge', from, relation: rel, to, negated: true });
  }
  return goal;
}
