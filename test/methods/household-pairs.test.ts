/**
 * From executed plans to step pairs (methods/household-pairs.ts): what pairing sees of an
 * episode, and the step where two plans part, with the shared history in the prompt.
 */
import { describe, expect, it } from 'vitest';
import { planningPrompt } from '../../alignment/datasets/prompts.ts';
import type { Task } from '../../env/task.ts';
import type { RolloutEpisode } from '../../exploration/rollout.ts';
import { divergencePair, executedSample } from '../../methods/household-pairs.ts';

const task = { id: 't/1', title: 'Turn on the lamp', description: 'Turn on the lamp.', goal: [] } as unknown as Task;
function episode(steps: Array<[string, boolean]>, o: { end?: boolean; success?: boolean; goal?: [number, number] } = {}): RolloutEpisode {
  return {
    taskId: task.id, steps: steps.map(([action, ok], i) => ({ action, ok, observation: `obs ${i + 1} after ${action}` })),
    saidEnd: o.end ?? false, success: o.success ?? false, goal: { satisfied: o.goal?.[0] ?? 0, total: o.goal?.[1] ?? 1 },
  } as unknown as RolloutEpisode;
}

describe('executedSample', () => {
  it('counts the steps before the first failure, the goal progress, and END as part of the plan', () => {
    expect(executedSample(episode([['Walk to lamp', true], ['Switch on lamp', true]], { end: true, success: true, goal: [1, 1] })))
      .toEqual({ plan: 'Walk to lamp\nSwitch on lamp\nEND', success: true, executedSteps: 2, goalProgress: 1 });
    expect(executedSample(episode([['Walk to lamp', true], ['Grab lamp', false], ['Switch on lamp', true]], { goal: [0, 2] })))
      .toEqual({ plan: 'Walk to lamp\nGrab lamp\nSwitch on lamp', success: false, executedSteps: 1, goalProgress: 0 });
  });
});

describe('divergencePair', () => {
  it('pairs the actions where the plans part, after the shared history', () => {
    const good = episode([['Walk to lamp', true], ['Switch on lamp', true]], { end: true, success: true });
    const bad = episode([['Walk to lamp', true], ['Grab lamp', false]]);
    const p = divergencePair(task, good, bad, {})!;
    expect(p).toMatchObject({ taskId: 't/1', step: 1, chosen: 'Switch on lamp', rejected: 'Grab lamp' });
    expect(p.prompt).toBe(planningPrompt(task, [{ action: 'Walk to lamp', observation: 'obs 1 after Walk to lamp' }], {}));
  });

  it('an early END is the rejected action; identical plans give no pair', () => {
    const good = episode([['Walk to lamp', true], ['Switch on lamp', true]], { end: true, success: true });
    const quit = episode([['Walk to lamp', true]], { end: true });
    expect(divergencePair(task, good, quit, {})).toMatchObject({ step: 1, chosen: 'Switch on lamp', rejected: 'END' });
    expect(divergencePair(task, good, good, {})).toBeNull();
    expect(divergencePair(task, good, episode([['Open lamp', false]]), {})).toMatchObject({ step: 0, chosen: 'Walk to lamp', rejected: 'Open lamp' });
  });
});
