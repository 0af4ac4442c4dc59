/**
 * Issue 13, options beyond the paper (all off by default):
 * - `correctionAttempts`: several speculative corrections per step (greedy, then seeded
 *   samples), the first predicted to run is used, repeats and duplicates skipped;
 * - `replanOnFailure`: after a failed step the next one comes from the correction prompt with
 *   the environment's real feedback, once per failure (a failed replan goes back to planning);
 * - `oracleGate` (a diagnostic): the simulator as the feedback head, corrections verified before use;
 * - teacher-free `planningRecords`: planning records from visited states off the expert's path,
 *   the planner's next action (or END) as target, outside the exploration cap.
 */
import { describe, expect, it } from 'vitest';
import { explorationForMix } from '../../alignment/datasets/mix.ts';
import type { E2CLRecord } from '../../alignment/datasets/records.ts';
import type { GenerateOptions } from '../../agent/language-model.ts';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { plannerCorrector, type TeacherPlanner } from '../../exploration/correctors.ts';
import { DEFAULT_POLICY, oracleGatedAction, type PolicyConfig, speculativeAction, type TryAction } from '../../exploration/policy.ts';
import { runRollout } from '../../exploration/rollout.ts';
import { teacherFree } from '../../exploration/teacher-free.ts';
import { parsePrompt, ScriptedModel, type ToyEpisode, toyFactory, toyTask } from './doubles.ts';

describe('several correction attempts', () => {
  const task = { title: 'Watch tv', description: 'Turn on the tv.' };
  const history = [{ action: 'Walk to living_room', observation: 'tv is OFF. ' }];
  /** Greedy correction repeats the proposal; sampled ones give `sampled(seed)`; only `ok` is predicted to run. */
  const model = (sampled: (seed: number) => string, ok: string, seen: GenerateOptions[] = []) => async (p: string, o: GenerateOptions): Promise<string> => {
    if (p.startsWith('You are a robot agent')) return 'Switch on tv';
    if (p.startsWith('You are a replanner')) { seen.push(o); return o.temperature ? sampled(o.seed ?? 0) : 'Switch on tv'; }
    return p.includes(`: ${ok}\nFeedback: `) ? 'True' : 'Error, Robot agent is not close to tv';
  };
  const guarded: PolicyConfig = { ...DEFAULT_POLICY, correctionGuard: 'no-repeat' };

  it('one attempt (the default) refuses the repeat and executes the proposal', async () => {
    const d = await speculativeAction(task, history, model(() => 'Walk to tv', 'Walk to tv'), guarded);
    expect(d.action).toBe('Switch on tv');
    expect(d.speculative).toMatchObject({ used: false, refused: true, repeats: 'proposal' });
  });

  it('later attempts are seeded samples; the first predicted to run is used', async () => {
    const seen: GenerateOptions[] = [];
    const d = await speculativeAction(task, history, model((s) => (s % 2 ? 'Walk to tv' : 'Find remote'), 'Walk to tv', seen), { ...guarded, correctionAttempts: 4 });
    expect(d.action).toBe('Walk to tv');
    expect(d.speculative).toMatchObject({ used: true, correction: 'Walk to tv', correctionFeedback: 'True' });
    // The greedy attempt first, then samples at the default temperature with seeds fixed by the step.
    expect(seen[0].temperature).toBeUndefined();
    expect(seen.slice(1).every((o) => o.temperature === 0.7)).toBe(true);
    const again: GenerateOptions[] = [];
    await speculativeAction(task, history, model((s) => (s % 2 ? 'Walk to tv' : 'Find remote'), 'Walk to tv', again), { ...guarded, correctionAttempts: 4 });
    expect(again.map((o) => o.seed)).toEqual(seen.map((o) => o.seed));
    expect(new Set(seen.map((o) => o.seed)).size).toBe(seen.length);
  });

  it('if no attempt is predicted to run the proposal is executed; a correction already tried is not asked about twice', async () => {
    const feedbackAsked: string[] = [];
    const decode = async (p: string, o: GenerateOptions): Promise<string> => {
      if (p.startsWith('You are a robot agent')) return 'Switch on tv';
      if (p.startsWith('You are a replanner')) return o.temperature ? 'Find remote' : 'Walk to tv';
      feedbackAsked.push(parsePrompt(p).action ?? '');
      return 'Error, Robot agent is not close to it';
    };
    const d = await speculativeAction(task, history, decode, { ...guarded, correctionAttempts: 3 });
    expect(d.action).toBe('Switch on tv');
    expect(d.speculative?.used).toBe(false);
    // proposal, Walk to tv, Find remote (the third attempt repeats it and is skipped)
    expect(feedbackAsked).toEqual(['Switch on tv', 'Walk to tv', 'Find remote']);
    expect(d.calls).toBe(1 + 1 + 3 + 2);
  });
});

