/**
 * The built-in demo house: Hearth's own small scene (not VirtualHome data), used by
 * `hearth demo`, the README's examples and tests that need a whole house without the
 * reference data.
 *
 * Four rooms on a 2×2 grid (6 m × 6 m each): living room and kitchen on the north side,
 * bedroom and bathroom on the south. Doors: living room–kitchen and living room–bedroom are
 * open, bedroom–bathroom is closed. The scene is declared as objects with a position and size;
 * edges follow from the declaration: INSIDE its room (and its container), ON its support, and
 * CLOSE (both directions) between objects of one room whose centres are under 1.5 m apart,
 * Unity's rule for CLOSE. Ids are stable: tests and docs refer to them.
 */
import type { GoalPredicate } from '../goal.ts';
import type { GraphEdgeJSON, GraphJSON, GraphNodeJSON } from '../graph.ts';
import type { Task } from '../task.ts';

type Vec3 = [number, number, number];

interface Decl {
  id: number;
  cls: string;
  category: string;
  properties?: string[];
  states?: string[];
  /** Room id (rooms themselves and doors: see below). */
  room: number;
  at: Vec3;
  size: Vec3;
  on?: number;
  inside?: number;
}

const ROOM_SIZE: Vec3 = [6, 2.5, 6];
const ROOMS: Array<{ id: number; cls: string; center: Vec3 }> = [
  { id: 1, cls: 'living_room', center: [3, 1.25, 3] },
  { id: 2, cls: 'kitchen', center: [-3, 1.25, 3] },
  { id: 3, cls: 'bedroom', center: [3, 1.25, -3] },
  { id: 4, cls: 'bathroom', center: [-3, 1.25, -3] },
];

/** Doors: the room they are listed INSIDE first, then the room on the other side. */
const DOORS: Array<{ id: number; rooms: [number, number]; at: Vec3; size: Vec3; open: boolean }> = [
  { id: 10, rooms: [1, 2], at: [0, 1, 3], size: [0.1, 2, 0.9], open: true },
  { id: 11, rooms: [1, 3], at: [3, 1, 0], size: [0.9, 2, 0.1], open: true },
  { id: 12, rooms: [3, 4], at: [0, 1, -3], size: [0.1, 2, 0.9], open: false },
];

export const DEMO_CHARACTER_ID = 100;

