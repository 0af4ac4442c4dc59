/**
 * Inference without the tfjs engine: the same forward pass as `Transformer.forward`, on
 * plain Float32Arrays, for decoding. A decode step at batch 1 is ~80 tfjs ops of tiny
 * tensors, each paying the engine's bookkeeping; here it is a handful of products (native
 * OpenBLAS sgemm when the addon is built, a JS loop otherwise) and tight loops.
 *
 * Rows are ragged: each row's cache holds only its real tokens (no padding anywhere), and
 * all rows' new tokens are stacked into one (N, D) matrix for the products. Weights are a
 * snapshot taken at construction (with the active LoRA adapter merged in), so build a new
 * engine after the weights change. No hooks: use `Transformer.forward` to probe or steer.
 */
import { nativeBlas } from './native-blas.ts';
import { wasmArena, WasmBlocks } from './wasm-decode.ts';
import { tf } from './tfjs.ts';
import type { Transformer } from './model.ts';

/** C (M, N) = A (M, K) @ B (K, N), or @ B^T when B is given as (N, K). */
function gemm(a: Float32Array, b: Float32Array, M: number, N: number, K: number, transB = false): Float32Array {
  const blas = nativeBlas();
  if (blas && M * N * K >= 4096) {
    const c = new Float32Array(M * N);
    blas.sgemm(a, 0, b, 0, c, 0, 1, M, N, K, false, transB, 0, 0);
    return c;
  }
  const c = new Float32Array(M * N);
  if (transB) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[i * K + k] * b[j * K + k];
        c[i * N + j] = s;
      }
    }
    return c;
  }
  for (let i = 0; i < M; i++) {
    const co = i * N;
    for (let k = 0; k < K; k++) {
      const av = a[i * K + k];
      if (av === 0) continue;
      const bo = k * N;
      for (let j = 0; j < N; j++) c[co + j] += av * b[bo + j];
    }
  }
  return c;
}

function layerNorm(x: Float32Array, N: number, D: number, g: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const o = i * D;
    let mu = 0;
    for (let j = 0; j < D; j++) mu += x[o + j];
    mu /= D;
    let v = 0;
    for (let j = 0; j < D; j++) { const d = x[o + j] - mu; v += d * d; }
    const r = 1 / Math.sqrt(v / D + 1e-5);
    for (let j = 0; j < D; j++) out[o + j] = (x[o + j] - mu) * r * g[j] + b[j];
  }
  return out;
}

function geluInPlace(x: Float32Array): void {
  const blas = nativeBlas();
  if (blas) { blas.gelu(x); return; }
  const c = Math.sqrt(2 / Math.PI);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
  }
}

/**
 * One head of causal attention for one query: z[zo..] = softmax(q·K[s]ᵀ · scale) @ V over
 * keys s < S. K and V rows have stride D; the head's slice starts at ko in each row.
 */
function attendHead(q: Float32Array, z: Float32Array, qo: number, K: Float32Array, V: Float32Array, ko: number, S: number,
  D: number, hd: number, scale: number, scores: Float32Array): void {
  let max = -Infinity;
  for (let s = 0, kr = ko; s < S; s++, kr += D) {
    let dot = 0;
    for (let j = 0; j < hd; j++) dot += q[qo + j] * K[kr + j];
    dot *= scale;
    scores[s] = dot;
    if (dot > max) max = dot;
  }
  let sum = 0;
  for (let s = 0; s < S; s++) { const e = Math.exp(scores[s] - max); scores[s] = e; sum += e; }
  const inv = 1 / sum;
  for (let s = 0, vr = ko; s < S; s++, vr += D) {
    const a = scores[s] * inv;
    for (let j = 0; j < hd; j++) z[qo + j] += a * V[vr + j];
  }
}

/**
 * Per-row key/value store: for each layer, rows × (capacity, D), filled up to `length[row]`.
 * All layers' keys live in one buffer (and values in another), layer l at l × layerStride
 * floats, so the native forward pass reaches every row through one offset; `k[l][row]` and
 * `v[l][row]` are views into them.
 */
export class FastCache {
  readonly k: Float32Array[][];
  readonly v: Float32Array[][];
  readonly length: Int32Array;
  /** The shared buffers behind the views and the distance between layers, in floats. */
  readonly kAll: Float32Array;
  readonly vAll: Float32Array;
  readonly layerStride: number;

