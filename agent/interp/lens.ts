/**
 * Reading activations in vocabulary space: the logit lens (each layer's residual through the
 * final norm and unembedding, TransformerLens's `accumulated_resid` + `apply_ln`) and the direct
 * logit attribution of each attention head (its output through the output projection, the
 * final norm's scale frozen at the final residual, and the unembedding).
 */
import type { Transformer } from '../model.ts';
import { tf } from '../tfjs.ts';
import type { ActivationCache } from './run.ts';

/** Hook names the lens reads, in order: every block's resid_pre, then the last block's resid_post. */
export function lensHooks(layers: number): string[] {
  return [...Array.from({ length: layers }, (_, l) => `blocks.${l}.hook_resid_pre`), `blocks.${layers - 1}.hook_resid_post`];
}

/** The (D) residual vector of row b, position t of a cached (B, T, D) activation. */
function vectorAt(cache: ActivationCache, name: string, b: number, t: number): Float32Array {
  const a = cache.get(name);
  if (!a) throw new Error(`the cache has no ${name}: run runWithCache with it`);
  const [, T, D] = a.shape;
  return a.data.slice((b * T + t) * D, (b * T + t + 1) * D);
}

/**
 * Logits (V) at row b, position t after each stage: `lensHooks(layers)` order. The last entry is
 * the model's own output there (same final norm and unembedding).
 */
export function logitLens(model: Transformer, cache: ActivationCache, b: number, t: number): Array<{ hook: string; logits: Float32Array }> {
  const names = lensHooks(model.config.layers);
  const D = model.config.d;
  const x = new Float32Array(names.length * D);
  names.forEach((n, i) => x.set(vectorAt(cache, n, b, t), i * D));
  const out = tf.tidy(() => model.unembed(tf.tensor2d(x, [names.length, D])));
  const data = out.dataSync() as Float32Array;
  out.dispose();
  const V = model.config.vocabSize;
  return names.map((hook, i) => ({ hook, logits: data.slice(i * V, (i + 1) * V) }));
}

/** The effective output projection of layer l, (D, D), with the active LoRA adapter folded in. */
function outputProjection(model: Transformer, l: number): tf.Tensor2D {
  const w = model.p(`h${l}.o`) as tf.Tensor2D;
  const name = model.activeAdapter;
  if (!name || !model.adapterOptions(name).targets.includes('o')) return w;
  const t = model.namedTensors();
  const o = model.adapterOptions(name);
  return tf.add(w, tf.mul(tf.matMul(t.get(`lora.${name}.h${l}.o.a`)!, t.get(`lora.${name}.h${l}.o.b`)!), o.alpha / o.rank)) as tf.Tensor2D;
}

/**
 * Direct logit attribution of every head to `logit[good] − logit[bad]` at row b, position t:
 * result[l][h]. Needs `blocks.{l}.attn.hook_z` for every l and the final resid_post in the cache.
 * Each head's write is centred and divided by the final residual's standard deviation (the
 * LayerNorm frozen at the real residual), then multiplied by the norm's gain and the
 * unembedding difference, so the heads' terms add up with the other components' to the logit difference.
 */
export function headAttribution(model: Transformer, cache: ActivationCache, b: number, t: number, good: number, bad: number): number[][] {
  const { layers: L, heads: H, d: D } = model.config;
  const hd = D / H;
  const final = vectorAt(cache, `blocks.${L - 1}.hook_resid_post`, b, t);
  const mu = final.reduce((a, v) => a + v, 0) / D;
  const std = Math.sqrt(final.reduce((a, v) => a + (v - mu) ** 2, 0) / D + 1e-5);
  return tf.tidy(() => {
    const wte = model.config.tiedEmbeddings ? tf.transpose(model.p('wte')) : model.p('head'); // (D, V)
    const dir = tf.mul(tf.sub(tf.gather(wte, [good], 1), tf.gather(wte, [bad], 1)), tf.reshape(model.p('lnf.g'), [D, 1])); // (D, 1)
    const rows: number[][] = [];
    for (let l = 0; l < L; l++) {
      const z = cache.get(`blocks.${l}.attn.hook_z`);
      if (!z) throw new Error(`the cache has no blocks.${l}.attn.hook_z`);
      const T = z.shape[1];
      const zr = z.data.slice((b * T + t) * D, (b * T + t + 1) * D); // (H*hd)
      const wo = outputProjection(model, l);
      const perHead: number[] = [];
      for (let h = 0; h < H; h++) {
        const write = tf.matMul(tf.tensor2d(zr.slice(h * hd, (h + 1) * hd), [1, hd]), tf.slice(wo, [h * hd, 0], [hd, D])); // (1, D)
        const centred = tf.sub(write, tf.mean(write));
        perHead.push((tf.matMul(centred, dir).dataSync()[0]) / std);
      }
      rows.push(perHead);
    }
    return rows;
  });
}