const OBJECTS: Decl[] = [
  // living room
  { id: DEMO_CHARACTER_ID, cls: 'character', category: 'Characters', room: 1, at: [4.2, 0.9, 4.4], size: [0.6, 1.8, 0.4] },
  { id: 30, cls: 'tv', category: 'Electronics', properties: ['HAS_SWITCH', 'LOOKABLE', 'HAS_PLUG'], states: ['OFF', 'PLUGGED_IN'], room: 1, at: [3, 1.0, 0.6], size: [1.1, 0.7, 0.15], on: 34 },
  { id: 31, cls: 'sofa', category: 'Furniture', properties: ['SITTABLE', 'LIEABLE', 'SURFACES'], room: 1, at: [3, 0.45, 5.1], size: [2.2, 0.9, 0.9] },
  { id: 32, cls: 'coffee_table', category: 'Furniture', properties: ['SURFACES', 'MOVABLE'], room: 1, at: [3, 0.25, 3.9], size: [1.2, 0.5, 0.6] },
  { id: 33, cls: 'remote_control', category: 'Electronics', properties: ['GRABBABLE', 'HAS_SWITCH'], states: ['OFF'], room: 1, at: [3.3, 0.52, 3.9], size: [0.2, 0.04, 0.06], on: 32 },
  { id: 34, cls: 'tv_stand', category: 'Furniture', properties: ['SURFACES'], room: 1, at: [3, 0.3, 0.5], size: [1.6, 0.6, 0.45] },
  { id: 35, cls: 'cup', category: 'Props', properties: ['GRABBABLE', 'RECIPIENT'], states: ['CLEAN'], room: 1, at: [2.7, 0.55, 3.9], size: [0.09, 0.1, 0.09], on: 32 },
  // kitchen
  { id: 20, cls: 'fridge', category: 'Appliances', properties: ['CAN_OPEN', 'CONTAINERS', 'HAS_PLUG'], states: ['CLOSED', 'PLUGGED_IN'], room: 2, at: [-5.5, 1.0, 5.5], size: [0.8, 2.0, 0.7] },
  { id: 21, cls: 'microwave', category: 'Appliances', properties: ['CAN_OPEN', 'HAS_SWITCH', 'CONTAINERS', 'HAS_PLUG'], states: ['CLOSED', 'OFF', 'PLUGGED_IN'], room: 2, at: [-4.3, 1.05, 5.6], size: [0.5, 0.3, 0.4], on: 23 },
  { id: 22, cls: 'kitchen_table', category: 'Furniture', properties: ['SURFACES'], room: 2, at: [-3, 0.4, 2.5], size: [1.4, 0.8, 0.9] },
  { id: 23, cls: 'kitchen_counter', category: 'Furniture', properties: ['SURFACES'], room: 2, at: [-4.0, 0.45, 5.6], size: [2.0, 0.9, 0.6] },
  { id: 24, cls: 'cup', category: 'Props', properties: ['GRABBABLE', 'RECIPIENT'], states: ['CLEAN'], room: 2, at: [-3.3, 0.85, 2.4], size: [0.09, 0.1, 0.09], on: 22 },
  { id: 25, cls: 'plate', category: 'Props', properties: ['GRABBABLE', 'SURFACES', 'RECIPIENT'], states: ['CLEAN'], room: 2, at: [-2.7, 0.81, 2.6], size: [0.25, 0.02, 0.25], on: 22 },
  { id: 26, cls: 'milk', category: 'Food', properties: ['GRABBABLE', 'DRINKABLE', 'POURABLE'], room: 2, at: [-5.5, 1.2, 5.5], size: [0.1, 0.25, 0.1], inside: 20 },
  { id: 27, cls: 'kitchen_chair', category: 'Furniture', properties: ['SITTABLE', 'MOVABLE'], room: 2, at: [-3, 0.45, 1.7], size: [0.45, 0.9, 0.45] },
  // bedroom
  { id: 40, cls: 'bed', category: 'Furniture', properties: ['SITTABLE', 'LIEABLE', 'SURFACES'], room: 3, at: [3.5, 0.3, -4.5], size: [1.6, 0.6, 2.1] },
  { id: 41, cls: 'nightstand', category: 'Furniture', properties: ['SURFACES', 'CAN_OPEN', 'CONTAINERS'], states: ['CLOSED'], room: 3, at: [4.8, 0.3, -3.8], size: [0.45, 0.6, 0.4] },
  { id: 42, cls: 'table_lamp', category: 'Lamps', properties: ['HAS_SWITCH', 'HAS_PLUG'], states: ['OFF', 'PLUGGED_IN'], room: 3, at: [4.8, 0.8, -3.8], size: [0.25, 0.4, 0.25], on: 41 },
  { id: 43, cls: 'book', category: 'Props', properties: ['GRABBABLE', 'READABLE'], room: 3, at: [4.8, 0.2, -3.8], size: [0.15, 0.03, 0.22], inside: 41 },
  // bathroom
  { id: 50, cls: 'toilet', category: 'Furniture', properties: ['SITTABLE', 'CONTAINERS'], room: 4, at: [-5.3, 0.4, -5.2], size: [0.4, 0.8, 0.7] },
  { id: 51, cls: 'sink', category: 'Furniture', properties: ['RECIPIENT', 'CONTAINERS'], room: 4, at: [-4.3, 0.85, -5.6], size: [0.6, 0.2, 0.45] },
  { id: 52, cls: 'towel', category: 'Props', properties: ['GRABBABLE', 'COVER_OBJECT'], states: ['CLEAN'], room: 4, at: [-3.6, 1.0, -5.8], size: [0.4, 0.6, 0.05] },
];

