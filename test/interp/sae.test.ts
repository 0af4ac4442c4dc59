/**
 * Hook names and capture (agent/interp/hooks.ts), the TopK SAE (agent/interp/sae.ts) and its
 * training loop (alignment/sae-train.ts): a captured `hook_resid_post` is the block's output, the
 * TopK op keeps k entries and passes gradient only through them, training recovers a planted
 * sparse dictionary (FVU, L0 and dead features measured, deterministic per seed), save/load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureHooks, hookName, parseHookName } from '../../agent/interp/hooks.ts';
import { SparseAutoencoder, topkRelu } from '../../agent/interp/sae.ts';
import { createModel } from '../../agent/local-model.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { collectActivations, trainSae } from '../../alignment/sae-train.ts';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { HearthError } from '../../env/errors.ts';

beforeAll(async () => { await initBackend('wasm'); });

describe('hook names', () => {
  it('parses the canonical names and refuses others', () => {
    expect(parseHookName('blocks.1.hook_resid_post', 2)).toEqual({ layer: 1, site: 'hook_resid_post' });
    expect(parseHookName('blocks.0.attn.hook_z', 2)).toEqual({ layer: 0, site: 'hook_z' });
    expect(hookName({ layer: 0, site: 'hook_z' })).toBe('blocks.0.attn.hook_z');
    expect(() => parseHookName('blocks.2.hook_resid_post', 2)).toThrow(/layer 2, but the model has 2 layers/);
    expect(() => parseHookName('resid', 2)).toThrow(HearthError);
  });

  it('captures the last block\'s resid_post equal to the forward pass\'s final residual, and mlp_out / hook_z with their widths', async () => {
    const lm = await createModel({ corpus: ['walk to the kitchen', 'open the fridge'], seed: 3, config: { vocabSize: 280, ctx: 32, layers: 2, d: 32, heads: 4 } });
    const b = lm.batchPairs([{ input: 'walk to', output: ' the kitchen' }, { input: 'open', output: ' the fridge' }]);
    const got: Record<string, number[][]> = {};
    tf.tidy(() => {
      const hooks = { ...captureHooks(parseHookName('blocks.1.hook_resid_post', 2), (r) => { got.resid = r.arraySync(); }) };
      const mlp = captureHooks(parseHookName('blocks.0.hook_mlp_out', 2), (r) => { got.mlp = r.arraySync(); });
      const z = captureHooks(parseHookName('blocks.1.attn.hook_z', 2), (r) => { got.z = r.arraySync(); });
      const { hidden } = lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, hooks: { ...hooks, ...mlp, ...z } });
      got.hidden = hidden.arraySync();
    });
    expect(got.resid).toEqual(got.hidden);
    expect(got.mlp.length).toBe(b.batch * b.time);
    expect(got.mlp[0].length).toBe(32);
    expect(got.z[0].length).toBe(32); // H·hd
    await lm.dispose();
  });
});

describe('topkRelu', () => {
  it('keeps the k largest positive entries per row and passes gradient only through them', () => {
    const x = tf.tensor2d([[0.5, -1, 3, 2, 0.1], [-2, -1, -3, 0.2, -0.5]]);
    const y = topkRelu(x, 2);
    const plain = (a: number[][]) => a.map((r) => r.map((v) => v + 0)); // -0 → 0
    expect(plain(y.arraySync())).toEqual([[0, 0, 3, 2, 0], [0, 0, 0, expect.closeTo(0.2, 6), 0]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(topkRelu(t as tf.Tensor2D, 2), tf.tensor2d([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]))))(x);
    expect(plain(g.arraySync() as number[][])).toEqual([[0, 0, 3, 4, 0], [0, 0, 0, 9, 0]]);
  });
});

/** Rows that are sparse combinations (4 of 64 atoms, positive weights) of one random dictionary in D = 32, plus an offset. */
function plantedRows(n: number, seed: number): tf.Tensor2D {
  const D = 32, A = 64, dict = mulberry32(99), rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - dict.next())) * Math.cos(2 * Math.PI * dict.next());
  const atoms = Array.from({ length: A }, () => { const v = Array.from({ length: D }, gauss); const nrm = Math.hypot(...v); return v.map((z) => z / nrm); });
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) out[i * D + j] = 3; // an offset the decoder bias must absorb
    for (let a = 0; a < 4; a++) {
      const atom = atoms[rng.int(A)];
      const w = 1 + 2 * rng.next();
      for (let j = 0; j < D; j++) out[i * D + j] += w * atom[j];
    }
  }
  return tf.tensor2d(out, [n, D]);
}

