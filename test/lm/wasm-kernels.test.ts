/**
 * Hearth's wasm SIMD kernels (native/wasm/kernels.ts → native/build/hearth_kernels.wasm),
 * instantiated over a memory of the test's own: the product against the naive reference of
 * test/support/gemm-reference.ts (edge tiles of the 4×8 micro-tile and of the 64/256/512
 * cache blocks, both transposes, batches, broadcast operands, K = 0), exp, column sums and
 * GELU against double-precision formulas, and the kernels installed in the tfjs wasm backend
 * giving the same products as tfjs's own. The module needs no compiler, so it must exist
 * wherever `npm ci` ran: its absence fails here (install/build.mjs refuses a module whose
 * check product is wrong, so a broken kernel shows up as "not built").
 */
import { describe, expect, it } from 'vitest';
import { instantiateWasmKernels, wasmKernelsNote, type WasmKernelExports } from '../../agent/wasm-simd.ts';
import { Prng } from '../../env/prng.ts';
import { expectProductCase, type Case, type Product } from '../support/gemm-reference.ts';

const memory = new WebAssembly.Memory({ initial: 1024 }); // 64 MiB
const k: WasmKernelExports | null = instantiateWasmKernels(memory);

const WORK = 0; // packing space at the start of the memory, operands after it
const BASE = (k ? k.sgemmWorkspaceFloats() : 0) + 64; // floats
/** A view of `floats` floats of the module's memory after the work space (grown as needed). */
function alloc(floats: number): Float32Array {
  const need = (BASE + floats) * 4;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  return new Float32Array(memory.buffer, BASE * 4, floats);
}
const wasmProduct: Product = (_buf, aOff, bOff, cOff, c, sA, sB) =>
  k!.sgemm((BASE + aOff) * 4, (BASE + bOff) * 4, (BASE + cOff) * 4, c.batch, c.M, c.N, c.K, c.tA ? 1 : 0, c.tB ? 1 : 0, sA, sB, WORK);
const expectCase = (c: Case, seed: number) => expectProductCase(wasmProduct, alloc, c, seed);

