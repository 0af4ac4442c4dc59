/**
 * The shared predicates (env/exec/predicates.ts, spec §5) on hand-made graphs (issue 24):
 * room lookup in both modes, the loose close rule, facing through one hop, hands, closed
 * containers, and v1's closed-door path search.
 */
import { describe, expect, it } from 'vitest';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import { closedDoorsBetween, doorGraph, freeHand, holdsAnything, isClose, isFacing, isHolding, isInsideClosed, isRoom, roomOf } from '../../env/exec/predicates.ts';
import { C, house, ID } from './action-scene.ts';

const H = () => SceneGraph.fromJSON(house());

describe('roomOf', () => {
  it('a room is its own room; v1 takes the first INSIDE target that is a room', () => {
    const g = H();
    expect(isRoom(g, ID.kitchen)).toBe(true);
    expect(isRoom(g, ID.cup)).toBe(false);
    expect(isRoom(g, 999)).toBe(false);
    for (const m of ['v1', 'master'] as const) {
      expect(roomOf(g, ID.kitchen, m)).toBe(ID.kitchen);
      expect(roomOf(g, ID.tv, m)).toBe(ID.livingroom);
      expect(roomOf(g, ID.milk, m)).toBe(ID.kitchen); // INSIDE fridge and kitchen
    }
  });
  it('master follows a chain of single INSIDE edges; v1 does not', () => {
    const g = H();
    g.removeEdge(ID.cup, 'INSIDE', ID.kitchen);
    g.addEdge(ID.cup, 'INSIDE', ID.box);
    expect(roomOf(g, ID.cup, 'v1')).toBeUndefined();
    expect(roomOf(g, ID.cup, 'master')).toBe(ID.kitchen);
    g.removeEdge(ID.box, 'INSIDE', ID.kitchen);
    g.addEdge(ID.box, 'INSIDE', ID.cabinet);
    expect(roomOf(g, ID.cup, 'master')).toBe(ID.kitchen); // cup → box → cabinet → kitchen
    g.removeEdge(ID.cabinet, 'INSIDE', ID.kitchen);
    expect(roomOf(g, ID.cup, 'master')).toBeUndefined(); // chain ends without a room
  });
  it('master: with several INSIDE edges, the room among them (no chain), or none', () => {
    const g = H();
    g.removeEdge(ID.milk, 'INSIDE', ID.kitchen);
    g.addEdge(ID.milk, 'INSIDE', ID.cabinet);
    expect(roomOf(g, ID.milk, 'master')).toBeUndefined(); // fridge and cabinet, neither a room
    expect(roomOf(g, ID.milk, 'v1')).toBeUndefined();
  });
  it('master: a cycle of containers ends', () => {
    const g = H();
    g.removeEdge(ID.cup, 'INSIDE', ID.kitchen);
    g.removeEdge(ID.box, 'INSIDE', ID.kitchen);
    g.addEdge(ID.cup, 'INSIDE', ID.box);
    g.addEdge(ID.box, 'INSIDE', ID.cup);
    expect(roomOf(g, ID.cup, 'master')).toBeUndefined();
  });
});