describe('TopK SAE training', () => {
  it('recovers a planted sparse dictionary: held-out FVU ≤ 0.1 at L0 ≤ k, < 10% dead; an untrained SAE does not', () => {
    const train = plantedRows(6000, 1);
    const test = plantedRows(2000, 2);
    const opts = { features: 64, k: 8, hook: 'synthetic', steps: 800, batch: 256, lr: 1e-2, seed: 5 };
    const untrained = new SparseAutoencoder({ d: 32, features: 64, k: 8, hook: 'synthetic' }, 5);
    const before = untrained.metrics(test);
    const { sae, curve } = trainSae(train, opts);
    const after = sae.metrics(test);
    expect(before.fvu).toBeGreaterThan(0.5);
    expect(after.fvu).toBeLessThanOrEqual(0.1);
    expect(after.l0).toBeLessThanOrEqual(8);
    expect(after.deadFraction).toBeLessThan(0.1);
    expect(curve[curve.length - 1].fvu).toBeLessThan(curve[0].fvu);
    // Same rows, same seed: the same SAE, bit for bit.
    const again = trainSae(train, opts).sae;
    expect(Buffer.from((again.wEnc.dataSync() as Float32Array).buffer).equals(Buffer.from((sae.wEnc.dataSync() as Float32Array).buffer))).toBe(true);
    // Saved and loaded: the same codes.
    const dir = mkdtempSync(join(tmpdir(), 'sae-'));
    try {
      sae.save(join(dir, 'sae'), { metrics: after });
      const back = SparseAutoencoder.load(join(dir, 'sae'));
      const sample = tf.slice(test, [0, 0], [50, 32]);
      expect(back.encode(sample).arraySync()).toEqual(sae.encode(sample).arraySync());
      expect(() => SparseAutoencoder.load(dir)).toThrow(/holds no sae.json/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);

  it('refuses a bad config and too few rows', () => {
    expect(() => new SparseAutoencoder({ d: 8, features: 4, k: 5, hook: 'x' }, 0)).toThrow(HearthError);
    expect(() => trainSae(tf.zeros([10, 4]) as tf.Tensor2D, { features: 8, k: 2, hook: 'x', steps: 1, batch: 32, lr: 1e-3, seed: 0 })).toThrow(/only 10 activation rows/);
  });
});

describe('collectActivations', () => {
  it('one row per real, non-BOS position (or per completion-predicting position)', async () => {
    const lm = await createModel({ corpus: ['walk to the kitchen', 'open the fridge'], seed: 3, config: { vocabSize: 280, ctx: 32, layers: 2, d: 32, heads: 4 } });
    const pairs = [{ input: 'walk to', output: ' the kitchen' }, { input: 'open the', output: ' fridge' }];
    const b = lm.batchPairs(pairs, true);
    let valid = 0, completion = 0;
    for (let r = 0; r < b.batch; r++) for (let t = 1; t < b.time; t++) { valid += b.valid[r * b.time + t]; completion += b.mask[r * b.time + t]; }
    const all = collectActivations(lm, pairs, { hook: 'blocks.1.hook_resid_post' });
    const comp = collectActivations(lm, pairs, { hook: 'blocks.1.hook_resid_post', only: 'completion' });
    expect(all.shape).toEqual([valid, 32]);
    expect(comp.shape).toEqual([completion, 32]);
    expect(comp.shape[0]).toBeLessThan(all.shape[0]);
    await lm.dispose();
  });
});
