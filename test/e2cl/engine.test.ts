import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { DEFAULT_POLICY, speculativeAction } from '../../exploration/policy.ts';
import { type RolloutConfig, rollout$, runRollout } from '../../exploration/rollout.ts';
import { ScriptedModel, toyFactory, toyTask } from './doubles.ts';

const tasks = Array.from({ length: 12 }, (_, i) => toyTask(`g/${i}`, ['Walk to kitchen', `Open fridge${i}`, `Grab milk${i}`]));
const experts = new Map(tasks.map((t) => [t.title, t.expertNL!]));
const cfg = (extra: Partial<RolloutConfig> = {}): RolloutConfig => ({ factory: toyFactory, policy: DEFAULT_POLICY, speculative: false, ...extra });

describe('rollout engine (RxJS, batched decoding)', () => {
  it('gathers the decode requests of all live episodes into one generate call per turn', async () => {
    const model = new ScriptedModel({ experts });
    const dec = new BatchedDecoder(model, { maxBatch: 64 });
    const eps = await runRollout(tasks, dec, cfg({ concurrency: 12 })).promise;
    expect(eps.map((e) => e.success)).toEqual(tasks.map(() => true));
    expect(eps.every((e) => e.steps.length === 3 && e.saidEnd)).toBe(true);
    // 4 decisions per episode (3 actions + END), all 12 episodes in lock step
    expect(model.calls).toEqual([12, 12, 12, 12]);
    dec.close();
  });

  it('respects maxBatch and concurrency', async () => {
    const model = new ScriptedModel({ experts });
    const dec = new BatchedDecoder(model, { maxBatch: 5 });
    await runRollout(tasks, dec, cfg({ concurrency: 12 })).promise;
    expect(Math.max(...model.calls)).toBe(5);
    expect(model.calls.reduce((a, b) => a + b, 0)).toBe(48);
    const model1 = new ScriptedModel({ experts });
    const dec1 = new BatchedDecoder(model1);
    await runRollout(tasks, dec1, cfg({ concurrency: 1 })).promise;
    expect(model1.calls.every((n) => n === 1)).toBe(true);
    expect(model1.calls.length).toBe(48);
  });

  it('continues after failures and records them; the cap truncates', async () => {
    const model = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 });
    const dec = new BatchedDecoder(model);
    const [ep] = await runRollout([tasks[0]], dec, cfg({ maxSteps: 5 })).promise;
    expect(ep.steps).toHaveLength(5);
    expect(ep.steps.slice(1).every((s) => !s.ok)).toBe(true);
    expect(ep.steps[1].failure?.message).toContain('is not close to');
    expect(ep.success).toBe(false);
    expect(ep.reason).toBe('max-steps');
  });

  it('cancels episodes on unsubscribe: their pending requests never reach the model', async () => {
    const model = new ScriptedModel({ experts, delayMs: 20 });
    const dec = new BatchedDecoder(model);
    const seen: string[] = [];
    // unsubscribed before the first batch is flushed: nothing reaches the model
    rollout$(tasks, dec, cfg({ concurrency: 12 })).subscribe((e) => seen.push(e.kind)).unsubscribe();
    await new Promise((r) => setTimeout(r, 30));
    expect(model.calls).toHaveLength(0);
    expect(dec.stats.dropped).toBe(12);
    // unsubscribed mid-run: the batch in flight finishes, no later batch is made
    const sub = rollout$(tasks, dec, cfg({ concurrency: 12 })).subscribe((e) => seen.push(e.kind));
    await new Promise((r) => setTimeout(r, 30));
    sub.unsubscribe();
    const before = model.calls.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(model.calls.length).toBe(before);
    expect(before).toBeGreaterThan(0);
    expect(seen.filter((k) => k === 'end')).toHaveLength(0);
  });

  it('ends an episode that exceeds its time limit with reason timeout', async () => {
    const model = new ScriptedModel({ experts, delayMs: 25 });
    const dec = new BatchedDecoder(model);
    const events = await firstValueFrom(rollout$(tasks.slice(0, 3), dec, cfg({ concurrency: 3, timeoutMs: 60 })).pipe(toArray()));
    const ends = events.filter((e) => e.kind === 'end');
    expect(ends).toHaveLength(3);
    for (const e of ends) if (e.kind === 'end') { expect(e.episode.reason).toBe('timeout'); expect(e.episode.success).toBe(false); }
  });
});

describe('speculative inference (spec §5)', () => {
  const task = tasks[0];
  const decodeWith = (model: ScriptedModel) => (p: string) => model.generate([p], { maxTokens: 8 }).then((x) => x[0]);

  it('replaces an action predicted to fail by a correction predicted to succeed', async () => {
    const model = new ScriptedModel({ experts, wrongAt: () => true });
    const d = await speculativeAction(task, [], decodeWith(model), DEFAULT_POLICY);
    expect(d.speculative).toMatchObject({ proposed: 'Grab kitchenish', correction: 'Walk to kitchen', used: true });
    expect(d.action).toBe('Walk to kitchen');
    expect(d.calls).toBe(4);
  });

  it('keeps the original when the correction is also predicted to fail (one attempt only)', async () => {
    const model = new ScriptedModel({ experts, wrongAt: () => true, predictError: () => true });
    const d = await speculativeAction(task, [], decodeWith(model), DEFAULT_POLICY);
    expect(d.action).toBe('Grab kitchenish');
    expect(d.speculative?.used).toBe(false);
    expect(d.calls).toBe(4);
    expect(model.calls).toHaveLength(4);
  });

  it('does not ask for a correction when the feedback is predicted True', async () => {
    const model = new ScriptedModel({ experts });
    const d = await speculativeAction(task, [], decodeWith(model), DEFAULT_POLICY);
    expect(d.calls).toBe(2);
    expect(d.speculative).toMatchObject({ correction: null, used: false, predictedFeedback: 'True' });
  });

  it('in a rollout, corrections raise step executability and are counted', async () => {
    const wrong = (_t: string, k: number) => k === 1;
    const plain = await runRollout(tasks, new BatchedDecoder(new ScriptedModel({ experts, wrongAt: wrong })), cfg({ maxSteps: 6 })).promise;
    const spec = await runRollout(tasks, new BatchedDecoder(new ScriptedModel({ experts, wrongAt: wrong })), cfg({ maxSteps: 6, speculative: true })).promise;
    const exec = (eps: typeof plain) => eps.flatMap((e) => e.steps).filter((s) => s.ok).length / eps.flatMap((e) => e.steps).length;
    expect(exec(spec)).toBe(1);
    expect(exec(plain)).toBeLessThan(0.5);
    expect(spec.every((e) => e.success)).toBe(true);
    expect(spec.flatMap((e) => e.steps).filter((s) => s.corrected)).toHaveLength(12);
  });
});
