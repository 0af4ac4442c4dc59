/**
 * SceneGraph.clone copies adjacency directly (no edge triples). Its orders must be what they
 * were when the clone re-inserted `edges()` one by one: the planner searches on clones, and
 * set order decides some of the reference's choices, so a different order is a different plan.
 */
import { describe, expect, it } from 'vitest';
import { SceneGraph } from '../../env/graph.ts';
import { RELATIONS } from '../../env/vocabulary.ts';
import { Prng } from '../../env/prng.ts';
import { getTaskSet } from '../../env/tasks/index.ts';

/** The graph rebuilt by inserting its edges in `edges()` order (the clone as it was). */
function reinserted(g: SceneGraph): SceneGraph {
  const json = g.toJSON();
  return SceneGraph.fromJSON({ ...json, edges: [...g.edges()].map(([from_id, relation_type, to_id]) => ({ from_id, relation_type, to_id })) }, { lenient: true });
}

function orders(g: SceneGraph): unknown {
  const ids = [...g.ids()];
  return {
    edges: [...g.edges()], total: g.edgeTotal,
    out: ids.map((id) => RELATIONS.map((r) => [...g.out(id, r)])),
    in: ids.map((id) => RELATIONS.map((r) => [...g.in(id, r)])),
    states: ids.map((id) => [...g.node(id).states]),
  };
}

describe('SceneGraph.clone', () => {
  it('keeps edges(), out and in orders of re-inserting edges() after edits, and is independent', () => {
    const tasks = getTaskSet('generated').list({ seed: 3, count: 4 });
    for (const [k, task] of tasks.entries()) {
      const g = SceneGraph.fromJSON(task.scene, { lenient: true });
      const rng = new Prng(k);
      const ids = [...g.ids()];
      // Remove and re-add edges so that in-sets are no longer in out order and some sets are empty.
      const edges = [...g.edges()];
      for (let i = 0; i < 60; i++) {
        const [a, r, b] = rng.pick(edges);
        g.removeEdge(a, r, b);
        if (rng.next() < 0.5) g.addEdge(a, r, b);
        g.addEdge(rng.pick(ids), rng.pick(RELATIONS), rng.pick(ids));
      }
      g.addEdge(ids[1], 'CLOSE', ids[1]); // a self-loop (kept apart from edges)
      const c = g.clone();
      expect(orders(c), task.id).toEqual(orders(reinserted(g)));
      const self = (x: SceneGraph): string[][] => ids.map((id) => [...x.selfRelations(id)]);
      expect(self(c)).toEqual(self(g)); // toJSON has no self-loops: compared with the source
      expect(self(g).some((r) => r.length > 0), 'the edits made a self-loop').toBe(true);
      const before = orders(g);
      const [a, r, b] = [...c.edges()][0];
      c.removeEdge(a, r, b);
      expect(orders(g)).toEqual(before);
    }
  });
});
