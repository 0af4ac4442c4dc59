import { describe, expect, it } from 'vitest';
import { Episode } from '../../env/episode.ts';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import { observationText, observe, visibleIds } from '../../env/observation.ts';
import { Prng } from '../../env/prng.ts';
import { DEMO_CHARACTER_ID, demoHouseScene, demoTask } from '../../env/scenes/demo-house.ts';

const C = DEMO_CHARACTER_ID;

function shuffledScene(seed: number): GraphJSON {
  const s = demoHouseScene();
  const rng = new Prng(seed);
  const edges = [...s.edges];
  for (let i = edges.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [edges[i], edges[j]] = [edges[j], edges[i]];
  }
  const nodes = s.nodes.map((n) => ({ ...n, states: [...n.states].reverse() }));
  return { nodes, edges };
}

describe('E2CL observation text', () => {
  it('describes the close objects, their relations, in scene order, ending with ". "', () => {
    const g = SceneGraph.fromJSON(demoHouseScene());
    // The character starts next to the sofa and the coffee table with the remote on it.
    expect(observationText(g, C)).toBe('sofa, coffee_table, remote_control is OFF, remote_control ON coffee_table. ');
  });

  it('is the same text whatever the edge order or the state order in the file', () => {
    const steps = ['Walk to kitchen', 'Find microwave', 'Open microwave', 'Find cup', 'Grab cup', 'Walk to tv'];
    const texts = (scene: GraphJSON): string[] => {
      const ep = new Episode({ ...demoTask(), scene }, { seed: 5 });
      return [ep.reset().observation, ...steps.map((a) => ep.step(a).observation)];
    };
    const base = texts(demoHouseScene());
    expect(base.some((t) => t.includes(' and '))).toBe(true);
    for (let seed = 1; seed <= 5; seed++) expect(texts(shuffledScene(seed))).toEqual(base);
  });

  it('lists states in VirtualHome\'s enum order and every instance of a close class', () => {
    const ep = new Episode(demoTask(), { seed: 0 });
    ep.step('Walk to kitchen');
    ep.step('Find cup');
    const o = ep.step('Grab cup');
    // the held cup and the living-room cup are both described (one text, deduplicated)
    expect(o.observation).toBe('cup is CLEAN, kitchen_table. You have cup. ');
    ep.step('Find microwave');
    expect(ep.step('Open microwave').observation).toBe('cup is CLEAN, microwave is OPEN and OFF and PLUGGED_IN. You have cup. ');
  });

  it('is empty when nothing is close and nothing is held', () => {
    const g = SceneGraph.fromJSON(demoHouseScene());
    g.removeOut(C, 'CLOSE');
    g.removeIn(C, 'CLOSE');
    expect(observationText(g, C)).toBe('');
  });
});

describe('visibility and the structured observation', () => {
  it('hides what is inside a closed container until it is opened', () => {
    const ep = new Episode(demoTask(), { seed: 0 });
    ep.step('Walk to kitchen');
    expect(visibleIds(ep.graph, C).has(26)).toBe(false); // milk in the closed fridge
    expect(ep.step('Find fridge').ok).toBe(true);
    const o = ep.step('Open fridge');
    expect(o.ok).toBe(true);
    const milk = o.info.structured.visible.find((v) => v.id === 26);
    expect(milk).toBeDefined();
    expect(milk!.relations).toContainEqual({ relation: 'INSIDE', to: 20, toClass: 'fridge' });
    expect(milk!.relations).toContainEqual({ relation: 'INSIDE', to: 2, toClass: 'kitchen' });
  });

  it('sees only the character\'s room (plus rooms and held objects)', () => {
    const g = SceneGraph.fromJSON(demoHouseScene());
    const vis = visibleIds(g, C);
    expect(vis.has(30)).toBe(true); // tv, living room
    expect(vis.has(24)).toBe(false); // kitchen cup
    expect(vis.has(40)).toBe(false); // bed
    for (const room of [1, 2, 3, 4]) expect(vis.has(room)).toBe(true);
  });

  it('reports room, close ids, held objects with hands, and the same text', () => {
    const ep = new Episode(demoTask(), { seed: 0 });
    for (const a of ['Walk to kitchen', 'Find cup', 'Grab cup']) ep.step(a);
    const s = observe(ep.graph, C);
    expect(s.room).toEqual({ id: 2, className: 'kitchen' });
    expect(s.holds).toEqual([{ id: 24, className: 'cup', hand: 'right' }]);
    expect(s.close).toContain(24);
    expect(s.text).toBe(observationText(ep.graph, C));
    const cup = s.visible.find((v) => v.id === 24)!;
    expect(cup).toMatchObject({ held: true, close: true, states: ['CLEAN'] });
    expect(s.visible.some((v) => v.id === C || v.id === 2)).toBe(false);
  });
});
