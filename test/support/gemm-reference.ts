/**
 * A batched single-precision product checked against a naive double-precision reference:
 * operands at odd offsets inside one buffer, C pre-filled with NaN (write-only: stale contents
 * must not leak in) and guarded past its end. Used for the native addon's GEMM
 * (test/lm/gemm.test.ts) and the wasm SIMD kernels (test/lm/wasm-kernels.test.ts).
 */
import { expect } from 'vitest';
import { Prng } from '../../env/prng.ts';

/** Computes C = op(A)·op(B) for case c in buf (offsets and strides in floats). */
export type Product = (buf: Float32Array, aOff: number, bOff: number, cOff: number, c: Case, strideA: number, strideB: number) => void;

export interface Case { batch: number; M: number; N: number; K: number; tA: boolean; tB: boolean; broadcastA?: boolean; broadcastB?: boolean }

/** Run one product in a shared buffer at odd offsets; returns the max error over the tolerance (≤ 1 passes) and whether guards held. */
function run(product: Product, alloc: (floats: number) => Float32Array, c: Case, seed: number): { worst: number; guards: boolean; at: string } {
  const r = new Prng(seed);
  const sA = c.broadcastA ? 0 : c.M * c.K;
  const sB = c.broadcastB ? 0 : c.K * c.N;
  const lenA = (c.broadcastA ? 1 : c.batch) * c.M * c.K;
  const lenB = (c.broadcastB ? 1 : c.batch) * c.K * c.N;
  const lenC = c.batch * c.M * c.N;
  const aOff = 3;
  const bOff = aOff + lenA + 5;
  const cOff = bOff + lenB + 7;
  const buf = alloc(cOff + lenC + 9);
  for (let i = 0; i < cOff; i++) buf[i] = r.next() * 2 - 1;
  buf.fill(Number.NaN, cOff); // C is write-only: stale contents must not leak in
  const guard = 12345.5;
  buf.fill(guard, cOff + lenC);
  product(buf, aOff, bOff, cOff, c, sA, sB);
  let worst = 0;
  let at = '';
  for (let b = 0; b < c.batch; b++) {
    for (let i = 0; i < c.M; i++) {
      for (let j = 0; j < c.N; j++) {
        let s = 0;
        let mag = 0;
        for (let k = 0; k < c.K; k++) {
          const a = buf[aOff + b * sA + (c.tA ? k * c.M + i : i * c.K + k)];
          const bb = buf[bOff + b * sB + (c.tB ? j * c.K + k : k * c.N + j)];
          s += a * bb;
          mag += Math.abs(a * bb);
        }
        const got = buf[cOff + b * c.M * c.N + i * c.N + j];
        const err = Math.abs(got - s) / (1e-6 * (mag + 1e-30) + 1e-30);
        if (!(err <= worst)) { worst = Number.isNaN(err) ? Infinity : err; at = `batch ${b} row ${i} col ${j}: ${got} vs ${s}`; }
      }
    }
  }
  // float32 accumulation of K products: error ≤ ~K·eps·Σ|ab|; allow 1e-6 · Σ|ab| · ⌈K/8⌉-ish via scale below.
  return { worst: worst / Math.max(1, Math.sqrt(c.K)), guards: buf.subarray(cOff + lenC).every((x) => x === guard), at };
}

export function expectProductCase(product: Product, alloc: (floats: number) => Float32Array, c: Case, seed: number): void {
  const { worst, guards, at } = run(product, alloc, c, seed);
  expect({ ...c, ok: worst <= 1, guards }, `worst ${worst.toFixed(2)} at ${at}`).toEqual({ ...c, ok: true, guards: true });
}

