/**
 * The scene graph: VirtualHome's node/edge JSON held in indexed form and mutated in place.
 *
 * Why not copy on write like the reference (`ChangeNode`, edge overlays)? Replay speed: a
 * step touches a handful of edges, so we mutate adjacency sets directly and keep an undo
 * log. `mark()` / `rollback(mark)` let a caller try actions and return to the exact earlier
 * state (the planner and the correctors do this thousands of times per task).
 *
 * Iteration order is insertion order everywhere (JS Sets), which makes every choice that
 * depends on "the first CLOSE neighbour" deterministic and documented.
 */
import { HearthError } from './errors.ts';
import { isProperty, isRelation, isState, type Property, type Relation, type State } from './vocabulary.ts';

export interface BoundingBox {
  center: [number, number, number];
  size: [number, number, number];
}

/** A node as it appears in VirtualHome's graph JSON. */
export interface GraphNodeJSON {
  id: number;
  class_name: string;
  category?: string;
  properties: string[];
  states: string[];
  prefab_name?: string;
  bounding_box?: BoundingBox | null;
  obj_transform?: unknown;
  [extra: string]: unknown;
}

export interface GraphEdgeJSON {
  from_id: number;
  relation_type: string;
  to_id: number;
}

export interface GraphJSON {
  nodes: GraphNodeJSON[];
  edges: GraphEdgeJSON[];
  [extra: string]: unknown;
}

/** An edge as a triple, the form used in diffs, goals and the golden fixtures. */
export type EdgeTriple = [from: number, relation: Relation, to: number];

export interface SceneNode {
  readonly id: number;
  readonly className: string;
  readonly category: string;
  readonly properties: ReadonlySet<Property>;
  /** Mutate only through `SceneGraph.addState/removeState` so that rollback works. */
  readonly states: ReadonlySet<State>;
  /** The node as loaded (prefab, geometry, unknown strings kept in lenient mode). */
  readonly source: Readonly<GraphNodeJSON>;
}

interface MutableNode extends SceneNode {
  readonly states: Set<State>;
}

export interface LoadOptions {
  /** Accept property/state/relation strings outside VirtualHome's enums (dropped from the index). */
  lenient?: boolean;
  /** Name used in error messages (a file path, a task id). */
  source?: string;
}

type Adjacency = Map<number, Map<Relation, Set<number>>>;

/**
 * The undo log is kept as parallel arrays (op, a, key, b) rather than one object per entry:
 * replay mutates thousands of edges per second and the objects dominated GC time.
 * Edge entries: a = from, key = relation, b = to. State entries: a = node id, key = state.
 */
const ADD_EDGE = 0, REMOVE_EDGE = 1, ADD_STATE = 2, REMOVE_STATE = 3;

const EMPTY: ReadonlySet<number> = new Set();
const EMPTY_RELS: ReadonlySet<Relation> = new Set();

export class SceneGraph {
  private readonly nodeMap = new Map<number, MutableNode>();
  private readonly byClass = new Map<string, number[]>();
  private readonly outAdj: Adjacency = new Map();
  private readonly inAdj: Adjacency = new Map();
  private readonly uOp: number[] = [];
  private readonly uA: number[] = [];
  private readonly uKey: string[] = [];
  private readonly uB: number[] = [];
  /** Number of live undo entries (the arrays are reused past it). */
  private uLen = 0;
  private edgeCount = 0;
  /** node id → relations the reference would hold from the node to itself (never edges). */
  private readonly selfRel = new Map<number, Set<Relation>>();
  /** Top-level keys of the JSON besides nodes/edges (e.g. `trimmed_nodes`), kept for toJSON. */
  private readonly extraTop: Record<string, unknown> = {};

