/**
 * What the agent observes after a step.
 *
 * 1. E2CL's observation text (spec/e2cl.md §1), built the authors' way but in a fixed order:
 *    take the nodes the agent has a CLOSE edge to that are visible; for every node in the
 *    scene with one of their class names write `{class} is {S1} and {S2}` (or `{class}`);
 *    then the relations among the close nodes except CLOSE/FACING/INSIDE/HOLDS_* as
 *    `{class} {REL} {class}`; drop repeats; join with `, `, end with `. `; then append
 *    `You have {held classes}. ` when holding something.
 *    Order (the authors use a Python set): descriptions in scene (node load) order, then
 *    relations in edge order; a node's states in VirtualHome's enum order (CLOSED, OPEN, ON,
 *    OFF, SITTING, DIRTY, CLEAN, LYING, PLUGGED_IN, PLUGGED_OUT), so the same state reads the
 *    same whatever its history.
 * 2. A structured observation: the room, the visible objects with their states and relations,
 *    what is close, what is held.
 *
 * Visibility (VirtualHome's `get_visible_nodes`): nodes INSIDE the character's room, directly
 * or through a chain of INSIDE edges, that are not inside a non-room node lacking the OPEN state;
 * plus every room and every held object. The reference judges "inside" by one INSIDE edge per
 * node (whichever comes last in its edge list); we check all of a node's INSIDE targets, which is
 * the same on graphs where an object is inside one container and its room.
 */
import type { SceneGraph } from './graph.ts';
import { STATES, type Relation, type State } from './vocabulary.ts';

const STATE_ORDER: ReadonlyMap<State, number> = new Map(STATES.map((s, i) => [s, i]));
const HIDDEN_RELATIONS: ReadonlySet<Relation> = new Set(['CLOSE', 'FACING', 'INSIDE', 'HOLDS_LH', 'HOLDS_RH']);
const RELATION_ORDER: readonly Relation[] = ['ON', 'INSIDE', 'BETWEEN', 'FACING', 'HOLDS_RH', 'HOLDS_LH', 'SITTING'];

/** A node's states in VirtualHome's enum order. */
export function orderedStates(graph: SceneGraph, id: number): State[] {
  return [...graph.node(id).states].sort((a, b) => STATE_ORDER.get(a)! - STATE_ORDER.get(b)!);
}

const isRoom = (graph: SceneGraph, id: number): boolean => graph.get(id)?.category === 'Rooms';

/** The character's room: the first INSIDE target that is a room (v1's room()). */
export function roomOfNode(graph: SceneGraph, id: number): number | undefined {
  if (isRoom(graph, id)) return id;
  for (const x of graph.out(id, 'INSIDE')) if (isRoom(graph, x)) return x;
  return undefined;
}

/** Held objects (right hand first, then left), as the character's HOLDS edges list them. */
export function heldObjects(graph: SceneGraph, character: number): number[] {
  return [...graph.out(character, 'HOLDS_RH'), ...graph.out(character, 'HOLDS_LH')];
}

/** Room ids per graph, in scene order (nodes are only ever added; the count guards that). */
const roomCache = new WeakMap<SceneGraph, { size: number; rooms: number[] }>();
function rooms(graph: SceneGraph): number[] {
  const hit = roomCache.get(graph);
  if (hit && hit.size === graph.size) return hit.rooms;
  const list: number[] = [];
  for (const n of graph.nodes()) if (n.category === 'Rooms') list.push(n.id);
  roomCache.set(graph, { size: graph.size, rooms: list });
  return list;
}

/** The ids visible to the character (rule in the header): rooms first, then the room's contents, then held objects. */
export function visibleIds(graph: SceneGraph, character: number): Set<number> {
  const out = new Set<number>(rooms(graph));
  const room = roomOfNode(graph, character);
  if (room !== undefined) {
    const reach = new Set<number>([room]);
    const queue = [room];
    while (queue.length > 0) {
      const x = queue.pop()!;
      for (const y of graph.in(x, 'INSIDE')) {
        if (reach.has(y)) continue;
        reach.add(y);
        queue.push(y);
        let hidden = false;
        for (const z of graph.out(y, 'INSIDE')) {
          if (!isRoom(graph, z) && !graph.hasState(z, 'OPEN')) { hidden = true; break; }
        }
        if (!hidden) out.add(y);
      }
    }
  }
  for (const id of heldObjects(graph, character)) out.add(id);
  return out;
}

/** E2CL's observation text for the character's current state (empty string when nothing is close and nothing held). */
export function observationText(graph: SceneGraph, character: number): string {
  return textFor(graph, character, visibleIds(graph, character));
}