// HEARTH_WASM_KERNELS=0 disables them on purpose (CI's tfjs-kernels-only run).
describe.skipIf(process.env.HEARTH_WASM_KERNELS === '0')('wasm SIMD kernels', () => {
  it('the module is built and loads (npm ci builds it; else: node native/build.mjs)', () => {
    expect(wasmKernelsNote()).toBe('');
    expect(k).not.toBeNull();
  });

  it('sgemm: every transpose over edge-tile shapes (M, N, K in 1..33)', () => {
    let seed = 1;
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 17, 33]) for (const N of [1, 7, 8, 9, 16, 17, 33]) for (const K of [1, 6, 17]) expectCase({ batch: 1, M, N, K, tA, tB }, seed++);
      }
    }
  });

  it('sgemm: shapes beyond the cache blocks (MC 64, KC 256, NC 512)', () => {
    const shapes: Array<[number, number, number]> = [[65, 20, 257], [64, 512, 256], [63, 513, 255], [130, 1030, 3], [7, 40, 600], [1, 300, 513]];
    let seed = 100;
    for (const [M, N, K] of shapes) for (const tA of [false, true]) for (const tB of [false, true]) expectCase({ batch: 1, M, N, K, tA, tB }, seed++);
  });

  it('sgemm: K = 0 gives zeros; batches, broadcast operands (stride 0)', () => {
    expectCase({ batch: 2, M: 5, N: 9, K: 0, tA: false, tB: false }, 200);
    expectCase({ batch: 5, M: 13, N: 17, K: 11, tA: false, tB: true }, 201);
    expectCase({ batch: 3, M: 7, N: 19, K: 21, tA: true, tB: false, broadcastA: true }, 202);
    expectCase({ batch: 4, M: 9, N: 5, K: 30, tA: true, tB: true, broadcastB: true }, 203);
  });

  it('gemmRows (decoding, operands in place): every row count of the 4-row tiles, column tails past 8', () => {
    const rowsProduct: Product = (_buf, aOff, bOff, cOff, c) =>
      (k as unknown as { gemmRows(a: number, b: number, c: number, M: number, N: number, K: number): void })
        .gemmRows((BASE + aOff) * 4, (BASE + bOff) * 4, (BASE + cOff) * 4, c.M, c.N, c.K);
    let seed = 400;
    for (const M of [1, 2, 3, 4, 5, 6, 7, 8, 9, 33]) {
      for (const N of [1, 7, 8, 9, 16, 17, 384]) for (const K of [1, 5, 128]) expectProductCase(rowsProduct, alloc, { batch: 1, M, N, K, tA: false, tB: false }, seed++);
    }
  });

  /** n values of x written at float offset 1 of the operand area (odd, so vectors are unaligned), outputs after. */
  function elementwise(xs: number[]): { x: number; y: number; d: number; f: Float32Array } {
    const n = xs.length;
    const f = alloc(3 * n + 16);
    f.fill(Number.NaN);
    f.set(xs, 1);
    return { x: (BASE + 1) * 4, y: (BASE + n + 5) * 4, d: (BASE + 2 * n + 9) * 4, f };
  }
  const values = (n: number, scale: number, seed: number) => { const r = new Prng(seed); return Array.from({ length: n }, () => (r.next() * 2 - 1) * scale); };

  it('exp: relative error < 4e-7 over [-80, 80], every tail length, 0 below -87.33, +∞ above 88.72, NaN kept', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 1001]) {
      const xs = values(n, 80, n);
      const { x, y, f } = elementwise(xs);
      k!.exp(x, y, n);
      const out = f.subarray(n + 5, 2 * n + 5);
      for (let i = 0; i < n; i++) expect(Math.abs(out[i] - Math.exp(Math.fround(xs[i]))) / Math.exp(Math.fround(xs[i])), `exp(${xs[i]})`).toBeLessThan(4e-7);
      expect(Number.isNaN(f[2 * n + 5]), 'nothing written past y').toBe(true);
    }
    const { x, y, f } = elementwise([-200, 200, 0, Number.NaN, -1e9]);
    k!.exp(x, y, 5);
    expect(f[10]).toBe(0);
    expect(f[11]).toBe(Infinity);
    expect(f[12]).toBe(1);
    expect(f[13]).toBeNaN();
    expect(f[14]).toBe(0);
  });

  it('geluGrad: value and derivative of the tanh GELU within 2e-6, every tail length', () => {
    const c = Math.sqrt(2 / Math.PI);
    for (const n of [1, 2, 3, 5, 6, 7, 513]) {
      const xs = values(n, 8, 50 + n);
      const { x, y, d, f } = elementwise(xs);
      k!.geluGrad(x, y, d, n);
      for (let i = 0; i < n; i++) {
        const v = Math.fround(xs[i]);
        const t = Math.tanh(c * (v + 0.044715 * v ** 3));
        expect(Math.abs(f[n + 5 + i] - 0.5 * v * (1 + t)), `gelu(${v})`).toBeLessThan(2e-6);
        expect(Math.abs(f[2 * n + 9 + i] - (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v))), `gelu'(${v})`).toBeLessThan(2e-6);
      }
      expect(Number.isNaN(f[2 * n + 5]) && Number.isNaN(f[3 * n + 9]), 'nothing written past y and d').toBe(true);
    }
  });

  it('colsum: column sums of (R, C) for C across the 16- and 4-wide paths', () => {
    for (const [R, C] of [[1, 1], [3, 5], [7, 16], [5, 19], [64, 37], [2, 128]]) {
      const xs = values(R * C, 3, R * 100 + C);
      const { x, y, f } = elementwise(xs);
      k!.colsum(x, y, R, C);
      for (let j = 0; j < C; j++) {
        let s = 0;
        for (let i = 0; i < R; i++) s += Math.fround(xs[i * C + j]);
        expect(Math.abs(f[R * C + 5 + j] - s), `(${R}, ${C}) column ${j}`).toBeLessThan(1e-5 * R);
      }
      expect(Number.isNaN(f[R * C + 5 + C]), 'nothing written past y').toBe(true);
    }
  });
});
