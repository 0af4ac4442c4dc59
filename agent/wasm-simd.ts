/**
 * Hearth's WebAssembly SIMD kernels (native/wasm/kernels.ts, compiled at install to
 * native/build/hearth_kernels.wasm by native/wasm/build.mjs): the fast path where no C
 * compiler built the native addon. The module imports the tfjs wasm backend's own memory,
 * so its products read and write tensors in place, like the addon's.
 *
 * Environment: `HEARTH_WASM_KERNELS=0` leaves tfjs's own wasm kernels in place (the slowest
 * path, kept for comparison and as the fallback when the module is not built).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HeapKernels } from './heap-kernels.ts';
import { wasmArena } from './wasm-decode.ts';
import { WasmProductThreads } from './wasm-threads.ts';
import type { WasmBackendLike } from './wasm-kernel.ts';

/** The compiled module's exports; addresses in bytes of the imported memory. */
export interface WasmKernelExports {
  sgemmWorkspaceFloats(): number;
  sgemmChunk(a: number, b: number, c: number, batch: number, M: number, N: number, K: number, transA: number, transB: number,
    strideA: number, strideB: number, mode: number, chunk: number, size: number, work: number): void;
  sgemm(a: number, b: number, c: number, batch: number, M: number, N: number, K: number, transA: number, transB: number,
    strideA: number, strideB: number, work: number): void;
  exp(x: number, y: number, n: number): void;
  colsum(x: number, y: number, R: number, C: number): void;
  geluGrad(x: number, y: number, d: number, n: number): void;
  adamw(p: number, m: number, v: number, g: number, po: number, mo: number, vo: number, n: number, h: number, decay: number): void;
  layerNormTrain(x: number, g: number, b: number, y: number, xhat: number, rstd: number, N: number, D: number): void;
  layerNormGrad(dy: number, xhat: number, rstd: number, g: number, dx: number, dg: number, db: number, N: number, D: number): void;
}

export const wasmKernelsPath = fileURLToPath(new URL('../native/build/hearth_kernels.wasm', import.meta.url));

let compiled: WebAssembly.Module | null | undefined;
let note = '';

/** The compiled module, or null (not built, or disabled by HEARTH_WASM_KERNELS=0; see wasmKernelsNote). */
export function wasmKernelsModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  if (process.env.HEARTH_WASM_KERNELS === '0') { note = 'disabled by HEARTH_WASM_KERNELS=0'; return null; }
  if (!existsSync(wasmKernelsPath)) { note = 'native/build/hearth_kernels.wasm is not built: run node native/build.mjs'; return null; }
  try {
    compiled = new WebAssembly.Module(readFileSync(wasmKernelsPath));
  } catch (e) {
    note = `native/build/hearth_kernels.wasm does not load (${(e as Error).message}): rebuild with node native/build.mjs`;
  }
  return compiled;
}

/** Why the wasm SIMD kernels are not in use (empty when they are available). */
export function wasmKernelsNote(): string {
  wasmKernelsModule();
  return note;
}

/** Instantiate the kernels over `memory` (tests use their own; the backend passes tfjs's). */
export function instantiateWasmKernels(memory: WebAssembly.Memory): WasmKernelExports | null {
  const mod = wasmKernelsModule();
  if (!mod) return null;
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as WasmKernelExports;
}

let threadsInUse: WasmProductThreads | null = null;

/** The two-thread product splitter of the installed kernels, or null (one thread; tests read its stats). */
export function wasmProductThreads(): WasmProductThreads | null {
  return threadsInUse;
}

/** The emscripten module of the tfjs wasm backend, as far as this file needs it. */
interface TfjsWasmModule {
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
}

let provider: HeapKernels | null = null;

/** The kernels over the tfjs wasm backend's heap (one per process), or null when the module is unavailable. */
export function wasmHeapKernels(be: WasmBackendLike): HeapKernels | null {
  provider ??= makeWasmHeapKernels(be);
  return provider;
}

function makeWasmHeapKernels(be: WasmBackendLike): HeapKernels | null {
  const wasm = be.wasm as unknown as TfjsWasmModule;
  const memory = wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory) || typeof wasm._malloc !== 'function') {
    note = 'this tfjs-backend-wasm build does not expose its memory';
    return null;
  }
  const k = instantiateWasmKernels(memory);
  if (!k) return null;
  // Packing space for sgemm, taken once from tfjs's allocator and kept for the process's life
  // (16-byte aligned for the vector stores).
  const work = (wasm._malloc(k.sgemmWorkspaceFloats() * 4 + 16) + 15) & ~15;
  // AdamW's nine float32 scalars (native/wasm/kernels.ts adamw), likewise kept.
  const adamScalars = (wasm._malloc(9 * 4 + 16) + 15) & ~15;
  // A second thread for big products, where there is a second core and the shared arena loads.
  const arena = WasmProductThreads.wanted() >= 2 ? wasmArena() : null;
  const threads = arena ? new WasmProductThreads(arena) : null;
  threadsInUse = threads;
  return {
    describe: () => `Hearth wasm SIMD kernels, ${threads ? '2 threads' : '1 thread'}`,
    sgemm: (be, a, b, c, batch, M, N, K, transA, transB, strideA, strideB) => {
      if (threads?.product(k, work, be.wasm.HEAPF32, a, b, c, batch, M, N, K, transA, transB, strideA, strideB)) return;
      k.sgemm(a * 4, b * 4, c * 4, batch, M, N, K, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB, work);
    },
    exp: (_be, x, y, n) => k.exp(x * 4, y * 4, n),
    colsum: (_be, x, y, R, C) => k.colsum(x * 4, y * 4, R, C),
    geluGrad: (_be, x, y, d, n) => k.geluGrad(x * 4, y * 4, d * 4, n),
    layerNorm: (_be, at, N, D) => k.layerNormTrain(at.x * 4, at.g * 4, at.b * 4, at.y * 4, at.xhat * 4, at.rstd * 4, N, D),
    layerNormGrad: (_be, at, N, D) => k.layerNormGrad(at.dy * 4, at.xhat * 4, at.rstd * 4, at.g * 4, at.dx * 4, at.dg * 4, at.db * 4, N, D),
    adamw: (be, at, n, h) => {
      // Each scalar rounded to float32 from the double JS computed, as tfjs's scalar tensors are.
      be.wasm.HEAPF32.set([h.b1, 1 - h.b1, h.b2, 1 - h.b2, h.c1, h.c2, h.eps, h.lr, 1 - h.lr * h.decay], adamScalars / 4);
      k.adamw(at.p * 4, at.m * 4, at.v * 4, at.g * 4, at.pOut * 4, at.mOut * 4, at.vOut * 4, n, adamScalars, h.decay !== 0 ? 1 : 0);
    },
  };
}