/** id → position in scene (load) order, per graph; rebuilt when nodes were added. */
const orderCache = new WeakMap<SceneGraph, { size: number; order: Map<number, number> }>();
function sceneOrder(graph: SceneGraph): Map<number, number> {
  const hit = orderCache.get(graph);
  if (hit && hit.size === graph.size) return hit.order;
  const order = new Map<number, number>();
  let i = 0;
  for (const id of graph.ids()) order.set(id, i++);
  orderCache.set(graph, { size: graph.size, order });
  return order;
}

/** The ids sorted in scene order. */
function inSceneOrder(graph: SceneGraph, ids: Iterable<number>): number[] {
  const order = sceneOrder(graph);
  return [...ids].sort((a, b) => order.get(a)! - order.get(b)!);
}

function textFor(graph: SceneGraph, character: number, visible: ReadonlySet<number>): string {
  const closeIds = graph.out(character, 'CLOSE');
  // Class names of the close, visible nodes; then every close node of those classes.
  const classes = new Set<string>();
  for (const id of closeIds) if (visible.has(id)) classes.add(graph.node(id).className);
  const closeOfClass = inSceneOrder(graph, [...closeIds].filter((id) => classes.has(graph.node(id).className)));
  const closeSet = new Set(closeOfClass);

  const items: string[] = [];
  const seen = new Set<string>();
  const add = (s: string): void => { if (s.length > 0 && !seen.has(s)) { seen.add(s); items.push(s); } };
  const described = inSceneOrder(graph, [...classes].flatMap((c) => graph.byClassName(c)));
  for (const id of described) {
    const cls = graph.node(id).className;
    const states = orderedStates(graph, id);
    add(states.length > 0 ? `${cls} is ${states.join(' and ')}` : cls);
  }
  for (const from of closeOfClass) {
    for (const rel of RELATION_ORDER) {
      if (HIDDEN_RELATIONS.has(rel)) continue;
      for (const to of graph.out(from, rel)) {
        if (closeSet.has(to)) add(`${graph.node(from).className} ${rel} ${graph.node(to).className}`);
      }
    }
  }
  let text = items.length > 0 ? `${items.join(', ')}. ` : '';
  const held = heldObjects(graph, character);
  if (held.length > 0) text += `You have ${inSceneOrder(graph, held).map((id) => graph.node(id).className).join(', ')}. `;
  return text;
}

export interface ObservedRelation {
  relation: Relation;
  to: number;
  toClass: string;
}

export interface ObservedObject {
  id: number;
  className: string;
  states: State[];
  /** Outgoing edges to other visible nodes (rooms included), CLOSE left out (see `close`). */
  relations: ObservedRelation[];
  /** The character has a CLOSE edge to it. */
  close: boolean;
  held: boolean;
}

export interface StructuredObservation {
  /** The character's room, or null when it has none. */
  room: { id: number; className: string } | null;
  /** Visible objects (not rooms, not the character), in scene (load) order. */
  visible: ObservedObject[];
  /** Ids the character has a CLOSE edge to, in edge order. */
  close: number[];
  /** Held objects with their hand. */
  holds: Array<{ id: number; className: string; hand: 'right' | 'left' }>;
  /** The E2CL text of the same state. */
  text: string;
}

/** The structured observation of the character's current state. */
export function observe(graph: SceneGraph, character: number): StructuredObservation {
  const visible = visibleIds(graph, character);
  const close = [...graph.out(character, 'CLOSE')];
  const closeSet = new Set(close);
  const rh = graph.out(character, 'HOLDS_RH');
  const lh = graph.out(character, 'HOLDS_LH');
  const objects: ObservedObject[] = [];
  for (const id of inSceneOrder(graph, visible)) {
    if (id === character || isRoom(graph, id)) continue;
    const relations: ObservedRelation[] = [];
    for (const rel of RELATION_ORDER) {
      for (const to of graph.out(id, rel)) {
        if (visible.has(to) && to !== id) relations.push({ relation: rel, to, toClass: graph.node(to).className });
      }
    }
    objects.push({
      id, className: graph.node(id).className, states: orderedStates(graph, id), relations,
      close: closeSet.has(id), held: rh.has(id) || lh.has(id),
    });
  }
  const room = roomOfNode(graph, character);
  return {
    room: room === undefined ? null : { id: room, className: graph.node(room).className },
    visible: objects,
    close,
    holds: [
      ...[...rh].map((id) => ({ id, className: graph.node(id).className, hand: 'right' as const })),
      ...[...lh].map((id) => ({ id, className: graph.node(id).className, hand: 'left' as const })),
    ],
    text: textFor(graph, character, visible),
  };
}
