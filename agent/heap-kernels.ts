/**
 * The wasm backend's heavy kernels replaced by faster ones that work on tensors where they
 * lie in the wasm heap: every matrix product (`BatchMatMul`, transposes and batches
 * included), `Exp`, leading-axis `Sum` and a fused GELU with its derivative. Two providers
 * implement them: the native addon (agent/native-blas.ts, needs a C compiler at install) and
 * Hearth's wasm SIMD kernels (agent/wasm-simd.ts, built from AssemblyScript at install, no
 * compiler). tfjs.ts installs the first available one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { heapOffset, replaceWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

/** Kernels over the wasm backend's heap; all offsets are in floats of that heap. */
export interface HeapKernels {
  /** For `backendDetail()`, e.g. `native matmul: Hearth GEMM avx2-fma, 2 threads`. */
  describe(): string;
  /** C_b = op(A_b) op(B_b), row-major, batch items C·M·N apart; strides 0 broadcast. */
  sgemm(be: WasmBackendLike, a: number, b: number, c: number, batch: number, M: number, N: number, K: number,
    transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  /** y = e^x for n floats. */
  exp(be: WasmBackendLike, x: number, y: number, n: number): void;
  /** y (C) = column sums of x (R, C). */
  colsum(be: WasmBackendLike, x: number, y: number, R: number, C: number): void;
  /** y = gelu(x), d = gelu'(x) (tanh approximation) for n floats. */
  geluGrad(be: WasmBackendLike, x: number, y: number, d: number, n: number): void;
  /** Training LayerNorm over the last axis of (N, D), eps 1e-5: y, and xhat (N, D), rstd (N) for the backward pass. */
  layerNorm(be: WasmBackendLike, at: { x: number; g: number; b: number; y: number; xhat: number; rstd: number }, N: number, D: number): void;
  /** Its backward pass: dx (N, D), dg and db (D). */
  layerNormGrad(be: WasmBackendLike, at: { dy: number; xhat: number; rstd: number; g: number; dx: number; dg: number; db: number }, N: number, D: number): void;
  /** One AdamW step over n floats into fresh outputs (alignment/optim.ts's arithmetic, bit for bit). */
  adamw(be: WasmBackendLike, at: AdamWOffsets, n: number, h: AdamWScalars): void;
}

/** Heap offsets (floats) of an AdamW step's inputs (parameter, moments, gradient) and outputs. */
export interface AdamWOffsets { p: number; m: number; v: number; g: number; pOut: number; mOut: number; vOut: number }

/** An AdamW step's scalars as alignment/optim.ts computes them (c1, c2: the bias corrections; decay 0: none). */
export interface AdamWScalars { b1: number; b2: number; eps: number; c1: number; c2: number; lr: number; decay: number }

let active: HeapKernels | null = null;

/** The provider whose kernels replaced wasm's, or null (plain tfjs wasm, or another backend). */
export function activeHeapKernels(): HeapKernels | null {
  return active && tf.getBackend() === 'wasm' ? active : null;
}

/**
 * Whether products with transposed operands are fast (a provider is installed and wasm is the
 * backend): agent/model.ts then asks for `dY·Wᵀ` directly instead of transposing first.
 */
export function fastProductsActive(): boolean {
  return activeHeapKernels() !== null;
}

/**
 * Replace wasm's kernels by `kernels`' (once per process; a second provider is ignored). Must
 * run after the wasm backend initialised, so the originals' set-up has run and they stay
 * usable for the cases the replacements leave to them.
 */
export function installHeapKernels(kernels: HeapKernels): boolean {
  if (active) return active === kernels;
  if (!tf.getKernel('BatchMatMul', 'wasm')) return false;
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
    // Offsets after allocating the output (allocation may grow the heap; offsets stay valid).
    kernels.sgemm(be, heapOffset(be, a), heapOffset(be, b), heapOffset(be, out), batch, M, N, K, transposeA, transposeB,
      batchA === 1 ? 0 : M * K, batchB === 1 ? 0 : K * N);
    return out;
  });
  // GELU with its derivative in one pass (agent/model.ts's gelu uses it when fastProductsActive()).
  tf.registerKernel({
    kernelName: 'HearthGeluWithGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x } = inputs as { x: tf.TensorInfo };
      const be = backend as unknown as WasmBackendLike;
      const y = be.makeOutput(x.shape, 'float32');
      const d = be.makeOutput(x.shape, 'float32');
      kernels.geluGrad(be, heapOffset(be, x), heapOffset(be, y), heapOffset(be, d), x.shape.reduce((p, c) => p * c, 1));
      return [y, d];
    },
  });
  // AdamW in one pass per parameter (instead of a dozen elementwise kernels, ~10% of a step).
  tf.registerKernel({
    kernelName: 'HearthAdamW',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { p, m, v, g } = inputs as Record<'p' | 'm' | 'v' | 'g', tf.TensorInfo>;
      const be = backend as unknown as WasmBackendLike;
      const outs = [be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32'), be.makeOutput(p.shape, 'float32')];
      const [pOut, mOut, vOut] = outs.map((t) => heapOffset(be, t));
      kernels.adamw(be, { p: heapOffset(be, p), m: heapOffset(be, m), v: heapOffset(be, v), g: heapOffset(be, g), pOut, mOut, vOut },
        p.shape.reduce((a, c) => a * c, 1), attrs as unknown as AdamWScalars);
      return outs;
    },
  });
  // LayerNorm forward and backward, one pass each (tfjs: 6 and 10 sweeps over (N, D)).
  tf.registerKernel({
    kernelName: 'HearthLayerNorm',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { x, g, b } = inputs as Record<'x' | 'g' | 'b', tf.TensorInfo>;
      const be = backend as unknown as WasmBackendLike;
      const [N, D] = x.shape;
      const outs = [be.makeOutput([N, D], 'float32'), be.makeOutput([N, D], 'float32'), be.makeOutput([N, 1], 'float32')];
      const [y, xhat, rstd] = outs.map((t) => heapOffset(be, t));
      kernels.layerNorm(be, { x: heapOffset(be, x), g: heapOffset(be, g), b: heapOffset(be, b), y, xhat, rstd }, N, D);
      return outs;
    },
  });
  tf.registerKernel({
    kernelName: 'HearthLayerNormGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, xhat, rstd, g } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'g', tf.TensorInfo>;
      const be = backend as unknown as WasmBackendLike;
      const [N, D] = dy.shape;
      const outs = [be.makeOutput([N, D], 'float32'), be.makeOutput([D], 'float32'), be.makeOutput([D], 'float32')];
      const [dx, dg, db] = outs.map((t) => heapOffset(be, t));
      kernels.layerNormGrad(be, { dy: heapOffset(be, dy), xhat: heapOffset(be, xhat), rstd: heapOffset(be, rstd), g: heapOffset(be, g), dx, dg, db }, N, D);
      return outs;
    },
  });
  // Exp, vectorised (wasm's is a scalar loop: 30 ms for one step's logits).
  replaceWasmKernel('Exp', ({ inputs: { x }, be }) => {
    if (x.dtype !== 'float32') return null;
    const y = be.makeOutput(x.shape, 'float32');
    kernels.exp(be, heapOffset(be, x), heapOffset(be, y), x.shape.reduce((p, c) => p * c, 1));
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
    kernels.colsum(be, heapOffset(be, x), heapOffset(be, y), x.shape.slice(0, k).reduce((p, c) => p * c, 1), rest.reduce((p, c) => p * c, 1));
    return y;
  });
  active = kernels;
  return true;
}
