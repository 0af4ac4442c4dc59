/**
 * Products on two threads for the wasm SIMD path. The tfjs heap the products read and write
 * is not shared memory, so a helper thread (a worker with its own instance of the kernels
 * over the shared arena of agent/wasm-decode.ts) works on copies: the main thread copies A
 * and B into the arena, both threads take chunks of C (batch items, rows or columns) from a
 * shared counter, the main thread computing its chunks in place on the tfjs heap, and the
 * helper's chunks are copied back at the end. Taking chunks from a counter means a helper
 * whose core another process holds simply takes fewer (and one that has not woken up by the
 * time the main thread is done takes none: the main thread never waits for it to start).
 *
 * Only products of ≥ 8 MFLOP are split (the copies cost ~(MK + KN + MN) floats against
 * 2MNK FLOPs). `HEARTH_WASM_THREADS=1` keeps every product on the main thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmArena } from './wasm-decode.ts';

/** The kernels' chunk function (native/wasm/kernels.ts sgemmChunk), addresses in bytes. */
export interface ChunkKernels {
  sgemmChunk(a: number, b: number, c: number, batch: number, M: number, N: number, K: number, transA: number, transB: number,
    strideA: number, strideB: number, mode: number, chunk: number, size: number, work: number): void;
  sgemmWorkspaceFloats(): number;
}

const MIN_FLOPS = 8e6;
const CHUNKS = 8;
// Control block (Int32): 0 product sequence number, 2 next chunk, 6 helper state, 8.. parameters.
const SEQ = 0;
const NEXT = 2;
const STATE = 6;
const PARAMS = 8;
const OPEN = 0;
const JOINED = 1;
const CLOSED = 2;
const FINISHED = 3;

