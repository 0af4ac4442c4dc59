import { describe, expect, it } from 'vitest';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { plannerCorrector, type TeacherPlanner } from '../../exploration/correctors.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { DEFAULT_POLICY } from '../../exploration/policy.ts';
import { teacherFree } from '../../exploration/teacher-free.ts';
import { teacherGuided } from '../../exploration/teacher-guided.ts';
import { ScriptedModel, ToyEpisode, toyFactory, toyTask } from './doubles.ts';

const tasks = Array.from({ length: 4 }, (_, i) => toyTask(`g/${i}`, ['Walk to kitchen', `Open fridge${i}`, `Grab milk${i}`]));
const experts = new Map(tasks.map((t) => [t.title, t.expertNL!]));
const toyPlanner: TeacherPlanner = { nextAction: (ep, task) => task.expertNL![(ep as ToyEpisode).done] ?? null };

describe('teacher-guided exploration', () => {
  it('labels proposals along expert prefixes; failures get the expert action as correction', async () => {
    const trs = tasks.map((t) => { const r = expertTrajectory(t, toyFactory, 0); if (!r.ok) throw new Error(r.reason); return r.trajectory; });
    const model = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 2 });
    const { records, stats } = await teacherGuided(trs, new BatchedDecoder(model), {
      factory: toyFactory, seed: 0, prompt: {}, detail: 'specific', correction: 'expert', samples: 1, temperature: 1, maxTokens: 16,
    });
    expect(stats.prefixes).toBe(16);
    expect(stats.failed).toBe(4);
    // one batched call: all 16 prefixes decoded together
    expect(model.calls).toEqual([16]);
    const corr = records.filter((r) => r.kind === 'correction');
    expect(corr.map((r) => r.output)).toEqual(tasks.map((_, i) => `Grab milk${i}`));
    expect(corr[0].input).toContain('step3: Grab milk0ish\n A corrective step would be');
    const fb = records.filter((r) => r.kind === 'feedback');
    expect(fb.filter((r) => r.output === 'True')).toHaveLength(8);
    expect(fb.filter((r) => r.output === 'Task finished')).toHaveLength(4);
    expect(fb.filter((r) => r.output.startsWith('Error, Robot agent is not close to milk0ish'))).toHaveLength(1);
  });
});

describe('teacher-free exploration', () => {
  it('labels every step, corrects failures with the planner and verifies each correction in a fork', async () => {
    const model = new ScriptedModel({ experts, wrongAt: (t, k) => k === 1 && t.endsWith('0') });
    const { records, stats } = await teacherFree(tasks, new BatchedDecoder(model), {
      factory: toyFactory, seed: 0, policy: DEFAULT_POLICY, detail: 'specific', corrector: plannerCorrector(toyPlanner), maxSteps: 4,
    });
    expect(stats.episodes).toBe(4);
    expect(stats.failed).toBe(3); // task 0 keeps proposing the wrong action until the cap
    expect(stats.corrected).toBe(3);
    const corr = records.filter((r) => r.kind === 'correction');
    expect(new Set(corr.map((r) => r.output))).toEqual(new Set(['Open fridge0']));
    expect(records.filter((r) => r.output === 'Task finished')).toHaveLength(3);
    expect(records.filter((r) => r.kind === 'feedback' && r.output.startsWith('Error'))).toHaveLength(3);
  });

  it('rejects a correction that does not execute', async () => {
    const model = new ScriptedModel({ experts, wrongAt: (t, k) => k === 1 && t.endsWith('0') });
    const badPlanner: TeacherPlanner = { nextAction: () => 'Grab nothing' };
    const { records, stats } = await teacherFree([tasks[0]], new BatchedDecoder(model), {
      factory: toyFactory, seed: 0, policy: DEFAULT_POLICY, detail: 'none', corrector: plannerCorrector(badPlanner), maxSteps: 3,
    });
    expect(stats.candidatesRejected).toBe(2);
    expect(records.filter((r) => r.kind === 'correction')).toHaveLength(0);
    expect(records.filter((r) => r.output === 'Error')).toHaveLength(2);
  });
});
