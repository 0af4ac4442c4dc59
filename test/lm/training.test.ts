import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createModel, loadModel } from '../../agent/local-model.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';
import { Trainer, trainModel } from '../../alignment/trainer.ts';
import { learningRate } from '../../alignment/optim.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-lm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = Array.from({ length: 40 }, (_, i) => ({ input: `item ${i} ->`, output: ` ${(i * 7) % 13}` }));
const config = { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2, dropout: 0.1 };
const trainerOpts = { lr: 5e-3, warmupSteps: 3, totalSteps: 12, microBatchRows: 2 };

function weightsOf(t: Trainer): Float32Array[] {
  return [...t.lm.model.namedTensors().values()].map((v) => v.dataSync() as Float32Array);
}

describe('training primitives', () => {
  it('wasm Identity shares data: a clone outlives its source, and nothing leaks', async () => {
    await initBackend('wasm');
    const before = tf.memory().numBytes;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    // A variable assigned after a clone was taken does not change the clone.
    const init = tf.tensor1d([4, 5]);
    const v = tf.variable(init);
    init.dispose();
    const c = tf.clone(v);
    const next = tf.tensor1d([6, 7]);
    v.assign(next);
    next.dispose();
    expect(Array.from(c.dataSync())).toEqual([4, 5]);
    for (const t of [y, v, c]) t.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('warmup then cosine learning rate', () => {
    const s = { lr: 1, minLr: 0.1, warmupSteps: 10, totalSteps: 110 };
    expect(learningRate(5, s)).toBeCloseTo(0.5);
    expect(learningRate(10, s)).toBeCloseTo(1);
    expect(learningRate(60, s)).toBeCloseTo(0.55);
    expect(learningRate(110, s)).toBeCloseTo(0.1);
  });

  it('resuming from a checkpoint gives the same weights as not stopping', async () => {
    const corpus = data.map((d) => d.input + d.output);
    const a = await Trainer.create({ corpus, seed: 4, config, trainer: trainerOpts });
    const losses: number[] = [];
    await trainModel(a, { data, steps: 12, batchRows: 3, onStep: (s) => losses.push(s.loss) });
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);

    const dir = join(tmp, 'resume');
    const b1 = await Trainer.create({ corpus, seed: 4, config, trainer: trainerOpts });
    await trainModel(b1, { data, steps: 12, batchRows: 3, checkpointDir: dir, checkpointEvery: 5, stopAfterSteps: 7 });
    b1.dispose();
    const b2 = await Trainer.create({ corpus, seed: 4, config, trainer: trainerOpts });
    const b = await trainModel(b2, { data, steps: 12, batchRows: 3, checkpointDir: dir, checkpointEvery: 5 });
    expect(b.step).toBe(12);
    const wa = weightsOf(a);
    const wb = weightsOf(b);
    expect(wb.length).toBe(wa.length);
    wa.forEach((w, i) => expect(Array.from(wb[i])).toEqual(Array.from(w)));
    // The checkpoint on disk is the final state and loads as a model.
    const lm = await loadModel(dir);
    expect(lm.meta.step).toBe(12);
    expect(Array.from(lm.model.p('wte').dataSync())).toEqual(Array.from(a.lm.model.p('wte').dataSync()));
    a.dispose(); b.dispose(); await lm.dispose();
  });

  it('gradient accumulation over micro-batches equals one big batch', async () => {
    const corpus = data.map((d) => d.input + d.output);
    const run = async (micro: number) => {
      const t = await Trainer.create({ corpus, seed: 2, config: { ...config, dropout: 0 }, trainer: { ...trainerOpts, microBatchRows: micro } });
      await trainModel(t, { data, steps: 2, batchRows: 4 });
      const w = weightsOf(t);
      t.dispose();
      return w;
    };
    const one = await run(4);
    const acc = await run(1);
    one.forEach((w, i) => { for (let k = 0; k < w.length; k++) expect(Math.abs(w[k] - acc[i][k])).toBeLessThan(1e-5); });
  });
});

describe('LoRA adapters', () => {
  it('merged weights give the same logits as the unmerged adapter; switching by name', async () => {
    const lm = await createModel({ corpus: ['Walk to kitchen'], seed: 1, config: { vocabSize: 300, ctx: 16, layers: 2, d: 32, heads: 4 } });
    const m = lm.model;
    m.addAdapter('agent', { rank: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'], seed: 2 });
    m.addAdapter('user', { rank: 2, alpha: 2, targets: ['q', 'v'], seed: 3 });
    for (const v of [...m.adapterVariables('agent'), ...m.adapterVariables('user')]) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 8));
    const rng = new Prng(5);
    const tokens = Int32Array.from({ length: 2 * 10 }, () => rng.int(300));
    const logits = () => tf.tidy(() => m.forward({ tokens, batch: 2, time: 10 }).logits!.dataSync() as Float32Array);
    const base = logits();
    m.setAdapter('user');
    const user = logits();
    m.setAdapter('agent');
    const agent = logits();
    const differs = (a: Float32Array, b: Float32Array) => a.some((x, i) => Math.abs(x - b[i]) > 1e-3);
    expect(differs(agent, base)).toBe(true);
    expect(differs(agent, user)).toBe(true);
    m.mergeAdapter('agent');
    expect(m.activeAdapter).toBe(null);
    const merged = logits();
    let maxd = 0;
    merged.forEach((x, i) => { maxd = Math.max(maxd, Math.abs(x - agent[i])); });
    expect(maxd).toBeLessThan(1e-4);
    await lm.dispose();
  });

  it('training an adapter alone leaves the base weights unchanged', async () => {
    const corpus = data.map((d) => d.input + d.output);
    const lm = await createModel({ corpus, seed: 1, config: { ...config, dropout: 0 } });
    lm.model.addAdapter('a', { rank: 4, alpha: 8, targets: ['q', 'v', 'o'], seed: 1 });
    const before = [...lm.model.params.values()].map((v) => Array.from(v.dataSync()));
    const t = new Trainer(lm, { ...trainerOpts, adapter: 'a', seed: 1 });
    const l0 = await t.trainStep(data.slice(0, 8));
    for (let i = 0; i < 5; i++) await t.trainStep(data.slice(0, 8));
    const l1 = await t.trainStep(data.slice(0, 8));
    expect(l1).toBeLessThan(l0);
    [...lm.model.params.values()].forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(before[i]));
    expect(lm.model.adapterVariables('a').some((v) => v.name.endsWith('.b') && tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]) > 0)).toBe(true);
    t.dispose();
  });
});