  /**
   * @param store optional memory to lay the cache out in (each ≥ layers × rows × capacity × d
   *   floats; its old contents are never read: a row's keys are written before attention reads them)
   */
  constructor(readonly rows: number, layers: number, readonly capacity: number, readonly d: number,
    store?: { k: Float32Array; v: Float32Array }) {
    const row = capacity * d;
    this.layerStride = Math.max(rows, 1) * row;
    const floats = layers * this.layerStride;
    if (store && (store.k.length < floats || store.v.length < floats)) throw new Error(`internal: cache store of ${store.k.length} floats, ${floats} needed`);
    this.kAll = store ? store.k.subarray(0, floats) : new Float32Array(floats);
    this.vAll = store ? store.v.subarray(0, floats) : new Float32Array(floats);
    const views = (all: Float32Array) => Array.from({ length: layers }, (_, l) =>
      Array.from({ length: rows }, (_, r) => all.subarray(l * this.layerStride + r * row, l * this.layerStride + (r + 1) * row)));
    this.k = views(this.kAll);
    this.v = views(this.vAll);
    this.length = new Int32Array(rows);
  }

  /** Float offset of `row`'s block inside layer 0 (the same inside every layer). */
  rowOffset(row: number): number { return this.k[0][row].byteOffset / 4 - this.kAll.byteOffset / 4; }

  /** Keep only `rows`, in that order (finished sequences leave the batch). */
  select(rows: number[]): FastCache {
    const out = Object.create(FastCache.prototype) as FastCache;
    Object.assign(out, {
      rows: rows.length, capacity: this.capacity, d: this.d, kAll: this.kAll, vAll: this.vAll, layerStride: this.layerStride,
      k: this.k.map((l) => rows.map((r) => l[r])), v: this.v.map((l) => rows.map((r) => l[r])),
      length: Int32Array.from(rows, (r) => this.length[r]),
    });
    return out;
  }
}

/**
 * Threads the native forward pass may split rows over: HEARTH_DECODE_THREADS (1 or 2; it only
 * splits when there are ≥ 8 new tokens in ≥ 2 rows). Default 1: on the shared 2-vCPU machines
 * here the second vCPU is not always there (two copies of a compute loop side by side took
 * 1.1 + 2.2 s once and 1.2 + 1.3 s another time, 1.1 s alone), and batch-32 decoding measured
 * from no faster to +17% with 2.
 */
function decodeThreads(): number {
  const env = Number(process.env.HEARTH_DECODE_THREADS);
  if (Number.isInteger(env) && env >= 1) return Math.min(env, 2);
  return 1;
}

export class FastEngine {
  private readonly w = new Map<string, Float32Array>();
  /** Every block's weights in native/forward.h's packed order (only when the addon is loaded). */
  private readonly packed: Float32Array | null = null;
  private readonly threads: number;
  /** The native pass's work space, grown on demand and reused (fresh memory costs page faults). */
  private scratch = new Float32Array(0);
  private readonly cos: Float32Array | null = null;
  private readonly sin: Float32Array | null = null;
  /**
   * Counters for benchmarks: tokens through the blocks, Σ keys each token attended to, rows
   * whose logits were computed. `flops(work)` turns them into floating-point operations.
   */
  readonly work = { tokens: 0, attended: 0, logitRows: 0 };

  /** Multiply-adds × 2 of the products behind `work` (layer norms, GELU, softmax not counted). */
  flops(work: { tokens: number; attended: number; logitRows: number } = this.work): number {
    const { d: D, layers: L, vocabSize: V, mlpRatio } = this.model.config;
    const F = mlpRatio * D;
    return 2 * (work.tokens * L * (4 * D * D + 2 * D * F) + work.attended * L * 2 * D + work.logitRows * D * V);
  }

  /**
   * The weights a forward pass uses: each base parameter (copied), with the active LoRA
   * adapter's update merged in.
   */
  static effectiveWeights(model: Transformer): Map<string, Float32Array> {
    const w = new Map<string, Float32Array>();
    for (const [name, v] of model.params) w.set(name, (v.dataSync() as Float32Array).slice());
    const active = model.activeAdapter;
    if (active) {
      const { rank, alpha } = model.adapterOptions(active);
      const named = model.namedTensors();
      for (const [name, t] of named) {
        const m = /^lora\.(.+)\.(h\d+\.[a-z]+)\.a$/.exec(name);
        if (!m || m[1] !== active) continue;
        const a = t.dataSync() as Float32Array;
        const b = named.get(`lora.${active}.${m[2]}.b`)!.dataSync() as Float32Array;
        const base = w.get(m[2])!;
        const [fin, fout] = model.p(m[2]).shape;
        const ab = gemm(a, b, fin, fout, rank);
        const s = alpha / rank;
        for (let i = 0; i < base.length; i++) base[i] += s * ab[i];
      }
    }
    return w;
  }