const dist = (a: Vec3, b: Vec3): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** A fresh copy of the demo house's graph JSON. */
export function demoHouseScene(): GraphJSON {
  const nodes: GraphNodeJSON[] = [];
  const edges: GraphEdgeJSON[] = [];
  const edge = (from_id: number, relation_type: string, to_id: number): void => { edges.push({ from_id, relation_type, to_id }); };
  for (const r of ROOMS) {
    nodes.push({ id: r.id, class_name: r.cls, category: 'Rooms', properties: [], states: [],
      bounding_box: { center: [...r.center], size: [...ROOM_SIZE] } });
  }
  for (const d of DOORS) {
    nodes.push({ id: d.id, class_name: 'door', category: 'Doors', properties: ['CAN_OPEN'], states: [d.open ? 'OPEN' : 'CLOSED'],
      bounding_box: { center: [...d.at], size: [...d.size] } });
    edge(d.id, 'INSIDE', d.rooms[0]);
    edge(d.id, 'BETWEEN', d.rooms[0]);
    edge(d.id, 'BETWEEN', d.rooms[1]);
  }
  for (const o of OBJECTS) {
    nodes.push({ id: o.id, class_name: o.cls, category: o.category, properties: [...(o.properties ?? [])],
      states: [...(o.states ?? [])], bounding_box: { center: [...o.at], size: [...o.size] } });
  }
  for (const o of OBJECTS) {
    edge(o.id, 'INSIDE', o.room);
    if (o.inside !== undefined) edge(o.id, 'INSIDE', o.inside);
    if (o.on !== undefined) edge(o.id, 'ON', o.on);
  }
  for (let i = 0; i < OBJECTS.length; i++) {
    for (let j = i + 1; j < OBJECTS.length; j++) {
      const a = OBJECTS[i];
      const b = OBJECTS[j];
      if (a.room === b.room && dist(a.at, b.at) < 1.5) { edge(a.id, 'CLOSE', b.id); edge(b.id, 'CLOSE', a.id); }
    }
  }
  return { nodes, edges };
}

/** The demo task's goal: cup heated in the closed microwave, TV on, sitting on the sofa. */
export const DEMO_GOAL: readonly GoalPredicate[] = [
  { kind: 'edge', from: { class: 'cup' }, relation: 'INSIDE', to: 21 },
  { kind: 'state', node: 21, state: 'CLOSED' },
  { kind: 'state', node: 21, state: 'ON' },
  { kind: 'state', node: 30, state: 'ON' },
  { kind: 'edge', from: DEMO_CHARACTER_ID, relation: 'ON', to: 31 },
];

/** A clean solution of the demo task as E2CL actions. */
export const DEMO_SOLUTION: readonly string[] = [
  'Walk to kitchen', 'Find cup', 'Grab cup', 'Find microwave', 'Open microwave', 'Put cup in microwave',
  'Close microwave', 'Switch on microwave', 'Walk to living room', 'Walk to tv', 'Switch on tv', 'Find sofa',
  'Sit on sofa',
];

/**
 * The scripted demo episode: the solution with a few typical agent mistakes mixed in (a
 * hallucinated object, grabbing before finding, switching on a TV in another room), then END.
 */
export const DEMO_ACTIONS: readonly string[] = [
  'Walk to kitchen', 'Open oven', 'Grab cup', 'Find cup', 'Grab cup', 'Find microwave', 'Open microwave',
  'Put cup in microwave', 'Close microwave', 'Switch on microwave', 'Switch on tv', 'Walk to living room',
  'Walk to tv', 'Switch on tv', 'Find sofa', 'Sit on sofa', 'END',
];

/** The demo task (a fresh copy each call). */
export function demoTask(): Task {
  return {
    id: 'demo/heat-drink-watch-tv',
    title: 'Heat a drink and watch TV',
    description: 'Put a cup in the microwave, close it and switch it on, then switch on the TV and sit on the sofa.',
    split: 'train',
    scene: demoHouseScene(),
    goal: DEMO_GOAL.map((p) => ({ ...p })),
    expertNL: [...DEMO_SOLUTION],
  };
}