describe('oracle gate (the ceiling of speculative inference)', () => {
  const task = { title: 'Watch tv', description: 'Turn on the tv.' };
  const history = [{ action: 'Walk to living_room', observation: 'tv is OFF. ' }];
  const runs = new Set(['Walk to tv', 'Find remote']);
  const tryAction: TryAction = (a) => (runs.has(a) ? { ok: true, feedback: 'True' } : { ok: false, feedback: `Error, ${a} cannot run` });
  const decodeWith = (proposal: string, corrections: (o: GenerateOptions) => string, prompts: string[] = []) => async (p: string, o: GenerateOptions): Promise<string> => {
    prompts.push(p);
    if (p.startsWith('You are a robot agent')) return proposal;
    if (p.startsWith('You are a replanner')) return corrections(o);
    throw new Error('the oracle gate never asks the model for feedback');
  };
  const cfg: PolicyConfig = { ...DEFAULT_POLICY, prompt: { feedbackInCorrection: true }, oracleGate: true };

  it('a proposal that runs is kept, with no correction asked', async () => {
    const d = await oracleGatedAction(task, history, decodeWith('Walk to tv', () => 'x'), cfg, tryAction);
    expect(d).toMatchObject({ action: 'Walk to tv', calls: 1, speculative: { used: false, correction: null, predictedFeedback: 'True' } });
  });

  it('a failing proposal is replaced by the first correction that runs; the correction prompt holds the real feedback', async () => {
    const prompts: string[] = [];
    const d = await oracleGatedAction(task, history, decodeWith('Switch on tv', (o) => (o.temperature ? 'Find remote' : 'Switch on tv'), prompts), { ...cfg, correctionAttempts: 3 }, tryAction);
    expect(d.action).toBe('Find remote');
    expect(d.speculative).toMatchObject({ proposed: 'Switch on tv', predictedFeedback: 'Error, Switch on tv cannot run', correction: 'Find remote', correctionFeedback: 'True', used: true });
    expect(prompts.find((p) => p.startsWith('You are a replanner'))).toContain('Feedback: Error, Switch on tv cannot run');
    // The greedy attempt repeats the proposal (skipped), the first sample runs.
    expect(d.calls).toBe(3);
  });

  it('if no correction runs the proposal is executed; END is never tried', async () => {
    const d = await oracleGatedAction(task, history, decodeWith('Switch on tv', () => 'Open tv'), { ...cfg, correctionAttempts: 2 }, tryAction);
    expect(d.action).toBe('Switch on tv');
    expect(d.speculative).toMatchObject({ used: false, correction: 'Open tv', correctionFeedback: 'Error, Open tv cannot run' });
    const end = await oracleGatedAction(task, history, decodeWith('END', () => 'x'), cfg, () => { throw new Error('END was tried'); });
    expect(end.action).toBe('END');
  });
});

describe('replan on failure', () => {
  const t = toyTask('r/0', ['Walk to kitchen', 'Open fridge0', 'Grab milk0']);
  const experts = new Map([[t.title, t.expertNL!]]);

  it('the step after a failure comes from the correction prompt with the real feedback; a failed replan goes back to planning', async () => {
    // Planning is wrong at the second expert action; corrections are right, except that the
    // first one is made wrong too (so the next step must be planned, not replanned again).
    let corrections = 0;
    const base = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 });
    const lm = {
      name: 'test', backend: 'test',
      async generate(prompts: string[], o: GenerateOptions): Promise<string[]> {
        const outs = await base.generate(prompts, o);
        return prompts.map((p, i) => (p.startsWith('You are a replanner') && corrections++ === 0 ? 'Grab fridge0' : outs[i]));
      },
    };
    const [ep] = await runRollout([{ task: t }], new BatchedDecoder(lm), {
      factory: toyFactory, policy: { ...DEFAULT_POLICY, prompt: { feedbackInCorrection: true }, replanOnFailure: true }, speculative: false, maxSteps: 8, seed: 0,
    }).promise;
    const kinds = ep.steps.map((s) => `${s.replanned ? 'replan' : 'plan'}:${s.action}:${s.ok ? 'ok' : 'fail'}`);
    expect(kinds.slice(0, 4)).toEqual(['plan:Walk to kitchen:ok', 'plan:Grab fridge0ish:fail', 'replan:Grab fridge0:fail', 'plan:Grab fridge0ish:fail']);
    expect(kinds[4]).toBe('replan:Open fridge0:ok');
    // The replan prompt holds the failed action and the environment's own message for it.
    const replan = ep.steps[2].prompt;
    expect(replan.startsWith('You are a replanner')).toBe(true);
    expect(replan).toContain('step2: Grab fridge0ish\nFeedback: Error,');
    expect(replan).toContain('fridge0ish');
    expect(ep.success).toBe(true);
  });

  it('off by default: every step is planned', async () => {
    const [ep] = await runRollout([{ task: t }], new BatchedDecoder(new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 })), {
      factory: toyFactory, policy: DEFAULT_POLICY, speculative: false, maxSteps: 5, seed: 0,
    }).promise;
    expect(ep.steps.every((s) => !s.replanned && s.prompt.startsWith('You are a robot agent'))).toBe(true);
  });
});