  /** Build from VirtualHome JSON. Throws `HearthError` naming the node on unknown strings. */
  static fromJSON(json: GraphJSON, options: LoadOptions = {}): SceneGraph {
    const g = new SceneGraph();
    const where = options.source ? `${options.source}: ` : '';
    if (!json || !Array.isArray(json.nodes) || !Array.isArray(json.edges)) {
      throw new HearthError('graph.shape', `${where}a scene graph needs "nodes" and "edges" arrays`,
        'pass a VirtualHome graph JSON file');
    }
    for (const [k, v] of Object.entries(json)) if (k !== 'nodes' && k !== 'edges') g.extraTop[k] = v;
    for (const n of json.nodes) {
      const props = new Set<Property>();
      for (const raw of n.properties ?? []) {
        const p = String(raw).toUpperCase();
        if (isProperty(p)) props.add(p);
        else if (!options.lenient) {
          throw new HearthError('graph.unknown_property',
            `${where}node ${n.id} <${n.class_name}> has unknown property "${raw}"`,
            'use one of VirtualHome\'s 23 properties, or load with the lenient option');
        }
      }
      const states = new Set<State>();
      for (const raw of n.states ?? []) {
        const s = String(raw).toUpperCase();
        if (isState(s)) states.add(s);
        else if (!options.lenient) {
          throw new HearthError('graph.unknown_state',
            `${where}node ${n.id} <${n.class_name}> has unknown state "${raw}"`,
            'use one of VirtualHome\'s 10 states, or load with the lenient option');
        }
      }
      g.addNodeInternal({
        id: n.id, className: n.class_name, category: n.category ?? '', properties: props, states, source: n,
      });
    }
    for (const e of json.edges) {
      const rel = String(e.relation_type).toUpperCase();
      if (!isRelation(rel)) {
        if (options.lenient) continue;
        throw new HearthError('graph.unknown_relation',
          `${where}edge ${e.from_id} -${e.relation_type}-> ${e.to_id} has an unknown relation`,
          'use ON, INSIDE, BETWEEN, CLOSE, FACING, HOLDS_RH, HOLDS_LH, or load with the lenient option');
      }
      if (!g.nodeMap.has(e.from_id) || !g.nodeMap.has(e.to_id)) {
        if (options.lenient) continue;
        const missing = g.nodeMap.has(e.from_id) ? e.to_id : e.from_id;
        throw new HearthError('graph.dangling_edge',
          `${where}edge ${e.from_id} -${rel}-> ${e.to_id} refers to node ${missing}, which does not exist`,
          'remove the edge or add the node');
      }
      g.insertEdge(e.from_id, rel, e.to_id);
    }
    return g;
  }

  private addNodeInternal(node: MutableNode): void {
    if (this.nodeMap.has(node.id)) {
      // v1 keeps duplicate node ids; the later one wins in its dict, and so here.
      const old = this.nodeMap.get(node.id)!;
      const list = this.byClass.get(old.className);
      if (list) list.splice(list.indexOf(node.id), 1);
    }
    this.nodeMap.set(node.id, node);
    let list = this.byClass.get(node.className);
    if (!list) this.byClass.set(node.className, (list = []));
    list.push(node.id);
  }

  /** Add a node (used by scene generators and the dataset pipeline's object insertion). */
  addNode(json: GraphNodeJSON): SceneNode {
    const g = SceneGraph.fromJSON({ nodes: [json], edges: [] });
    const node = g.nodeMap.get(json.id)!;
    this.addNodeInternal(node);
    return node;
  }

  // ---- reading -------------------------------------------------------------------------

  get size(): number { return this.nodeMap.size; }
  get edgeTotal(): number { return this.edgeCount; }

  has(id: number): boolean { return this.nodeMap.has(id); }

  /** The node, or undefined. */
  get(id: number): SceneNode | undefined { return this.nodeMap.get(id); }

  /** The node; throws a plain Error (a bug, not user input) if absent. */
  node(id: number): SceneNode {
    const n = this.nodeMap.get(id);
    if (!n) throw new Error(`no node ${id} in the scene graph`);
    return n;
  }

  nodes(): IterableIterator<SceneNode> { return this.nodeMap.values(); }
  ids(): IterableIterator<number> { return this.nodeMap.keys(); }

  /** Ids of nodes of a class, in load order. */
  byClassName(className: string): readonly number[] { return this.byClass.get(className) ?? []; }
  classNames(): IterableIterator<string> { return this.byClass.keys(); }

  /** Targets of edges `id -rel-> *`, in insertion order. */
  out(id: number, rel: Relation): ReadonlySet<number> {
    return this.outAdj.get(id)?.get(rel) ?? EMPTY;
  }

  /** Sources of edges `* -rel-> id`, in insertion order. */
  in(id: number, rel: Relation): ReadonlySet<number> {
    return this.inAdj.get(id)?.get(rel) ?? EMPTY;
  }

  hasEdge(from: number, rel: Relation, to: number): boolean {
    return this.outAdj.get(from)?.get(rel)?.has(to) ?? false;
  }

