/**
 * The reference's shared predicates (spec/virtualhome-semantics.md §5), read straight off the
 * indexed graph. Written for the replay hot path: no allocation, set lookups only.
 */
import type { SceneGraph } from '../graph.ts';
import type { Relation } from '../vocabulary.ts';

export type Compat = 'v1' | 'master';

export function isRoom(g: SceneGraph, id: number): boolean {
  return g.get(id)?.category === 'Rooms';
}

function firstOf(s: ReadonlySet<number>): number | undefined {
  for (const x of s) return x;
  return undefined;
}

/**
 * room(n). v1: n itself if a room, else the first INSIDE target that is a room.
 * master: with several INSIDE edges the room among them; with one, follow the chain upward.
 */
export function roomOf(g: SceneGraph, id: number, compat: Compat): number | undefined {
  if (isRoom(g, id)) return id;
  const inside = g.out(id, 'INSIDE');
  if (compat === 'v1' || inside.size > 1) {
    for (const x of inside) if (isRoom(g, x)) return x;
    return undefined;
  }
  // master: a chain of single INSIDE edges (bounded against cycles in hand-made graphs)
  let cur = inside;
  for (let hops = 0; cur.size > 0 && hops < 64; hops++) {
    const x = firstOf(cur)!;
    if (isRoom(g, x)) return x;
    cur = g.out(x, 'INSIDE');
  }
  return undefined;
}

/**
 * The reference's edge test, self-loops included: the graph never holds an edge from a node
 * to itself, but the reference's checks see the ones it would have made (graph.ts, insertSelf).
 */
export function refHasEdge(g: SceneGraph, from: number, rel: Relation, to: number): boolean {
  return from === to ? g.hasSelfRelation(from, rel) : g.hasEdge(from, rel, to);
}

/**
 * close(c,n): CLOSE(c→n), or one hop x with CLOSE(c→x) and (CLOSE(x→n) or ON(n→x)).
 * With the reference's CLOSE(c→c) self-loop, x = c adds close(c,c) and close(c, n) for n ON c
 * (clothes worn); x = n with CLOSE(n→n) or ON(n→n) adds nothing CLOSE(c→n) does not.
 */
export function isClose(g: SceneGraph, c: number, n: number): boolean {
  const cc = g.out(c, 'CLOSE');
  if (cc.has(n)) return true;
  if (g.hasSelfRelation(c, 'CLOSE') && (n === c || g.hasEdge(n, 'ON', c))) return true;
  if (cc.size === 0) return false;
  for (const y of g.out(n, 'ON')) if (cc.has(y)) return true;
  const nc = g.in(n, 'CLOSE');
  if (nc.size < cc.size) {
    for (const x of nc) if (cc.has(x)) return true;
  } else {
    for (const x of cc) if (nc.has(x)) return true;
  }
  return false;
}

/** faces(c,n): FACING(c→n), or FACING(c→x) and FACING(x→n). */
export function isFacing(g: SceneGraph, c: number, n: number): boolean {
  const cf = g.out(c, 'FACING');
  if (cf.has(n) || (n === c && g.hasSelfRelation(c, 'FACING'))) return true;
  for (const x of cf) if (g.hasEdge(x, 'FACING', n)) return true;
  return false;
}

/** The free hand: right if free, else left, else undefined. */
export function freeHand(g: SceneGraph, c: number): Relation | undefined {
  if (g.out(c, 'HOLDS_RH').size === 0) return 'HOLDS_RH';
  if (g.out(c, 'HOLDS_LH').size === 0) return 'HOLDS_LH';
  return undefined;
}

export function isHolding(g: SceneGraph, c: number, n: number): boolean {
  return g.hasEdge(c, 'HOLDS_RH', n) || g.hasEdge(c, 'HOLDS_LH', n);
}

export function holdsAnything(g: SceneGraph, c: number): boolean {
  return g.out(c, 'HOLDS_RH').size > 0 || g.out(c, 'HOLDS_LH').size > 0;
}

/** insideClosed(n): INSIDE(n→x) with x CLOSED and not a room. */
export function isInsideClosed(g: SceneGraph, n: number): boolean {
  // An object the reference put inside itself counts (its INSIDE(n→n) self-loop).
  if (g.hasSelfRelation(n, 'INSIDE') && g.hasState(n, 'CLOSED') && g.get(n)?.category !== 'Rooms') return true;
  for (const x of g.out(n, 'INSIDE')) {
    const node = g.get(x);
    if (node && node.states.has('CLOSED') && node.category !== 'Rooms') return true;
  }
  return false;
}

/**
 * v1's closed-door check for walking between rooms (`_check_closed_doors`): doors and doorjambs
 * with two BETWEEN rooms form a room graph. Returns [] when the rooms connect through open
 * doors, the closed doors on a shortest path (listed from the target room back) otherwise,
 * or undefined when no path exists at all. Rooms that no door touches are treated as connected.
 */
export type RoomAdjacency = Map<number, Array<[room: number, door: number]>>;

/** The room graph of doors and doorjambs (BETWEEN edges; actions never change them). */
export function doorGraph(g: SceneGraph): RoomAdjacency {
  const adj: RoomAdjacency = new Map();
  const link = (door: number) => {
    let a: number | undefined, b: number | undefined, k = 0;
    for (const r of g.out(door, 'BETWEEN')) { if (k === 0) a = r; else if (k === 1) b = r; k++; }
    if (a === undefined || b === undefined) return;
    let la = adj.get(a); if (!la) adj.set(a, (la = []));
    la.push([b, door]);
    let lb = adj.get(b); if (!lb) adj.set(b, (lb = []));
    lb.push([a, door]);
  };
  for (const d of g.byClassName('door')) link(d);
  for (const d of g.byClassName('doorjamb')) link(d);
  return adj;
}

export function closedDoorsBetween(g: SceneGraph, from: number, to: number, adj: RoomAdjacency = doorGraph(g)): number[] | undefined {
  if (from === to) return [];
  // A room without doors in the room graph: the reference raises KeyError; scenes that do not
  // model doors (generated ones) walk freely.
  if (!adj.has(from) || !adj.has(to)) return [];

  const bfs = (skipClosed: boolean): Map<number, [number, number] | null> => {
    const prev = new Map<number, [number, number] | null>([[from, null]]);
    const queue = [from];
    for (let qi = 0; qi < queue.length; qi++) {
      const v = queue[qi];
      for (const [u, d] of adj.get(v) ?? []) {
        if (skipClosed && g.hasState(d, 'CLOSED')) continue;
        if (!prev.has(u)) { prev.set(u, [v, d]); queue.push(u); }
      }
    }
    return prev;
  };
  if (bfs(true).has(to)) return [];
  const prev = bfs(false);
  if (!prev.has(to)) return undefined;
  const closed: number[] = [];
  for (let cur = to; cur !== from;) {
    const p = prev.get(cur);
    if (!p) break;
    if (g.hasState(p[1], 'CLOSED')) closed.push(p[1]);
    cur = p[0];
  }
  return closed;
}
