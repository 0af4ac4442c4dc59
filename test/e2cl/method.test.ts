/**
 * Issue 13 items 3 and 6: exploration like deployment and speculative inference.
 * - the exploration cap drops only records the agent already gets right (`True`, `Task
 *   finished`), never `Error` or correction records;
 * - a rollout job's temperature overrides the policy's (greedy exploration episodes);
 * - exploration counts its failures by code (the error-type mix);
 * - the correction guard refuses a correction that repeats the proposal or the previous
 *   action (the paper's loop, without the guard, uses it);
 * - the rollout knows each proposal's real outcome, so the gate is scored per proposal.
 */
import { describe, expect, it } from 'vitest';
import type { GenerateOptions, LanguageModel } from '../../agent/language-model.ts';
import { capKeepingErrors } from '../../alignment/datasets/mix.ts';
import type { E2CLRecord } from '../../alignment/datasets/records.ts';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { plannerCorrector, type TeacherPlanner } from '../../exploration/correctors.ts';
import { correctionStats, gateScores, perProposalGate } from '../../exploration/method-stats.ts';
import { toEvalEpisode } from '../../exploration/pipeline.ts';
import { DEFAULT_POLICY, type PolicyConfig, speculativeAction } from '../../exploration/policy.ts';
import { runRollout } from '../../exploration/rollout.ts';
import { teacherFree } from '../../exploration/teacher-free.ts';
import { parsePrompt, ScriptedModel, ToyEpisode, toyFactory, toyTask } from './doubles.ts';

const rec = (kind: E2CLRecord['kind'], output: string, i: number): E2CLRecord => ({ input: `p${kind}${output}${i}`, output, kind, source: 'teacher-free', taskId: `t${i % 7}` });

describe('exploration cap', () => {
  const records = [
    ...Array.from({ length: 10 }, (_, i) => rec('feedback', `Error, x${i} is not grabbable`, i)),
    ...Array.from({ length: 5 }, (_, i) => rec('correction', `Grab y${i}`, i)),
    ...Array.from({ length: 30 }, (_, i) => rec('feedback', 'True', i)),
    ...Array.from({ length: 10 }, (_, i) => rec('feedback', 'Task finished', i)),
  ];
  it('drops only True / Task finished records to meet the cap, seeded', () => {
    const capped = capKeepingErrors(records, 25, 9);
    expect(capped).toHaveLength(25);
    expect(capped.filter((r) => r.output.startsWith('Error'))).toHaveLength(10);
    expect(capped.filter((r) => r.kind === 'correction')).toHaveLength(5);
    expect(capKeepingErrors(records, 25, 9)).toEqual(capped);
    // Order of the kept records is the original order.
    expect(capped.map((r) => records.indexOf(r))).toEqual([...capped.map((r) => records.indexOf(r))].sort((a, b) => a - b));
  });
  it('keeps every Error and correction even past the cap, and everything under it', () => {
    const tight = capKeepingErrors(records, 8, 9);
    expect(tight).toHaveLength(15);
    expect(tight.every((r) => r.kind === 'correction' || r.output.startsWith('Error'))).toBe(true);
    expect(capKeepingErrors(records, 1000, 9)).toEqual(records);
  });
});

/** A scripted model that also records the options of every planning call. */
class OptionsSpy implements LanguageModel {
  readonly name = 'test:spy';
  readonly backend = 'test';
  temperatures: Array<{ title: string; temperature: number }> = [];
  constructor(private readonly inner: ScriptedModel) {}
  async generate(prompts: string[], o: GenerateOptions): Promise<string[]> {
    for (const p of prompts) if (parsePrompt(p).kind === 'plan') this.temperatures.push({ title: parsePrompt(p).title, temperature: o.temperature ?? 0 });
    return this.inner.generate(prompts, o);
  }
}

describe('exploration like deployment', () => {
  const tasks = [toyTask('d/0', ['Walk to kitchen', 'Open fridge0', 'Grab milk0']), toyTask('d/1', ['Walk to kitchen', 'Open fridge1', 'Grab milk1'])];
  const experts = new Map(tasks.map((t) => [t.title, t.expertNL!]));
  const planner: TeacherPlanner = { nextAction: (ep, task) => task.expertNL![(ep as ToyEpisode).done] ?? null };

  it('greedy jobs decode at temperature 0 while the others sample; failures are counted by code', async () => {
    const spy = new OptionsSpy(new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 }));
    const sampling: PolicyConfig = { ...DEFAULT_POLICY, actionOptions: { ...DEFAULT_POLICY.actionOptions, temperature: 0.5, seed: 3 } };
    const { stats } = await teacherFree([{ task: tasks[0], temperature: 0 }, { task: tasks[1] }], new BatchedDecoder(spy), {
      factory: toyFactory, seed: 0, policy: sampling, detail: 'specific', corrector: plannerCorrector(planner), maxSteps: 4,
    });
    const byTitle = (t: string): number[] => [...new Set(spy.temperatures.filter((x) => x.title === t).map((x) => x.temperature))];
    expect(byTitle(tasks[0].title)).toEqual([0]);
    expect(byTitle(tasks[1].title)).toEqual([0.5]);
    expect(stats.failed).toBeGreaterThan(0);
    expect(stats.errorCodes).toEqual({ missing_step: stats.failed });
  });
});

