/**
 * Issue 13 item 2: training that fits. With the real local model (a tiny transformer):
 * - a fine-tune that continues bc-init (`continueSchedule`) keeps its optimizer (moments and
 *   step count) and starts at the learning rate bc-init stopped at, with no warm-up, instead
 *   of warming up to the peak again (the restart the audit found);
 * - bc-init's schedule can span more steps than it trains (so it stops part-way down);
 * - a continued fine-tune killed mid-epoch and rerun ends with the same checkpoint;
 * - length-grouped batches hold every record of the epoch once and pad fewer tokens.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../agent/checkpoint.ts';
import { learningRate } from '../../alignment/optim.ts';
import { localProvider, type SavedSchedule } from '../../exploration/local-provider.ts';
import { batchesOf, checkpointHash, trainOnMix } from '../../exploration/training.ts';

const records = Array.from({ length: 12 }, (_, i) => ({ input: `step${i}: walk to room ${i}\nFeedback: `, output: i % 3 ? 'True' : 'Error, Robot agent is not close to tv' }));
const trainer = (dir: string) => readCheckpoint(dir).manifest.trainer as { adamStep: number; schedule: SavedSchedule };

describe('learning-rate schedule across stages', () => {
  it('a continued fine-tune starts where bc-init stopped; a plain one restarts at the peak', async () => {
    const lr = 1e-2;
    const provider = localProvider({ config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr, warmupSteps: 2, backend: 'cpu' });
    const base = mkdtempSync(join(tmpdir(), 'e2cl-sched-'));
    const corpus = records.map((r) => r.input + r.output);
    // bc-init: 2 epochs × 3 steps, its schedule planned over 6 + 6 steps.
    const init = await trainOnMix({ provider, records, init: { kind: 'scratch', corpus }, epochs: 2, batchSize: 4, seed: 1, dir: join(base, 'init'), scheduleSteps: 12 });
    init.model.dispose?.();
    const ti = trainer(init.finalDir);
    expect(ti.adamStep).toBe(6);
    expect(ti.schedule).toMatchObject({ lr, totalSteps: 12, warmupSteps: 2, stepOffset: 0 });
    const stoppedAt = learningRate(6, ti.schedule);
    expect(stoppedAt).toBeLessThan(lr * 0.9);
    expect(stoppedAt).toBeGreaterThan(lr / 10);

    const ft = { provider, records, epochs: 2, batchSize: 4, seed: 2 };
    const cont = await trainOnMix({ ...ft, init: { kind: 'checkpoint', dir: join(base, 'init'), continueSchedule: true }, dir: join(base, 'cont') });
    cont.model.dispose?.();
    const tc = trainer(cont.finalDir);
    expect(tc.adamStep).toBe(12); // the optimizer's step count (and moments) carried on
    expect(tc.schedule).toEqual({ lr: stoppedAt, minLr: lr / 10, warmupSteps: 0, totalSteps: 6, stepOffset: 6 });
    // Its first update uses bc-init's last rate and it decays from there to the floor.
    expect(learningRate(7 - tc.schedule.stepOffset, tc.schedule)).toBeLessThanOrEqual(stoppedAt);
    expect(learningRate(12 - tc.schedule.stepOffset, tc.schedule)).toBeCloseTo(lr / 10, 12);

    const plain = await trainOnMix({ ...ft, init: { kind: 'checkpoint', dir: join(base, 'init') }, dir: join(base, 'plain') });
    plain.model.dispose?.();
    const tp = trainer(plain.finalDir);
    expect(tp.adamStep).toBe(6);
    expect(tp.schedule.lr).toBe(lr);
    expect(tp.schedule.warmupSteps).toBeGreaterThan(0);

    // Killed in its second epoch and rerun: the same checkpoint as the uninterrupted run.
    const cfg = { ...ft, init: { kind: 'checkpoint' as const, dir: join(base, 'init'), continueSchedule: true }, dir: join(base, 'cont2') };
    const k1 = await trainOnMix({ ...cfg, stopAfterSteps: 4 });
    expect(k1.interrupted).toBe(true);
    k1.model.dispose?.();
    const k2 = await trainOnMix(cfg);
    k2.model.dispose?.();
    expect(k2.resumedFromEpoch).toBe(1);
    expect(checkpointHash(k2.finalDir)).toBe(checkpointHash(cont.finalDir));
  }, 120_000);
});

describe('length-grouped batches', () => {
  const rs = Array.from({ length: 200 }, (_, i) => ({ input: 'x'.repeat(10 + ((i * 7919) % 190)), output: String(i) }));
  const padded = (bs: Array<Array<{ input: string; output: string }>>): number =>
    bs.reduce((n, b) => n + b.length * Math.max(...b.map((r) => r.input.length + r.output.length)), 0);

  it('hold every record of the epoch once, in batches of at most batchSize, and pad fewer characters', () => {
    const plain = batchesOf(rs, 16, 3, 1);
    const grouped = batchesOf(rs, 16, 3, 1, 4);
    const ids = (bs: typeof plain): string[] => bs.flat().map((r) => r.output).sort();
    expect(ids(grouped)).toEqual(ids(plain));
    expect(ids(grouped)).toHaveLength(200);
    expect(Math.max(...grouped.map((b) => b.length))).toBeLessThanOrEqual(16);
    expect(padded(grouped)).toBeLessThan(0.8 * padded(plain));
    // Seeded: the same call gives the same batches; another epoch others.
    expect(batchesOf(rs, 16, 3, 1, 4)).toEqual(grouped);
    expect(batchesOf(rs, 16, 3, 2, 4)).not.toEqual(grouped);
  });
});
