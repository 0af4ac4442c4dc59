/**
 * The native GEMM's speed on the products the local model actually runs, against the
 * machine's peak measured in the same run (used by `npm run bench:lm` and `hearth doctor`).
 *
 * Peak: an FMA-only loop (native/gemm.c `hearth_fma_peak`: twelve independent chains of the
 * micro-kernel's 8-wide FMA, no memory) on the same number of threads, measured before and
 * after the products; wall clock and per CPU-second (the latter is one core's peak while it
 * runs, so the share stays meaningful when other processes hold the cores). The nominal
 * peak, cores × GHz × 32 FLOPs/cycle (two 8-wide FMA units), is printed beside it.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { NativeBlas } from '../../agent/native-blas.ts';

/**
 * What the report measures: the addon (its GEMM and FMA peak), or the wasm SIMD kernels
 * (bench/lm/wasm-gemm.ts: their product and a wasm mul+add peak).
 */
export type GemmUnderTest = Pick<NativeBlas, 'sgemm' | 'fmaPeak'> & {
  info(): { threads: number; avx2Fma: boolean };
  /** Names the peak in reports (default: 'FMA peak'). */
  peakName?: string;
};

export interface GemmShape { name: string; batch: number; M: number; N: number; K: number; tA: boolean; tB: boolean; count: number }

export interface ModelShape { layers: number; d: number; heads: number; ctx: number; vocab: number; batch: number; mlpRatio?: number }

/** The quick recipe's model (exploration/recipes.ts QUICK.sizes.model) and its 16-row micro-batches. */
export const QUICK_MODEL: ModelShape = { layers: 2, d: 128, heads: 4, ctx: 256, vocab: 1024, batch: 16 };

/**
 * The products of one training step (forward + backward) of agent/model.ts on full rows:
 * R = batch·ctx tokens, per layer q, k, v, o (D×D), fc (D×F), proj (F×D), attention over
 * batch·heads (T×T) score matrices; the tied head (V×D). Backward: dX = dY·Wᵀ, dW = Xᵀ·dY.
 * `count` is how often each occurs in a step.
 */
export function trainingShapes(m: ModelShape): GemmShape[] {
  const R = m.batch * m.ctx;
  const D = m.d;
  const F = (m.mlpRatio ?? 4) * D;
  const T = m.ctx;
  const hd = D / m.heads;
  const BH = m.batch * m.heads;
  const L = m.layers;
  const V = m.vocab;
  const s = (name: string, batch: number, M: number, N: number, K: number, tA: boolean, tB: boolean, count: number): GemmShape => ({ name, batch, M, N, K, tA, tB, count });
  return [
    s('fwd q,k,v,o  X·W', 1, R, D, D, false, false, 4 * L),
    s('fwd fc       X·W', 1, R, F, D, false, false, L),
    s('fwd proj     X·W', 1, R, D, F, false, false, L),
    s('fwd scores   Q·Kᵀ', BH, T, T, hd, false, true, L),
    s('fwd att·V', BH, T, hd, T, false, false, L),
    s('fwd head     H·Wteᵀ', 1, R, V, D, false, true, 1),
    s('bwd q,k,v,o  dY·Wᵀ', 1, R, D, D, false, true, 4 * L),
    s('bwd q,k,v,o  Xᵀ·dY', 1, D, D, R, true, false, 4 * L),
    s('bwd fc       dY·Wᵀ', 1, R, D, F, false, true, L),
    s('bwd fc       Xᵀ·dY', 1, D, F, R, true, false, L),
    s('bwd proj     dY·Wᵀ', 1, R, F, D, false, true, L),
    s('bwd proj     Xᵀ·dY', 1, F, D, R, true, false, L),
    s('bwd att dP   dZ·Vᵀ', BH, T, T, hd, false, true, L),
    s('bwd att dV   Pᵀ·dZ', BH, T, hd, T, true, false, L),
    s('bwd att dQ   dS·K', BH, T, hd, T, false, false, L),
    s('bwd att dK   dSᵀ·Q', BH, T, hd, T, true, false, L),
    s('bwd head     dL·Wte', 1, R, D, V, false, false, 1),
    s('bwd head     dLᵀ·H', 1, V, D, R, true, false, 1),
  ];
}

