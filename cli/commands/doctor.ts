/**
 * `hearth doctor`: which compute path the local model runs on here, and how fast its matrix
 * products are against this machine's peak measured in the same run. Prints the tfjs
 * backend, the CPU's SIMD (AVX2 / FMA / AVX-512) and wasm SIMD, threads, the native addon
 * (Hearth's own GEMM, OpenBLAS, or none, with the command that would enable it), and the
 * GEMM's GFLOP/s on the quick recipe's training-step products as a share of an FMA-only peak
 * measured just before and after (wall clock, and per CPU-second, which stays meaningful
 * when other processes share the cores), beside the nominal cores × GHz × 32 FLOPs/cycle.
 * `--json` prints one object instead; `--quick` measures fewer repeats.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nativeBlas, nativeBlasNote } from '../../agent/native-blas.ts';
import { backendDetail, initBackend, tf } from '../../agent/tfjs.ts';
import { formatGemmReport, gemmReport, QUICK_MODEL, trainingShapes } from '../../bench/lm/gemm-bench.ts';
import { wasmGemmUnderTest } from '../../bench/lm/wasm-gemm.ts';
import { activeHeapKernels } from '../../agent/heap-kernels.ts';
import { wasmKernelsNote } from '../../agent/wasm-simd.ts';
import type { Command } from '../main.ts';
import { parseArgs } from '../args.ts';

const USAGE = 'hearth doctor [--json] [--quick]';

function cpuFlags(): Set<string> {
  try {
    const m = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return new Set(m ? m[1].split(/\s+/) : []);
  } catch { return new Set(); }
}

export const command: Command = {
  name: 'doctor',
  summary: 'print the local model\'s compute path (backend, SIMD, threads, native addon) and its GEMM speed against this machine\'s peak',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, { json: { type: 'boolean' }, quick: { type: 'boolean' } } as const, USAGE);
    const backend = await initBackend();
    const flags = cpuFlags();
    const blas = nativeBlas();
    const info = blas?.info() ?? null;
    let wasmSimd: boolean | null = null;
    try { wasmSimd = backend === 'wasm' ? Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) : null; } catch { /* not the wasm backend */ }
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const built = { hearth: existsSync(`${root}native/build/hearth_blas.node`), openblas: existsSync(`${root}native/build/hearth_blas_openblas.node`) };
    const addon = info ? info.gemm : 'none';
    const enable = !info
      ? (process.env.HEARTH_NATIVE === '0' ? 'unset HEARTH_NATIVE (it is 0)' : built.hearth ? `the addon did not load (${nativeBlasNote()}): node native/build.mjs` : 'node native/build.mjs (needs a C compiler: apt-get install -y gcc)')
      : info.gemm === 'openblas' ? 'unset HEARTH_GEMM for Hearth\'s own GEMM (as fast or faster for our shapes, docs/native.md)' : '';
    // Without the addon: the wasm SIMD kernels' product (against a wasm mul+add peak), when they run.
    const kernels = activeHeapKernels();
    const wasmKernels = !blas && kernels ? kernels.describe() : null;
    const underTest = blas ?? (wasmKernels ? wasmGemmUnderTest() : null);
    const report = underTest ? gemmReport(underTest, trainingShapes(QUICK_MODEL), args.flags.quick ? 1 : 3) : null;
    const summary = {
      node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), loadAverage: loadavg(),
      simd: { avx2: flags.has('avx2'), fma: flags.has('fma'), avx512f: flags.has('avx512f'), wasmSimd },
      backend, backendDetail: backendDetail(),
      addon, addonBuilt: built, kernel: info?.kernel ?? null, note: nativeBlasNote(),
      wasmKernels, wasmKernelsNote: wasmKernelsNote() || null,
      threads: { products: info?.threads ?? 1, decode: Number(process.env.HEARTH_DECODE_THREADS ?? 1) },
      enable: enable || null,
      gemm: report && {
        gflops: report.total.gflops, gflopsPerCpuSecond: report.total.gflopsPerCpuSecond,
        peakGflops: (report.peakBefore.gflops + report.peakAfter.gflops) / 2,
        peakGflopsPerCpuSecond: (report.peakBefore.gflopsPerCpuSecond + report.peakAfter.gflopsPerCpuSecond) / 2,
        nominalPeakGflops: report.peakBefore.nominal, shapes: report.rows.map((r) => ({ ...r.shape, gflops: r.gflops, gflopsPerCpuSecond: r.gflopsPerCpuSecond })),
      },
    };
    if (args.flags.json) { console.log(JSON.stringify(summary)); return 0; }
    const yes = (b: boolean | null) => (b === null ? 'n/a' : b ? 'yes' : 'no');
    console.log(`node      ${summary.node}; ${summary.cpu}, ${summary.cores} core(s); load average ${summary.loadAverage.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`backend   ${summary.backendDetail}`);
    console.log(`SIMD      CPU AVX2 ${yes(summary.simd.avx2)}, FMA ${yes(summary.simd.fma)}, AVX-512F ${yes(summary.simd.avx512f)}; wasm SIMD ${yes(wasmSimd)}`);
    console.log(`addon     ${addon === 'hearth' ? `ours (Hearth GEMM, ${info!.kernel} micro-kernel)` : addon === 'openblas' ? `openblas (${blas!.config()})` : `none${summary.note ? ` (${summary.note})` : ''}`}` +
      `; built: ours ${yes(built.hearth)}, OpenBLAS variant ${yes(built.openblas)}`);
    console.log(`wasm      ${wasmKernels ? `${wasmKernels}: products, Exp, Sum, GELU and decoding run in them` : blas ? 'SIMD kernels not in use (the addon runs instead)' : `tfjs's own kernels only${summary.wasmKernelsNote ? ` (${summary.wasmKernelsNote})` : ''}`}`);
    console.log(`threads   ${blas ? `products ${summary.threads.products} (HEARTH_BLAS_THREADS), native decode ${summary.threads.decode} (HEARTH_DECODE_THREADS)` : `wasm products ${wasmKernels?.includes('2 threads') ? 2 : 1} (HEARTH_WASM_THREADS)`}`);
    if (enable) console.log(`faster    ${enable}`);
    if (report) {
      const share = (100 * summary.gemm!.gflops) / summary.gemm!.peakGflops;
      const shareCpu = (100 * summary.gemm!.gflopsPerCpuSecond) / summary.gemm!.peakGflopsPerCpuSecond;
      console.log(`GEMM      ${summary.gemm!.gflops.toFixed(1)} GFLOP/s on the quick recipe's training products = ${share.toFixed(0)}% of the ${report.peakBefore.name} measured now (${summary.gemm!.peakGflops.toFixed(1)} GFLOP/s, ${report.peakBefore.threads} thread(s)); ` +
        `per CPU-second ${summary.gemm!.gflopsPerCpuSecond.toFixed(1)} of ${summary.gemm!.peakGflopsPerCpuSecond.toFixed(1)} = ${shareCpu.toFixed(0)}%` +
        (report.peakBefore.nominal ? `; nominal peak ${report.peakBefore.nominalNote} = ${report.peakBefore.nominal.toFixed(1)} GFLOP/s` : ''));
      if (!args.flags.quick) for (const line of formatGemmReport(report, '  by product').slice(1)) console.log(`  ${line}`);
    } else console.log('GEMM      neither the addon nor the wasm SIMD kernels: not measured');
    return 0;
  },
};
