/**
 * Resumability with the real local model (a tiny transformer): a run stopped in the middle
 * of epoch 2 and rerun ends with exactly the same final checkpoint as an uninterrupted run
 * (weights, optimizer moments and step restored from the epoch-1 checkpoint).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localProvider } from '../../exploration/local-provider.ts';
import { checkpointHash, trainOnMix } from '../../exploration/training.ts';

const records = Array.from({ length: 10 }, (_, i) => ({ input: `step${i}: walk to room ${i}\nFeedback: `, output: i % 3 ? 'True' : 'Error, Robot agent is not close to tv' }));

describe('resumable training with the local model', () => {
  it('kill mid-epoch + rerun = uninterrupted (same checkpoint hash)', async () => {
    const provider = localProvider({ config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr: 1e-2, backend: 'cpu' });
    const base = mkdtempSync(join(tmpdir(), 'e2cl-resume-'));
    const common = { provider, records, init: { kind: 'scratch' as const, corpus: records.map((r) => r.input + r.output) }, epochs: 2, batchSize: 4, seed: 5 };
    const a = await trainOnMix({ ...common, dir: join(base, 'a') });
    const b1 = await trainOnMix({ ...common, dir: join(base, 'b'), stopAfterSteps: 4 });
    expect(b1.interrupted).toBe(true);
    b1.model.dispose?.();
    const b2 = await trainOnMix({ ...common, dir: join(base, 'b') });
    expect(b2.resumedFromEpoch).toBe(1);
    expect(b2.curve.map((p) => p.loss)).toEqual(a.curve.map((p) => p.loss));
    expect(checkpointHash(b2.finalDir)).toBe(checkpointHash(a.finalDir));
    expect(a.curve[a.curve.length - 1].loss).toBeLessThan(a.curve[0].loss);
    a.model.dispose?.();
    b2.model.dispose?.();
  });
});
