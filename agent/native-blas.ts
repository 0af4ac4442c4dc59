/**
 * Optional native matrix products: `native/build/hearth_blas.node` (built at install by
 * native/build.mjs; its products run on Hearth's own GEMM, native/gemm.c, so it needs only a
 * C compiler) is loaded when present, and its kernels replace the wasm backend's products,
 * Exp, Sum and GELU on the wasm heap (no copies; agent/heap-kernels.ts). wasm's own product
 * is fast only for plain 2-D non-transposed operands; sgemm handles transposes and batches
 * (attention) at full speed.
 *
 * Environment: `HEARTH_NATIVE=0` does not load the addon (then the wasm SIMD kernels run,
 * agent/wasm-simd.ts). `HEARTH_GEMM=openblas` loads the
 * OpenBLAS variant (`hearth_blas_openblas.node`, built only where libopenblas-dev is
 * installed; not faster for our shapes, docs/native.md), falling back to ours when it
 * is absent. `HEARTH_BLAS_THREADS` sets the products' threads (default: 2 on two or more
 * cores for Hearth's GEMM, whose threads take work from a shared counter and never spin; 1
 * for OpenBLAS, whose spinning threads cost more than they give on shared cores).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { heapBuffer } from './wasm-kernel.ts';
import type { HeapKernels } from './heap-kernels.ts';

export interface NativeBlas {
  sgemm(a: ArrayBuffer | Float32Array, aOff: number, b: ArrayBuffer | Float32Array, bOff: number, c: ArrayBuffer | Float32Array, cOff: number,
    batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  /** Threads for products; ownFirst (tests) makes each thread run a task of its own first, so every split is exercised. */
  setThreads(n: number, ownFirst?: boolean): void;
  /** y = gelu(x), d = gelu'(x) for n floats of one buffer (offsets in floats). */
  geluGrad(buf: ArrayBuffer, xOff: number, yOff: number, dOff: number, n: number): void;
  /** One AdamW step (native/blas.c): offsets [p, m, v, g, pOut, mOut, vOut] in floats, h = [b1, b2, eps, c1, c2, lr, decay]. */
  adamw(buf: ArrayBuffer, offsets: number[], n: number, h: number[]): void;
  /** Training LayerNorm (native/norm.c): offsets [x, g, b, y, xhat, rstd] in floats, rows N of D. */
  layerNorm(buf: ArrayBuffer, offsets: number[], N: number, D: number): void;
  /** Its backward pass: offsets [dy, xhat, rstd, g, dx, dg, db]. */
  layerNormGrad(buf: ArrayBuffer, offsets: number[], N: number, D: number): void;
  /** GELU (tanh approximation) in place. */
  gelu(x: Float32Array): void;
  /** One query's causal attention over S cached keys, all heads (see native/blas.c). */
  attend(q: Float32Array, qOff: number, K: Float32Array, V: Float32Array, z: Float32Array, zOff: number,
    S: number, H: number, hd: number, D: number, scale: number): void;
  /**
   * The transformer blocks for pos.length new tokens (native/forward.c): x (N, D) in place,
   * keys/values appended to each token's row (rowOffset: the row's float offset in a layer);
   * scratch: ≥ N (6D + F) + 2 cap floats of work space.
   */
  forward(x: Float32Array, pos: Int32Array, rowOffset: Int32Array, k: Float32Array, v: Float32Array, layerStride: number, cap: number,
    packedWeights: Float32Array, cosT: Float32Array | null, sinT: Float32Array | null, D: number, H: number, F: number, L: number, threads: number,
    scratch: Float32Array): void;
  /** y = e^x for n floats of one buffer (offsets in floats). */
  exp(buf: ArrayBuffer, xOff: number, yOff: number, n: number): void;
  /** y (C) = column sums of x (R, C), in one buffer (offsets in floats). */
  colsum(buf: ArrayBuffer, xOff: number, yOff: number, R: number, C: number): void;
  /** The products' implementation, e.g. `Hearth GEMM avx2-fma`, or OpenBLAS's config string. */
  config(): string;
  info(): NativeInfo;
  /** Hearth GEMM's micro-kernel ('avx2-fma' | 'portable'); false when that one cannot run here. */
  setKernel(name: string): boolean;
  /** An FMA-only loop on `threads` threads for ~ms: the machine's single-precision peak now. */
  fmaPeak(threads: number, ms: number): { gflops: number; gflopsPerCpuSecond: number };
}

