/**
 * The replayed world: node states and the placement relations (ON, INSIDE, HOLDS_*, BETWEEN)
 * at the current step. Steps are applied and un-applied as diffs, so scrubbing costs the size
 * of the diffs crossed, never a rebuild. CLOSE and FACING edges are ignored: nothing is drawn
 * from them and they are most of a VirtualHome graph's edges.
 */
import type { Diff, SceneJSON, SceneNode } from './log-types.ts';

const KEPT = new Set(['ON', 'INSIDE', 'HOLDS_RH', 'HOLDS_LH', 'BETWEEN', 'SITTING', 'LYING']);

export interface WorldNode {
  id: number;
  className: string;
  category: string;
  properties: Set<string>;
  states: Set<string>;
  source: SceneNode;
}

export class WorldState {
  readonly nodes = new Map<number, WorldNode>();
  /** from id → relation → to ids */
  private readonly outEdges = new Map<number, Map<string, Set<number>>>();
  /** to id → relation → from ids */
  private readonly inEdges = new Map<number, Map<string, Set<number>>>();
  readonly characterId: number | undefined;

  constructor(scene: SceneJSON) {
    for (const n of scene.nodes) {
      this.nodes.set(n.id, {
        id: n.id, className: n.class_name, category: n.category ?? '',
        properties: new Set(n.properties ?? []), states: new Set(n.states ?? []), source: n,
      });
    }
    for (const e of scene.edges) this.addEdge(e.from_id, e.relation_type, e.to_id);
    this.characterId = scene.nodes.find((n) => n.class_name === 'character')?.id;
  }

  private static put(m: Map<number, Map<string, Set<number>>>, a: number, rel: string, b: number): void {
    let r = m.get(a);
    if (!r) m.set(a, (r = new Map()));
    let s = r.get(rel);
    if (!s) r.set(rel, (s = new Set()));
    s.add(b);
  }

  private addEdge(a: number, rel: string, b: number): void {
    if (!KEPT.has(rel)) return;
    WorldState.put(this.outEdges, a, rel, b);
    WorldState.put(this.inEdges, b, rel, a);
  }

  private removeEdge(a: number, rel: string, b: number): void {
    if (!KEPT.has(rel)) return;
    this.outEdges.get(a)?.get(rel)?.delete(b);
    this.inEdges.get(b)?.get(rel)?.delete(a);
  }

  out(id: number, rel: string): ReadonlySet<number> {
    return this.outEdges.get(id)?.get(rel) ?? EMPTY;
  }

  in(id: number, rel: string): ReadonlySet<number> {
    return this.inEdges.get(id)?.get(rel) ?? EMPTY;
  }

  isRoom(id: number): boolean {
    return this.nodes.get(id)?.category === 'Rooms';
  }

  /** The room a node is INSIDE (directly, or through what it is on or in). */
  roomOf(id: number, depth = 0): number | undefined {
    if (depth > 8) return undefined;
    for (const r of this.out(id, 'INSIDE')) if (this.isRoom(r)) return r;
    for (const rel of ['ON', 'INSIDE']) {
      for (const p of this.out(id, rel)) if (!this.isRoom(p)) { const r = this.roomOf(p, depth + 1); if (r !== undefined) return r; }
    }
    for (const h of this.in(id, 'HOLDS_RH')) return this.roomOf(h, depth + 1);
    for (const h of this.in(id, 'HOLDS_LH')) return this.roomOf(h, depth + 1);
    return undefined;
  }

  /** The object (not a room) this node rests on or in: ON first, then INSIDE. */
  supportOf(id: number): { rel: 'ON' | 'INSIDE'; to: number } | undefined {
    for (const rel of ['ON', 'INSIDE'] as const) {
      for (const p of this.out(id, rel)) if (!this.isRoom(p) && this.nodes.has(p)) return { rel, to: p };
    }
    return undefined;
  }

  /** Who holds this node, if anyone. */
  holder(id: number): number | undefined {
    for (const h of this.in(id, 'HOLDS_RH')) return h;
    for (const h of this.in(id, 'HOLDS_LH')) return h;
    return undefined;
  }

  /** Apply a step's diff; every node whose drawing may change is added to `touched`. */
  apply(d: Diff, touched: Set<number>): void {
    for (const [a, rel, b] of d.edgesRemoved) { this.removeEdge(a, rel, b); this.touch(a, rel, b, touched); }
    for (const [a, rel, b] of d.edgesAdded) { this.addEdge(a, rel, b); this.touch(a, rel, b, touched); }
    for (const [id, [, after]] of Object.entries(d.statesChanged)) this.setStates(Number(id), after, touched);
  }

  /** Undo a step's diff (the exact inverse of `apply`). */
  unapply(d: Diff, touched: Set<number>): void {
    for (const [id, [before]] of Object.entries(d.statesChanged)) this.setStates(Number(id), before, touched);
    for (const [a, rel, b] of d.edgesAdded) { this.removeEdge(a, rel, b); this.touch(a, rel, b, touched); }
    for (const [a, rel, b] of d.edgesRemoved) { this.addEdge(a, rel, b); this.touch(a, rel, b, touched); }
  }

  private touch(a: number, rel: string, b: number, touched: Set<number>): void {
    if (!KEPT.has(rel)) return;
    touched.add(a);
    if (rel !== 'INSIDE' || !this.isRoom(b)) touched.add(b);
  }

  private setStates(id: number, states: string[], touched: Set<number>): void {
    const n = this.nodes.get(id);
    if (!n) return;
    n.states = new Set(states);
    touched.add(id);
  }

  /** A stable text of the kept edges and all states (tests compare it across apply/unapply). */
  fingerprint(): string {
    const parts: string[] = [];
    for (const [a, m] of [...this.outEdges].sort((x, y) => x[0] - y[0])) {
      for (const [rel, s] of [...m].sort()) for (const b of [...s].sort((x, y) => x - y)) parts.push(`${a} ${rel} ${b}`);
    }
    for (const n of [...this.nodes.values()].sort((x, y) => x.id - y.id)) parts.push(`${n.id}:${[...n.states].sort().join(',')}`);
    return parts.join('\n');
  }
}

const EMPTY: ReadonlySet<number> = new Set();
