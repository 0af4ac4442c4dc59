/**
 * Hands: Grab (with the grab origin PutObjBack returns to), PutBack/PutIn, PutObjBack, Drop and
 * Release, PutOn/PutOff.
 */
import type { Failure } from '../failure.ts';
import type { Relation } from '../vocabulary.ts';
import type { ExecCore } from './core.ts';
import { freeHand, isClose, isHolding, isInsideClosed, isRoom, roomOf } from './predicates.ts';
import { pythonSetOrder } from './pyset.ts';

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
  let origin = -1;
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
 * The first non-room target of `n -rel-> *` in the reference's iteration order: a Python set
 * of the targets added during execution, then the initial ones (exec/pyset.ts, spec §8).
 */
export function firstNonRoom(ex: ExecCore, n: number, rel: Relation): number {
  const g = ex.graph;
  const targets = g.out(n, rel);
  if (targets.size === 0) return -1;
  if (targets.size === 1) {
    for (const x of targets) return isRoom(g, x) ? -1 : x;
  }
  const added = g.addedSince(ex.startMark, n, rel);
  const addedSet = new Set(added);
  // Initial targets in ascending id order, so that the choice does not depend on Set
  // insertion order (which rollback does not preserve).
  const initial: number[] = [];
  for (const x of targets) if (!addedSet.has(x)) initial.push(x);
  initial.sort((a, b) => a - b);
  for (const x of pythonSetOrder(added.concat(initial))) if (!isRoom(g, x)) return x;
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
