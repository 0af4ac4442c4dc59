import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Executor } from '../../env/executor.ts';
import { SceneGraph } from '../../env/graph.ts';
import { validateGraph } from '../../env/load.ts';
import { parseScriptLine } from '../../env/script.ts';
import { generateScene } from '../../env/scenes/generate.ts';
import { sceneViolations } from './support/invariants.ts';

describe('scene generator', () => {
  it('gives byte-identical JSON for the same seed and different scenes for different seeds', () => {
    for (const seed of [0, 1, 77, 123456, 2 ** 31 + 5]) {
      expect(JSON.stringify(generateScene(seed))).toBe(JSON.stringify(generateScene(seed)));
    }
    const texts = new Set([0, 1, 2, 3, 4, 5].map((s) => JSON.stringify(generateScene(s))));
    expect(texts.size).toBe(6);
  });

  it('passes the graph schema, the strict loader and the invariants on many seeds', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const g = generateScene(seed);
      validateGraph(g, `scene ${seed}`);
      SceneGraph.fromJSON(g, { source: `scene ${seed}` });
      expect(sceneViolations(g)).toEqual([]);
    }), { numRuns: 150, seed: 42 });
  });

  it('honours the room count option and rejects bad ones', () => {
    for (let rooms = 3; rooms <= 8; rooms++) {
      const g = generateScene(9, { rooms });
      expect(g.nodes.filter((n) => n.category === 'Rooms')).toHaveLength(rooms);
      expect(sceneViolations(g)).toEqual([]);
    }
    expect(() => generateScene(1, { rooms: 9 })).toThrow(/3\.\.8/);
  });

  it('covers 3 to 8 rooms and every room kind over seeds', () => {
    const counts = new Set<number>();
    const kinds = new Set<string>();
    for (let s = 0; s < 60; s++) {
      const rooms = generateScene(s).nodes.filter((n) => n.category === 'Rooms');
      counts.add(rooms.length);
      for (const r of rooms) kinds.add(r.class_name);
    }
    expect([...counts].sort()).toEqual([3, 4, 5, 6, 7, 8]);
    expect([...kinds].sort()).toEqual(['bathroom', 'bedroom', 'dining_room', 'home_office', 'kitchen', 'living_room']);
  });

  it('lets the executor reach every room and every object once the doors are open', () => {
    for (const seed of [3, 4, 21]) {
      const g = SceneGraph.fromJSON(generateScene(seed));
      const ex = new Executor(g);
      const step = (text: string) => {
        const p = parseScriptLine(text, 1);
        if (!p.ok) throw new Error(text);
        return ex.executeLine(p.line);
      };
      const line = (a: string, id: number) => `[${a}] <${g.node(id).className}> (${id})`;
      // Open the doors (walking to a door is allowed up to the first closed one on the way).
      for (let round = 0; round < 8; round++) {
        for (const d of g.byClassName('door')) if (g.hasState(d, 'CLOSED') && step(line('WALK', d)).ok) step(line('OPEN', d));
      }
      expect(g.byClassName('door').filter((d) => g.hasState(d, 'CLOSED'))).toEqual([]);
      let walked = 0;
      for (const n of [...g.nodes()]) {
        if (n.className === 'character') continue;
        const r = step(line('WALK', n.id));
        expect(r.ok, `${seed}: walk to ${g.label(n.id)}: ${r.failure?.message}`).toBe(true);
        walked++;
      }
      expect(walked).toBeGreaterThan(40);
    }
  });
});

describe('scene invariant checker', () => {
  it('catches broken scenes (so that the property test above can fail)', () => {
    const base = generateScene(5);
    const copy = () => JSON.parse(JSON.stringify(base)) as typeof base;
    expect(sceneViolations(base)).toEqual([]);

    const oneWayClose = copy();
    const i = oneWayClose.edges.findIndex((e) => e.relation_type === 'CLOSE');
    oneWayClose.edges.splice(i, 1);
    expect(sceneViolations(oneWayClose).join('\n')).toMatch(/not symmetric/);

    const roomless = copy();
    const cup = roomless.nodes.find((n) => n.category !== 'Rooms' && n.class_name !== 'door' && n.class_name !== 'character')!;
    roomless.edges = roomless.edges.filter((e) => !(e.from_id === cup.id && e.relation_type === 'INSIDE'
      && roomless.nodes.find((n) => n.id === e.to_id)?.category === 'Rooms'));
    expect(sceneViolations(roomless).join('\n')).toMatch(/INSIDE 0 rooms/);

    const cut = copy();
    cut.edges = cut.edges.filter((e) => e.relation_type !== 'BETWEEN');
    expect(sceneViolations(cut).join('\n')).toMatch(/rooms are connected/);

    const bothStates = copy();
    const fridge = bothStates.nodes.find((n) => n.class_name === 'fridge')!;
    fridge.states = [...fridge.states, fridge.states.includes('OPEN') ? 'CLOSED' : 'OPEN'];
    expect(sceneViolations(bothStates).join('\n')).toMatch(/exactly one of OPEN\/CLOSED/);
  });
});
