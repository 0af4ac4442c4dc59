/**
 * FPO on the local model (methods/fpo/fpo-loss.ts): pooled SAE features are the mean of the
 * SAE codes over the completion-predicting positions; with the offline reference taken from the
 * same model the first step's loss is log 2 (u_w = u_l = 0, D = 0); training raises the
 * chosen-vs-rejected margin, deterministically; the α·D(y_l) term reaches the gradient.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureHooks, parseHookName } from '../../agent/interp/hooks.ts';
import { SparseAutoencoder } from '../../agent/interp/sae.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import type { PreferencePair } from '../../alignment/preference.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { HearthError } from '../../env/errors.ts';
import { fpoLossFn, logProbsAndFeatures, withFpoReference } from '../../methods/fpo/fpo-loss.ts';

beforeAll(async () => { await initBackend('wasm'); });

const config = { vocabSize: 300, ctx: 32, layers: 2, d: 32, heads: 2 };
const rooms = ['kitchen', 'bedroom', 'bathroom', 'livingroom', 'office', 'garage'];
const pairs: PreferencePair[] = rooms.map((r, i) => ({ prompt: `task ${i}: go to the ${r} ->`, chosen: ` [walk] <${r}>`, rejected: ` [grab] <${rooms[(i + 1) % rooms.length]}>` }));
const corpus = pairs.flatMap((p) => [p.prompt + p.chosen, p.prompt + p.rejected]);
const opts = { lr: 1e-2, warmupSteps: 1, totalSteps: 10, schedule: 'constant' as const, weightDecay: 0 };
const sae = () => new SparseAutoencoder({ d: 32, features: 48, k: 6, hook: 'blocks.1.hook_resid_post' }, 4);

function margin(t: Trainer): number {
  const c = t.lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.chosen })), { average: 'mean' });
  const r = t.lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.rejected })), { average: 'mean' });
  return c.reduce((a, x, i) => a + x - r[i], 0) / pairs.length;
}

describe('FPO on the local model', () => {
  it('pools the SAE codes of the completion-predicting positions', async () => {
    const t = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
    const s = sae();
    const rows = [{ input: pairs[0].prompt, output: pairs[0].chosen }, { input: pairs[1].prompt, output: pairs[1].rejected }];
    const b = t.lm.batchPairs(rows, true);
    const { features, logps } = tf.tidy(() => { const r = logProbsAndFeatures(t.lm, s, rows); return { features: r.features.arraySync(), logps: r.logps.arraySync() }; });
    // By hand: the residual rows, their codes, the masked mean.
    let codes: number[][] = [];
    tf.tidy(() => {
      t.lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, logits: 'none',
        hooks: captureHooks(parseHookName('blocks.1.hook_resid_post', 2), (r) => { codes = s.encode(r).arraySync(); }) });
    });
    for (let r = 0; r < 2; r++) {
      const want = new Array(48).fill(0);
      let n = 0;
      for (let p = 0; p < b.time; p++) if (b.mask[r * b.time + p]) { n++; for (let f = 0; f < 48; f++) want[f] += codes[r * b.time + p][f]; }
      expect(n).toBeGreaterThan(1);
      features[r].forEach((v, f) => expect(v).toBeCloseTo(want[f] / n, 5));
    }
    const mean = t.lm.scorePairs(rows, { average: 'mean' });
    logps.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 5));
    t.dispose();
  });

  it('starts at log 2 with the offline reference of the same model, then raises the margin; same seed, same weights', async () => {
    const run = async () => {
      const t = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
      const s = sae();
      const data = withFpoReference(t.lm, s, pairs);
      const before = margin(t);
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) losses.push(t.stepWith([data.slice(0, 3), data.slice(3)], fpoLossFn(data.length, s, { beta: 0.5, alpha: 0.5, topK: 8 })).loss);
      const h = createHash('sha256');
      for (const v of t.lm.model.namedTensors().values()) h.update(Buffer.from((v.dataSync() as Float32Array).buffer));
      const out = { before, after: margin(t), losses, hash: h.digest('hex') };
      t.dispose();
      return out;
    };
    const a = await run();
    expect(a.losses[0]).toBeCloseTo(Math.log(2), 5);
    expect(a.after).toBeGreaterThan(a.before + 0.5);
    expect(a.losses[9]).toBeLessThan(a.losses[0]);
    const b = await run();
    expect(b.hash).toBe(a.hash);
    expect(b.losses).toEqual(a.losses);
  }, 60_000);

  it('the feature term changes the loss once the policy has moved (α = 0.5 vs α = 0)', async () => {
    const t = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
    const s = sae();
    const data = withFpoReference(t.lm, s, pairs);
    t.stepWith([data], fpoLossFn(data.length, s, { beta: 0.5, alpha: 0, topK: 8 })); // move the policy
    const lossWith = (alpha: number) => tf.tidy(() => {
      const out = fpoLossFn(data.length, s, { beta: 0.5, alpha, topK: 8 })(data, { lm: t.lm, step: 1, micro: 0, dropoutSeed: 0 });
      return (out as { loss: tf.Scalar }).loss.dataSync()[0];
    });
    expect(Math.abs(lossWith(0.5) - lossWith(0))).toBeGreaterThan(1e-6);
    expect(() => fpoLossFn(1, s, { beta: 0.5 })([pairs[0]], { lm: t.lm, step: 1, micro: 0, dropoutSeed: 0 })).toThrow(HearthError);
    t.dispose();
  });
});
