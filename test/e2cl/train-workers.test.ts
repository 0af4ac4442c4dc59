/**
 * Fine-tuning in child processes (exploration/train-workers.ts) gives the same checkpoints
 * as training in this process, one model after another; a child that fails is an error that
 * names the model.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeE2CLJsonl } from '../../alignment/datasets/export.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import { type TrainJob, runTrainJobs } from '../../exploration/train-workers.ts';
import { checkpointHash, resolveCheckpoint, trainOnMix } from '../../exploration/training.ts';

const mix = (k: number) => Array.from({ length: 12 }, (_, i) => ({
  input: `Task ${k}\nstep${i}: walk to room ${i}\nFeedback: `, output: (i + k) % 3 ? 'True' : 'Error, Robot agent is not close to tv',
}));

describe('fine-tuning in worker processes', () => {
  it('two models side by side = the same models trained in-process, one after the other', async () => {
    const options = { config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr: 1e-2, backend: 'cpu' };
    const provider = localProvider(options);
    const base = mkdtempSync(join(tmpdir(), 'e2cl-workers-'));
    const init = await trainOnMix({ provider, records: mix(0), init: { kind: 'scratch', corpus: [...mix(0), ...mix(1)].map((r) => r.input + r.output) }, epochs: 1, batchSize: 4, seed: 1, dir: join(base, 'init') });
    init.model.dispose?.();
    const jobs: TrainJob[] = [1, 2].map((k) => {
      writeE2CLJsonl(join(base, `mix${k}.jsonl`), mix(k));
      return { name: `m${k}`, recordsFile: join(base, `mix${k}.jsonl`), init: { kind: 'checkpoint', dir: join(base, 'init') }, epochs: 2, batchSize: 4, seed: 10 + k, dir: join(base, 'par', `m${k}`), steps: 6 };
    });
    let ticks = 0;
    const results = await runTrainJobs(jobs, provider.spec!, 2, (n) => { ticks += n; });
    expect(ticks).toBe(12);
    for (const [i, k] of [1, 2].entries()) {
      const seq = await trainOnMix({ provider, records: mix(k), init: { kind: 'checkpoint', dir: join(base, 'init') }, epochs: 2, batchSize: 4, seed: 10 + k, dir: join(base, 'seq', `m${k}`) });
      seq.model.dispose?.();
      expect(results[i].name).toBe(`m${k}`);
      expect(results[i].curve.map((p) => p.loss)).toEqual(seq.curve.map((p) => p.loss));
      expect(checkpointHash(resolveCheckpoint(join(base, 'par', `m${k}`)))).toBe(checkpointHash(seq.finalDir));
    }
    // Different mixes, different models (the comparison above is not vacuous).
    expect(checkpointHash(resolveCheckpoint(join(base, 'par', 'm1')))).not.toBe(checkpointHash(resolveCheckpoint(join(base, 'par', 'm2'))));
  }, 60_000);

  it('a job that fails in its child rejects with an error naming the model', async () => {
    const provider = localProvider({ config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr: 1e-2, backend: 'cpu' });
    const base = mkdtempSync(join(tmpdir(), 'e2cl-workers-'));
    const job: TrainJob = { name: 'broken', recordsFile: join(base, 'missing.jsonl'), init: { kind: 'scratch', corpus: ['a'] }, epochs: 1, batchSize: 4, seed: 1, dir: join(base, 'b'), steps: 1 };
    await expect(runTrainJobs([job], provider.spec!, 2, () => {})).rejects.toThrow(/training broken failed in its worker process \(ENOENT/);
  }, 30_000);
});