describe('teacher-free planning records from visited states', () => {
  const tasks = [toyTask('p/0', ['Walk to kitchen', 'Open fridge0', 'Grab milk0']), toyTask('p/1', ['Walk to hall', 'Open box1', 'Grab key1'])];
  const experts = new Map(tasks.map((t) => [t.title, t.expertNL!]));
  const planner: TeacherPlanner = { nextAction: (ep, task) => task.expertNL![(ep as ToyEpisode).done] ?? null };

  it('one record per visited state off the expert path, the planner\'s next action (END once the goal holds) as target', async () => {
    // Each task's agent gets its second action wrong once, then follows the expert to the goal.
    const wrongOnce = new Set<string>();
    const wrongAt = (title: string, k: number): boolean => k === 1 && !wrongOnce.has(title) && (wrongOnce.add(title), true);
    const { records, stats } = await teacherFree(tasks.map((task) => ({ task, temperature: 0 })), new BatchedDecoder(new ScriptedModel({ experts, wrongAt })), {
      factory: toyFactory, seed: 0, policy: DEFAULT_POLICY, detail: 'specific', corrector: plannerCorrector(planner), maxSteps: 6, planningFrom: planner,
    });
    const planning = records.filter((r) => r.kind === 'planning');
    expect(planning.length).toBe(stats.planningRecords);
    expect(planning.length).toBeGreaterThan(0);
    for (const r of planning) {
      const { title, history } = parsePrompt(r.input);
      const expert = experts.get(title)!;
      // Off the path: the history is not a prefix of the expert's actions.
      expect(history.every((a, j) => a === expert[j])).toBe(false);
      // The target is the expert's next action not yet done in the toy world, or END.
      let done = 0;
      for (const a of history) if (a === expert[done]) done++;
      expect(r.output).toBe(done < expert.length ? expert[done] : 'END');
    }
    // The agent's wrong grab leaves the path at step 2 of each task: the state after it is recorded.
    expect(planning.some((r) => r.output === 'Open fridge0' && parsePrompt(r.input).history.join('|') === 'Walk to kitchen|Grab fridge0ish')).toBe(true);
    // Every on-path state (after the first expert action of each of the 2 episodes) was skipped;
    // the 3 states after the wrong grab of each episode are recorded, the last one with END.
    expect(stats.onExpertPath).toBe(2);
    expect(planning.map((r) => r.output)).toEqual(['Open fridge0', 'Grab milk0', 'END', 'Open box1', 'Grab key1', 'END']);
  });

  it('without a planner there are none', async () => {
    const { records } = await teacherFree([{ task: tasks[0], temperature: 0 }], new BatchedDecoder(new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 })), {
      factory: toyFactory, seed: 0, policy: DEFAULT_POLICY, detail: 'specific', corrector: plannerCorrector(planner), maxSteps: 6,
    });
    expect(records.filter((r) => r.kind === 'planning')).toHaveLength(0);
  });

  it('planning records stay out of the balance and the cap, which still drop only True / Task finished', () => {
    const rec = (kind: E2CLRecord['kind'], output: string, i: number): E2CLRecord => ({ input: `p${kind}${output}${i}`, output, kind, source: 'teacher-free', taskId: `t${i}` });
    const all = [
      ...Array.from({ length: 4 }, (_, i) => rec('feedback', `Error, x${i}`, i)),
      ...Array.from({ length: 20 }, (_, i) => rec('feedback', 'True', i)),
      ...Array.from({ length: 30 }, (_, i) => rec('planning', `Walk to y${i}`, i)),
      rec('planning', 'Walk to y0', 0),
    ];
    const out = explorationForMix(all, { balance: 2, max: 6, balanceSeed: 1, capSeed: 2 });
    expect(out.filter((r) => r.kind === 'planning')).toHaveLength(30);
    expect(out.filter((r) => r.output.startsWith('Error'))).toHaveLength(4);
    expect(out.filter((r) => r.output === 'True')).toHaveLength(2);
    // No planning records: what the cap did before.
    const noPlanning = all.filter((r) => r.kind !== 'planning');
    expect(explorationForMix(noPlanning, { max: 10, balanceSeed: 1, capSeed: 2 })).toHaveLength(10);
  });
});
