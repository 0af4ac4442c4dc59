// Compiles Hearth's WebAssembly SIMD kernels (native/wasm/kernels.ts, AssemblyScript) to
// native/build/hearth_kernels.wasm with the `assemblyscript` npm package: the compute path
// for machines without a C compiler (and the reference the native addon is measured against).
// Run by native/build.mjs at install; needs no compiler, no network and no committed binary.
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const wasmKernelsFile = join(here, '..', 'build', 'hearth_kernels.wasm');
/** The same kernels over a shared memory of their own (decoding's arena: its views never detach). */
export const wasmKernelsSharedFile = join(here, '..', 'build', 'hearth_kernels_shared.wasm');

/** Build and check both modules; returns null on success, else why it failed. */
export async function buildWasmKernels() {
  for (const f of [wasmKernelsFile, wasmKernelsSharedFile]) rmSync(f, { force: true });
  mkdirSync(dirname(wasmKernelsFile), { recursive: true });
  let asc;
  try { asc = (await import('assemblyscript/asc')).default; } catch (e) { return `assemblyscript is not installed (${e.message.split('\n')[0]}): run npm ci`; }
  // --importMemory: the module works on memory it is given (the tfjs wasm backend's own, or
  // decoding's shared arena); the stub runtime, no asserts and no abort keep it free of data
  // segments that would land in that memory.
  const common = ['-O3', '--enable', 'simd', '--importMemory', '--runtime', 'stub', '--noAssert', '--use', 'abort='];
  const variants = [
    { file: wasmKernelsFile, flags: [], shared: false },
    { file: wasmKernelsSharedFile, flags: ['--enable', 'threads', '--sharedMemory', '--maximumMemory', '65536'], shared: true },
  ];
  for (const v of variants) {
    const tmp = `${v.file}.${process.pid}.tmp`;
    const errors = [];
    const sink = { write: (s) => { errors.push(String(s)); return true; } };
    const { error } = await asc.main([join(here, 'kernels.ts'), ...common, ...v.flags, '--outFile', tmp], { stdout: sink, stderr: sink });
    if (error) { rmSync(tmp, { force: true }); return `asc failed: ${error.message}; ${errors.join('').trim().split('\n').slice(0, 3).join(' ')}`; }
    const why = await checkWasmKernels(readFileSync(tmp), v.shared);
    if (why) { rmSync(tmp, { force: true }); return why; }
    renameSync(tmp, v.file);
  }
  return null;
}

/** Instantiate over a fresh memory and check one product and one exp (a broken build must not be left in place). */
export async function checkWasmKernels(bytes, shared = false) {
  try {
    // 1 MiB: the product's packing space (~580 KiB) included.
    const memory = new WebAssembly.Memory(shared ? { initial: 16, maximum: 65536, shared: true } : { initial: 16 });
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
