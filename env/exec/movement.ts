/**
 * Movement and posture: Walk/Run (with v1's closed-door check), Find (plain, or v1's
 * walk-then-find), TurnTo, Sit, Lie, StandUp, Sleep/WakeUp.
 */
import type { Failure } from '../failure.ts';
import type { ScriptArg } from '../script-types.ts';
import type { Relation } from '../vocabulary.ts';
import type { SceneGraph } from '../graph.ts';
import type { ExecCore } from './core.ts';
import { closedDoorsBetween, doorGraph, isClose, isRoom, roomOf } from './predicates.ts';

const SIT_CAPACITY: Record<string, number> = { couch: 4, bed: 4, chair: 1, loveseat: 2, sofa: 4, toilet: 1, pianobench: 2, bench: 2 };
const LIE_CAPACITY: Record<string, number> = { couch: 2, bathtub: 2, bed: 3, loveseat: 2, sofa: 2, bench: 1 };
const WALK_CLEARED: readonly Relation[] = ['INSIDE', 'CLOSE', 'FACING'];
const NONE_CATEGORY = "AttributeError: 'NoneType' object has no attribute 'category'";
const NONE_ID = "AttributeError: 'NoneType' object has no attribute 'id'";

/** Body-part node ids per graph (properties never change; the node count guards added nodes). */
const bodyPartCache = new WeakMap<SceneGraph, { size: number; ids: number[] }>();
function bodyParts(g: SceneGraph): number[] {
  const hit = bodyPartCache.get(g);
  // Stryker disable next-line ConditionalExpression: a cache; recomputing gives the same ids
  if (hit && hit.size === g.size) return hit.ids;
  const ids: number[] = [];
  for (const n of g.nodes()) if (n.properties.has('BODY_PART')) ids.push(n.id);
  // Stryker disable next-line ObjectLiteral: a cache entry that never hits only costs a recomputation
  bodyPartCache.set(g, { size: g.size, ids });
  return ids;
}

export function walkAction(ex: ExecCore, a: ScriptArg): Failure | null {
  if (!ex.graph.has(a.id)) {
    return ex.crash('unknown_object', `exists(${a.id})`, `<${a.name}> (${a.id}) is not in the scene`, NONE_CATEGORY);
  }
  return walk(ex, a, a.id);
}

export function walk(ex: ExecCore, a: ScriptArg, n: number): Failure | null {
  const g = ex.graph, c = ex.character, v1 = ex.compat === 'v1';
  if (ex.posture('SITTING') || ex.posture('LYING')) {
    return ex.err('posture', 'standing(character)', `${ex.L(c)} is sitting`);
  }
  const charRoom = roomOf(g, c, ex.compat);
  if (charRoom === undefined) return ex.noCharRoom();
  const nodeRoom = roomOf(g, n, ex.compat);
  if (nodeRoom === undefined) {
    return ex.silent('no_room', `room(${ex.name(n)})`, `${ex.L(n)} is in no room, so it cannot be walked to`);
  }
  if (v1 && !doorAdjacent(ex, n, charRoom)) {
    // Stryker disable next-line ConditionalExpression,AssignmentOperator: closedDoorsBetween(r, r) is [] too; without the memo it builds the door graph itself
    const closed = charRoom === nodeRoom ? [] : closedDoorsBetween(g, charRoom, nodeRoom, (ex.doors ??= doorGraph(g)));
    if (closed === undefined) {
      return ex.err('no_room', `path(${ex.name(charRoom)}, ${ex.name(nodeRoom)})`,
        `No path between between ${ex.L(charRoom)} and ${ex.L(nodeRoom)}`);
    }
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator: a door next to the character's room is already let through by doorAdjacent
    if (closed.length > 0 && n !== closed[closed.length - 1]) {
      return ex.err('missing_step', `open(${ex.name(closed[closed.length - 1])})`,
        `Door(s) ${closed.map((d) => ex.L(d)).join(', ')} between ${ex.L(charRoom)} and ${ex.L(nodeRoom)} is (are) closed`);
    }
  }

  // Effects, in the reference's order.
  const lh = g.out(c, 'HOLDS_LH'), rh = g.out(c, 'HOLDS_RH');
  // Stryker disable next-line ConditionalExpression: an empty held list does nothing below
  const held = lh.size + rh.size === 0 ? undefined : [...lh, ...rh];
  for (const rel of WALK_CLEARED) { g.removeOut(c, rel); g.removeIn(c, rel); }
  g.addEdge(c, 'INSIDE', nodeRoom);
  if (v1 || nodeRoom !== n) {
    for (const x of g.out(n, 'INSIDE')) if (!isRoom(g, x)) g.addClose(c, x);
    for (const b of bodyParts(g)) g.addClose(c, b);
    g.addClose(c, n);
  }
  if (held !== undefined) {
    for (const h of held) for (const rel of WALK_CLEARED) { g.removeOut(h, rel); g.removeIn(h, rel); }
    // The reference puts held objects in the character's *old* room (a bug in both versions).
    for (const h of held) { g.addClose(c, h); g.addEdge(h, 'INSIDE', charRoom); }
  }
  if (v1) {
    if (g.hasProperty(n, 'SURFACES')) for (const x of [...g.in(n, 'ON')]) g.addClose(c, x);
  } else {
    if (g.hasProperty(n, 'CAN_OPEN')) for (const x of [...g.in(n, 'INSIDE')]) g.addClose(c, x);
    for (const x of [...g.out(n, 'ON')]) g.addClose(c, x);
  }
  ex.bind(a);
  return null;
}

