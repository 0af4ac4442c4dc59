/**
 * Contrast proposals (exploration/contrast.ts): the expert's next action with one object
 * swapped for another training program's object, labelled by executing it like any proposal.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { parseNLAction, renderNLAction } from '../../env/nl.ts';
import { demoTask } from '../../env/scenes/demo-house.ts';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { namesInActions, swapObject } from '../../exploration/contrast.ts';
import { forkAfter } from '../../exploration/env-adapter.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { teacherGuided } from '../../exploration/teacher-guided.ts';
import { episodeFactory, planner } from '../../exploration/world.ts';
import { ScriptedModel } from './doubles.ts';

describe('contrast proposals', () => {
  it('renders NL actions the way the expert writes them, and parses back to the same verb and names', () => {
    expect(renderNLAction('PUTBACK', ['food_donut', 'desk'])).toBe('Put food donut on desk');
    expect(renderNLAction('WALK', ['sauce_pan'])).toBe('Walk to sauce pan');
    expect(renderNLAction('WALK', ['a', 'b'])).toBeNull();
    expect(renderNLAction('NOPE', ['a'])).toBeNull();
    for (const a of ['Put food donut on desk', 'Switch on tv', 'Pour milk into cup', 'Walk to coffee table']) {
      const p = parseNLAction(a);
      expect(renderNLAction(p.verb, p.names)).toBe(a);
    }
  });

  it('swaps exactly one object for a pool name the action does not name, seeded', () => {
    const pool = namesInActions(['Walk to fridge', 'Grab food apple', 'Put food apple in fridge', 'Stand up', 'gibberish here now']);
    expect(pool).toEqual(['food_apple', 'fridge']);
    const rng = mulberry32(7);
    for (let i = 0; i < 50; i++) {
      const s = swapObject('Put cup on table', [...pool, 'table', 'cup'], rng)!;
      const p = parseNLAction(s);
      expect(p.verb).toBe('PUTBACK');
      const changed = p.names.filter((n, j) => n !== ['cup', 'table'][j]);
      expect(changed).toHaveLength(1);
      expect(pool).toContain(changed[0]);
    }
    expect(swapObject('Stand up', pool, rng)).toBeNull();
    expect(swapObject('Walk to fridge', ['fridge'], rng)).toBeNull();
    const a = Array.from({ length: 5 }, ((r) => () => swapObject('Walk to tv', pool, r))(mulberry32(3)));
    const b = Array.from({ length: 5 }, ((r) => () => swapObject('Walk to tv', pool, r))(mulberry32(3)));
    expect(a).toEqual(b);
  });

  it('teacher-guided exploration labels each contrast proposal by executing it, and corrects failures to the expert action', async () => {
    const task = demoTask();
    const r = expertTrajectory(task, episodeFactory, 0);
    if (!r.ok) throw new Error(r.reason);
    const model = new ScriptedModel({ experts: new Map([[task.title, task.expertNL!]]) });
    // Names that the demo house has and names it does not: both kinds of label must appear.
    const names = ['cup', 'sofa', 'unicorn_statue', 'food_dragonfruit'];
    const cfg = { factory: episodeFactory, seed: 0, prompt: {}, detail: 'specific' as const, correction: 'expert' as const, planner: planner(), samples: 1, temperature: 1, maxTokens: 12 };
    const base = await teacherGuided([r.trajectory], new BatchedDecoder(model), cfg);
    const { records, stats } = await teacherGuided([r.trajectory], new BatchedDecoder(model), { ...cfg, contrast: { perPrefix: 1, names } });
    const n = task.expertNL!.length;
    expect(stats.contrastProposals).toBe(n);
    expect(base.stats.failed).toBe(0);
    expect(stats.failed).toBe(stats.contrastFailed);
    expect(stats.contrastFailed).toBeGreaterThan(0);
    expect(stats.contrastFailed).toBeLessThan(n);
    const steps = r.trajectory.steps;
    for (const rec of records.filter((x) => x.kind === 'feedback')) {
      const k = Number(/step(\d+): [^\n]*\nFeedback: $/.exec(rec.input)![1]) - 1;
      const action = /step\d+: ([^\n]*)\nFeedback: $/.exec(rec.input)![1];
      if (k >= n) continue;
      // The label is what the simulator says for that action after the expert prefix.
      const out = forkAfter(episodeFactory, task, { seed: 0 }, steps.slice(0, k).map((s) => s.action)).episode.step(action);
      expect(rec.output.startsWith('Error')).toBe(!out.ok);
    }
    const corr = records.filter((x) => x.kind === 'correction');
    expect(corr).toHaveLength(stats.contrastFailed!);
    for (const c of corr) {
      const k = Number(/step(\d+): [^\n]*\n A corrective step would be$/.exec(c.input)![1]) - 1;
      expect(c.output).toBe(task.expertNL![k]);
    }
  });
});
