/**
 * The wasm kernels Hearth replaces (agent/native-blas.ts, agent/tfjs.ts: Exp, Sum over leading
 * axes, Identity, matrix products) against the cpu backend on the same inputs, special values
 * included. Without the native addon this compares the wasm SIMD kernels (products big enough
 * to split over two threads included), or with HEARTH_WASM_KERNELS=0 wasm's own kernels,
 * which must agree just the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';
import { wasmProductThreads } from '../../agent/wasm-simd.ts';

afterAll(async () => { await initBackend('wasm'); });

async function onBoth(f: () => tf.Tensor): Promise<{ wasm: Float32Array; cpu: Float32Array; shape: number[][] }> {
  await initBackend('wasm');
  const a = f();
  const wasm = a.dataSync() as Float32Array;
  const sa = a.shape;
  a.dispose();
  await initBackend('cpu');
  const b = f();
  const cpu = b.dataSync() as Float32Array;
  const sb = b.shape;
  b.dispose();
  return { wasm, cpu, shape: [sa, sb] };
}

const random = (n: number, seed: number, scale: number): Float32Array => {
  const r = new Prng(seed);
  return Float32Array.from({ length: n }, () => (r.next() * 2 - 1) * scale);
};

/** A tensor of any rank, typed as tf.matMul wants (it takes any rank ≥ 2). */
const tensorOf = (x: Float32Array, shape: number[]): tf.Tensor2D => tf.tensor(x, shape) as unknown as tf.Tensor2D;

describe('replaced wasm kernels agree with the cpu backend', () => {
  it('Exp, relative error < 1e-6, and exp(-inf) = 0, exp(inf) = inf, NaN stays NaN, huge values overflow', async () => {
    const xs = [...random(5000, 1, 30), -Infinity, Infinity, NaN, -1000, 1000, 0, -87.5, 88.5, 1e-8];
    const { wasm, cpu } = await onBoth(() => tf.exp(tf.tensor1d(xs)));
    for (let i = 0; i < xs.length; i++) {
      if (Number.isNaN(cpu[i])) { expect(wasm[i]).toBeNaN(); continue; }
      if (!Number.isFinite(cpu[i]) || cpu[i] === 0) { expect(wasm[i]).toBe(cpu[i]); continue; }
      if (cpu[i] < 1e-37) { expect(wasm[i]).toBeLessThan(1e-37); continue; } // denormal range: flushed or tiny
      expect(Math.abs(wasm[i] - cpu[i]) / cpu[i]).toBeLessThan(1e-6);
    }
  });

  it('Sum over leading axes (with and without keepDims), other axes and int32 unchanged', async () => {
    const x = random(4 * 37 * 12, 2, 3);
    const cases: Array<[number[], number | number[], boolean]> = [
      [[148, 12], 0, false], [[4, 37, 12], [0, 1], false], [[4, 37, 12], [1, 0], true], [[4, 37, 12], 0, true],
      [[148, 12], 1, false], [[4, 37, 12], [0, 2], false], [[4, 37, 12], [0, 1, 2], false],
    ];
    for (const [shape, axis, keepDims] of cases) {
      const { wasm, cpu, shape: [sa, sb] } = await onBoth(() => tf.sum(tf.tensor(x, shape), axis, keepDims));
      expect(sa).toEqual(sb);
      for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i] - cpu[i])).toBeLessThan(1e-4);
    }
    const ints = await onBoth(() => tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), 0));
    expect(Array.from(ints.wasm)).toEqual([9, 12]);
  });

  it('matrix products of every kind, batched and transposed, small and split over threads', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[5, 7], [7, 3], false, false], [[7, 5], [3, 7], true, true],
      [[300, 128], [128, 512], false, false], // rows split (≥ 8 MFLOP)
      [[128, 700], [128, 512], true, false], // dW = Xᵀ·dY: columns split
      [[300, 128], [512, 128], false, true],
      [[32, 64, 64], [32, 64, 64], false, true], // attention scores: batch split
      [[16, 64, 128], [1, 128, 64], false, false], // broadcast B
      [[1, 64, 128], [16, 128, 64], false, false], // broadcast A
    ];
    const threads = wasmProductThreads();
    const before = threads?.stats.split ?? 0;
    let seed = 10;
    // Twice where two threads run: as scheduled, then with the helper doing every chunk
    // (its copies back surely exercised).
    for (const [sa, sb, tA, tB] of threads ? [...cases, ...cases] : cases) {
      if (threads && seed === 10 + 2 * cases.length) threads.helperFirst = true;
      const a = random(sa.reduce((x, y) => x * y, 1), seed++, 1);
      const b = random(sb.reduce((x, y) => x * y, 1), seed++, 1);
      const { wasm, cpu, shape: [s1, s2] } = await onBoth(() => tf.matMul(tensorOf(a, sa), tensorOf(b, sb), tA, tB));
      expect(s1).toEqual(s2);
      let worst = 0;
      for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(wasm[i] - cpu[i]));
      expect(worst, `${sa} x ${sb} ${tA} ${tB}`).toBeLessThan(1e-3);
    }
    if (threads) {
      threads.helperFirst = false;
      expect(threads.stats.split - before, 'products split over two threads').toBe(2 * 6);
      expect(threads.stats.helperChunks, 'chunks the helper computed').toBeGreaterThanOrEqual(6 * 2);
    }
  });
});