  hasState(id: number, state: State): boolean { return this.nodeMap.get(id)?.states.has(state) ?? false; }
  hasProperty(id: number, p: Property): boolean { return this.nodeMap.get(id)?.properties.has(p) ?? false; }

  /** Every edge as a triple (outer order: node load order; inner: relation, insertion order). */
  *edges(): IterableIterator<EdgeTriple> {
    for (const [from, rels] of this.outAdj) for (const [rel, tos] of rels) for (const to of tos) yield [from, rel, to];
  }

  /** The character: the first node with class_name "character" (v1's rule), or undefined. */
  character(): number | undefined { return this.byClassName('character')[0]; }

  /** `<class_name> (id)`, the reference's node text in messages. */
  label(id: number): string {
    const n = this.nodeMap.get(id);
    return `<${n ? n.className : 'unknown'}> (${id})`;
  }

  // ---- mutation (all logged for rollback) ------------------------------------------------

  private insertEdge(from: number, rel: Relation, to: number): boolean {
    if (from === to) return this.insertSelf(from, rel);
    let rels = this.outAdj.get(from);
    if (!rels) this.outAdj.set(from, (rels = new Map()));
    let tos = rels.get(rel);
    if (!tos) rels.set(rel, (tos = new Set()));
    if (tos.has(to)) return false;
    tos.add(to);
    let irels = this.inAdj.get(to);
    if (!irels) this.inAdj.set(to, (irels = new Map()));
    let froms = irels.get(rel);
    if (!froms) irels.set(rel, (froms = new Set()));
    froms.add(from);
    this.edgeCount++;
    return true;
  }

  private deleteEdge(from: number, rel: Relation, to: number): boolean {
    if (from === to) return this.deleteSelf(from, rel);
    const tos = this.outAdj.get(from)?.get(rel);
    if (!tos || !tos.delete(to)) return false;
    this.inAdj.get(to)!.get(rel)!.delete(from);
    this.edgeCount--;
    return true;
  }

  /*
   * Self-loops. No node is ever related to itself: a self-loop is never an edge (not in
   * out/in/hasEdge/edges/toJSON, not in diffs). The reference does create them — CLOSE
   * (character → character) when a line's id is the character or a grabbed object's first
   * CLOSE neighbour is the character, FACING after TurnTo the character, ON/INSIDE when an
   * object is put into itself — and the dataset's pipeline graphs carry CLOSE/INSIDE
   * self-loops on objects. Its later checks can read them (close(c, c), close to clothes worn,
   * an object inside itself that is closed, a grab origin), so the graph keeps them apart as
   * `selfRelations`, undo-logged like edges, for those checks only (docs/simulator-name-id.md).
   */
  private insertSelf(id: number, rel: Relation): boolean {
    let rels = this.selfRel.get(id);
    if (!rels) this.selfRel.set(id, (rels = new Set()));
    if (rels.has(rel)) return false;
    rels.add(rel);
    return true;
  }

  private deleteSelf(id: number, rel: Relation): boolean {
    return this.selfRel.get(id)?.delete(rel) ?? false;
  }

  /** Whether the reference would hold the self-loop `id -rel-> id` (never an edge here). */
  hasSelfRelation(id: number, rel: Relation): boolean {
    return this.selfRel.get(id)?.has(rel) ?? false;
  }

  /** The relations the reference would hold from `id` to itself (see insertSelf). */
  selfRelations(id: number): ReadonlySet<Relation> {
    return this.selfRel.get(id) ?? EMPTY_RELS;
  }

  private log(op: number, a: number, key: string, b: number): void {
    const i = this.uLen++;
    this.uOp[i] = op; this.uA[i] = a; this.uKey[i] = key; this.uB[i] = b;
  }

  /** Add an edge; returns false (and logs nothing) if it already existed. */
  addEdge(from: number, rel: Relation, to: number): boolean {
    if (!this.insertEdge(from, rel, to)) return false;
    this.log(ADD_EDGE, from, rel, to);
    return true;
  }

  removeEdge(from: number, rel: Relation, to: number): boolean {
    if (!this.deleteEdge(from, rel, to)) return false;
    this.log(REMOVE_EDGE, from, rel, to);
    return true;
  }