  /**
   * @param options.threads threads the native pass may split rows over (default: decodeThreads())
   * @param options.native false runs the blocks in JS even when the addon is loaded (tests compare the two)
   */
  constructor(private readonly model: Transformer, weights: Map<string, Float32Array> = FastEngine.effectiveWeights(model),
    options: { threads?: number; native?: boolean } = {}) {
    this.threads = options.threads ?? decodeThreads();
    const cfg = model.config;
    for (const [name, x] of weights) this.w.set(name, x);
    // One (D, 3D) product for q | k | v instead of three.
    const D = cfg.d;
    for (let l = 0; l < cfg.layers; l++) {
      const qkv = new Float32Array(D * 3 * D);
      ['q', 'k', 'v'].forEach((n, j) => {
        const w = this.w.get(`h${l}.${n}`)!;
        for (let i = 0; i < D; i++) qkv.set(w.subarray(i * D, (i + 1) * D), i * 3 * D + j * D);
      });
      this.w.set(`h${l}.qkv`, qkv);
    }
    const useWasm = !nativeBlas() && options.native !== false && wasmArena() !== null;
    if ((nativeBlas() || useWasm) && options.native !== false) {
      const F = cfg.mlpRatio * D;
      const parts = ['ln1.g', 'ln1.b', 'qkv', 'o', 'ln2.g', 'ln2.b', 'fc', 'proj'];
      const per = 4 * D + 4 * D * D + 2 * D * F;
      this.packed = new Float32Array(cfg.layers * per);
      let at = 0;
      for (let l = 0; l < cfg.layers; l++) {
        for (const part of parts) { const w = this.w.get(`h${l}.${part}`)!; this.packed.set(w, at); at += w.length; }
      }
      if (at !== this.packed.length) throw new Error(`internal: packed ${at} weights, expected ${this.packed.length}`);
    }
    if (cfg.positions === 'rope') {
      const hd = cfg.d / cfg.heads;
      const half = hd / 2;
      this.cos = new Float32Array(cfg.ctx * half);
      this.sin = new Float32Array(cfg.ctx * half);
      for (let p = 0; p < cfg.ctx; p++) {
        for (let i = 0; i < half; i++) {
          const inv = Math.fround(1 / Math.pow(cfg.ropeBase, (2 * i) / hd));
          const ang = Math.fround(p * inv);
          this.cos[p * half + i] = Math.cos(ang);
          this.sin[p * half + i] = Math.sin(ang);
        }
      }
    }
    if (useWasm) {
      // Without the addon: blocks and logits on the wasm SIMD kernels (agent/wasm-decode.ts),
      // the head as (D, V) so the logits are a plain product.
      const V = cfg.vocabSize;
      let headT = this.w.get('head');
      if (cfg.tiedEmbeddings) {
        const wte = this.w.get('wte')!;
        headT = new Float32Array(D * V);
        for (let v = 0; v < V; v++) for (let j = 0; j < D; j++) headT[j * V + v] = wte[v * D + j];
      }
      this.wasm = new WasmBlocks(wasmArena()!, { D, H: cfg.heads, F: cfg.mlpRatio * D, L: cfg.layers, V, ctx: cfg.ctx }, this.packed!, headT!,
        this.w.get('lnf.g')!, this.w.get('lnf.b')!, this.cos, this.sin);
    }
  }

  /** Decoding on the wasm SIMD kernels (when the addon is absent and they are built). */
  private readonly wasm: WasmBlocks | null = null;

  /** What runs the blocks: the native addon, the wasm SIMD kernels, or JS loops. */
  get blocksPath(): 'native' | 'wasm' | 'js' {
    return this.packed && !this.wasm ? 'native' : this.wasm ? 'wasm' : 'js';
  }

  private readonly tensors = new Map<string, tf.Tensor2D>();

