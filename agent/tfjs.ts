/**
 * TensorFlow.js set-up for the local model: which backend runs the tensors, and the two
 * pieces `@tensorflow/tfjs-core` lacks under Node.
 *
 * - Gradients: tfjs-core registers none by itself, and its `register_all_gradients` is an
 *   unbundled ES module tree that plain Node cannot load (extensionless and directory
 *   imports). We bundle it once with esbuild into `node_modules/.cache/hearth/` and import
 *   the bundle; its ops talk to the same global engine and registries as the CJS build.
 * - wasm has no `UnsortedSegmentSum` kernel, which the gradient of `gather` (embeddings)
 *   needs; a small JS kernel over the wasm heap supplies it.
 *
 * Backend order: `tensorflow` (tfjs-node-gpu, then tfjs-node, when installed and loadable),
 * then `wasm` (default), then `cpu`. `HEARTH_BACKEND` or an explicit name overrides.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { HearthError } from '../env/errors.ts';
import { writeFileAtomic } from '../env/files.ts';
import { replaceWasmKernel } from './wasm-kernel.ts';
import { nativeBlasNote, nativeHeapKernels } from './native-blas.ts';
import { activeHeapKernels, installHeapKernels } from './heap-kernels.ts';
import { wasmHeapKernels, wasmKernelsNote } from './wasm-simd.ts';
import type { WasmBackendLike } from './wasm-kernel.ts';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);
let gradientsReady: Promise<void> | null = null;
let current: BackendName | null = null;

async function registerGradients(): Promise<void> {
  const core = require.resolve('@tensorflow/tfjs-core/package.json');
  const version = (require(core) as { version: string }).version;
  const root = dirname(dirname(dirname(core))); // .../node_modules
  const out = join(root, '.cache', 'hearth', `tfjs-core-${version}-gradients.mjs`);
  if (!existsSync(out)) {
    const esbuild = await import('esbuild');
    const built = await esbuild.build({
      entryPoints: [join(dirname(core), 'dist', 'register_all_gradients.js')],
      bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error', write: false,
    });
    writeFileAtomic(out, built.outputFiles[0].contents, { what: 'gradient bundle (cache)' });
  }
  await import(pathToFileURL(out).href);
}

/** `UnsortedSegmentSum` for wasm (gather's gradient): plain loop over the wasm heap. */
function registerWasmSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const b = backend as unknown as {
        readSync(id: tf.DataId): ArrayLike<number>;
        makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
        typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
      };
      if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum(wasm): only float32, got ${x.dtype}`);
      const xs = b.readSync(x.dataId);
      const ids = b.readSync(segmentIds.dataId);
      const nIds = segmentIds.shape.reduce((a, c) => a * c, 1);
      const inner = x.shape.slice(segmentIds.shape.length).reduce((a, c) => a * c, 1);
      const out = b.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], 'float32');
      const o = b.typedArrayFromHeap(out);
      o.fill(0);
      for (let i = 0; i < nIds; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        const src = i * inner;
        const dst = s * inner;
        for (let j = 0; j < inner; j++) o[dst + j] += xs[src + j];
      }
      return out;
    },
  });
}

/**
 * Row gather (`gather(x, ids)` on axis 0, the embedding lookup) for wasm as plain row copies
 * on the heap: wasm's general GatherV2 is ~20x slower at this. Other forms use the original.
 */
function registerWasmRowGather(): void {
  replaceWasmKernel('GatherV2', ({ inputs: { x, indices }, attrs, be }) => {
    const { axis, batchDims } = attrs as { axis: number; batchDims?: number };
    if (axis !== 0 || (batchDims ?? 0) !== 0 || x.dtype !== 'float32' || indices.dtype !== 'int32' || x.shape.length !== 2) return null;
    const [rows, width] = x.shape;
    const n = indices.shape.reduce((a, c) => a * c, 1);
    const ids = Int32Array.from(be.readSync(indices.dataId));
    for (let i = 0; i < n; i++) {
      if (ids[i] < 0 || ids[i] >= rows) throw new Error(`GatherV2: the index value ${ids[i]} is not in [0, ${rows - 1}]`);
    }
    const out = be.makeOutput([...indices.shape, width], 'float32');
    // Views after allocating: allocation may grow (replace) the heap.
    const src = be.typedArrayFromHeap(x);
    const dst = be.typedArrayFromHeap(out);
    for (let i = 0; i < n; i++) dst.set(src.subarray(ids[i] * width, (ids[i] + 1) * width), i * width);
    return out;
  });
}

/**
 * `Identity` for wasm sharing the input's data (reference-counted, as wasm's own `Reshape`
 * does) instead of copying it. tfjs clones every tensor a kernel saves for the backward pass
 * (Engine.saveTensorsForBackwardMode), and wasm's Identity is a full copy: 12% of a training
 * step here. Sharing is safe because no kernel writes into its inputs (tensor data is never
 * mutated; a Variable's `assign` rebinds it to new data).
 */
function registerWasmSharedIdentity(): void {
  replaceWasmKernel('Identity', ({ inputs: { x }, be }) => {
    if (x.dtype === 'string') return null;
    be.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  });
}

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return true;
    } catch { /* not installed, or its native library is missing: try the next */ }
  }
  return false;
}

/**
 * Select and initialise a backend; returns its name. `requested` (or `HEARTH_BACKEND`)
 * forces one; otherwise the first that works in the documented order.
 */
export async function initBackend(requested?: string): Promise<BackendName> {
  // PROD: no console chatter from tfjs ("install the node backend"), no debug checks.
  tf.env().set('PROD', true);
  gradientsReady ??= registerGradients();
  await gradientsReady;
  const want = requested ?? process.env.HEARTH_BACKEND;
  if (want !== undefined && !BACKENDS.includes(want as BackendName)) {
    throw new HearthError('lm.backend', `unknown backend "${want}"`, `use one of ${BACKENDS.join(', ')}`);
  }
  if (want && want === current && tf.getBackend() === want) return current;
  if (!want && current) return current;
  const order: BackendName[] = want ? [want as BackendName] : [...BACKENDS];
  for (const name of order) {
    let ok = false;
    if (name === 'tensorflow') ok = await tryTensorflow();
    else {
      if (name === 'wasm') registerWasmSegmentSum();
      try { ok = await tf.setBackend(name); } catch { ok = false; }
    }
    if (ok) {
      await tf.ready();
      current = name;
      if (name === 'wasm') {
        // The fastest kernels available: the native addon's, else the wasm SIMD module's.
        const kernels = nativeHeapKernels() ?? wasmHeapKernels(tf.backend() as unknown as WasmBackendLike);
        if (kernels) installHeapKernels(kernels);
        registerWasmRowGather();
        registerWasmSharedIdentity();
      }
      return name;
    }
    if (want) {
      throw new HearthError('lm.backend', `backend "${want}" is not available here`,
        name === 'tensorflow' ? 'install @tensorflow/tfjs-node (needs its native library) or use --backend wasm' : 'use --backend wasm or cpu');
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}

/**
 * The compute path, for every command's first line, run manifests and checkpoints, e.g.
 * `wasm (SIMD) + native matmul: Hearth GEMM avx2-fma, 2 threads`, `wasm (SIMD) + Hearth wasm
 * SIMD kernels, 1 thread (no native addon: <why>)`, or `wasm (SIMD), tfjs kernels only (...)`:
 * the slower paths say so (docs/native.md).
 */
export function backendDetail(): string {
  const b = currentBackend();
  if (b !== 'wasm') return b;
  let simd = 'SIMD unknown';
  try { simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'; } catch { /* async flag not evaluated yet */ }
  const kernels = activeHeapKernels();
  const noAddon = nativeBlasNote();
  if (!kernels) {
    const why = [noAddon && `no native addon: ${noAddon}`, wasmKernelsNote() && `no wasm SIMD kernels: ${wasmKernelsNote()}`].filter(Boolean).join('; ');
    return `wasm (${simd}), tfjs kernels only${why ? ` (${why})` : ''}: the slowest path, see docs/native.md`;
  }
  const detail = kernels.describe();
  return detail.startsWith('native') ? `wasm (${simd}) + ${detail}` : `wasm (${simd}) + ${detail} (no native addon${noAddon ? `: ${noAddon}` : ''}; slower than the native path, see docs/native.md)`;
}

export function currentBackend(): BackendName {
  if (!current) throw new Error('initBackend() has not been called');
  return current;
}