export interface NativeInfo {
  /** Whose products: Hearth's own GEMM or OpenBLAS. */
  gemm: 'hearth' | 'openblas';
  /** Micro-kernel ('avx2-fma' | 'portable') or OpenBLAS's core name. */
  kernel: string;
  threads: number;
  avx2Fma: boolean;
  avx512f: boolean;
}

let loaded: NativeBlas | null | undefined;
let loadNote = '';

/** Why the addon is not in use (empty when it is, or was never asked for). */
export function nativeBlasNote(): string {
  nativeBlas();
  return loadNote;
}

/** The addon, or null when it is not built / disabled. */
export function nativeBlas(): NativeBlas | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.HEARTH_NATIVE === '0') { loadNote = 'disabled by HEARTH_NATIVE=0'; return loaded; }
  const require = createRequire(import.meta.url);
  const load = (file: string): NativeBlas | null => {
    try {
      const m = require(`../native/build/${file}`) as NativeBlas;
      if (typeof m.attend !== 'function' || typeof m.forward !== 'function' || typeof m.colsum !== 'function' || typeof m.info !== 'function') throw new Error('stale addon build: run node native/build.mjs');
      return m;
    } catch (e) {
      loadNote = `${file}: ${(e as Error).message.split('\n')[0]}`;
      return null;
    }
  };
  const wantOpenblas = process.env.HEARTH_GEMM === 'openblas';
  loaded = (wantOpenblas ? load('hearth_blas_openblas.node') : null) ?? load('hearth_blas.node');
  if (!loaded) return loaded;
  loadNote = wantOpenblas && loaded.info().gemm !== 'openblas' ? 'HEARTH_GEMM=openblas but the OpenBLAS variant is not built: using Hearth GEMM' : '';
  const threads = Number(process.env.HEARTH_BLAS_THREADS ?? (loaded.info().gemm === 'hearth' ? Math.min(2, availableParallelism()) : 1));
  if (Number.isInteger(threads) && threads > 0) loaded.setThreads(threads);
  return loaded;
}

let heapKernels: HeapKernels | null | undefined;

/**
 * The addon's kernels over the wasm heap (agent/heap-kernels.ts), or null when it is not loaded.
 * Memoised like `nativeBlas()`: one provider object per process, whoever asks.
 */
export function nativeHeapKernels(): HeapKernels | null {
  if (heapKernels !== undefined) return heapKernels;
  const blas = nativeBlas();
  if (!blas) return (heapKernels = null);
  return (heapKernels = {
    describe: () => {
      const info = blas.info();
      const who = info.gemm === 'hearth' ? 'Hearth GEMM' : 'OpenBLAS';
      return `native matmul: ${who} ${info.kernel}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    },
    sgemm: (be, a, b, c, batch, M, N, K, transA, transB, strideA, strideB) => {
      const heap = heapBuffer(be);
      blas.sgemm(heap, a, heap, b, heap, c, batch, M, N, K, transA, transB, strideA, strideB);
    },
    exp: (be, x, y, n) => blas.exp(heapBuffer(be), x, y, n),
    colsum: (be, x, y, R, C) => blas.colsum(heapBuffer(be), x, y, R, C),
    geluGrad: (be, x, y, d, n) => blas.geluGrad(heapBuffer(be), x, y, d, n),
    layerNorm: (be, at, N, D) => blas.layerNorm(heapBuffer(be), [at.x, at.g, at.b, at.y, at.xhat, at.rstd], N, D),
    layerNormGrad: (be, at, N, D) => blas.layerNormGrad(heapBuffer(be), [at.dy, at.xhat, at.rstd, at.g, at.dx, at.dg, at.db], N, D),
    adamw: (be, at, n, h) => blas.adamw(heapBuffer(be), [at.p, at.m, at.v, at.g, at.pOut, at.mOut, at.vOut], n, [h.b1, h.b2, h.eps, h.c1, h.c2, h.lr, h.decay]),
  });
}