  /**
   * x (M, K) @ W (K, N) (or @ Wᵀ for W given as (N, K)). Without the addon, large products
   * go to the tfjs backend (wasm's plain 2-D product is far faster than a JS loop), with the
   * weight kept there as a tensor for the engine's lifetime.
   */
  private product(x: Float32Array, name: string, M: number, N: number, K: number, transB = false): Float32Array {
    const w = this.w.get(name)!;
    if (nativeBlas() || M * N * K < 65536) return gemm(x, w, M, N, K, transB);
    let t = this.tensors.get(name);
    if (!t) {
      // Plain (K, N) layout for wasm's fast path, transposing once here if needed.
      t = tf.tidy(() => (transB ? tf.transpose(tf.tensor2d(w, [N, K])) : tf.tensor2d(w, [K, N])) as tf.Tensor2D);
      this.tensors.set(name, t);
    }
    const wt = t;
    const out = tf.tidy(() => tf.matMul(tf.tensor2d(x, [M, K]), wt));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  /** Free the tfjs copies of weights (only made when the native addon is absent) and the wasm arena's. */
  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
    this.wasm?.dispose();
  }

  /** Memory of the last `reuse` cache, kept for the next one. */
  private reusable: { k: Float32Array; v: Float32Array } | null = null;

  /**
   * A cache for `rows` rows of up to `capacity` tokens each (default and at most: the context).
   * With `reuse`, it lives in memory the engine keeps from one such call to the next (fresh
   * memory costs a page fault per 4 KB: for a 64-row batch that was a fifth of a rollout's
   * time), so it is valid only until the next `newCache(…, true)`: for callers that finish
   * with a cache before asking for another (`generate` does).
   */
  newCache(rows: number, capacity = this.model.config.ctx, reuse = false): FastCache {
    const c = this.model.config;
    const cap = Math.min(capacity, c.ctx);
    const floats = c.layers * Math.max(rows, 1) * cap * c.d;
    if (!reuse) return new FastCache(rows, c.layers, cap, c.d, this.wasm?.cacheStore(floats));
    if (!this.reusable || this.reusable.k.length < floats) {
      const size = Math.max(floats, 2 * (this.reusable?.k.length ?? 0));
      this.reusable = this.wasm ? this.wasm.cacheStore(size) : { k: new Float32Array(size), v: new Float32Array(size) };
    }
    return new FastCache(rows, c.layers, cap, c.d, this.reusable);
  }

  private rope(x: Float32Array, pos: Int32Array, N: number): void {
    const { d: D, heads: H } = this.model.config;
    const hd = D / H;
    const half = hd / 2;
    for (let i = 0; i < N; i++) {
      const co = pos[i] * half;
      for (let h = 0; h < H; h++) {
        const o = i * D + h * hd;
        for (let j = 0; j < half; j++) {
          const x1 = x[o + j];
          const x2 = x[o + half + j];
          const c = this.cos![co + j];
          const s = this.sin![co + j];
          x[o + j] = x1 * c - x2 * s;
          x[o + half + j] = x2 * c + x1 * s;
        }
      }
    }
  }

