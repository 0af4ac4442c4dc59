import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SceneGraph } from '../../env/graph.ts';
import { goalMet } from '../../env/goal.ts';
import { openEai, parseFormula, toGoal } from '../../env/tasks/eai/index.ts';
import { describeVH, vhPath } from '../support/vh-data.ts';

describe('EAI goal formulas', () => {
  it('parses precedence: then < or < and < not/exists', () => {
    const f = parseFormula('(exists x0. ((LOOKAT(x0) or WATCH(x0))) then (ON(tv.5) and FACING(character.1, tv.5)))');
    expect(f.op).toBe('then');
    const g = toGoal(f, (id) => ({ 5: 'tv', 1: 'character' } as Record<number, string>)[id]);
    expect(g.goal).toEqual([
      { kind: 'state', node: 5, state: 'ON' },
      { kind: 'edge', from: 1, relation: 'FACING', to: 5 },
    ]);
    expect(g.unsupported.map((u) => u.construct)).toEqual(['then:earlier-step']);
    expect(g.unsupported[0].inner).toEqual(['exists', 'or', 'action:LOOKAT', 'action:WATCH']);
  });

  it('maps ONTOP and NEXT_TO to edges, keeps unary ON a state, and flags class mismatches', () => {
    const g = toGoal(parseFormula('ONTOP(cup.3, table.4) and NEXT_TO(character.1, cup.3) and ON(light.9) and CLOSED(fridge.4)'),
      (id) => ({ 1: 'character', 3: 'cup', 4: 'table', 9: 'light' } as Record<number, string>)[id]);
    expect(g.goal).toEqual([
      { kind: 'edge', from: 3, relation: 'ON', to: 4 },
      { kind: 'edge', from: 1, relation: 'CLOSE', to: 3 },
      { kind: 'state', node: 9, state: 'ON' },
    ]);
    expect(g.unsupported).toEqual([{ construct: 'node-mismatch', text: 'CLOSED(fridge.4)', inner: [] }]);
  });

  it('reports syntax errors with a position', () => {
    expect(() => parseFormula('(ON(tv.5) and')).toThrow(/end of formula/);
    expect(() => parseFormula('ON(tv.5))')).toThrow(/after the formula/);
    expect(() => parseFormula('ON(tv.5 tv.6)')).toThrow(/expected "," or "\)"/);
  });
});

describeVH('EAI tasks from eai_resources', () => {
  const set = openEai(vhPath());
  const report = set.report();
  const raw = JSON.parse(readFileSync(vhPath('eai_resources/task_state_LTL_formula_accurate.json'), 'utf8')) as
    Record<string, Record<string, Record<string, { tl_goal: string | null }>>>;
  const formulas = Object.values(raw.scene_1).flatMap((byKey) => Object.values(byKey).map((v) => v.tl_goal));

  it('parses every formula; null formulas are listed, not dropped', () => {
    expect(report.entries).toBe(formulas.length);
    expect(report.withFormula).toBe(formulas.filter((f) => f !== null).length);
    expect(report.parseErrors).toEqual([]);
    expect(report.parsed).toBe(report.withFormula);
    expect(report.nullFormula.sort()).toEqual(['339_1', '627_1', '84_1', '93_1']);
  });

  it('counts unsupported constructs as often as they occur in the raw text', () => {
    const text = formulas.filter((f): f is string => f !== null).join('\n');
    const occurrences = (re: RegExp) => (text.match(re) ?? []).length;
    expect(report.unsupported.exists).toBe(occurrences(/\bexists\b/g));
    expect(report.unsupported['then:earlier-step']).toBe(occurrences(/\bthen\b/g));
    for (const action of ['LOOKAT', 'WATCH', 'TOUCH', 'DRINK', 'READ', 'WASH', 'RINSE']) {
      expect(report.unsupported[`action:${action}`], action).toBe(occurrences(new RegExp(`\\b${action}\\(`, 'g')));
    }
    expect(report.unsupported['node-mismatch']).toBeUndefined();
  });

  it('puts each task on its program\'s initial graph; every goal node exists with the formula\'s class', () => {
    const tasks = set.list();
    expect(tasks.length).toBe(report.listed);
    expect(tasks.length + report.missingScene.length + report.emptyGoal.length).toBe(report.parsed);
    for (const t of tasks) {
      const g = SceneGraph.fromJSON(t.scene, { lenient: true });
      for (const p of t.goal) for (const r of p.kind === 'state' ? [p.node] : [p.from, p.to]) expect(g.has(r as number)).toBe(true);
      expect(goalMet(g, t.goal), `${t.id} already met`).toBe(false);
    }
    expect(set.get('eai/27_2').title).toBe('Wash clothes');
    expect(() => set.get('eai/nope')).toThrow(/no EAI task/);
  });
});
