/**
 * RISE's subtle errors on household plans (methods/rise/edits.ts): each edit kind by rule, the
 * simulator's verdict on it, the token weights that mark the edit, and the pairs built from real
 * expert trajectories (every kept edit fails when executed).
 */
import { describe, expect, it } from 'vitest';
import { expertTrajectory } from '../../exploration/expert.ts';
import { loadSplits } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { renderNLAction } from '../../env/nl.ts';
import { editFails, editStep, editWeights, subtleErrorPairs } from '../../methods/rise/edits.ts';

describe('edits by rule', () => {
  it('renders actions from verb and names, and edits a step by kind', () => {
    expect(renderNLAction('PUTIN', ['cup', 'kitchen_cabinet'])).toBe('Put cup in kitchen cabinet');
    expect(renderNLAction('PUTIN', ['cup'])).toBeNull();
    const plan = ['Walk to fridge', 'Open fridge', 'Grab milk', 'Put milk in fridge'];
    const first = () => 0;
    expect(editStep(plan, 1, 'skip', [], first)).toBe('Grab milk');
    expect(editStep(plan, 3, 'skip', [], first)).toBeNull();
    expect(editStep(plan, 2, 'wrong-object', [], first)).toBe('Grab fridge');
    expect(editStep(plan, 3, 'wrong-container', ['fridge', 'sink'], first)).toBe('Put milk in sink');
    expect(editStep(plan, 2, 'wrong-container', ['sink'], first)).toBeNull();
  });

  it('weights the tokens between the common prefix and suffix', () => {
    expect(editWeights([1, 2, 3, 9], [1, 5, 6, 3, 9], 2)).toEqual({ a: [1, 2, 1, 1], b: [1, 2, 2, 1, 1] });
    expect(editWeights([1, 2], [1, 2], 2)).toEqual({ a: [1, 1], b: [1, 1] });
  });
});

describe('subtle-error pairs from expert trajectories', () => {
  it('keeps only edits the simulator shows failing; the expert step itself does not fail', async () => {
    const { train } = await loadSplits('generated', undefined, 42, { train: 30, seen: 0, unseen: 0 }, 6);
    const trajectories = train.flatMap((t) => { const r = expertTrajectory(t, episodeFactory, 42); return r.ok ? [r.trajectory] : []; });
    const pairs = subtleErrorPairs(trajectories, episodeFactory, { seed: 42, prompt: {} });
    expect(pairs.length).toBeGreaterThan(10);
    expect(new Set(pairs.map((p) => p.edit)).size).toBeGreaterThan(1);
    for (const p of pairs) {
      const tr = trajectories.find((t) => t.task.id === p.taskId)!;
      const actions = tr.steps.map((s) => s.action);
      expect(p.chosen).toBe(actions[p.step]);
      expect(p.rejected).not.toBe(p.chosen);
      expect(editFails(episodeFactory, tr.task, 42, actions, p.step, p.rejected, p.edit)).toBe(true);
      expect(editFails(episodeFactory, tr.task, 42, actions, p.step, p.chosen, 'wrong-object')).toBe(false);
    }
    // Seeded: the same pairs again.
    expect(subtleErrorPairs(trajectories, episodeFactory, { seed: 42, prompt: {} })).toEqual(pairs);
  }, 60_000);
});
