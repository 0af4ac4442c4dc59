/**
 * The dialogue house: the demo house (env/scenes/demo-house.ts) with one cup, so that "the cup"
 * names one thing and a round's judgement is about the object the user meant. The user's own
 * moves (leaving something lying around before asking to put it away) are graph edits here.
 */
import { demoHouseScene, DEMO_CHARACTER_ID } from '../env/scenes/demo-house.ts';
import type { GraphJSON, SceneGraph } from '../env/graph.ts';
import type { Task } from '../env/task.ts';

/** The living-room cup of the demo house (the kitchen one stays). */
const DROPPED_CUP = 35;

export const CHARACTER = DEMO_CHARACTER_ID;

export function dialogueScene(): GraphJSON {
  const s = demoHouseScene();
  return {
    nodes: s.nodes.filter((n) => n.id !== DROPPED_CUP),
    edges: s.edges.filter((e) => e.from_id !== DROPPED_CUP && e.to_id !== DROPPED_CUP),
  };
}

/** The task an interactive episode runs on: the dialogue house, no fixed goal (each round has its own). */
export function dialogueTask(id = 'dialogue/demo-house'): Task {
  return { id, title: 'Household rounds with a simulated user', description: 'The user gives one instruction per round.', split: 'train', scene: dialogueScene(), goal: [] };
}

/** The only node of a class (the dialogue house has one of each thing the user talks about). */
export function nodeOf(graph: SceneGraph, cls: string): number {
  const ids = graph.byClassName(cls);
  if (ids.length !== 1) throw new Error(`the dialogue house has ${ids.length} nodes of class ${cls}, expected 1`);
  return ids[0];
}

/** The room a node is INSIDE (rooms are the nodes of category Rooms). */
export function roomOf(graph: SceneGraph, id: number): number | undefined {
  for (const r of graph.out(id, 'INSIDE')) if (graph.node(r).category === 'Rooms') return r;
  return undefined;
}

/** Where a thing is now: its ON/INSIDE edge to a non-room node (null: held, or only in a room). */
export function placeOf(graph: SceneGraph, id: number): { relation: 'ON' | 'INSIDE'; target: string } | null {
  for (const rel of ['INSIDE', 'ON'] as const) {
    for (const t of graph.out(id, rel)) if (graph.node(t).category !== 'Rooms') return { relation: rel, target: graph.node(t).className };
  }
  return null;
}

/**
 * The user leaves `object` on `surface` (a user-side move before a round): its old ON/INSIDE
 * and CLOSE edges go, it is ON the surface, INSIDE the surface's room and CLOSE to the surface.
 */
export function leaveOn(graph: SceneGraph, object: number, surface: number): void {
  graph.removeOut(object, 'ON');
  graph.removeOut(object, 'INSIDE');
  graph.removeOut(object, 'CLOSE');
  graph.removeIn(object, 'CLOSE');
  graph.addEdge(object, 'ON', surface);
  const room = roomOf(graph, surface);
  if (room !== undefined) graph.addEdge(object, 'INSIDE', room);
  graph.addClose(object, surface);
}