  /**
   * Append each row's new tokens (rows may differ in length, even be empty) to the cache
   * and return the logits after each row's last token: (rows, V). A row with no tokens
   * gets the logits of nothing (zeros): callers only feed rows they decode.
   */
  forward(tokens: number[][], cache: FastCache): Float32Array {
    const { d: D, heads: H, layers: L, vocabSize: V, ctx, mlpRatio } = this.model.config;
    const F = mlpRatio * D;
    const rows = tokens.length;
    let N = 0;
    for (const t of tokens) N += t.length;
    this.work.tokens += N;
    this.work.logitRows += rows;
    const rowOf = new Int32Array(N);
    const pos = new Int32Array(N);
    const x = new Float32Array(N * D);
    const wte = this.w.get('wte')!;
    const wpe = this.w.get('wpe');
    let n = 0;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < tokens[r].length; t++, n++) {
        rowOf[n] = r;
        pos[n] = cache.length[r] + t;
        this.work.attended += pos[n] + 1;
        if (pos[n] >= cache.capacity) {
          throw new Error(pos[n] >= ctx ? `position ${pos[n]} is outside the context window (ctx = ${ctx})` : `position ${pos[n]} is beyond the cache's ${cache.capacity} tokens`);
        }
        x.set(wte.subarray(tokens[r][t] * D, (tokens[r][t] + 1) * D), n * D);
        if (wpe) for (let j = 0; j < D; j++) x[n * D + j] += wpe[pos[n] * D + j];
      }
    }
    const blas = nativeBlas();
    if (blas && this.packed) {
      const offsets = new Int32Array(N);
      for (let i = 0; i < N; i++) offsets[i] = cache.rowOffset(rowOf[i]);
      const need = N * (6 * D + F) + 2 * ctx;
      if (this.scratch.length < need) this.scratch = new Float32Array(Math.max(need, 2 * this.scratch.length));
      blas.forward(x, pos, offsets, cache.kAll, cache.vAll, cache.layerStride, cache.capacity, this.packed, this.cos, this.sin, D, H, F, L, this.threads, this.scratch);
    } else if (this.wasm && this.wasm.owns(cache.kAll)) {
      const offsets = new Int32Array(N);
      for (let i = 0; i < N; i++) offsets[i] = cache.rowOffset(rowOf[i]);
      this.wasm.forward(x, N, pos, offsets, cache.kAll, cache.vAll, cache.layerStride);
    } else this.blocks(x, N, rowOf, pos, cache);
    for (let r = 0; r < rows; r++) cache.length[r] += tokens[r].length;
    // Last token of each row → final norm → unembedding.
    const last = new Float32Array(rows * D);
    let end = 0;
    for (let r = 0; r < rows; r++) {
      end += tokens[r].length;
      if (tokens[r].length) last.set(x.subarray((end - 1) * D, end * D), r * D);
    }
    if (this.wasm) return this.wasm.logits(last, rows);
    const hf = layerNorm(last, rows, D, this.w.get('lnf.g')!, this.w.get('lnf.b')!);
    return this.model.config.tiedEmbeddings ? this.product(hf, 'wte', rows, V, D, true) : this.product(hf, 'head', rows, V, D);
  }

  /** The transformer blocks in JS (when the native addon is absent): x (N, D) in place. */
  private blocks(x: Float32Array, N: number, rowOf: Int32Array, pos: Int32Array, cache: FastCache): void {
    const { d: D, heads: H, layers: L, ctx, mlpRatio } = this.model.config;
    const hd = D / H;
    const F = mlpRatio * D;
    const scale = 1 / Math.sqrt(hd);
    const scores = new Float32Array(ctx);
    for (let l = 0; l < L; l++) {
      const p = (s: string) => this.w.get(`h${l}.${s}`)!;
      const h = layerNorm(x, N, D, p('ln1.g'), p('ln1.b'));
      const qkv = this.product(h, `h${l}.qkv`, N, 3 * D, D); // (N, 3D): q | k | v
      const q = new Float32Array(N * D);
      const k = new Float32Array(N * D);
      for (let i = 0; i < N; i++) {
        q.set(qkv.subarray(i * 3 * D, i * 3 * D + D), i * D);
        k.set(qkv.subarray(i * 3 * D + D, i * 3 * D + 2 * D), i * D);
      }
      if (this.cos) { this.rope(q, pos, N); this.rope(k, pos, N); }
      for (let i = 0; i < N; i++) {
        cache.k[l][rowOf[i]].set(k.subarray(i * D, (i + 1) * D), pos[i] * D);
        cache.v[l][rowOf[i]].set(qkv.subarray(i * 3 * D + 2 * D, (i + 1) * 3 * D), pos[i] * D);
      }
      const z = new Float32Array(N * D);
      const blas = nativeBlas();
      for (let i = 0; i < N; i++) {
        const K = cache.k[l][rowOf[i]];
        const Vc = cache.v[l][rowOf[i]];
        if (blas) blas.attend(q, i * D, K, Vc, z, i * D, pos[i] + 1, H, hd, D, scale);
        else for (let hh = 0; hh < H; hh++) attendHead(q, z, i * D + hh * hd, K, Vc, hh * hd, pos[i] + 1, D, hd, scale, scores);
      }
      const o = this.product(z, `h${l}.o`, N, D, D);
      for (let i = 0; i < x.length; i++) x[i] += o[i];
      const h2 = layerNorm(x, N, D, p('ln2.g'), p('ln2.b'));
      const f = this.product(h2, `h${l}.fc`, N, F, D);
      geluInPlace(f);
      const m = this.product(f, `h${l}.proj`, N, D, F);
      for (let i = 0; i < x.length; i++) x[i] += m[i];
    }
  }
}
