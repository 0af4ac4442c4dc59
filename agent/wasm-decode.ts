/**
 * Decoding on Hearth's wasm SIMD kernels, for machines where the native addon is not built:
 * agent/fast-infer.ts's transformer blocks (`forward` in native/wasm/kernels.ts, the port of
 * native/forward.c) and its logits, over an arena of shared WebAssembly memory. Shared,
 * because growing a shared memory never detaches the views already made of it: a KV cache is
 * a plain Float32Array view (FastCache and the prefix cache write into it as before) that
 * stays valid however the arena grows later.
 *
 * The arena is one per process, with a first-fit allocator; weights are freed by
 * `WasmBlocks.dispose()` or when their engine is collected, caches when collected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WasmKernelExports } from './wasm-simd.ts';

interface DecodeExports extends WasmKernelExports {
  forwardScratchFloats(N: number, D: number, F: number, cap: number): number;
  forward(x: number, N: number, D: number, H: number, F: number, L: number, pos: number, rowOffset: number, k: number, v: number,
    layerStride: number, weights: number, cosT: number, sinT: number, scratch: number): void;
  gemmRows(a: number, b: number, c: number, M: number, N: number, K: number): void;
  layerNorm(x: number, out: number, n: number, D: number, g: number, b: number): void;
}

const PAGE = 65536;
const ALIGN = 64;

/** Shared wasm memory with a first-fit free list (addresses in bytes, 64-byte aligned). */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly k: DecodeExports;
  /** Free blocks, sorted by address, coalesced. */
  private free: Array<{ at: number; size: number }> = [];
  private readonly sizes = new Map<number, number>();
  /** Every buffer object the memory handed out views on (a new one after each growth). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly collected = new FinalizationRegistry<number[]>((addrs) => { for (const a of addrs) this.release(a); });

  constructor(readonly module: WebAssembly.Module) {
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as DecodeExports;
    this.free.push({ at: ALIGN, size: this.memory.buffer.byteLength - ALIGN }); // address 0 stays unused: 0 means "none"
  }

  /** `floats` floats of memory (contents undefined); its byte address. */
  alloc(floats: number): number {
    const size = Math.max(ALIGN, Math.ceil((floats * 4) / ALIGN) * ALIGN);
    let i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) {
      const end = this.memory.buffer.byteLength;
      const last = this.free[this.free.length - 1];
      const tail = last && last.at + last.size === end ? last.size : 0;
      const pages = Math.ceil(Math.max(size - tail, end / 2) / PAGE);
      this.memory.grow(pages);
      this.insertFree(end, pages * PAGE);
      i = this.free.findIndex((b) => b.size >= size);
    }
    const b = this.free[i];
    const at = b.at;
    if (b.size === size) this.free.splice(i, 1);
    else { b.at += size; b.size -= size; }
    this.sizes.set(at, size);
    return at;
  }

  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) return;
    this.sizes.delete(at);
    this.insertFree(at, size);
  }

  /** Free `addrs` when `owner` is garbage-collected (unless `forget(owner)` came first). */
  releaseWith(owner: object, addrs: number[]): void {
    this.collected.register(owner, addrs, owner);
  }

  /** Cancel releaseWith(owner, …): the owner freed its memory itself. */
  forget(owner: object): void {
    this.collected.unregister(owner);
  }

  /** Whether `view` is a view of this arena's memory. */
  holds(view: Float32Array): boolean {
    return this.buffers.has(view.buffer);
  }

  private insertFree(at: number, size: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i].at < at) i++;
    this.free.splice(i, 0, { at, size });
    // Coalesce with the neighbours.
    if (i + 1 < this.free.length && at + size === this.free[i + 1].at) { this.free[i].size += this.free[i + 1].size; this.free.splice(i + 1, 1); }
    if (i > 0 && this.free[i - 1].at + this.free[i - 1].size === at) { this.free[i - 1].size += this.free[i].size; this.free.splice(i, 1); }
  }

  /** A view of `floats` floats at byte address `at` (valid for good: shared memory never detaches). */
  f32(at: number, floats: number): Float32Array {
    this.buffers.add(this.memory.buffer);
    return new Float32Array(this.memory.buffer, at, floats);
  }

  i32(at: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, n);
  }

  /** Bytes in use (tests: everything freed comes back). */
  inUse(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }
}

const sharedPath = fileURLToPath(new URL('../native/build/hearth_kernels_shared.wasm', import.meta.url));
let arena: WasmArena | null | undefined;

