/**
 * `hearth doctor --json` names the compute path that runs and measures its product against the
 * same-run peak: with the addon (when built), and without it (HEARTH_NATIVE=0: the wasm SIMD
 * kernels, or with HEARTH_WASM_KERNELS=0 tfjs's own kernels, which it says it cannot measure).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const doctor = (env: Record<string, string>) => {
  const r = spawnSync(process.execPath, ['bin/hearth.mjs', 'doctor', '--json', '--quick'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, HEARTH_NATIVE: '', HEARTH_WASM_KERNELS: '', HEARTH_GEMM: '', ...env }, timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    addon: string; backendDetail: string; wasmKernels: string | null; enable: string | null; gemm: { gflops: number; gflopsPerCpuSecond: number; peakGflops: number } | null;
  };
};

describe('hearth doctor', () => {
  it('without the addon: the wasm SIMD kernels run, and their product is measured against a wasm peak', () => {
    const d = doctor({ HEARTH_NATIVE: '0' });
    expect(d.addon).toBe('none');
    expect(d.wasmKernels).toMatch(/^Hearth wasm SIMD kernels, [12] threads?$/);
    expect(d.backendDetail).toContain('Hearth wasm SIMD kernels');
    expect(d.enable).toContain('HEARTH_NATIVE');
    expect(d.gemm!.gflops).toBeGreaterThan(0);
    expect(d.gemm!.peakGflops).toBeGreaterThan(0);
  }, 180_000);

  it('with tfjs kernels only it says so and measures nothing', () => {
    const d = doctor({ HEARTH_NATIVE: '0', HEARTH_WASM_KERNELS: '0' });
    expect(d.wasmKernels).toBeNull();
    expect(d.backendDetail).toContain('tfjs kernels only');
    expect(d.gemm).toBeNull();
  }, 180_000);

  it.skipIf(!existsSync(new URL('native/build/hearth_blas.node', root)))('with the addon: Hearth GEMM, measured against the FMA peak', () => {
    const d = doctor({});
    expect(d.addon).toBe('hearth');
    expect(d.wasmKernels).toBeNull();
    expect(d.backendDetail).toContain('native matmul: Hearth GEMM');
    expect(d.gemm!.gflops).toBeGreaterThan(0);
  }, 180_000);
});
