/** Loading graph files: schema validation, vocabulary errors naming the node, lenient mode, JSON positions. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { locateJSONError } from '../../env/json-locate.ts';
import { graphFromJSON, loadGraphFile, parseJSONText, validateGraph } from '../../env/load.ts';
import { HAVE_VH_DATA, describeVH, vhPath } from '../support/vh-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-load-'));
const good = { nodes: [{ id: 1, class_name: 'kitchen', category: 'Rooms', properties: [], states: [] },
  { id: 2, class_name: 'cup', properties: ['GRABBABLE', 'wet_thing'], states: ['wet'] }],
edges: [{ from_id: 2, relation_type: 'INSIDE', to_id: 1 }] };

function errorOf(f: () => unknown): HearthError {
  try { f(); } catch (e) { if (e instanceof HearthError) return e; throw e; }
  throw new Error('expected a HearthError');
}

describe('graph loading', () => {
  it('names the node with an unknown property or state, and accepts it leniently', () => {
    expect(errorOf(() => graphFromJSON(good, 'g.json')).message).toBe('g.json: node 2 <cup> has unknown property "wet_thing"');
    const g = graphFromJSON(good, 'g.json', { lenient: true });
    expect([...g.node(2).properties]).toEqual(['GRABBABLE']);
    expect(g.node(2).states.size).toBe(0);
  });

  it('validates the structure with the JSON schema, naming the path and node', () => {
    const bad = { nodes: [{ id: 3, class_name: 'cup', properties: 'GRABBABLE', states: [] }], edges: [] };
    const e = errorOf(() => validateGraph(bad, 'x.json'));
    expect(e.kind).toBe('graph.schema');
    expect(e.message).toBe('x.json: /nodes/0/properties (node 3 <cup>) must be array');
    expect(errorOf(() => validateGraph({ nodes: [] }, 'y.json')).message).toContain("must have required property 'edges'");
    expect(errorOf(() => validateGraph({ nodes: [], edges: [{ from_id: 1, to_id: 2 }] }, 'z.json')).message).toContain('/edges/0');
  });

  it('reports malformed JSON with line and column, and missing files', () => {
    const p = join(dir, 'broken.json');
    writeFileSync(p, '{\n  "nodes": [1, 2,],\n  "edges": []\n}');
    expect(errorOf(() => loadGraphFile(p)).message).toBe(`${p}: malformed JSON at line 2, column 18: unexpected "]" (expected a value)`);
    expect(errorOf(() => loadGraphFile(join(dir, 'none.json'))).kind).toBe('file.missing');
    expect(errorOf(() => parseJSONText('', 'e.json')).message).toContain('unexpected end of input');
  });

  it('locates errors in any invalid JSON that JSON.parse rejects', () => {
    for (const t of ['{"a": }', '[1 2]', '{"a": "b\n"}', 'nul', '{"a":1}x', '"\\q"', '-']) {
      expect(() => JSON.parse(t)).toThrow();
      const { offset } = locateJSONError(t);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThanOrEqual(t.length);
    }
  });
});

describeVH('reference graphs', () => {
  it.each(['TestScene1_graph.json', 'TrimmedTestScene1_graph.json', 'TestScene7_graph.json'])('%s loads strictly', (name) => {
    if (!HAVE_VH_DATA) return;
    const g = loadGraphFile(vhPath('graphs', name));
    expect(g.character()).toBeDefined();
    expect(g.size).toBeGreaterThan(200);
  });
});
