/**
 * Hands: Grab (with the grab origin PutObjBack returns to), PutBack/PutIn, PutObjBack, Drop and
 * Release, PutOn/PutOff.
 */
import type { Failure } from '../failure.ts';
import type { Relation } from '../vocabulary.ts';
import type { ExecCore } from './core.ts';
import { freeHand, isClose, isHolding, isInsideClosed, isRoom, roomOf } from './predicates.ts';
import { pythonSetOrder, pythonSetOrderOps, type PySetOp } from './pyset.ts';

const GRAB_CLEARED_V1: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE'];
const GRAB_CLEARED_MASTER: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE', 'HOLDS_RH', 'HOLDS_LH'];
const ORIGIN_RELATIONS: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE'];

export function grab(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  const cls = ex.name(n);
  if (!g.hasProperty(n, 'GRABBABLE') && cls !== 'water' && cls !== 'child') return ex.affErr(n, 'is not grabbable', 'GRABBABLE');
  if (ex.compat === 'master' && ex.grabs.has(n)) return ex.err('already', `not grabbed(${cls})`, `${ex.L(n)} already grabbed`);
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (isInsideClosed(g, n)) return ex.insideErr(n);
  const hand = freeHand(g, c);
  if (hand === undefined) return ex.handErr();
  const charRoom = roomOf(g, c, ex.compat);
  if (charRoom === undefined) return ex.noCharRoom();

  // The origin PutObjBack returns to: the first non-room target of ON, then INSIDE, then CLOSE.
  // Stryker disable next-line UnaryOperator: assigned in the loop before any read
  let origin = -1;
  // Stryker disable next-line StringLiteral: assigned whenever an origin is found, unused otherwise
  let originRel: Relation = 'ON';
  for (const rel of ORIGIN_RELATIONS) {
    origin = firstNonRoom(ex, n, rel);
    if (origin >= 0) { originRel = rel; break; }
  }
  for (const rel of ex.compat === 'v1' ? GRAB_CLEARED_V1 : GRAB_CLEARED_MASTER) { g.removeOut(n, rel); g.removeIn(n, rel); }
  g.addClose(c, n);
  g.addEdge(c, hand, n);
  g.addEdge(n, 'INSIDE', charRoom);
  if (origin >= 0) {
    g.addClose(c, origin);
    ex.setGrab(n, { dest: origin, rel: originRel });
  }
  return null;
}

/**
 * The first non-room target of `n -rel-> *` in the reference's iteration order (spec §8).
 * The reference reads a CPython set: the one stored for (n, rel) once an edge was added during
 * execution (its first addition, then the initial targets, which its first read merges in,
 * then every later addition and removal, removals leaving dummies that keep later keys where
 * they landed), or, when nothing was ever added, a fresh set of the initial targets. Both are
 * replayed through CPython's set algorithm (exec/pyset.ts), initial targets in ascending id
 * order so that the choice does not depend on our Sets' insertion order after rollbacks.
 */
export function firstNonRoom(ex: ExecCore, n: number, rel: Relation): number {
  const g = ex.graph;
  const targets = g.out(n, rel);
  // The reference's set also holds n itself where it has the self-loop n -rel-> n (an object
  // put into itself, or a pipeline graph's CLOSE self-loop): the graph keeps those apart.
  const self = g.hasSelfRelation(n, rel);
  if (targets.size === 0) return self && !isRoom(g, n) ? n : -1;
  // Stryker disable next-line ConditionalExpression,BlockStatement: a fast path; the general replay below gives the same single target
  if (targets.size === 1 && !self) {
    for (const x of targets) return isRoom(g, x) ? -1 : x;
  }
  const events = g.edgeEventsSince(ex.startMark, n, rel);
  // The targets when execution started: undo the events on the current ones.
  const initial = new Set(targets);
  if (self) initial.add(n);
  for (let i = events.length - 1; i >= 0; i--) {
    const [added, to] = events[i];
    if (added) initial.delete(to); else initial.add(to);
  }
  const initialSorted = [...initial].sort((a, b) => a - b);
  const firstAdd = events.findIndex(([added, to]) => added && !initial.has(to));
  let order: number[];
  if (firstAdd < 0) {
    order = pythonSetOrder(initialSorted.filter((x) => targets.has(x) || (x === n && self)));
  } else {
    const ops: PySetOp[] = [];
    const cur = new Set(initial);
    for (let i = 0; i < firstAdd; i++) { const [added, to] = events[i]; if (added) cur.add(to); else cur.delete(to); }
    ops.push(['add', events[firstAdd][1]]);
    for (const x of initialSorted) ops.push(['add', x]);
    for (const x of initialSorted) if (!cur.has(x)) ops.push(['discard', x]);
    for (let i = firstAdd + 1; i < events.length; i++) ops.push([events[i][0] ? 'add' : 'discard', events[i][1]]);
    order = pythonSetOrderOps(ops);
  }
  for (const x of order) if ((targets.has(x) || (x === n && self)) && !isRoom(g, x)) return x;
  return -1;
}

