/**
 * The local language model: a nanoGPT-style pre-norm decoder-only transformer written with
 * `@tensorflow/tfjs-core` ops, so that every internal (residual stream, per-head attention
 * outputs, MLP outputs, KV cache, LoRA adapters) is under our control.
 *
 * Layout choices made for speed on the wasm backend: weights are stored `(in, out)` and
 * every linear layer is a plain 2-D, non-transposed product over `(B*T, D)` activations;
 * the backward pass of `mm` transposes operands explicitly so it also runs only plain
 * products (wasm's fast path). Shapes are given in comments: B batch, T new tokens,
 * S keys (cached + new), D width, H heads, hd = D/H head width, V vocabulary.
 */
import { fastProductsActive } from './heap-kernels.ts';
import { tf } from './tfjs.ts';

export interface ModelConfig {
  vocabSize: number;
  /** Maximum sequence length (positions). */
  ctx: number;
  layers: number;
  /** Residual width D. */
  d: number;
  heads: number;
  /** MLP hidden width = mlpRatio * d. */
  mlpRatio: number;
  positions: 'rope' | 'learned';
  ropeBase: number;
  dropout: number;
  /** Unembedding = embedding transposed (nanoGPT's weight tying). */
  tiedEmbeddings: boolean;
}

export const DEFAULT_CONFIG: ModelConfig = {
  vocabSize: 512, ctx: 128, layers: 2, d: 128, heads: 4, mlpRatio: 4,
  positions: 'rope', ropeBase: 10000, dropout: 0, tiedEmbeddings: true,
};

export function validateConfig(c: ModelConfig): string | null {
  for (const k of ['vocabSize', 'ctx', 'layers', 'd', 'heads', 'mlpRatio'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) return `${k} must be a positive integer, got ${c[k]}`;
  }
  if (c.d % c.heads !== 0) return `d (${c.d}) must be divisible by heads (${c.heads})`;
  if (c.positions === 'rope' && (c.d / c.heads) % 2 !== 0) return `RoPE needs an even head width, got ${c.d / c.heads}`;
  if (c.positions !== 'rope' && c.positions !== 'learned') return `positions must be "rope" or "learned", got ${String(c.positions)}`;
  if (!(c.dropout >= 0 && c.dropout < 1)) return `dropout must be in [0, 1), got ${c.dropout}`;
  return null;
}

/**
 * Activation hooks. Each receives the activation and may return a replacement of the same
 * shape (activation patching, steering). Tensors passed in are freed when the forward pass
 * ends: read them with `dataSync()`/`arraySync()` or `tf.keep` them to hold on.
 */
export interface Hooks {
  /** Residual stream entering block `layer` (layer 0: the embeddings): (B, T, D). */
  residualPre?(layer: number, x: tf.Tensor3D): tf.Tensor | void;
  /** Attention probabilities of block `layer` after the softmax: (B, H, T, S). */
  pattern?(layer: number, att: tf.Tensor4D): tf.Tensor | void;
  /** Attention output after the output projection, before it is added: (B, T, D). */
  attention?(layer: number, o: tf.Tensor3D): tf.Tensor | void;
  /** Residual stream between attention and MLP of block `layer`: (B, T, D). */
  residualMid?(layer: number, x: tf.Tensor3D): tf.Tensor | void;
  /** Residual stream after block `layer`: (B, T, D). */
  residual?(layer: number, x: tf.Tensor3D): tf.Tensor | void;
  /** Each head's attention output before the output projection: (B, T, H, hd). */
  heads?(layer: number, z: tf.Tensor4D): tf.Tensor | void;
  /** MLP output before it is added to the residual: (B, T, D). */
  mlp?(layer: number, m: tf.Tensor3D): tf.Tensor | void;
}

/** Per-sequence key/value cache: for each layer k, v of shape (B, H, S, hd). */
export class KVCache {
  k: tf.Tensor4D[] = [];
  v: tf.Tensor4D[] = [];
  /** valid[b][s]: whether cached key s of row b is a real token (not left padding). */
  valid: Uint8Array[];
  /** Next position id per row (= number of real tokens seen). */
  nextPos: Int32Array;

  constructor(readonly batch: number) {
    this.valid = Array.from({ length: batch }, () => new Uint8Array(0));
    this.nextPos = new Int32Array(batch);
  }

  get length(): number { return this.valid[0]?.length ?? 0; }