/** Decoding products for `rows` sequences, one new token each (native/forward.c's, and the logits). */
export function decodeShapes(m: ModelShape, rows: number): GemmShape[] {
  const D = m.d;
  const F = (m.mlpRatio ?? 4) * D;
  const s = (name: string, M: number, N: number, K: number, tB: boolean, count: number): GemmShape => ({ name, batch: 1, M, N, K, tA: false, tB, count });
  return [
    s(`dec(${rows}) q|k|v`, rows, 3 * D, D, false, m.layers),
    s(`dec(${rows}) o`, rows, D, D, false, m.layers),
    s(`dec(${rows}) fc`, rows, F, D, false, m.layers),
    s(`dec(${rows}) proj`, rows, D, F, false, m.layers),
    s(`dec(${rows}) logits`, rows, m.vocab, D, true, 1),
  ];
}

export const flopsOf = (s: GemmShape) => 2 * s.batch * s.M * s.N * s.K;

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

export interface GemmMeasure { shape: GemmShape; gflops: number; gflopsPerCpuSecond: number }

/** GFLOP/s of one shape: median of `repeats` timings, each of enough calls to last ≥ ~15 ms. */
export function measureShape(blas: GemmUnderTest, s: GemmShape, repeats = 5): GemmMeasure {
  const a = new Float32Array(s.batch * s.M * s.K);
  const b = new Float32Array(s.batch * s.K * s.N);
  const c = new Float32Array(s.batch * s.M * s.N);
  let x = 1;
  for (let i = 0; i < a.length; i++) { x = (x * 48271) % 2147483647; a[i] = x / 2147483647 - 0.5; }
  for (let i = 0; i < b.length; i++) { x = (x * 48271) % 2147483647; b[i] = x / 2147483647 - 0.5; }
  const call = () => blas.sgemm(a, 0, b, 0, c, 0, s.batch, s.M, s.N, s.K, s.tA, s.tB, s.M * s.K, s.K * s.N);
  call();
  const t0 = performance.now();
  call();
  const one = Math.max(performance.now() - t0, 1e-3);
  const calls = Math.max(1, Math.min(2000, Math.round(15 / one)));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < calls; i++) call();
    wall.push((performance.now() - w0) / 1000 / calls);
    cpu.push(cpuSeconds(process.cpuUsage(c0)) / calls);
  }
  const f = flopsOf(s);
  return { shape: s, gflops: f / median(wall) / 1e9, gflopsPerCpuSecond: f / Math.max(median(cpu), 1e-9) / 1e9 };
}