  /** Remove every edge `id -rel-> *`. */
  removeOut(id: number, rel: Relation): void {
    if (this.deleteSelf(id, rel)) this.log(REMOVE_EDGE, id, rel, id);
    const tos = this.outAdj.get(id)?.get(rel);
    if (!tos || tos.size === 0) return;
    // Deleting the current element while iterating a Set is safe in JS; no copy needed.
    for (const to of tos) {
      tos.delete(to);
      this.inAdj.get(to)!.get(rel)!.delete(id);
      this.edgeCount--;
      this.log(REMOVE_EDGE, id, rel, to);
    }
  }

  /** Remove every edge `* -rel-> id`. */
  removeIn(id: number, rel: Relation): void {
    if (this.deleteSelf(id, rel)) this.log(REMOVE_EDGE, id, rel, id);
    const froms = this.inAdj.get(id)?.get(rel);
    if (!froms || froms.size === 0) return;
    for (const from of froms) {
      froms.delete(from);
      this.outAdj.get(from)!.get(rel)!.delete(id);
      this.edgeCount--;
      this.log(REMOVE_EDGE, from, rel, id);
    }
  }

  /** Add CLOSE in both directions (CLOSE is symmetric, stored as two directed edges). */
  addClose(a: number, b: number): void {
    this.addEdge(a, 'CLOSE', b);
    this.addEdge(b, 'CLOSE', a);
  }

  addState(id: number, state: State): boolean {
    const n = this.nodeMap.get(id);
    if (!n || n.states.has(state)) return false;
    n.states.add(state);
    this.log(ADD_STATE, id, state, 0);
    return true;
  }

  removeState(id: number, state: State): boolean {
    const n = this.nodeMap.get(id);
    if (!n || !n.states.delete(state)) return false;
    this.log(REMOVE_STATE, id, state, 0);
    return true;
  }

  // ---- snapshots ------------------------------------------------------------------------

  /** A position in the undo log; pass it to `rollback` to return to this exact state. */
  mark(): number { return this.uLen; }

  /** Undo every mutation made since `mark`. */
  rollback(mark: number): void {
    const { uOp, uA, uKey, uB } = this;
    for (let i = this.uLen - 1; i >= mark; i--) {
      switch (uOp[i]) {
        case ADD_EDGE: this.deleteEdge(uA[i], uKey[i] as Relation, uB[i]); break;
        case REMOVE_EDGE: this.insertEdge(uA[i], uKey[i] as Relation, uB[i]); break;
        case ADD_STATE: this.nodeMap.get(uA[i])!.states.delete(uKey[i] as State); break;
        case REMOVE_STATE: this.nodeMap.get(uA[i])!.states.add(uKey[i] as State); break;
      }
    }
    if (mark < this.uLen) this.uLen = Math.max(0, mark);
  }

  /**
   * The additions and removals of edges `from -rel-> *` since `mark`, in order (self-relations
   * included), as [added, to] pairs.
   */
  edgeEventsSince(mark: number, from: number, rel: Relation): Array<[added: boolean, to: number]> {
    const out: Array<[boolean, number]> = [];
    const { uOp, uA, uKey, uB } = this;
    for (let i = Math.max(0, mark); i < this.uLen; i++) {
      const op = uOp[i];
      if ((op === ADD_EDGE || op === REMOVE_EDGE) && uA[i] === from && uKey[i] === rel) out.push([op === ADD_EDGE, uB[i]]);
    }
    return out;
  }

  /** Whether an edge `from -rel-> to` was removed at some point since `mark` (it may be back). */
  edgeRemovedSince(mark: number, from: number, rel: Relation, to: number): boolean {
    const { uOp, uA, uKey, uB } = this;
    for (let i = Math.max(0, mark); i < this.uLen; i++) {
      if (uOp[i] === REMOVE_EDGE && uA[i] === from && uB[i] === to && uKey[i] === rel) return true;
    }
    return false;
  }

  /** Whether `state` was removed from node `id` at some point since `mark`. */
  stateRemovedSince(mark: number, id: number, state: State): boolean {
    const { uOp, uA, uKey } = this;
    for (let i = Math.max(0, mark); i < this.uLen; i++) {
      if (uOp[i] === REMOVE_STATE && uA[i] === id && uKey[i] === state) return true;
    }
    return false;
  }

  /**
   * Forget the undo history up to now (keeps memory flat in long episodes). Marks taken
   * before this call become invalid.
   */
  commit(): void {
    this.uLen = 0;
    this.uOp.length = 0; this.uA.length = 0; this.uKey.length = 0; this.uB.length = 0;
  }