  /** Keep only `rows` (in that order): drops finished sequences from a batched decode. */
  select(rows: number[]): KVCache {
    const out = new KVCache(rows.length);
    const idx = tf.tensor1d(rows, 'int32');
    out.k = this.k.map((t) => tf.keep(tf.gather(t, idx, 0)) as tf.Tensor4D);
    out.v = this.v.map((t) => tf.keep(tf.gather(t, idx, 0)) as tf.Tensor4D);
    idx.dispose();
    out.valid = rows.map((r) => this.valid[r].slice());
    out.nextPos = Int32Array.from(rows, (r) => this.nextPos[r]);
    return out;
  }

  /** An independent copy (e.g. to branch a conversation prefix). */
  clone(): KVCache {
    const out = new KVCache(this.batch);
    out.k = this.k.map((t) => tf.keep(tf.clone(t)));
    out.v = this.v.map((t) => tf.keep(tf.clone(t)));
    out.valid = this.valid.map((v) => v.slice());
    out.nextPos = this.nextPos.slice();
    return out;
  }

  dispose(): void {
    for (const t of [...this.k, ...this.v]) t.dispose();
    this.k = [];
    this.v = [];
  }
}

export interface ForwardInput {
  /** Token ids, row-major (B, T). */
  tokens: Int32Array;
  batch: number;
  time: number;
  /** Real (1) vs padding (0) tokens, (B, T); default all real. Padding is never attended to. */
  valid?: Uint8Array;
  /** Packed sequences: tokens attend only to earlier tokens of the same segment id, (B, T). */
  segments?: Int32Array;
  /** Position ids (B, T); default: counted per row from the cache (padding not counted), or per segment. */
  positions?: Int32Array;
  /** Appended to in place (keys/values of the new tokens). */
  cache?: KVCache;
  /** Extra attention restriction (e.g. a user adapter that must not see an instruction): key index s is absolute in the cache. */
  allow?(row: number, queryAbs: number, keyAbs: number): boolean;
  hooks?: Hooks;
  /** Dropout on (training); needs `dropoutSeed`. */
  train?: boolean;
  dropoutSeed?: number;
  /** Which positions get logits: every one (B*T, V), the last of each row (B, V), or none. */
  logits?: 'all' | 'last' | 'none';
}

export interface ForwardOutput {
  /** (B*T, V) or (B, V); absent for logits 'none'. */
  logits?: tf.Tensor2D;
  /** Final residual stream after the last block, before the final norm: (B*T, D). */
  hidden: tf.Tensor2D;
}

export interface LoraOptions {
  rank: number;
  alpha: number;
  /** Which weight kinds get an adapter: any of q, k, v, o (attention), fc, proj (MLP). */
  targets: LoraTarget[];
  seed: number;
}

export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'fc' | 'proj';
export const LORA_TARGETS: readonly LoraTarget[] = ['q', 'k', 'v', 'o', 'fc', 'proj'];

interface LoraAdapter {
  options: LoraOptions;
  /** param name → A (in, r) and B (r, out); the update is scale * A @ B. */
  a: Map<string, tf.Variable>;
  b: Map<string, tf.Variable>;
}

/**
 * `a @ b` for 2-D operands. Its backward pass needs `dy @ bᵀ` and `aᵀ @ dy`: with the
 * native OpenBLAS kernel those transposed products are as fast as plain ones; on pure wasm
 * (fast only for plain 2-D products) the operands are transposed explicitly first.
 */
export const mm = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      if (fastProductsActive()) return [tf.matMul(g, sb, false, true), tf.matMul(sa, g, true, false)];
      return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's), with a fused analytic backward pass. */