describe('isClose (the loose rule)', () => {
  it('direct CLOSE, or none at all', () => {
    const g = H();
    expect(isClose(g, C, ID.cup)).toBe(false);
    g.addEdge(C, 'CLOSE', ID.cup);
    expect(isClose(g, C, ID.cup)).toBe(true);
    expect(isClose(g, C, ID.rock)).toBe(false);
  });
  it('one hop: CLOSE(c→x) and ON(n→x)', () => {
    const g = H();
    g.addEdge(C, 'CLOSE', ID.table);
    expect(isClose(g, C, ID.plate)).toBe(true); // plate ON table
    expect(isClose(g, C, ID.cup)).toBe(false);
  });
  it('one hop: CLOSE(c→x) and CLOSE(x→n), from either side\'s smaller set', () => {
    const g = H();
    g.addEdge(C, 'CLOSE', ID.rock);
    g.addEdge(ID.rock, 'CLOSE', ID.cup);
    expect(isClose(g, C, ID.cup)).toBe(true);
    g.addEdge(ID.box, 'CLOSE', ID.cup);
    g.addEdge(ID.bowl, 'CLOSE', ID.cup); // n has more CLOSE sources than c has targets
    expect(isClose(g, C, ID.cup)).toBe(true);
    g.addEdge(C, 'CLOSE', ID.sink);
    g.addEdge(C, 'CLOSE', ID.sofa);
    g.addEdge(C, 'CLOSE', ID.bed); // now c has more
    expect(isClose(g, C, ID.cup)).toBe(true);
    const h = H();
    h.addEdge(C, 'CLOSE', ID.rock);
    h.addEdge(ID.cup, 'CLOSE', ID.rock); // the wrong direction: n→x is not x→n
    expect(isClose(h, C, ID.cup)).toBe(false);
    h.addEdge(C, 'CLOSE', ID.sink);
    h.addEdge(ID.box, 'CLOSE', ID.cup);
    expect(isClose(h, C, ID.cup)).toBe(false);
  });
});

describe('isFacing, hands, closed containers', () => {
  it('faces directly or through one object', () => {
    const g = H();
    expect(isFacing(g, C, ID.tv)).toBe(false);
    g.addEdge(C, 'FACING', ID.sofa);
    expect(isFacing(g, C, ID.tv)).toBe(false);
    g.addEdge(ID.sofa, 'FACING', ID.tv);
    expect(isFacing(g, C, ID.tv)).toBe(true);
    expect(isFacing(g, C, ID.sofa)).toBe(true);
    g.addEdge(ID.tv, 'FACING', ID.painting);
    expect(isFacing(g, C, ID.painting)).toBe(false); // two hops
  });
  it('free hand: right, then left, then none; holding either hand', () => {
    const g = H();
    expect(freeHand(g, C)).toBe('HOLDS_RH');
    expect(holdsAnything(g, C)).toBe(false);
    g.addEdge(C, 'HOLDS_LH', ID.cup);
    expect(freeHand(g, C)).toBe('HOLDS_RH');
    expect(holdsAnything(g, C)).toBe(true);
    expect(isHolding(g, C, ID.cup)).toBe(true);
    g.addEdge(C, 'HOLDS_RH', ID.book);
    expect(freeHand(g, C)).toBeUndefined();
    g.removeEdge(C, 'HOLDS_LH', ID.cup);
    expect(freeHand(g, C)).toBe('HOLDS_LH');
    expect(holdsAnything(g, C)).toBe(true);
    expect(isHolding(g, C, ID.book)).toBe(true);
    expect(isHolding(g, C, ID.cup)).toBe(false);
  });
  it('inside closed: a CLOSED non-room container only', () => {
    const g = H();
    expect(isInsideClosed(g, ID.milk)).toBe(true);
    expect(isInsideClosed(g, ID.cup)).toBe(false);
    g.addState(ID.kitchen, 'CLOSED');
    expect(isInsideClosed(g, ID.cup)).toBe(false); // a closed room does not count
    g.addEdge(ID.cup, 'INSIDE', ID.cabinet);
    expect(isInsideClosed(g, ID.cup)).toBe(false); // OPEN
    g.removeState(ID.cabinet, 'OPEN');
    expect(isInsideClosed(g, ID.cup)).toBe(false); // neither state: open
    g.addState(ID.cabinet, 'CLOSED');
    expect(isInsideClosed(g, ID.cup)).toBe(true);
  });
});