/** The CPU's clock in MHz: Node's figure, else /proc/cpuinfo's (Node reports 0 under some hypervisors). */
export function cpuMhz(): number {
  const own = cpus()[0]?.speed ?? 0;
  if (own > 0) return own;
  try {
    const m = /cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}

export interface Peak { gflops: number; gflopsPerCpuSecond: number; threads: number; nominal: number | null; nominalNote: string; name: string }

/** The FMA peak now (median of three short runs) and the nominal one. */
export function measurePeak(blas: GemmUnderTest, threads: number): Peak {
  const runs = [0, 1, 2].map(() => blas.fmaPeak(threads, 60));
  const info = blas.info();
  const mhz = cpuMhz();
  const cores = Math.min(threads, cpus().length);
  if (blas.peakName) {
    // wasm SIMD: 4 lanes, a multiply and an add (no FMA); x86 cores with two multiply and two add units.
    const wasmNominal = mhz > 0 ? cores * (mhz / 1000) * 16 : null;
    return {
      gflops: median(runs.map((r) => r.gflops)), gflopsPerCpuSecond: median(runs.map((r) => r.gflopsPerCpuSecond)), threads, name: blas.peakName,
      nominal: wasmNominal, nominalNote: wasmNominal ? `${cores} core(s) × ${(mhz / 1000).toFixed(2)} GHz × 16 FLOPs/cycle (4 lanes × (2 multiply + 2 add units), assumed)` : 'unknown (no clock)',
    };
  }
  const nominal = info.avx2Fma && mhz > 0 ? cores * (mhz / 1000) * 32 : null;
  return {
    gflops: median(runs.map((r) => r.gflops)), gflopsPerCpuSecond: median(runs.map((r) => r.gflopsPerCpuSecond)), threads, name: blas.peakName ?? 'FMA peak',
    nominal, nominalNote: nominal ? `${cores} core(s) × ${(mhz / 1000).toFixed(2)} GHz × 32 FLOPs/cycle (2 FMA units × 8 lanes × 2)` : 'unknown (no AVX2+FMA)',
  };
}

export interface GemmReport { peakBefore: Peak; peakAfter: Peak; rows: GemmMeasure[]; total: { gflops: number; gflopsPerCpuSecond: number } }

/** Measure `shapes` between two peak measurements; the total weighs each shape by its FLOPs × count (time-weighted mean). */
export function gemmReport(blas: GemmUnderTest, shapes: GemmShape[], repeats = 5): GemmReport {
  const threads = blas.info().threads;
  const peakBefore = measurePeak(blas, threads);
  const rows = shapes.map((s) => measureShape(blas, s, repeats));
  const peakAfter = measurePeak(blas, threads);
  let flops = 0;
  let wall = 0;
  let cpu = 0;
  for (const r of rows) {
    const f = flopsOf(r.shape) * r.shape.count;
    flops += f;
    wall += f / r.gflops;
    cpu += f / r.gflopsPerCpuSecond;
  }
  return { peakBefore, peakAfter, rows, total: { gflops: flops / wall, gflopsPerCpuSecond: flops / cpu } };
}

/** Lines for a report: each shape's GFLOP/s and its share of the same-run peak (wall / per CPU-second). */
export function formatGemmReport(r: GemmReport, title: string): string[] {
  const pw = (r.peakBefore.gflops + r.peakAfter.gflops) / 2;
  const pc = (r.peakBefore.gflopsPerCpuSecond + r.peakAfter.gflopsPerCpuSecond) / 2;
  const pct = (x: number, p: number) => `${((100 * x) / p).toFixed(0).padStart(3)}%`;
  const lines = [
    `${title}: ${r.peakBefore.threads} thread(s); ${r.peakBefore.name ?? 'FMA peak'} measured now ${pw.toFixed(1)} GFLOP/s wall (before ${r.peakBefore.gflops.toFixed(1)}, after ${r.peakAfter.gflops.toFixed(1)}), ` +
      `${pc.toFixed(1)} GFLOP/s per CPU-second; nominal ${r.peakBefore.nominal ? `${r.peakBefore.nominal.toFixed(1)} GFLOP/s = ${r.peakBefore.nominalNote}` : r.peakBefore.nominalNote}`,
    `  ${'product'.padEnd(22)} ${'batch×M×N×K'.padEnd(20)} ${'GFLOP/s'.padStart(8)} ${'of peak'.padStart(7)}   ${'per CPU-s'.padStart(9)} ${'of peak'.padStart(7)}`,
  ];
  for (const m of r.rows) {
    const s = m.shape;
    const dims = `${s.batch}×${s.M}×${s.N}×${s.K}${s.tA ? ' Aᵀ' : ''}${s.tB ? ' Bᵀ' : ''}`;
    lines.push(`  ${s.name.padEnd(22)} ${dims.padEnd(20)} ${m.gflops.toFixed(1).padStart(8)} ${pct(m.gflops, pw).padStart(7)}   ${m.gflopsPerCpuSecond.toFixed(1).padStart(9)} ${pct(m.gflopsPerCpuSecond, pc).padStart(7)}`);
  }
  lines.push(`  ${'all (FLOP-weighted)'.padEnd(22)} ${''.padEnd(20)} ${r.total.gflops.toFixed(1).padStart(8)} ${pct(r.total.gflops, pw).padStart(7)}   ${r.total.gflopsPerCpuSecond.toFixed(1).padStart(9)} ${pct(r.total.gflopsPerCpuSecond, pc).padStart(7)}`);
  return lines;
}