const gelu = tf.customGrad(((x: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
  if (fastProductsActive() && x.dtype === 'float32') {
    // One native pass gives the value and the derivative (agent/native-blas.ts).
    const [y, d] = tf.engine().runKernel('HearthGeluWithGrad', { x }, {}) as unknown as tf.Tensor[];
    save([d]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0])] };
  }
  const t = tf.tanh(tf.mul(tf.mul(x, tf.add(tf.mul(tf.square(x), 0.044715), 1)), GELU_C));
  save([x, t]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, st] = saved;
      // d/dx = 0.5 (1 + t) + 0.5 x (1 - t²) c (1 + 3·0.044715 x²)
      const du = tf.mul(tf.add(tf.mul(tf.square(sx), 3 * 0.044715), 1), GELU_C);
      const d = tf.add(tf.mul(tf.add(st, 1), 0.5), tf.mul(tf.mul(tf.mul(sx, 0.5), tf.sub(1, tf.square(st))), du));
      return [tf.mul(dy, d)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** LayerNorm over the last axis of (N, D), eps 1e-5, with a fused analytic backward pass. */
const layerNormFused = tf.customGrad(((x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D, save: (t: tf.Tensor[]) => void) => {
  if (fastProductsActive() && x.dtype === 'float32') {
    // One pass each way over the heap (agent/heap-kernels.ts), same formulas as below.
    const [y, xhat, rstd] = tf.engine().runKernel('HearthLayerNorm', { x, g, b }, {}) as unknown as tf.Tensor[];
    save([xhat, rstd, g]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sg] = saved;
        return tf.engine().runKernel('HearthLayerNormGrad', { dy, xhat: sxhat, rstd: srstd, g: sg }, {}) as unknown as tf.Tensor[];
      },
    };
  }
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5)); // (N, 1)
  const xhat = tf.mul(xc, rstd);
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sxhat, srstd, sg] = saved;
      const dxhat = tf.mul(dy, sg);
      // dx = rstd · (dxhat − mean(dxhat) − xhat · mean(dxhat · xhat))
      const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true))));
      return [dx, tf.sum(tf.mul(dy, sxhat), 0), tf.sum(dy, 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return layerNormFused(x, g, b);
}

let nextModelId = 0;

export class Transformer {
  readonly params = new Map<string, tf.Variable>();
  private adapters = new Map<string, LoraAdapter>();
  private active: string | null = null;
  private dropoutCounter = 0;
  /** Engine-wide unique prefix: tfjs variable names are global, and tests hold several models. */
  readonly uid = `m${nextModelId++}`;

  constructor(readonly config: ModelConfig, seed: number) {
    const err = validateConfig(config);
    if (err) throw new Error(`invalid model config: ${err}`);
    const { d, vocabSize: V, ctx, layers: L, mlpRatio } = config;
    let s = seed >>> 0;
    const normal = (name: string, shape: number[], std: number) =>
      this.params.set(name, tf.variable(tf.randomNormal(shape, 0, std, 'float32', s++), true, `${this.uid}.${name}`));
    const fill = (name: string, shape: number[], v: number) =>
      this.params.set(name, tf.variable(tf.fill(shape, v), true, `${this.uid}.${name}`));
    // nanoGPT init: N(0, 0.02), residual output projections scaled by 1/sqrt(2L).
    const projStd = 0.02 / Math.sqrt(2 * L);
    normal('wte', [V, d], 0.02); // (V, D)
    if (config.positions === 'learned') normal('wpe', [ctx, d], 0.02); // (ctx, D)
    for (let l = 0; l < L; l++) {
      fill(`h${l}.ln1.g`, [d], 1); fill(`h${l}.ln1.b`, [d], 0);
      normal(`h${l}.q`, [d, d], 0.02); // (D, D) each: separate, so no column slicing (slow on wasm)
      normal(`h${l}.k`, [d, d], 0.02);
      normal(`h${l}.v`, [d, d], 0.02);
      normal(`h${l}.o`, [d, d], projStd); // (D, D)
      fill(`h${l}.ln2.g`, [d], 1); fill(`h${l}.ln2.b`, [d], 0);
      normal(`h${l}.fc`, [d, mlpRatio * d], 0.02); // (D, 4D)
      normal(`h${l}.proj`, [mlpRatio * d, d], projStd); // (4D, D)
    }
    fill('lnf.g', [d], 1); fill('lnf.b', [d], 0);
    if (!config.tiedEmbeddings) normal('head', [d, V], 0.02); // (D, V)
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  // ---------------------------------------------------------------- LoRA adapters

  /** Attach a new LoRA adapter (A ~ N(0, 1/r), B = 0, so it starts as the identity). */
  addAdapter(name: string, options: LoraOptions): void {
    if (this.adapters.has(name)) throw new Error(`adapter "${name}" already exists`);
    const a = new Map<string, tf.Variable>();
    const b = new Map<string, tf.Variable>();
    let s = options.seed >>> 0;
    for (let l = 0; l < this.config.layers; l++) {
      for (const t of options.targets) {
        const w = this.p(`h${l}.${t}`);
        const [fin, fout] = w.shape;
        a.set(`h${l}.${t}`, tf.variable(tf.randomNormal([fin, options.rank], 0, 1 / options.rank, 'float32', s++), true, `${this.uid}.lora.${name}.h${l}.${t}.a`));
        b.set(`h${l}.${t}`, tf.variable(tf.zeros([options.rank, fout]), true, `${this.uid}.lora.${name}.h${l}.${t}.b`));
      }
    }
    this.adapters.set(name, { options, a, b });
  }

  /** Make `name` the adapter applied in forward passes (null = base weights only). */
  setAdapter(name: string | null): void {
    if (name !== null && !this.adapters.has(name)) throw new Error(`no adapter "${name}"`);
    this.active = name;
  }

  get activeAdapter(): string | null { return this.active; }
  adapterNames(): string[] { return [...this.adapters.keys()]; }

  adapterVariables(name: string): tf.Variable[] {
    const ad = this.adapters.get(name);
    if (!ad) throw new Error(`no adapter "${name}"`);
    return [...ad.a.values(), ...ad.b.values()];
  }

  adapterOptions(name: string): LoraOptions {
    const ad = this.adapters.get(name);
    if (!ad) throw new Error(`no adapter "${name}"`);
    return ad.options;
  }

  /** Fold the adapter into the base weights (W += scale * A @ B) and remove it. */
  mergeAdapter(name: string): void {
    const ad = this.adapters.get(name);
    if (!ad) throw new Error(`no adapter "${name}"`);
    const scale = ad.options.alpha / ad.options.rank;
    for (const [pname, a] of ad.a) {
      const w = this.p(pname);
      w.assign(tf.tidy(() => tf.add(w, tf.mul(tf.matMul(a, ad.b.get(pname)!), scale))));
    }
    this.removeAdapter(name);
  }

  removeAdapter(name: string): void {
    const ad = this.adapters.get(name);
    if (!ad) return;
    for (const v of [...ad.a.values(), ...ad.b.values()]) v.dispose();
    this.adapters.delete(name);
    if (this.active === name) this.active = null;
  }

  /** All tensors of the model: base parameters then adapters (`lora.<name>.<param>.a|b`). */
  namedTensors(): Map<string, tf.Variable> {
    const out = new Map(this.params);
    for (const [name, ad] of this.adapters) {
      for (const [p, v] of ad.a) out.set(`lora.${name}.${p}.a`, v);
      for (const [p, v] of ad.b) out.set(`lora.${name}.${p}.b`, v);
    }
    return out;
  }

  /** x (N, in) @ W (in, out), plus the active adapter's low-rank update when it targets W. */
  private linear(x: tf.Tensor2D, pname: string): tf.Tensor2D {
    let y = mm(x, this.p(pname) as tf.Tensor2D);
    const ad = this.active ? this.adapters.get(this.active) : undefined;
    const a = ad?.a.get(pname);
    if (ad && a) {
      const scale = ad.options.alpha / ad.options.rank;
      y = tf.add(y, tf.mul(mm(mm(x, a as tf.Tensor2D), ad.b.get(pname)! as tf.Tensor2D), scale));
    }
    return y;
  }

  private dropout(x: tf.Tensor, input: ForwardInput): tf.Tensor {
    if (!input.train || this.config.dropout === 0) return x;
    const seed = ((input.dropoutSeed ?? 0) * 7919 + this.dropoutCounter++) >>> 0;
    return tf.dropout(x, this.config.dropout, undefined, seed);
  }

  // ---------------------------------------------------------------- forward pass

  /**
   * Run the model on new tokens (B, T), attending to the cache if given (and appending to
   * it). Call inside `tf.tidy`/`tf.variableGrads`; with a cache, the cache's new tensors
   * are kept (`tf.keep`) so they survive the tidy.
   */
  forward(input: ForwardInput): ForwardOutput {
    const { batch: B, time: T, cache } = input;
    const { d: D, heads: H, ctx } = this.config;
    const hd = D / H;
    const N = B * T;
    if (input.tokens.length !== N) throw new Error(`tokens has ${input.tokens.length} ids, expected B*T = ${N}`);
    if (cache && cache.batch !== B) throw new Error(`cache batch ${cache.batch} != input batch ${B}`);
    this.dropoutCounter = 0;
    const past = cache?.length ?? 0;
    const S = past + T;
    const valid = input.valid ?? new Uint8Array(N).fill(1);
    const positions = input.positions ?? this.defaultPositions(input, valid);
    for (let i = 0; i < N; i++) {
      if (valid[i] && (positions[i] < 0 || positions[i] >= ctx)) {
        throw new Error(`position ${positions[i]} is outside the context window (ctx = ${ctx})`);
      }
    }
    const mask = this.attentionMask(input, valid, past, S); // (B|1, 1, T, S) additive
    const posIds = tf.tensor1d(positions.map((p) => Math.max(0, Math.min(ctx - 1, p))), 'int32');

    let x = tf.gather(this.p('wte'), tf.tensor1d(input.tokens, 'int32')) as tf.Tensor2D; // (N, D)
    if (this.config.positions === 'learned') x = tf.add(x, tf.gather(this.p('wpe'), posIds)) as tf.Tensor2D;
    x = this.dropout(x, input) as tf.Tensor2D;
    const rope = this.config.positions === 'rope' ? this.ropeTables(posIds, B, T) : null;

    const hooks = input.hooks;
    // (B, T, D) view of the residual for a hook, and its replacement back as (N, D).
    const site = (f: ((l: number, t: tf.Tensor3D) => tf.Tensor | void) | undefined, l: number, t: tf.Tensor2D): tf.Tensor2D => {
      const r = f?.(l, tf.reshape(t, [B, T, D]) as tf.Tensor3D);
      return r ? tf.reshape(r, [N, D]) as tf.Tensor2D : t;
    };
    for (let l = 0; l < this.config.layers; l++) {
      if (hooks?.residualPre) x = site(hooks.residualPre, l, x);
      // --- attention
      const h = layerNorm(x, this.p(`h${l}.ln1.g`), this.p(`h${l}.ln1.b`));
      const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // (B, H, T, hd)
      let q = heads(this.linear(h, `h${l}.q`)); // (N, D) → (B, H, T, hd)
      let k = heads(this.linear(h, `h${l}.k`));
      let v = heads(this.linear(h, `h${l}.v`));
      if (rope) { q = applyRope(q, rope); k = applyRope(k, rope); }
      if (cache) {
        const kAll = past ? tf.concat([cache.k[l], k], 2) as tf.Tensor4D : k; // (B, H, S, hd)
        const vAll = past ? tf.concat([cache.v[l], v], 2) as tf.Tensor4D : v;
        cache.k[l]?.dispose();
        cache.v[l]?.dispose();
        cache.k[l] = tf.keep(kAll);
        cache.v[l] = tf.keep(vAll);
        k = kAll;
        v = vAll;
      }
      let att = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)); // (B, H, T, S)
      att = tf.softmax(tf.add(att, mask));
      const ph = hooks?.pattern?.(l, att as tf.Tensor4D);
      if (ph) att = ph;
      att = this.dropout(att, input) as tf.Tensor4D;
      let z = tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]) as tf.Tensor4D; // (B, T, H, hd)
      const zh = input.hooks?.heads?.(l, z);
      if (zh) z = zh as tf.Tensor4D;
      let o = this.linear(tf.reshape(z, [N, D]), `h${l}.o`); // (N, D)
      if (hooks?.attention) o = site(hooks.attention, l, o);
      x = tf.add(x, this.dropout(o, input)) as tf.Tensor2D;
      if (hooks?.residualMid) x = site(hooks.residualMid, l, x);
      // --- MLP
      const h2 = layerNorm(x, this.p(`h${l}.ln2.g`), this.p(`h${l}.ln2.b`));
      let m = this.linear(gelu(this.linear(h2, `h${l}.fc`)) as tf.Tensor2D, `h${l}.proj`); // (N, D)
      m = this.dropout(m, input) as tf.Tensor2D;
      const mh = input.hooks?.mlp?.(l, tf.reshape(m, [B, T, D]) as tf.Tensor3D);
      if (mh) m = tf.reshape(mh, [N, D]) as tf.Tensor2D;
      x = tf.add(x, m) as tf.Tensor2D;
      const rh = input.hooks?.residual?.(l, tf.reshape(x, [B, T, D]) as tf.Tensor3D);
      if (rh) x = tf.reshape(rh, [N, D]) as tf.Tensor2D;
    }
    if (cache) this.advanceCache(cache, valid, T);

    const which = input.logits ?? 'all';
    if (which === 'none') return { hidden: x };
    const last = which === 'last'
      ? tf.gather(x, tf.tensor1d(Array.from({ length: B }, (_, b) => b * T + T - 1), 'int32')) as tf.Tensor2D // (B, D)
      : x;
    return { logits: this.unembed(last), hidden: x };
  }

  /** Final norm and unembedding of residual vectors (N, D) → logits (N, V); also the logit lens. */
  unembed(x: tf.Tensor2D): tf.Tensor2D {
    const h = layerNorm(x, this.p('lnf.g'), this.p('lnf.b'));
    if (!this.config.tiedEmbeddings) return mm(h, this.p('head') as tf.Tensor2D); // (D, V)
    // Tied: h @ wteᵀ. Natively a transposed product is fast; on pure wasm transpose first.
    return fastProductsActive() ? tf.matMul(h, this.p('wte'), false, true) as tf.Tensor2D : mm(h, tf.transpose(this.p('wte')) as tf.Tensor2D);
  }

  private defaultPositions(input: ForwardInput, valid: Uint8Array): Int32Array {
    const { batch: B, time: T, cache, segments } = input;
    const pos = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let p = cache ? cache.nextPos[b] : 0;
      let seg = segments ? segments[b * T] : 0;
      for (let t = 0; t < T; t++) {
        const i = b * T + t;
        if (segments && segments[i] !== seg) { seg = segments[i]; p = 0; }
        pos[i] = p;
        if (valid[i]) p++;
      }
    }
    return pos;
  }

  /** Additive mask: 0 where query t of row b may attend key s, -1e9 elsewhere. (B|1, 1, T, S) */
  private attentionMask(input: ForwardInput, valid: Uint8Array, past: number, S: number): tf.Tensor4D {
    const { batch: B, time: T, cache, segments, allow } = input;
    const uniform = !cache && !segments && !allow && !input.valid;
    const rows = uniform ? 1 : B;
    const m = new Float32Array(rows * T * S);
    for (let b = 0; b < rows; b++) {
      for (let t = 0; t < T; t++) {
        const qAbs = past + t;
        const base = (b * T + t) * S;
        for (let s = 0; s < S; s++) {
          let ok = s <= qAbs;
          if (ok) ok = s < past ? cache!.valid[b][s] === 1 : valid[b * T + (s - past)] === 1;
          if (ok && segments && s >= past) ok = segments[b * T + (s - past)] === segments[b * T + t];
          if (ok && allow) ok = allow(b, qAbs, s);
          // A padding query attends to itself only, so its softmax stays finite.
          if (!ok && s === qAbs && !valid[b * T + t]) ok = true;
          if (!ok) m[base + s] = -1e9;
        }
      }
    }
    return tf.tensor4d(m, [rows, 1, T, S]);
  }

  private advanceCache(cache: KVCache, valid: Uint8Array, T: number): void {
    for (let b = 0; b < cache.batch; b++) {
      const old = cache.valid[b];
      const nv = new Uint8Array(old.length + T);
      nv.set(old);
      let n = 0;
      for (let t = 0; t < T; t++) { nv[old.length + t] = valid[b * T + t]; n += valid[b * T + t]; }
      cache.valid[b] = nv;
      cache.nextPos[b] += n;
    }
  }

  /** cos/sin of each token's rotation angles, broadcast over heads: (B, 1, T, hd/2) each. */
  private ropeTables(posIds: tf.Tensor1D, B: number, T: number): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
    const hd = this.config.d / this.config.heads;
    const half = hd / 2;
    const inv = Float32Array.from({ length: half }, (_, i) => 1 / Math.pow(this.config.ropeBase, (2 * i) / hd));
    const angles = tf.mul(tf.expandDims(tf.cast(posIds, 'float32'), 1), tf.tensor2d(inv, [1, half])); // (N, hd/2)
    return {
      cos: tf.reshape(tf.cos(angles), [B, 1, T, half]) as tf.Tensor4D,
      sin: tf.reshape(tf.sin(angles), [B, 1, T, half]) as tf.Tensor4D,
    };
  }

  dispose(): void {
    for (const name of [...this.adapters.keys()]) this.removeAdapter(name);
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Rotate (x1, x2) halves of each head vector by the position's angles. x: (B, H, T, hd) */
function applyRope(x: tf.Tensor4D, { cos, sin }: { cos: tf.Tensor4D; sin: tf.Tensor4D }): tf.Tensor4D {
  const [B, H, T, hd] = x.shape;
  const half = hd / 2;
  const x1 = tf.slice(x, [0, 0, 0, 0], [B, H, T, half]);
  const x2 = tf.slice(x, [0, 0, 0, half], [B, H, T, half]);
  return tf.concat([tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))], 3) as tf.Tensor4D;
}
