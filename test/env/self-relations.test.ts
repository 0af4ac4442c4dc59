/**
 * The reference's self-loops (kept apart as self-relations, docs/simulator-name-id.md) as the
 * predicates and actions read them (issue 24): close(c, c) and worn clothes with CLOSE(c→c),
 * facing oneself, an object closed inside itself, grab origins that include the object itself
 * or targets added during the episode (replayed through CPython's set), capacity and FACING of
 * a seat related to itself.
 */
import { describe, expect, it } from 'vitest';
import { SceneGraph } from '../../env/graph.ts';
import { isClose, isFacing, isInsideClosed, refHasEdge } from '../../env/exec/predicates.ts';
import { attempt, C, house, ID } from './action-scene.ts';

const H = () => SceneGraph.fromJSON(house());

describe('predicates with self-relations', () => {
  it('CLOSE(c→c): close to oneself and to what is ON oneself, even with no other CLOSE edge', () => {
    const g = H();
    g.addEdge(ID.shirt, 'ON', C);
    expect(isClose(g, C, C)).toBe(false);
    expect(isClose(g, C, ID.shirt)).toBe(false);
    g.addEdge(C, 'CLOSE', C);
    expect(g.hasSelfRelation(C, 'CLOSE')).toBe(true);
    expect(isClose(g, C, C)).toBe(true);
    expect(isClose(g, C, ID.shirt)).toBe(true);
    expect(isClose(g, C, ID.cup)).toBe(false);
    expect(refHasEdge(g, C, 'CLOSE', C)).toBe(true);
    expect(refHasEdge(g, C, 'FACING', C)).toBe(false);
    expect(refHasEdge(g, ID.shirt, 'ON', C)).toBe(true);
    expect(refHasEdge(g, ID.cup, 'ON', C)).toBe(false);
  });
  it('FACING(c→c): faces oneself only', () => {
    const g = H();
    expect(isFacing(g, C, C)).toBe(false);
    g.addEdge(C, 'FACING', C);
    expect(isFacing(g, C, C)).toBe(true);
    expect(isFacing(g, C, ID.tv)).toBe(false);
    g.addEdge(ID.tv, 'FACING', ID.tv);
    expect(isFacing(g, C, ID.tv)).toBe(false); // the tv facing itself is no hop for c
  });
  it('INSIDE(n→n) of a closed, non-room node counts as inside something closed', () => {
    const g = H();
    g.addEdge(ID.cabinet, 'INSIDE', ID.cabinet);
    expect(isInsideClosed(g, ID.cabinet)).toBe(false); // OPEN
    g.removeState(ID.cabinet, 'OPEN');
    g.addState(ID.cabinet, 'CLOSED');
    expect(isInsideClosed(g, ID.cabinet)).toBe(true);
    g.addEdge(ID.kitchen, 'INSIDE', ID.kitchen);
    g.addState(ID.kitchen, 'CLOSED');
    expect(isInsideClosed(g, ID.kitchen)).toBe(false);
    const h = H();
    h.addEdge(ID.box, 'INSIDE', ID.box);
    expect(isInsideClosed(h, ID.box)).toBe(false); // neither OPEN nor CLOSED: open
  });
});

describe('grab origins with self-relations and episode history', () => {
  it('an object whose only CLOSE relation is to itself is its own origin', () => {
    for (const compat of ['v1', 'master'] as const) {
      const a = attempt('[Grab] <cup> (35)', { compat, setup: (g) => { g.addEdge(C, 'CLOSE', ID.cup); g.addEdge(ID.cup, 'CLOSE', ID.cup); } });
      expect(a.r.failure).toBeUndefined();
      expect(a.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.cup, rel: 'CLOSE' });
    }
  });
  it('with one other CLOSE target and itself: CPython order of {35, 38} puts the object first', () => {
    const a = attempt('[Grab] <cup> (35)', { setup: (g) => { g.addEdge(C, 'CLOSE', ID.cup); g.addEdge(ID.cup, 'CLOSE', ID.cup); g.addEdge(ID.cup, 'CLOSE', ID.bowl); } });
    expect(a.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.cup, rel: 'CLOSE' });
    const b = attempt('[Grab] <cup> (35)', { setup: (g) => { g.addEdge(C, 'CLOSE', ID.cup); g.addEdge(ID.cup, 'CLOSE', ID.cup); g.addEdge(ID.cup, 'CLOSE', ID.box); } });
    expect(b.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.box, rel: 'CLOSE' }); // {33, 35}: 33 first
  });
  it('a target added during the episode comes first in the reference\'s set (CPython: add 10, then 34 → [10, 34])', () => {
    // The bed (34) was close to the cup from the start; walking to the cup adds CLOSE(cup → character 10).
    const setup = (g: SceneGraph) => { g.addClose(ID.cup, ID.bed); };
    for (const compat of ['v1', 'master'] as const) {
      const a = attempt('[Grab] <cup> (35)', { compat, setup, before: ['[Walk] <cup> (35)'] });
      expect(a.r.failure).toBeUndefined();
      expect(a.ex.grabOrigin(ID.cup)).toEqual({ dest: C, rel: 'CLOSE' });
    }
    // Without the episode's addition the bed is the origin.
    const b = attempt('[Grab] <cup> (35)', { setup: (g) => { g.addClose(ID.cup, ID.bed); g.addEdge(C, 'CLOSE', ID.cup); } });
    expect(b.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.bed, rel: 'CLOSE' });
  });
  it('a target removed and re-added during the episode keeps its slot', () => {
    // Initially CLOSE(cup → box 33, keyboard 41). Walking to the cup, away and back adds 10, removes
    // it and adds it again. CPython: s.add(10); s.add(33); s.add(41); s.discard(10); s.add(10) →
    // [33, 10, 41] (10 reuses its dummy slot), so the box is the origin.
    const setup = (g: SceneGraph) => { g.addEdge(ID.cup, 'CLOSE', ID.box); g.addEdge(ID.cup, 'CLOSE', ID.keyboard); };
    const a = attempt('[Grab] <cup> (35)', { setup, before: ['[Walk] <cup> (35)', '[Walk] <tv> (21)', '[Walk] <cup> (35)'] });
    expect(a.r.failure).toBeUndefined();
    expect(a.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.box, rel: 'CLOSE' });
  });
});

describe('seats related to themselves', () => {
  it('a chair ON itself is full', () => {
    const a = attempt('[Sit] <chair> (25)', { setup: (g) => { g.addClose(C, ID.chair); g.addEdge(ID.chair, 'ON', ID.chair); } });
    expect(a.r.failure?.code).toBe('capacity');
    const l = attempt('[Lie] <bench> (48)', { setup: (g) => { g.addClose(C, ID.bench); g.addEdge(ID.bench, 'ON', ID.bench); } });
    expect(l.r.failure?.code).toBe('capacity');
  });
  it('sitting on a sofa that faces itself faces the sofa', () => {
    const a = attempt('[Sit] <sofa> (24)', { setup: (g) => { g.addClose(C, ID.sofa); g.addEdge(ID.sofa, 'FACING', ID.sofa); } });
    expect(a.r.failure).toBeUndefined();
    expect(a.g.hasEdge(C, 'FACING', ID.sofa)).toBe(true);
  });
});
