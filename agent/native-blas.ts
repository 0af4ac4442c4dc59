/**
 * Optional native matrix products: `native/build/hearth_blas.node` (built at install by
 * native/build.mjs; its products run on Hearth's own GEMM, native/gemm.c, so it needs only a
 * C compiler) is loaded when present, and the wasm backend's `BatchMatMul` kernel is replaced
 * by one that calls its sgemm directly on the wasm heap (no copies). wasm's own product is
 * fast only for plain 2-D non-transposed operands; sgemm handles transposes and batches
 * (attention) at full speed.
 *
 * Environment: `HEARTH_NATIVE=0` keeps everything pure wasm. `HEARTH_GEMM=openblas` loads the
 * OpenBLAS variant (`hearth_blas_openblas.node`, built only where libopenblas-dev is
 * installed; not faster for our shapes, docs/native.md), falling back to ours when it
 * is absent. `HEARTH_BLAS_THREADS` sets the products' threads (default: 2 on two or more
 * cores for Hearth's GEMM, whose threads take work from a shared counter and never spin; 1
 * for OpenBLAS, whose spinning threads cost more than they give on shared cores).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapOffset, replaceWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

export interface NativeBlas {
  sgemm(a: ArrayBuffer | Float32Array, aOff: number, b: ArrayBuffer | Float32Array, bOff: number, c: ArrayBuffer | Float32Array, cOff: number,
    batch: number, M: number, N: number, K: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  /** Threads for products; ownFirst (tests) makes each thread run a task of its own first, so every split is exercised. */
  setThreads(n: number, ownFirst?: boolean): void;
  /** y = gelu(x), d = gelu'(x) for n floats of one buffer (offsets in floats). */
  geluGrad(buf: ArrayBuffer, xOff: number, yOff: number, dOff: number, n: number): void;
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

let installed = false;

/** Whether wasm products currently run through the native addon (and the wasm backend is active). */
export function nativeMatMulActive(): boolean {
  return installed && tf.getBackend() === 'wasm';
}

/**
 * Route wasm `BatchMatMul` through sgemm. Must run after the wasm backend initialised (the
 * original kernel's set-up has run, so it stays usable as the fallback for shapes sgemm
 * does not cover here). Returns whether the native path is active.
 */
export function installNativeMatMul(): boolean {
  if (installed) return true;
  const blas = nativeBlas();
  if (!blas || !tf.getKernel('BatchMatMul', 'wasm')) return false;
  replaceWasmKernel('BatchMatMul', ({ inputs, attrs, be }) => {
    const { a, b } = inputs;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = outerA.reduce((x, y) => x * y, 1);
    const batchB = outerB.reduce((x, y) => x * y, 1);
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || K !== Kb || !(sameOuter || batchA === 1 || batchB === 1)) return null;
    const outer = batchA >= batchB ? (outerA.length >= outerB.length ? outerA : outerB) : outerB;
    const batch = Math.max(batchA, batchB);
    const out = be.makeOutput([...outer, M, N], 'float32');
    const heap = heapBuffer(be);
    blas.sgemm(heap, heapOffset(be, a), heap, heapOffset(be, b), heap, heapOffset(be, out), batch, M, N, K, transposeA, transposeB,
      batchA === 1 ? 0 : M * K, batchB === 1 ? 0 : K * N);
    return out;
  });
  // GELU with its derivative in one native pass (agent/model.ts's gelu uses it on wasm).
  tf.registerKernel({
    kernelName: 'HearthGeluWithGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const be = backend as unknown as WasmBackendLike;
      const y = be.makeOutput(x.shape, 'float32');
      const d = be.makeOutput(x.shape, 'float32');
      blas.geluGrad(heapBuffer(be), heapOffset(be, x), heapOffset(be, y), heapOffset(be, d), x.shape.reduce((p, c) => p * c, 1));
      return [y, d];
    },
  });
  // Exp, vectorised (wasm's is a scalar loop: 30 ms for one step's logits).
  replaceWasmKernel('Exp', ({ inputs: { x }, be }) => {
    if (x.dtype !== 'float32') return null;
    const y = be.makeOutput(x.shape, 'float32');
    blas.exp(heapBuffer(be), heapOffset(be, x), heapOffset(be, y), x.shape.reduce((p, c) => p * c, 1));
    return y;
  });
  // Sum over leading axes (bias and LayerNorm gradients): wasm transposes first, 6 ms a call.
  replaceWasmKernel('Sum', ({ inputs: { x }, attrs, be }) => {
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    if (x.dtype !== 'float32' || k === 0 || k === x.shape.length || !axes.every((a, i) => a === i)) return null;
    const rest = x.shape.slice(k);
    const y = be.makeOutput(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...rest] : rest, 'float32');
    blas.colsum(heapBuffer(be), heapOffset(be, x), heapOffset(be, y), x.shape.slice(0, k).reduce((p, c) => p * c, 1), rest.reduce((p, c) => p * c, 1));
    return y;
  });
  installed = true;
  return true;
}
