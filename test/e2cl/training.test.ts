import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IOPair } from '../../alignment/datasets/export.ts';
import { mixSeed } from '../../alignment/datasets/rng.ts';
import { type ModelProvider, type TrainableModel, checkpointHash, completedEpochs, resolveCheckpoint, trainOnMix } from '../../exploration/training.ts';

/** A deterministic stand-in for the model: its "weights" are a hash chain over the batches it saw, in order. */
class ChainModel implements TrainableModel {
  readonly lm = { name: 'test:chain', backend: 'test', generate: async (p: string[]) => p.map(() => '') };
  constructor(public w: number, public step: number) {}
  async trainStep(batch: readonly IOPair[]): Promise<number> {
    this.w = mixSeed(this.w, ...batch.map((b) => b.input + b.output));
    this.step++;
    return (this.w % 1000) / 1000;
  }
  async save(dir: string): Promise<void> {
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(new Uint32Array([this.w]).buffer));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ step: this.step, createdAt: new Date().toISOString() }));
  }
}
const provider: ModelProvider = {
  create: async (_c, seed) => new ChainModel(seed, 0),
  load: async (dir) => new ChainModel(readFileSync(join(dir, 'weights.bin')).readUInt32LE(0),
    (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { step: number }).step),
};
const records: IOPair[] = Array.from({ length: 23 }, (_, i) => ({ input: `in${i}`, output: `out${i}` }));

describe('training on the mix', () => {
  it('resumes after a crash mid-epoch and ends with the same checkpoint hash', async () => {
    const base = mkdtempSync(join(tmpdir(), 'e2cl-train-'));
    const common = { provider, records, init: { kind: 'scratch' as const, corpus: [] }, epochs: 3, batchSize: 4, seed: 42 };
    const a = await trainOnMix({ ...common, dir: join(base, 'a') });
    expect(completedEpochs(join(base, 'a'))).toEqual([1, 2, 3]);
    expect(a.curve).toHaveLength(18);
    // "kill -9" in the middle of epoch 2 (step 9 of 18), then rerun
    const b1 = await trainOnMix({ ...common, dir: join(base, 'b'), stopAfterSteps: 9 });
    expect(b1.interrupted).toBe(true);
    expect(completedEpochs(join(base, 'b'))).toEqual([1]);
    mkdirSync(join(base, 'b', 'epoch-2.tmp-999'), { recursive: true }); // debris of the killed write
    const b2 = await trainOnMix({ ...common, dir: join(base, 'b') });
    expect(b2.resumedFromEpoch).toBe(1);
    expect(b2.stepsThisRun).toBe(12);
    expect(b2.curve).toEqual(a.curve);
    expect(checkpointHash(resolveCheckpoint(join(base, 'b')))).toBe(checkpointHash(resolveCheckpoint(join(base, 'a'))));
    // and a different seed gives a different model
    const c = await trainOnMix({ ...common, seed: 43, dir: join(base, 'c') });
    expect(checkpointHash(c.finalDir)).not.toBe(checkpointHash(a.finalDir));
  });
});
