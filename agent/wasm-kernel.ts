/**
 * Replacing a tfjs wasm kernel by a faster one for the cases it covers, the original serving
 * the rest. Used by agent/tfjs.ts (row gather, shared Identity) and agent/native-blas.ts
 * (OpenBLAS products, native Exp and Sum).
 */
import * as tf from '@tensorflow/tfjs-core';

/** What the replacements use of the wasm backend (its internals, not a public API). */
export interface WasmBackendLike {
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  readSync(id: tf.DataId): ArrayLike<number>;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  incRef(id: tf.DataId): void;
  wasm: { HEAPF32: Float32Array };
}

export interface WasmKernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  attrs: Record<string, unknown>;
  be: WasmBackendLike;
}

/** A tensor's offset in the wasm heap, in floats. */
export const heapOffset = (be: WasmBackendLike, t: tf.TensorInfo): number => be.dataIdMap.get(t.dataId).memoryOffset / 4;

/**
 * The wasm heap's buffer. Read it after allocating outputs: allocation may grow, i.e.
 * replace, the buffer.
 */
export const heapBuffer = (be: WasmBackendLike): ArrayBuffer => be.wasm.HEAPF32.buffer as ArrayBuffer;

/**
 * Replace wasm kernel `name` by `impl`, which returns null for the cases it leaves to the
 * original. Idempotent (a kernel already replaced is left alone); must run after the wasm
 * backend initialised, so the original's set-up has run and it stays usable.
 */
export function replaceWasmKernel(name: string, impl: (args: WasmKernelArgs) => tf.TensorInfo | tf.TensorInfo[] | null): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (!original || (original as { hearth?: boolean }).hearth) return false;
  tf.unregisterKernel(name, 'wasm');
  const config: tf.KernelConfig & { hearth: boolean } = {
    kernelName: name,
    backendName: 'wasm',
    hearth: true,
    setupFunc: original.setupFunc,
    kernelFunc: (args) => impl({
      inputs: args.inputs as Record<string, tf.TensorInfo>, attrs: (args.attrs ?? {}) as Record<string, unknown>,
      be: args.backend as unknown as WasmBackendLike,
    }) ?? (original.kernelFunc(args) as tf.TensorInfo),
  };
  tf.registerKernel(config);
  return true;
}
