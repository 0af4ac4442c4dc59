/**
 * Hearth's own GEMM (native/gemm.c, through the addon's sgemm) against a naive reference in
 * double precision: edge tiles (M, N, K not multiples of the 6 x 16 micro-tile nor of the
 * 120 / 256 / 1024 cache blocks), 1-sized dimensions, both transposes, batches (with a
 * broadcast operand), each way of splitting a product over threads, both micro-kernels, and
 * operands at offsets inside one buffer with nothing outside C written. Skipped when the
 * addon is not built (HEARTH_NATIVE=0 or no compiler); the OpenBLAS variant, when built, is
 * checked the same way by HEARTH_GEMM=openblas.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { nativeBlas } from '../../agent/native-blas.ts';
import { expectProductCase, type Case, type Product } from '../support/gemm-reference.ts';

const blas = nativeBlas();
const hearth = blas?.info().gemm === 'hearth';
const kernels = hearth ? ['avx2-fma', 'portable'].filter((k) => blas!.setKernel(k)) : ['(openblas)'];
const defaultThreads = blas?.info().threads ?? 1;
afterAll(() => {
  if (!blas) return;
  if (hearth) blas.setKernel(kernels[0]);
  blas.setThreads(defaultThreads);
});

/** The addon's product on the shared reference's buffer. */
const addonProduct: Product = (buf, aOff, bOff, cOff, c, sA, sB) =>
  blas!.sgemm(buf.buffer as ArrayBuffer, aOff, buf.buffer as ArrayBuffer, bOff, buf.buffer as ArrayBuffer, cOff, c.batch, c.M, c.N, c.K, c.tA, c.tB, sA, sB);
const expectCase = (c: Case, seed: number) => expectProductCase(addonProduct, (n) => new Float32Array(n), c, seed);

const EDGE = [1, 2, 5, 6, 7, 15, 16, 17, 31, 33];

describe.skipIf(!blas)('native sgemm against a naive reference', () => {
  for (const kernel of kernels) {
    for (const threads of [1, 2]) {
      describe(`${kernel} kernel, ${threads} thread(s)`, () => {
        // ownFirst: each thread runs a task of its own first, so the splits below are exercised for sure.
        const setup = () => { if (hearth) blas!.setKernel(kernel); blas!.setThreads(threads, true); };

        it('every transpose over edge-tile shapes (M, N, K in 1..33)', () => {
          setup();
          let seed = 1;
          for (const tA of [false, true]) {
            for (const tB of [false, true]) {
              for (const M of EDGE) for (const N of [1, 7, 16, 17, 33]) for (const K of [1, 6, 17]) expectCase({ batch: 1, M, N, K, tA, tB }, seed++);
            }
          }
        });

        it('shapes beyond the cache blocks (MC 120, KC 256, NC 1024) and the direct/packed boundary (24 rows)', () => {
          setup();
          const shapes: Array<[number, number, number]> = [[121, 20, 257], [24, 33, 300], [25, 33, 300], [23, 1025, 9], [130, 1030, 3], [7, 40, 600], [1, 300, 513]];
          let seed = 100;
          for (const [M, N, K] of shapes) for (const tA of [false, true]) for (const tB of [false, true]) expectCase({ batch: 1, M, N, K, tA, tB }, seed++);
        });

        it('K = 0 gives zeros; batches, broadcast operands (stride 0)', () => {
          setup();
          expectCase({ batch: 2, M: 5, N: 9, K: 0, tA: false, tB: false }, 200);
          expectCase({ batch: 5, M: 13, N: 17, K: 11, tA: false, tB: true }, 201);
          expectCase({ batch: 3, M: 7, N: 19, K: 21, tA: true, tB: false, broadcastA: true }, 202);
          expectCase({ batch: 4, M: 9, N: 5, K: 30, tA: true, tB: true, broadcastB: true }, 203);
        });

        it('products big enough to split over threads: by batch, rows, columns and K', () => {
          setup();
          // Each ≥ 8.4 MFLOP (native/gemm.c THREAD_FLOPS), so two threads do split them.
          expectCase({ batch: 8, M: 100, N: 64, K: 90, tA: false, tB: true }, 300); // batch split
          expectCase({ batch: 1, M: 1001, N: 40, K: 120, tA: false, tB: false }, 301); // row split
          expectCase({ batch: 1, M: 11, N: 1500, K: 300, tA: true, tB: false }, 302); // column split
          expectCase({ batch: 1, M: 20, N: 19, K: 12000, tA: true, tB: false }, 303); // K split (partial sums added)
          expectCase({ batch: 2, M: 150, N: 37, K: 800, tA: false, tB: true }, 304); // small batch: rows of each item
        });
      });
    }
  }

  it.skipIf(!hearth)('K splits give bit-identical results whichever thread takes which chunk (same seed, same result)', () => {
    // dW = Xᵀ·dY shapes (small M and N, long K) split K over two threads.
    const [M, N, K] = [64, 48, 8192];
    const a = Float32Array.from({ length: K * M }, (_, i) => Math.sin(i * 0.37) * 0.5);
    const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.11) * 0.5);
    const runs: string[] = [];
    for (let r = 0; r < 24; r++) {
      blas!.setThreads(2, r % 3 === 0); // vary the scheduling: own-first tasks, or first come first served
      const c = new Float32Array(M * N);
      blas!.sgemm(a, 0, b, 0, c, 0, 1, M, N, K, true, false, 0, 0);
      runs.push(Buffer.from(c.buffer).toString('base64'));
    }
    blas!.setThreads(defaultThreads);
    expect(new Set(runs).size).toBe(1);
  });

  it('rejects operands outside their buffers and negative sizes', () => {
    const a = new Float32Array(6);
    const c = new Float32Array(4);
    expect(() => blas!.sgemm(a, 0, a, 0, c, 0, 1, 2, 2, 4, false, false, 0, 0)).toThrow(/out of bounds/);
    expect(() => blas!.sgemm(a, 0, a, 0, c, 0, 1, -1, 2, 2, false, false, 0, 0)).toThrow(/negative/);
  });

  it('reports what it is and measures a positive FMA peak', () => {
    const info = blas!.info();
    expect(['hearth', 'openblas']).toContain(info.gemm);
    if (info.gemm === 'hearth') expect(['avx2-fma', 'portable']).toContain(info.kernel);
    const p = blas!.fmaPeak(1, 5);
    expect(p.gflops).toBeGreaterThan(0);
    expect(p.gflopsPerCpuSecond).toBeGreaterThan(0);
  });
});
