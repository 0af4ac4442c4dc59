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
import { fastProductsActive } from '../../agent/heap-kernels.ts';
import { AdamW } from '../../alignment/optim.ts';

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

  it('GELU with its derivative (HearthGeluWithGrad) within 2e-6 of the tanh formula in float64, sizes split over threads included', async (ctx) => {
    await initBackend('wasm');
    if (!fastProductsActive()) ctx.skip(); // tfjs's own kernels only: no fused GELU to check
    for (const n of [7, 4096 + 3, (1 << 16) + 5, 300_001]) {
      const x = random(n, 40 + n, 6);
      const [y, d] = tf.engine().runKernel('HearthGeluWithGrad', { x: tf.tensor1d(x) }) as tf.Tensor[];
      const yv = y.dataSync();
      const dv = d.dataSync();
      y.dispose();
      d.dispose();
      const c = Math.sqrt(2 / Math.PI);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const t = Math.tanh(c * (v + 0.044715 * v * v * v));
        worst = Math.max(worst, Math.abs(yv[i] - 0.5 * v * (1 + t)), Math.abs(dv[i] - (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v))));
      }
      expect(worst, `n = ${n}`).toBeLessThan(2e-6);
    }
  });

  it('AdamW: the one-pass kernel gives the tfjs ops\' parameters and moments bit for bit (decay and none, odd sizes)', async (ctx) => {
    await initBackend('wasm');
    if (!fastProductsActive()) ctx.skip(); // no kernel installed: the ops are all there is
    const shapes: number[][] = [[37, 13], [7], [128, 128], [5, 3]];
    const run = (fusedKernel: boolean): Float32Array[] => {
      const params = new Map(shapes.map((s, i) => [`w${i}`, tf.variable(tf.tensor(random(s.reduce((a, b) => a * b, 1), 60 + i, 1), s))]));
      const opt = new AdamW({ lr: 3e-3, warmupSteps: 2, totalSteps: 10, weightDecay: 0.1, fusedKernel });
      for (let step = 0; step < 4; step++) {
        const grads = new Map(shapes.map((s, i) => [`w${i}`, tf.tensor(random(s.reduce((a, b) => a * b, 1), 100 * step + i, 0.5 + step), s)]));
        opt.apply(params, grads);
        for (const g of grads.values()) g.dispose();
      }
      const out = [...params.values()].map((p) => p.dataSync() as Float32Array);
      for (const t of opt.stateTensors().values()) out.push(t.data);
      opt.dispose();
      for (const p of params.values()) p.dispose();
      return out;
    };
    const fused = run(true);
    const ops = run(false);
    expect(fused.length).toBe(ops.length);
    for (let i = 0; i < ops.length; i++) expect(Buffer.from(fused[i].buffer).equals(Buffer.from(ops[i].buffer)), `tensor ${i}`).toBe(true);
    // And the step moved the parameters (a kernel that wrote nothing would not pass as equal to fresh ones).
    const start = random(37 * 13, 60, 1);
    expect(fused[0].some((v, j) => v !== start[j])).toBe(true);
  });

  it('LayerNorm forward and backward kernels within 1e-5 of the float64 formulas (odd widths, rows split over threads)', async (ctx) => {
    await initBackend('wasm');
    if (!fastProductsActive()) ctx.skip(); // tfjs's own kernels only: no fused LayerNorm to check
    for (const [N, D] of [[5, 37], [600, 128], [3, 4]]) {
      const x = random(N * D, 70 + N, 3);
      const g = random(D, 71, 1.5);
      const b = random(D, 72, 0.5);
      const dy = random(N * D, 73 + N, 1);
      const [y, xhat, rstd] = tf.engine().runKernel('HearthLayerNorm', { x: tf.tensor2d(x, [N, D]), g: tf.tensor1d(g), b: tf.tensor1d(b) }) as tf.Tensor[];
      const [dx, dg, db] = tf.engine().runKernel('HearthLayerNormGrad', { dy: tf.tensor2d(dy, [N, D]), xhat, rstd, g: tf.tensor1d(g) }) as tf.Tensor[];
      const [yv, hv, rv, dxv, dgv, dbv] = [y, xhat, rstd, dx, dg, db].map((t) => t.dataSync());
      expect(rstd.shape).toEqual([N, 1]);
      const dgRef = new Float64Array(D);
      const dbRef = new Float64Array(D);
      let worst = 0;
      for (let i = 0; i < N; i++) {
        const row = Array.from(x.subarray(i * D, (i + 1) * D));
        const mu = row.reduce((a, c) => a + c, 0) / D;
        const r = 1 / Math.sqrt(row.reduce((a, c) => a + (c - mu) ** 2, 0) / D + 1e-5);
        worst = Math.max(worst, Math.abs(rv[i] - r) / r);
        const h = row.map((c) => (c - mu) * r);
        const dh = h.map((_, k) => dy[i * D + k] * g[k]);
        const ma = dh.reduce((a, c) => a + c, 0) / D;
        const mc = dh.reduce((a, c, k) => a + c * h[k], 0) / D;
        for (let k = 0; k < D; k++) {
          worst = Math.max(worst, Math.abs(hv[i * D + k] - h[k]), Math.abs(yv[i * D + k] - (h[k] * g[k] + b[k])));
          worst = Math.max(worst, Math.abs(dxv[i * D + k] - r * (dh[k] - ma - h[k] * mc)) / Math.max(1, r));
          dgRef[k] += dy[i * D + k] * h[k];
          dbRef[k] += dy[i * D + k];
        }
      }
      for (let k = 0; k < D; k++) worst = Math.max(worst, Math.abs(dgv[k] - dgRef[k]) / Math.max(1, N / 10), Math.abs(dbv[k] - dbRef[k]) / Math.max(1, N / 10));
      expect(worst, `N ${N} D ${D}`).toBeLessThan(1e-5);
      tf.dispose([y, xhat, rstd, dx, dg, db]);
    }
  });
});