// The helper: wait for a product, join it unless the main thread already closed it, take
// chunks until none is left, say finished.
const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrl, work } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(memory.buffer, ctrl, 32);
const p = new Uint32Array(memory.buffer, ctrl, 32);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  if (Atomics.compareExchange(c, ${STATE}, ${OPEN}, ${JOINED}) !== ${OPEN}) continue;
  const q = ${PARAMS};
  for (;;) {
    const i = Atomics.add(c, ${NEXT}, 1);
    if (i >= p[q + 12]) break;
    k.sgemmChunk(p[q], p[q + 1], p[q + 2], p[q + 3], p[q + 4], p[q + 5], p[q + 6], p[q + 7], p[q + 8], p[q + 9], p[q + 10], p[q + 11], i, p[q + 13], work);
  }
  Atomics.store(c, ${STATE}, ${FINISHED});
  Atomics.notify(c, ${STATE});
}`;

/** How a product is cut: mode 0 batch items, 1 rows, 2 columns; `size` per chunk, `n` chunks. */
export function chunking(batch: number, M: number, N: number): { mode: number; size: number; n: number } {
  if (batch >= 2) { const size = Math.ceil(batch / Math.min(CHUNKS, batch)); return { mode: 0, size, n: Math.ceil(batch / size) }; }
  if (M >= N) { const size = Math.max(4, Math.ceil(M / CHUNKS / 4) * 4); return { mode: 1, size, n: Math.ceil(M / size) }; }
  const size = Math.max(8, Math.ceil(N / CHUNKS / 8) * 8);
  return { mode: 2, size, n: Math.ceil(N / size) };
}

export class WasmProductThreads {
  private readonly ctrl: Int32Array;
  private readonly params: Uint32Array;
  private readonly worker: Worker;
  private staging = 0;
  private stagingFloats = 0;
  private seq = 0;
  /** Products split so far and chunks the helper took (tests: both threads did work). */
  readonly stats = { split: 0, helperChunks: 0 };
  /** Tests: the main thread waits for the helper to do every chunk, so its path (copies back included) surely runs. */
  helperFirst = false;

  constructor(private readonly arena: WasmArena) {
    const ctrlAt = arena.alloc(32);
    const work = arena.alloc(arena.k.sgemmWorkspaceFloats() + 16);
    this.ctrl = new Int32Array(arena.memory.buffer, ctrlAt, 32);
    this.params = new Uint32Array(arena.memory.buffer, ctrlAt, 32);
    this.ctrl.fill(0);
    Atomics.store(this.ctrl, STATE, FINISHED);
    this.worker = new Worker(HELPER, { eval: true, workerData: { module: arena.module, memory: arena.memory, ctrl: ctrlAt, work } });
    this.worker.unref(); // never keeps the process alive
  }

  /**
   * C = op(A)·op(B) on the tfjs heap (`heap`: its current Float32Array; addresses in floats),
   * the main thread's kernels `k` with work space `work` (bytes). Returns false when the
   * product is too small to split (the caller runs it alone).
   */
  product(k: ChunkKernels, work: number, heap: Float32Array, a: number, b: number, c: number, batch: number, M: number, N: number, K: number,
    transA: boolean, transB: boolean, strideA: number, strideB: number): boolean {
    if (2 * batch * M * N * K < MIN_FLOPS) return false;
    const { mode, size, n } = chunking(batch, M, N);
    if (n < 2) return false;
    const aFloats = strideA ? batch * strideA : M * K;
    const bFloats = strideB ? batch * strideB : K * N;
    const cFloats = batch * M * N;
    const need = aFloats + bFloats + cFloats + 16;
    if (need > this.stagingFloats) {
      if (this.staging) this.arena.release(this.staging);
      this.stagingFloats = Math.max(need, 2 * this.stagingFloats);
      this.staging = this.arena.alloc(this.stagingFloats);
    }
    const sa = this.staging;
    const sb = sa + Math.ceil(aFloats / 4) * 16;
    const sc = sb + Math.ceil(bFloats / 4) * 16;
    this.arena.f32(sa, aFloats).set(heap.subarray(a, a + aFloats));
    this.arena.f32(sb, bFloats).set(heap.subarray(b, b + bFloats));
    const p = this.params;
    p.set([sa, sb, sc, batch, M, N, K, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB, mode, n, size], PARAMS);
    Atomics.store(this.ctrl, NEXT, 0);
    Atomics.store(this.ctrl, STATE, OPEN);
    Atomics.store(this.ctrl, SEQ, ++this.seq);
    Atomics.notify(this.ctrl, SEQ, 1);
    if (this.helperFirst) {
      while (Atomics.load(this.ctrl, STATE) === OPEN) Atomics.wait(this.ctrl, STATE, OPEN, 50);
      while (Atomics.load(this.ctrl, STATE) === JOINED) Atomics.wait(this.ctrl, STATE, JOINED);
    }
    const mine = new Uint8Array(n);
    for (;;) {
      const i = Atomics.add(this.ctrl, NEXT, 1);
      if (i >= n) break;
      mine[i] = 1;
      k.sgemmChunk(a * 4, b * 4, c * 4, batch, M, N, K, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB, mode, i, size, work);
    }
    // Close the product; if the helper joined, wait for its last chunk.
    if (Atomics.compareExchange(this.ctrl, STATE, OPEN, CLOSED) === JOINED) {
      while (Atomics.load(this.ctrl, STATE) === JOINED) Atomics.wait(this.ctrl, STATE, JOINED);
    }
    this.stats.split++;
    const out = this.arena.f32(sc, cFloats);
    for (let i = 0; i < n; i++) {
      if (mine[i]) continue;
      this.stats.helperChunks++;
      if (mode === 0) {
        const from = i * size * M * N;
        const to = Math.min(batch, (i + 1) * size) * M * N;
        heap.set(out.subarray(from, to), c + from);
      } else if (mode === 1) {
        const from = i * size * N;
        const to = Math.min(M, (i + 1) * size) * N;
        heap.set(out.subarray(from, to), c + from);
      } else {
        const j0 = i * size;
        const j1 = Math.min(N, j0 + size);
        for (let r = 0; r < M; r++) heap.set(out.subarray(r * N + j0, r * N + j1), c + r * N + j0);
      }
    }
    return true;
  }

  /** Threads the wasm products use here: HEARTH_WASM_THREADS, else 2 on ≥ 2 cores. */
  static wanted(): number {
    const env = Number(process.env.HEARTH_WASM_THREADS);
    if (Number.isInteger(env) && env >= 1) return Math.min(env, 2);
    return Math.min(2, availableParallelism());
  }
}
