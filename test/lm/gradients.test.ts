import { describe, expect, it } from 'vitest';
import { createModel } from '../../agent/local-model.ts';
import { maskedCrossEntropy } from '../../agent/logprob.ts';
import type { ModelConfig } from '../../agent/model.ts';
import { tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';

/** Loss of a tiny model on a fixed packed batch; every parameter's gradient is checked
 *  against a central finite difference along that parameter's own gradient direction. */
async function check(config: Partial<ModelConfig>, lora: boolean): Promise<void> {
  const lm = await createModel({ config: { vocabSize: 300, ctx: 12, layers: 2, d: 16, heads: 2, ...config }, seed: 3 });
  const m = lm.model;
  if (lora) {
    m.addAdapter('a', { rank: 2, alpha: 4, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'], seed: 9 });
    for (const v of m.adapterVariables('a')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 5));
    m.setAdapter('a');
  }
  const rng = new Prng(11);
  const B = 2;
  const T = 10;
  const tokens = Int32Array.from({ length: B * T }, () => rng.int(300));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(300));
  const weights = Float32Array.from({ length: B * T }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const segments = Int32Array.from({ length: B * T }, (_, i) => (i % T < 6 ? 0 : 1));
  const named = m.namedTensors();
  // Well-conditioned weights for a float32 finite difference: nanoGPT's tiny init (std 0.02
  // under a LayerNorm) makes the loss strongly curved at the scale of any usable step.
  let s = 100;
  for (const [name, v] of named) {
    if (name.endsWith('.g')) v.assign(tf.add(1, tf.randomNormal(v.shape, 0, 0.2, 'float32', s++)));
    else if (name.endsWith('.b') && !name.startsWith('lora.')) v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', s++));
    else if (name === 'wte' || name === 'wpe') v.assign(tf.randomNormal(v.shape, 0, 1, 'float32', s++));
    else if (name.startsWith('lora.')) v.assign(tf.randomNormal(v.shape, 0, 0.4 / Math.sqrt(v.shape[0]), 'float32', s++));
    else v.assign(tf.randomNormal(v.shape, 0, 1 / Math.sqrt(v.shape[0]), 'float32', s++));
  }
  const vars = [...named.values()];
  const loss = () => maskedCrossEntropy(m.forward({ tokens, batch: B, time: T, segments }).logits!, targets, weights);
  const { grads } = tf.variableGrads(loss, vars);
  const lossAt = () => tf.tidy(() => loss().dataSync()[0]);
  const eps = Number(process.env.HEARTH_FD_EPS ?? 8e-3);
  let checked = 0;
  for (const [name, v] of named) {
    const g = grads[v.name];
    const norm = Math.sqrt(tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]));
    if (norm < 1e-4) continue;
    const orig = tf.clone(v);
    const u = tf.div(g, norm);
    const central = (h: number) => {
      v.assign(tf.add(orig, tf.mul(u, h)));
      const plus = lossAt();
      v.assign(tf.sub(orig, tf.mul(u, h)));
      const minus = lossAt();
      v.assign(orig);
      return (plus - minus) / (2 * h);
    };
    // Richardson extrapolation cancels the O(h²) term of the central difference.
    // Steps so that the loss moves by ~1e-2: well above float32 rounding, small enough for
    // the extrapolated truncation error. The median over three step sizes guards against
    // the one scale where either error is at its worst.
    const base = eps / norm;
    const est = [1.5, 1, 0.6].map((k) => {
      const h = Math.min(0.03, Math.max(1e-3, base * k));
      return (4 * central(h / 2) - central(h)) / 3;
    }).sort((a, b) => a - b);
    const fd = est[1];
    const rel = Math.abs(fd - norm) / Math.max(Math.abs(fd), norm);
    expect(rel, `${name}: analytic ${norm}, finite difference ${fd}`).toBeLessThan(1e-3);
    checked++;
  }
  expect(checked).toBeGreaterThan(10);
  lm.model.dispose();
}

describe('gradients of the full model match finite differences (float32)', () => {
  it('RoPE, tied embeddings, packed segments', async () => { await check({ positions: 'rope', tiedEmbeddings: true }, false); });
  it('learned positions, untied head, active LoRA adapter', async () => { await check({ positions: 'learned', tiedEmbeddings: false }, true); });
});
