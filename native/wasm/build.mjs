// Compiles Hearth's WebAssembly SIMD kernels (native/wasm/kernels.ts, AssemblyScript) to
// native/build/hearth_kernels.wasm with the `assemblyscript` npm package: the compute path
// for machines without a C compiler (and the reference the native addon is measured against).
// Run by native/build.mjs at install; needs no compiler, no network and no committed binary.
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const wasmKernelsFile = join(here, '..', 'build', 'hearth_kernels.wasm');

/** Build and check the module; returns null on success, else why it failed. */
export async function buildWasmKernels() {
  rmSync(wasmKernelsFile, { force: true });
  mkdirSync(dirname(wasmKernelsFile), { recursive: true });
  const tmp = `${wasmKernelsFile}.${process.pid}.tmp`;
  let asc;
  try { asc = (await import('assemblyscript/asc')).default; } catch (e) { return `assemblyscript is not installed (${e.message.split('\n')[0]}): run npm ci`; }
  const errors = [];
  const sink = { write: (s) => { errors.push(String(s)); return true; } };
  // --importMemory: the module works on the tfjs wasm backend's own memory; the stub runtime,
  // no asserts and no abort keep it free of data segments that would land in that memory.
  const { error } = await asc.main([join(here, 'kernels.ts'), '-O3', '--enable', 'simd', '--importMemory', '--runtime', 'stub',
    '--noAssert', '--use', 'abort=', '--outFile', tmp], { stdout: sink, stderr: sink });
  if (error) { rmSync(tmp, { force: true }); return `asc failed: ${error.message}; ${errors.join('').trim().split('\n').slice(0, 3).join(' ')}`; }
  const why = await checkWasmKernels(readFileSync(tmp));
  if (why) { rmSync(tmp, { force: true }); return why; }
  renameSync(tmp, wasmKernelsFile);
  return null;
}

/** Instantiate over a fresh memory and check one product and one exp (a broken build must not be left in place). */
export async function checkWasmKernels(bytes) {
  try {
    const memory = new WebAssembly.Memory({ initial: 16 }) // 1 MiB: the product's packing space (~580 KiB) included;
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    const k = instance.exports;
    const f = new Float32Array(memory.buffer);
    f.set([1, 2, 3, 4], 0);
    k.sgemm(0, 0, 16, 1, 2, 2, 2, 0, 0, 0, 0, 64);
    if (f.subarray(4, 8).join() !== '7,10,15,22') return `wrong product ${f.subarray(4, 8).join()}`;
    k.exp(0, 16, 1);
    if (Math.abs(f[4] - Math.E) > 1e-6) return `wrong exp ${f[4]}`;
    return null;
  } catch (e) {
    return `the module does not run here (${e.message}): Node ≥ 16.4 with WebAssembly SIMD is needed`;
  }
}
