/**
 * The wasm SIMD kernels as a GemmUnderTest (bench/lm/gemm-bench.ts), for `hearth doctor` and
 * `bench:lm` on the no-compiler path: their product on one thread over a memory of their
 * own, against a wasm mul+add peak (native/wasm/kernels.ts simdPeak) measured in the same
 * run. Operands are copied into that memory once per array (the benchmark calls the product
 * repeatedly on the same arrays), so the timings are the product's alone.
 */
import { instantiateWasmKernels } from '../../agent/wasm-simd.ts';
import type { GemmUnderTest } from './gemm-bench.ts';

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

export function wasmGemmUnderTest(): GemmUnderTest | null {
  const memory = new WebAssembly.Memory({ initial: 256 });
  const k = instantiateWasmKernels(memory) as (ReturnType<typeof instantiateWasmKernels> & { simdPeak(n: number): number }) | null;
  if (!k) return null;
  const work = 64;
  let top = Math.ceil((work + k.sgemmWorkspaceFloats() * 4) / 64) * 64;
  const placed = new WeakMap<object, number>();
  const place = (x: ArrayBuffer | Float32Array): number => {
    const arr = x instanceof Float32Array ? x : new Float32Array(x);
    let at = placed.get(arr);
    if (at === undefined) {
      at = top;
      top += Math.ceil((arr.length * 4) / 64) * 64;
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      new Float32Array(memory.buffer, at, arr.length).set(arr);
      placed.set(arr, at);
    }
    return at;
  };
  return {
    peakName: 'wasm SIMD mul+add peak',
    info: () => ({ threads: 1, avx2Fma: false }),
    sgemm: (a, aOff, b, bOff, c, cOff, batch, M, N, K, transA, transB, strideA, strideB) =>
      k.sgemm(place(a) + aOff * 4, place(b) + bOff * 4, place(c) + cOff * 4, batch, M, N, K, transA ? 1 : 0, transB ? 1 : 0, strideA, strideB, work),
    fmaPeak: (_threads, ms) => {
      let steps = 0;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      while (performance.now() - t0 < ms) { k.simdPeak(200_000); steps += 200_000; }
      const wall = (performance.now() - t0) / 1000;
      const cpu = Math.max(cpuSeconds(process.cpuUsage(c0)), 1e-9);
      return { gflops: (96 * steps) / wall / 1e9, gflopsPerCpuSecond: (96 * steps) / cpu / 1e9 };
    },
  };
}