describe('speculative inference', () => {
  const task = { title: 'Watch tv', description: 'Turn on the tv.' };
  const history = [{ action: 'Walk to living_room', observation: 'tv is OFF. You have nothing. ' }];
  /** Proposes `Switch on tv`, predicts it fails, corrects it to `correction`, predicts the correction runs. */
  const model = (correction: string) => async (p: string): Promise<string> => {
    if (p.startsWith('You are a robot agent')) return 'Switch on tv';
    if (p.startsWith('You are a replanner')) return correction;
    return p.includes('step2: Switch on tv\nFeedback: ') ? 'Error, Robot agent is not close to tv' : 'True';
  };

  it('the paper loop uses a correction predicted to run, even a repeat of the previous action', async () => {
    const d = await speculativeAction(task, history, model('Walk to living_room'), DEFAULT_POLICY);
    expect(d.action).toBe('Walk to living_room');
    expect(d.speculative).toMatchObject({ used: true, repeats: 'previous' });
    expect(d.calls).toBe(4);
  });

  it('the no-repeat guard refuses a correction repeating the previous action or the proposal, and executes the proposal', async () => {
    const guarded: PolicyConfig = { ...DEFAULT_POLICY, correctionGuard: 'no-repeat' };
    for (const [c, why] of [['Walk to living_room', 'previous'], ['Switch on tv', 'proposal']] as const) {
      const d = await speculativeAction(task, history, model(c), guarded);
      expect(d.action).toBe('Switch on tv');
      expect(d.speculative).toMatchObject({ used: false, refused: true, repeats: why, correction: c, correctionFeedback: null });
      expect(d.calls).toBe(3);
    }
    const ok = await speculativeAction(task, history, model('Find tv'), guarded);
    expect(ok.action).toBe('Find tv');
    expect(ok.speculative?.refused).toBeUndefined();
  });

  it('each speculative step records the real outcome of its proposal; the gate is scored per proposal', async () => {
    // Toy world: the expert's actions in order, walking always works. The model proposes a
    // wrong grab at step 2, predicts the failure and corrects it to the expert's action.
    const t = toyTask('s/0', ['Walk to kitchen', 'Open fridge0', 'Grab milk0']);
    const scripted = new ScriptedModel({ experts: new Map([[t.title, t.expertNL!]]), wrongAt: (_t, k) => k === 1 });
    const [ep] = await runRollout([{ task: t, speculative: true }], new BatchedDecoder(scripted), {
      factory: toyFactory, policy: DEFAULT_POLICY, speculative: true, maxSteps: 6, seed: 0,
    }).promise;
    const corrected = ep.steps.find((s) => s.corrected)!;
    expect(corrected.speculative?.proposed).toBe('Grab fridge0ish');
    expect(corrected.ok).toBe(true);
    expect(corrected.proposal).toEqual({ ok: false, code: 'missing_step' });
    const plain = ep.steps.find((s) => !s.corrected)!;
    expect(plain.proposal).toEqual({ ok: plain.ok, code: plain.ok ? null : 'missing_step' });
    const e = toEvalEpisode(ep, 'unseen');
    const gate = perProposalGate([e]);
    // Per executed action the corrected step would count as a success predicted "Error"-free;
    // per proposal it is a failure the gate caught.
    expect(gate.failing).toBe(1);
    expect(gate.truePositive).toBe(1);
    expect(gate.errorRecall).toBe(1);
    expect(correctionStats([e])).toMatchObject({ corrections: 1, used: 1, fixed: 1, replacedGood: 0, repeatRate: 0 });
  });

  it('gate scores count what they say', () => {
    expect(gateScores([
      { predictedError: true, fails: true }, { predictedError: true, fails: false }, { predictedError: false, fails: true }, { predictedError: false, fails: false },
    ])).toEqual({ n: 4, failing: 2, predictedError: 2, truePositive: 1, accuracy: 0.5, errorPrecision: 0.5, errorRecall: 0.5 });
  });
});
