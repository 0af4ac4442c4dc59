import { describe, expect, it } from 'vitest';
import { isHearthError } from '../../env/errors.ts';
import { describePredicate, goalDetail, goalMet, goalProgress, holds, parseGoal, type GoalPredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import { DEMO_GOAL, demoHouseScene } from '../../env/scenes/demo-house.ts';

const graph = (): SceneGraph => SceneGraph.fromJSON(demoHouseScene());

describe('goal predicates', () => {
  it('state predicates by id and by class, with negation', () => {
    const g = graph();
    expect(holds(g, { kind: 'state', node: 21, state: 'CLOSED' })).toBe(true);
    expect(holds(g, { kind: 'state', node: 21, state: 'OPEN' })).toBe(false);
    expect(holds(g, { kind: 'state', node: 21, state: 'OPEN', negated: true })).toBe(true);
    // a class predicate holds when SOME instance satisfies it; negated: when none does
    expect(holds(g, { kind: 'state', node: { class: 'door' }, state: 'CLOSED' })).toBe(true); // door 12
    expect(holds(g, { kind: 'state', node: { class: 'door' }, state: 'CLOSED', negated: true })).toBe(false);
    g.removeState(12, 'CLOSED');
    expect(holds(g, { kind: 'state', node: { class: 'door' }, state: 'CLOSED', negated: true })).toBe(true);
    expect(holds(g, { kind: 'state', node: { class: 'unicorn' }, state: 'ON' })).toBe(false);
    expect(holds(g, { kind: 'state', node: 9999, state: 'ON' })).toBe(false);
  });

  it('edge predicates with ids and classes on either side', () => {
    const g = graph();
    expect(holds(g, { kind: 'edge', from: { class: 'cup' }, relation: 'ON', to: { class: 'kitchen_table' } })).toBe(true);
    expect(holds(g, { kind: 'edge', from: 35, relation: 'ON', to: { class: 'kitchen_table' } })).toBe(false);
    expect(holds(g, { kind: 'edge', from: 26, relation: 'INSIDE', to: 20 })).toBe(true);
    expect(holds(g, { kind: 'edge', from: 26, relation: 'INSIDE', to: 20, negated: true })).toBe(false);
  });

  it('progress counts satisfied predicates; success means all hold; an empty goal is met', () => {
    const g = graph();
    expect(goalProgress(g, DEMO_GOAL)).toEqual({ satisfied: 1, total: 5 });
    expect(goalMet(g, DEMO_GOAL)).toBe(false);
    expect(goalMet(g, [])).toBe(true);
    g.removeState(21, 'OFF');
    g.addState(21, 'ON');
    g.addEdge(24, 'INSIDE', 21);
    expect(goalProgress(g, DEMO_GOAL)).toEqual({ satisfied: 3, total: 5 });
    expect(goalDetail(g, DEMO_GOAL).filter((d) => !d.holds).map((d) => d.text))
      .toEqual(['ON(<tv> (30))', 'ON(<character> (100), <sofa> (31))']);
  });

  it('describes predicates', () => {
    const g = graph();
    expect(describePredicate(g, { kind: 'state', node: 21, state: 'ON', negated: true })).toBe('not ON(<microwave> (21))');
    expect(describePredicate(g, { kind: 'edge', from: { class: 'cup' }, relation: 'INSIDE', to: 21 })).toBe('INSIDE(<cup>, <microwave> (21))');
  });
});

describe('parseGoal (goals from files)', () => {
  it('accepts the JSON form and normalises case', () => {
    const json = JSON.parse(JSON.stringify([
      { kind: 'state', node: 21, state: 'on' },
      { kind: 'edge', from: { class: 'cup' }, relation: 'inside', to: 21, negated: true },
    ]));
    const expected: GoalPredicate[] = [
      { kind: 'state', node: 21, state: 'ON' },
      { kind: 'edge', from: { class: 'cup' }, relation: 'INSIDE', to: 21, negated: true },
    ];
    expect(parseGoal(json, 'tasks.json')).toEqual(expected);
  });

  it.each([
    [{ kind: 'state', node: 1, state: 'WET' }, /tasks\.json: goal\[0\]: unknown state "WET"/],
    [{ kind: 'edge', from: 1, relation: 'NEAR', to: 2 }, /goal\[0\]: unknown relation "NEAR"/],
    [{ kind: 'edge', from: 'cup', relation: 'ON', to: 2 }, /goal\[0\]: from must be a node id or \{"class": name\}, got "cup"/],
    [{ kind: 'holds', node: 1 }, /goal\[0\]: kind must be "state" or "edge"/],
    [{ kind: 'state', node: 1, state: 'ON', negated: 'yes' }, /negated must be true or false/],
  ])('rejects %j with a HearthError naming the file and field', (pred, re) => {
    let err: unknown;
    try { parseGoal([pred], 'tasks.json'); } catch (e) { err = e; }
    expect(isHearthError(err)).toBe(true);
    expect((err as Error).message).toMatch(re);
  });

  it('rejects a non-array', () => {
    expect(() => parseGoal({ kind: 'state' }, 'x.json')).toThrow(/x\.json: goal: must be an array/);
  });
});