describe('closed doors between rooms (v1)', () => {
  /** Rooms 1-2-3-4 in a line (doors 5, 6, 7), a door 8 from 1 to 3, a doorjamb 12 from 4 to 13, room 9 with a one-sided door 10. */
  const doors = (closed: number[] = []): SceneGraph => {
    const n = (id: number, class_name: string, category = 'Doors', states: string[] = []) => ({ id, class_name, category, properties: [], states });
    const b = (d: number, r: number) => ({ from_id: d, relation_type: 'BETWEEN', to_id: r });
    const j: GraphJSON = {
      nodes: [n(1, 'kitchen', 'Rooms'), n(2, 'livingroom', 'Rooms'), n(3, 'bedroom', 'Rooms'), n(4, 'bathroom', 'Rooms'), n(9, 'hall', 'Rooms'), n(13, 'garage', 'Rooms'),
        ...[5, 6, 7, 8, 10].map((d) => n(d, 'door', 'Doors', [closed.includes(d) ? 'CLOSED' : 'OPEN'])), n(12, 'doorjamb'), n(11, 'character', 'Characters')],
      edges: [b(5, 1), b(5, 2), b(6, 2), b(6, 3), b(7, 3), b(7, 4), b(8, 1), b(8, 3), b(10, 9), b(12, 4), b(12, 13)],
    };
    return SceneGraph.fromJSON(j);
  };
  it('builds the room graph from doors and doorjambs with two rooms', () => {
    const adj = doorGraph(doors());
    expect([...adj.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 13]);
    expect(adj.get(1)).toEqual([[2, 5], [3, 8]]);
    expect(adj.get(3)).toEqual([[2, 6], [4, 7], [1, 8]]);
    expect(adj.get(4)).toEqual([[3, 7], [13, 12]]);
    expect(adj.get(13)).toEqual([[4, 12]]);
  });
  it('same room, rooms without doors, open paths: nothing closed', () => {
    const g = doors([5]);
    expect(closedDoorsBetween(g, 1, 1)).toEqual([]);
    expect(closedDoorsBetween(g, 1, 9)).toEqual([]); // the hall's door has one room: not in the graph
    expect(closedDoorsBetween(g, 9, 1)).toEqual([]);
    expect(closedDoorsBetween(g, 1, 2)).toEqual([]); // 1 → 8 → 3 → 6 → 2 goes around the closed door
    expect(closedDoorsBetween(doors(), 1, 4)).toEqual([]);
  });
  it('the closed doors on a shortest path, from the target back', () => {
    expect(closedDoorsBetween(doors([5, 8]), 1, 2)).toEqual([5]);
    expect(closedDoorsBetween(doors([8]), 1, 3)).toEqual([]); // 1 → 5 → 2 → 6 → 3 is open
    expect(closedDoorsBetween(doors([5, 8]), 1, 3)).toEqual([8]);
    expect(closedDoorsBetween(doors([7]), 1, 4)).toEqual([7]);
    expect(closedDoorsBetween(doors([8, 7]), 1, 4)).toEqual([7, 8]);
    expect(closedDoorsBetween(doors([5, 8, 7]), 1, 4)).toEqual([7, 8]);
    expect(closedDoorsBetween(doors([5, 8, 7]), 1, 13)).toEqual([7, 8]); // through the doorjamb
    expect(closedDoorsBetween(doors([5, 6, 8, 7]), 4, 2)).toEqual([6, 7]);
    expect(closedDoorsBetween(doors([6, 8]), 13, 1)).toEqual([8]);
    expect(closedDoorsBetween(doors([8]), 13, 1)).toEqual([]); // around through 6 and 5
    const g = doors([5, 8]);
    expect(closedDoorsBetween(g, 1, 2, doorGraph(g))).toEqual([5]);
  });
  it('no path at all: undefined', () => {
    const g = H(); // kitchen–livingroom and bedroom–bathroom are separate
    expect(closedDoorsBetween(g, ID.kitchen, ID.bedroom)).toBeUndefined();
    expect(closedDoorsBetween(g, ID.kitchen, ID.livingroom)).toEqual([]);
  });
});