export function checkPut(ex: ExecCore, src: number, dest: number, rel: Relation): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isHolding(g, c, src)) return ex.holdErr(src);
  if (!isClose(g, c, dest)) return ex.closeErr(dest);
  if (rel === 'INSIDE' && g.hasProperty(dest, 'CAN_OPEN') && !g.hasState(dest, 'OPEN')) {
    return ex.notOpenErr(dest);
  }
  return null;
}

export function applyPut(ex: ExecCore, src: number, dest: number, rel: Relation): void {
  const g = ex.graph, c = ex.character;
  g.removeEdge(c, 'HOLDS_LH', src);
  g.removeEdge(c, 'HOLDS_RH', src);
  g.addClose(c, dest);
  g.addClose(src, dest);
  g.addEdge(src, rel, dest);
  ex.setGrab(src, undefined);
}

export function put(ex: ExecCore, src: number, dest: number, rel: Relation): Failure | null {
  const f = checkPut(ex, src, dest, rel);
  if (f !== null) return f;
  applyPut(ex, src, dest, rel);
  return null;
}

export function putObjBack(ex: ExecCore, src: number): Failure | null {
  const rec = ex.grabs.get(src);
  if (rec === undefined) return ex.err('missing_step', `grabbed(${ex.name(src)})`, `${ex.L(src)} not grabbed`);
  const f = checkPut(ex, src, rec.dest, rec.rel);
  // Master's bug: a failed check still yields the unchanged state (the message stays logged).
  if (f !== null) return ex.compat === 'master' ? null : f;
  applyPut(ex, src, rec.dest, rec.rel);
  return null;
}

export function drop(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isHolding(g, c, n)) return ex.holdErr(n);
  const room = roomOf(g, c, ex.compat);
  if (room === undefined) return ex.noCharRoom();
  g.removeEdge(c, 'HOLDS_LH', n);
  g.removeEdge(c, 'HOLDS_RH', n);
  g.addEdge(n, 'INSIDE', room);
  ex.setGrab(n, undefined);
  return null;
}

export function putOn(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isHolding(g, c, n)) return ex.holdErr(n);
  if (!g.hasProperty(n, 'CLOTHES')) return ex.affErr(n, 'is not clothes', 'CLOTHES');
  g.addEdge(n, 'ON', c);
  g.removeEdge(c, 'HOLDS_LH', n);
  g.removeEdge(c, 'HOLDS_RH', n);
  return null;
}

export function putOff(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (ex.compat === 'master') {
    return ex.crash('unsupported', 'executor(PUTOFF)', 'master\'s PutOff always crashes',
      "TypeError: PutOffExecutor.check_putoff() missing 1 required positional argument: 'char_index'");
  }
  if (!g.hasEdge(n, 'ON', c)) return ex.err('missing_step', `on(${ex.name(n)}, character)`, `${ex.L(n)} is not on ${ex.L(c)}`);
  if (!g.hasProperty(n, 'CLOTHES')) return ex.affErr(n, 'is not clothes', 'CLOTHES');
  g.removeEdge(n, 'ON', c);
  return null;
}