/** The process's decoding arena, or null when the shared-memory module is not built or disabled (HEARTH_WASM_KERNELS=0). */
export function wasmArena(): WasmArena | null {
  if (arena !== undefined) return arena;
  arena = null;
  if (process.env.HEARTH_WASM_KERNELS === '0' || !existsSync(sharedPath)) return arena;
  try {
    arena = new WasmArena(new WebAssembly.Module(readFileSync(sharedPath)));
  } catch { arena = null; } // e.g. a runtime without shared wasm memory: decoding stays in JS
  return arena;
}

export interface BlockShape { D: number; H: number; F: number; L: number; V: number; ctx: number }

/**
 * One engine's weights in the arena and its forward pass there. `packed`: the blocks' weights
 * in native/forward.h's order; `headT`: the output head as (D, V) (the tied embedding
 * transposed), so the logits are a plain product.
 */
export class WasmBlocks {
  private readonly weights: number;
  private readonly cosT: number;
  private readonly sinT: number;
  private readonly head: number;
  private readonly lnf: number;
  private scratch = 0;
  private scratchFloats = 0;
  private disposed = false;

  constructor(private readonly arena: WasmArena, private readonly s: BlockShape, packed: Float32Array, headT: Float32Array,
    lnfG: Float32Array, lnfB: Float32Array, cos: Float32Array | null, sin: Float32Array | null) {
    const put = (x: Float32Array) => { const at = arena.alloc(x.length); arena.f32(at, x.length).set(x); return at; };
    this.weights = put(packed);
    this.head = put(headT);
    const lnf = new Float32Array(2 * s.D);
    lnf.set(lnfG);
    lnf.set(lnfB, s.D);
    this.lnf = put(lnf);
    this.cosT = cos ? put(cos) : 0;
    this.sinT = sin ? put(sin) : 0;
    arena.releaseWith(this, [this.weights, this.head, this.lnf, ...(cos ? [this.cosT, this.sinT] : [])]);
  }

  /** k and v stores of `floats` floats each in the arena (freed when both views are collected). */
  cacheStore(floats: number): { k: Float32Array; v: Float32Array } {
    const ka = this.arena.alloc(floats);
    const va = this.arena.alloc(floats);
    const k = this.arena.f32(ka, floats);
    const v = this.arena.f32(va, floats);
    this.arena.releaseWith(k, [ka]);
    this.arena.releaseWith(v, [va]);
    return { k, v };
  }

  /** Whether a cache's keys live in this arena (else the caller runs the JS blocks). */
  owns(kAll: Float32Array): boolean {
    return this.arena.holds(kAll);
  }

  private ensureScratch(floats: number): number {
    if (floats > this.scratchFloats) {
      if (this.scratch) this.arena.release(this.scratch);
      this.scratchFloats = Math.max(floats, 2 * this.scratchFloats);
      this.scratch = this.arena.alloc(this.scratchFloats);
    }
    return this.scratch;
  }

  /** The blocks for N tokens: x (N, D) in place; k/v appended at each token's row offset and position. */
  forward(x: Float32Array, N: number, pos: Int32Array, rowOffset: Int32Array, kAll: Float32Array, vAll: Float32Array, layerStride: number): void {
    const { D, H, F, L, ctx } = this.s;
    const work = this.arena.k.forwardScratchFloats(N, D, F, ctx);
    const base = this.ensureScratch(N * D + 2 * N + work);
    const xs = base;
    const ps = xs + N * D * 4;
    const os = ps + N * 4;
    const sc = os + N * 4;
    this.arena.f32(xs, N * D).set(x);
    this.arena.i32(ps, N).set(pos);
    this.arena.i32(os, N).set(rowOffset);
    this.arena.k.forward(xs, N, D, H, F, L, ps, os, kAll.byteOffset, vAll.byteOffset, layerStride, this.weights, this.cosT, this.sinT, sc);
    x.set(this.arena.f32(xs, N * D));
  }

  /** Logits (rows, V) of the final LayerNorm of `last` (rows, D). */
  logits(last: Float32Array, rows: number): Float32Array {
    const { D, V } = this.s;
    const base = this.ensureScratch(2 * rows * D + rows * V);
    const h = base + rows * D * 4;
    const out = h + rows * D * 4;
    this.arena.f32(base, rows * D).set(last);
    this.arena.k.layerNorm(base, h, rows, D, this.lnf, this.lnf + D * 4);
    this.arena.k.gemmRows(h, this.head, out, rows, V, D);
    return this.arena.f32(out, rows * V).slice();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.arena.forget(this);
    for (const a of [this.weights, this.head, this.lnf, this.cosT, this.sinT, this.scratch]) if (a) this.arena.release(a);
  }
}
