/**
 * The wasm kernels Hearth replaces (agent/native-blas.ts, agent/tfjs.ts: Exp, Sum over leading
 * axes, Identity) against the cpu backend on the same inputs, special values included. Without
 * the native addon this compares wasm's own kernels, which must agree just the same.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';

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
});