  /**
   * The changes since `mark` as a net diff: edges added/removed and states changed
   * (an edge added then removed again does not appear).
   */
  diffSince(mark: number): GraphDiff {
    const edgeNet = new Map<string, { t: EdgeTriple; n: number }>();
    const stateBefore = new Map<number, Set<State>>();
    const { uOp, uA, uKey, uB } = this;
    for (let i = Math.max(0, mark); i < this.uLen; i++) {
      const op = uOp[i];
      if (op === ADD_EDGE || op === REMOVE_EDGE) {
        if (uA[i] === uB[i]) continue; // a self-relation, never an edge (see insertSelf)
        const rel = uKey[i] as Relation;
        const key = `${uA[i]} ${rel} ${uB[i]}`;
        let e = edgeNet.get(key);
        if (!e) edgeNet.set(key, (e = { t: [uA[i], rel, uB[i]], n: 0 }));
        e.n += op === ADD_EDGE ? 1 : -1;
      } else if (!stateBefore.has(uA[i])) {
        // Reconstruct the node's states at `mark` by undoing this node's later changes.
        const id = uA[i];
        const s = new Set(this.nodeMap.get(id)!.states);
        for (let j = this.uLen - 1; j >= i; j--) {
          if ((uOp[j] === ADD_STATE || uOp[j] === REMOVE_STATE) && uA[j] === id) {
            if (uOp[j] === ADD_STATE) s.delete(uKey[j] as State); else s.add(uKey[j] as State);
          }
        }
        stateBefore.set(id, s);
      }
    }
    const edgesAdded: EdgeTriple[] = [];
    const edgesRemoved: EdgeTriple[] = [];
    for (const { t, n } of edgeNet.values()) {
      if (n > 0) edgesAdded.push(t);
      else if (n < 0) edgesRemoved.push(t);
    }
    const statesChanged: Record<string, [State[], State[]]> = {};
    for (const [id, before] of stateBefore) {
      const after = this.nodeMap.get(id)!.states;
      if (before.size === after.size && [...before].every((s) => after.has(s))) continue;
      statesChanged[String(id)] = [[...before], [...after]];
    }
    return { edgesAdded, edgesRemoved, statesChanged };
  }

  // ---- copies and output ----------------------------------------------------------------

  /** An independent deep copy (without undo history). */
  clone(): SceneGraph {
    const g = new SceneGraph();
    Object.assign(g.extraTop, this.extraTop);
    for (const n of this.nodeMap.values()) {
      g.addNodeInternal({ ...n, states: new Set(n.states) });
    }
    // Edges in `edges()` order, inserted without the generator's triples (the planner clones
    // the graph twice per step: this loop was most of a planner episode's allocation).
    // Out-sets are copied whole (same order); in-sets are rebuilt in that order, as before.
    for (const [from, rels] of this.outAdj) {
      let copyRels: Map<Relation, Set<number>> | undefined;
      for (const [rel, tos] of rels) {
        if (tos.size === 0) continue;
        if (!copyRels) g.outAdj.set(from, (copyRels = new Map()));
        copyRels.set(rel, new Set(tos));
        for (const to of tos) {
          let irels = g.inAdj.get(to);
          if (!irels) g.inAdj.set(to, (irels = new Map()));
          let froms = irels.get(rel);
          if (!froms) irels.set(rel, (froms = new Set()));
          froms.add(from);
        }
        g.edgeCount += tos.size;
      }
    }
    for (const [id, rels] of this.selfRel) for (const rel of rels) g.insertSelf(id, rel);
    return g;
  }

  /** Back to VirtualHome JSON (nodes in load order, current states; edges as in `edges()`). */
  toJSON(): GraphJSON {
    const nodes: GraphNodeJSON[] = [];
    for (const n of this.nodeMap.values()) {
      nodes.push({ ...n.source, id: n.id, class_name: n.className, category: n.category,
        properties: [...n.properties], states: [...n.states] });
    }
    const edges: GraphEdgeJSON[] = [];
    for (const [from_id, relation_type, to_id] of this.edges()) edges.push({ from_id, relation_type, to_id });
    return { ...this.extraTop, nodes, edges };
  }
}

/** A state change, as recorded in episode logs and in `hearth exec` output. */
export interface GraphDiff {
  edgesAdded: EdgeTriple[];
  edgesRemoved: EdgeTriple[];
  /** node id → [states before, states after], only for nodes whose state set changed. */
  statesChanged: Record<string, [State[], State[]]>;
}
