/**
 * A small hand-made house for planner tests: kitchen and living room joined by a door,
 * a fridge (closed) with a cup inside, a microwave (closed, off), a table, a chair, a sofa,
 * a tv (off and unplugged), a book, a remote, a heavy table that cannot be grabbed.
 */
import { SceneGraph, type GraphJSON, type GraphNodeJSON } from '../../env/graph.ts';

export const ID = {
  kitchen: 1, living: 2, door: 3, character: 10, fridge: 20, cup: 21, microwave: 22, kitchentable: 23,
  plate: 24, chair: 30, sofa: 31, tv: 32, book: 33, remote: 34, coffeetable: 35, box: 36, apple: 37,
} as const;

function n(id: number, class_name: string, properties: string[] = [], states: string[] = [], category = 'Props'): GraphNodeJSON {
  return { id, class_name, category, properties, states };
}

export function houseJSON(): GraphJSON {
  const nodes: GraphNodeJSON[] = [
    n(ID.kitchen, 'kitchen', [], [], 'Rooms'),
    n(ID.living, 'living_room', [], [], 'Rooms'),
    n(ID.door, 'door', ['CAN_OPEN'], ['OPEN'], 'Doors'),
    n(ID.character, 'character', [], [], 'Characters'),
    n(ID.fridge, 'fridge', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH'], ['CLOSED', 'ON']),
    n(ID.cup, 'cup', ['GRABBABLE', 'RECIPIENT'], []),
    n(ID.microwave, 'microwave', ['CAN_OPEN', 'CONTAINERS', 'HAS_SWITCH', 'HAS_PLUG'], ['CLOSED', 'OFF', 'PLUGGED_IN']),
    n(ID.kitchentable, 'kitchentable', ['SURFACES'], []),
    n(ID.plate, 'plate', ['GRABBABLE', 'SURFACES', 'RECIPIENT'], ['DIRTY']),
    n(ID.chair, 'chair', ['SITTABLE', 'SURFACES', 'MOVABLE'], []),
    n(ID.sofa, 'sofa', ['SITTABLE', 'LIEABLE', 'SURFACES'], []),
    n(ID.tv, 'tv', ['HAS_SWITCH', 'HAS_PLUG', 'LOOKABLE'], ['OFF', 'PLUGGED_OUT']),
    n(ID.book, 'book', ['GRABBABLE', 'READABLE'], ['CLOSED']),
    n(ID.remote, 'remote_control', ['GRABBABLE', 'HAS_SWITCH'], ['OFF']),
    n(ID.coffeetable, 'coffeetable', ['SURFACES'], []),
    n(ID.box, 'box', ['GRABBABLE', 'CONTAINERS', 'CAN_OPEN'], ['CLOSED']),
    n(ID.apple, 'apple', ['GRABBABLE', 'EATABLE'], []),
  ];
  const e: Array<[number, string, number]> = [
    [ID.door, 'BETWEEN', ID.kitchen], [ID.door, 'BETWEEN', ID.living], [ID.door, 'INSIDE', ID.kitchen],
    [ID.character, 'INSIDE', ID.living],
    [ID.fridge, 'INSIDE', ID.kitchen], [ID.cup, 'INSIDE', ID.kitchen], [ID.cup, 'INSIDE', ID.fridge],
    [ID.microwave, 'INSIDE', ID.kitchen], [ID.microwave, 'ON', ID.kitchentable],
    [ID.kitchentable, 'INSIDE', ID.kitchen], [ID.plate, 'INSIDE', ID.kitchen], [ID.plate, 'ON', ID.kitchentable],
    [ID.chair, 'INSIDE', ID.kitchen],
    [ID.sofa, 'INSIDE', ID.living], [ID.tv, 'INSIDE', ID.living], [ID.sofa, 'FACING', ID.tv],
    [ID.book, 'INSIDE', ID.living], [ID.book, 'ON', ID.coffeetable],
    [ID.remote, 'INSIDE', ID.living], [ID.remote, 'ON', ID.sofa],
    [ID.coffeetable, 'INSIDE', ID.living],
    [ID.box, 'INSIDE', ID.living], [ID.box, 'ON', ID.coffeetable],
    [ID.apple, 'INSIDE', ID.living], [ID.apple, 'INSIDE', ID.box],
  ];
  const edges = e.map(([from_id, relation_type, to_id]) => ({ from_id, relation_type, to_id }));
  for (const [a, b] of [[ID.cup, ID.fridge], [ID.plate, ID.kitchentable], [ID.microwave, ID.kitchentable], [ID.remote, ID.sofa], [ID.book, ID.coffeetable], [ID.apple, ID.box]]) {
    edges.push({ from_id: a, relation_type: 'CLOSE', to_id: b }, { from_id: b, relation_type: 'CLOSE', to_id: a });
  }
  return { nodes, edges };
}

export function house(): SceneGraph {
  return SceneGraph.fromJSON(houseJSON());
}