/** Walking to a door or doorjamb between the character's room and another is always fine. */
export function doorAdjacent(ex: ExecCore, n: number, charRoom: number): boolean {
  // Stryker disable next-line OptionalChaining: n is a node of the graph (Walk checked it)
  const cls = ex.graph.get(n)?.className;
  if (cls !== 'door' && cls !== 'doorjamb') return false;
  return ex.graph.hasEdge(n, 'BETWEEN', charRoom) || ex.graph.hasEdge(charRoom, 'BETWEEN', n);
}

export function find(ex: ExecCore, a: ScriptArg): Failure | null {
  const g = ex.graph, c = ex.character, n = a.id;
  if (!g.has(n)) return ex.crash('unknown_object', `exists(${n})`, `<${a.name}> (${n}) is not in the scene`, NONE_ID);
  const plain = g.hasEdge(n, 'ON', c) || g.hasProperty(n, 'BODY_PART') || isClose(g, c, n)
    || ex.posture('SITTING') || ex.posture('LYING');
  if (!plain) {
    if (ex.compat === 'master') {
      return ex.crash('unsupported', `close(character, ${ex.name(n)})`,
        `${ex.L(c)} is not close to ${ex.L(n)} and master's walk-then-find path crashes`,
        'TypeError: JoinedExecutor.execute() takes 5 positional arguments but 7 were given');
    }
    // v1 joins Walk and Find; execute() takes the first successor state, i.e. Walk's.
    const w = walk(ex, a, n);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: after a successful walk the plain find changes nothing; after a failed one the close check fails too (reference: both messages)
    if (w === null || ex.exception !== undefined) return w;
  }
  if (!isClose(g, c, n)) return ex.closeErr(n);
  g.removeOut(c, 'FACING');
  g.addClose(c, n);
  ex.bind(a);
  return null;
}

export function turnTo(ex: ExecCore, n: number): Failure | null {
  ex.graph.removeOut(ex.character, 'FACING');
  ex.graph.addEdge(ex.character, 'FACING', n);
  return null;
}

/** Things ON n as the reference counts them: n itself too if it was put on itself. */
function onCount(g: SceneGraph, n: number): number {
  return g.in(n, 'ON').size + (g.hasSelfRelation(n, 'ON') ? 1 : 0);
}

export function sit(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (ex.posture('SITTING')) return ex.err('already', 'not sitting(character)', `${ex.L(c)} is sitting`);
  if (!g.hasProperty(n, 'SITTABLE')) return ex.affErr(n, 'is not sittable', 'SITTABLE');
  if (onCount(g, n) >= (SIT_CAPACITY[ex.name(n)] ?? 1)) {
    return ex.err('capacity', `capacity(${ex.name(n)})`, `Too many things on ${ex.L(n)}`);
  }
  g.addEdge(c, 'ON', n);
  for (const x of [...g.out(n, 'FACING')]) g.addEdge(c, 'FACING', x);
  if (g.hasSelfRelation(n, 'FACING')) g.addEdge(c, 'FACING', n);
  ex.setPosture('LYING', 'SITTING');
  return null;
}

export function lie(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (ex.posture('LYING')) return ex.err('already', 'not lying(character)', `${ex.L(c)} is lying`);
  if (!g.hasProperty(n, 'LIEABLE')) return ex.affErr(n, 'is not lieable', 'LIEABLE');
  if (onCount(g, n) >= (LIE_CAPACITY[ex.name(n)] ?? 1)) {
    return ex.err('capacity', `capacity(${ex.name(n)})`, `Too many things on ${ex.L(n)}`);
  }
  g.addEdge(c, 'ON', n);
  ex.setPosture('SITTING', 'LYING');
  return null;
}

export function standUp(ex: ExecCore): Failure | null {
  if (!ex.posture('SITTING') && !ex.posture('LYING')) {
    return ex.err('already', 'sitting_or_lying(character)', `${ex.L(ex.character)} is not sitting`);
  }
  // The ON(character → seat) edge stays, as in the reference.
  ex.setPosture('SITTING', undefined);
  ex.graph.removeState(ex.character, 'LYING');
  return null;
}

export function sleep(ex: ExecCore): Failure | null {
  if (!ex.posture('SITTING') && !ex.posture('LYING')) {
    return ex.err('posture', 'sitting_or_lying(character)', `${ex.L(ex.character)} is not lying or sitting`);
  }
  return null;
}
