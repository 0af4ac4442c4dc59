import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Executor } from '../../env/executor.ts';
import { goalMet, holds } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import { parseScriptLines } from '../../env/script.ts';
import { findPrograms, goalFromDiff, openVhPrograms, parseProgramText } from '../../env/tasks/vh-programs/index.ts';
import { describeVH, vhPath } from '../support/vh-data.ts';

describe('vh-programs: goal extraction', () => {
  it('turns a final-graph diff into predicates and ignores proximity bookkeeping', () => {
    const init = SceneGraph.fromJSON({
      nodes: [
        { id: 1, class_name: 'kitchen', category: 'Rooms', properties: [], states: [] },
        { id: 2, class_name: 'living_room', category: 'Rooms', properties: [], states: [] },
        { id: 3, class_name: 'character', category: 'Characters', properties: [], states: [] },
        { id: 4, class_name: 'fridge', category: 'Appliances', properties: ['CAN_OPEN'], states: ['CLOSED'] },
        { id: 5, class_name: 'cup', category: 'Props', properties: ['GRABBABLE'], states: ['DIRTY'] },
        { id: 6, class_name: 'table', category: 'Furniture', properties: ['SURFACES'], states: [] },
      ],
      edges: [
        { from_id: 3, relation_type: 'INSIDE', to_id: 1 }, { from_id: 4, relation_type: 'INSIDE', to_id: 1 },
        { from_id: 5, relation_type: 'INSIDE', to_id: 1 }, { from_id: 5, relation_type: 'ON', to_id: 6 },
        { from_id: 6, relation_type: 'INSIDE', to_id: 1 }, { from_id: 5, relation_type: 'CLOSE', to_id: 6 },
        { from_id: 6, relation_type: 'CLOSE', to_id: 5 },
      ],
    });
    const final = init.clone();
    final.removeState(4, 'CLOSED'); final.addState(4, 'OPEN');
    final.removeState(5, 'DIRTY');
    final.removeEdge(5, 'ON', 6); final.addEdge(5, 'INSIDE', 4);
    final.removeEdge(5, 'CLOSE', 6); final.removeEdge(6, 'CLOSE', 5);
    final.addClose(3, 4); final.addEdge(3, 'FACING', 4);
    final.removeEdge(3, 'INSIDE', 1); final.addEdge(3, 'INSIDE', 2);
    expect(goalFromDiff(init, final)).toEqual([
      { kind: 'state', node: 4, state: 'OPEN' },
      { kind: 'state', node: 5, state: 'DIRTY', negated: true },
      { kind: 'edge', from: 3, relation: 'FACING', to: 4 },
      { kind: 'edge', from: 3, relation: 'INSIDE', to: 2 },
      { kind: 'edge', from: 5, relation: 'INSIDE', to: 4 },
    ]);
  });

  it('reads the released program text format', () => {
    const p = parseProgramText('Work\nGo to office\n\n\n[WALK] <home_office> (1.319)\n[FIND] <computer> (1.417)\n');
    expect(p).toEqual({ title: 'Work', description: 'Go to office', lines: ['[WALK] <home_office> (1.319)', '[FIND] <computer> (1.417)'] });
  });

  it('names the folder and the fix when there is no data', () => {
    expect(() => openVhPrograms('/nonexistent/vh')).toThrow(/data folder \/nonexistent\/vh does not exist/);
    const empty = mkdtempSync(join(tmpdir(), 'hearth-vh-'));
    expect(() => openVhPrograms(empty)).toThrow(/no VirtualHome programs found/);
    const bad = join(empty, 'bad.jsonl');
    writeFileSync(bad, '{"lines": []}\n');
    expect(() => openVhPrograms(bad)).toThrow(/bad\.jsonl:1.*base_graph/);
  });
});

describeVH('vh-programs on the 400 golden programs', () => {
  const set = openVhPrograms(vhPath('golden/scene1_golden.jsonl'));
  const tasks = set.list();

  it('lists all 400 with ids, splits, goals and the program as expert', () => {
    expect(tasks).toHaveLength(400);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(400);
    for (const s of ['train', 'seen', 'unseen'] as const) expect(tasks.filter((t) => t.split === s).length).toBeGreaterThan(20);
    expect(set.get(tasks[5].id).goal).toEqual(tasks[5].goal);
    expect(() => set.get('vh-programs/nope')).toThrow(/no program/);
    // Programs that only move the character about have nothing but proximity to show.
    expect(tasks.filter((t) => t.goal.length === 0).length).toBeLessThan(20);
  });

  it('every extracted goal holds in the recorded final graph and after running the program (100%)', () => {
    const programs = new Map(findPrograms(vhPath('golden/scene1_golden.jsonl')).map((p) => [`vh-programs/${p.key}`, p]));
    let recorded = 0, executed = 0, notInitially = 0;
    for (const t of tasks) {
      const g = SceneGraph.fromJSON(t.scene, { lenient: true });
      const final = programs.get(t.id)!.graphs().final(g);
      if (goalMet(final, t.goal)) recorded++;
      if (t.goal.length > 0 && !goalMet(g, t.goal)) notInitially++;
      const parsed = parseScriptLines(t.expert!);
      if (!parsed.ok) throw new Error(`${t.id}: ${parsed.error.message}`);
      const r = new Executor(g).executeScript(parsed.lines);
      if (r.executable && goalMet(g, t.goal)) executed++;
    }
    expect(recorded).toBe(400);
    expect(executed).toBe(400);
    expect(notInitially).toBe(tasks.filter((t) => t.goal.length > 0).length);
  });

  it('reads the released dataset layout and agrees with the golden records', () => {
    const released = openVhPrograms(vhPath('released_layout_sample'));
    const rs = released.list();
    expect(rs).toHaveLength(3);
    for (const t of rs) {
      const golden = set.get(t.id);
      expect(t.goal).toEqual(golden.goal);
      expect(t.expert).toEqual(golden.expert);
      expect(t.title).toBe(golden.title);
      const g = SceneGraph.fromJSON(t.scene, { lenient: true });
      expect(t.goal.some((p) => !holds(g, p))).toBe(true);
    }
  });
});
