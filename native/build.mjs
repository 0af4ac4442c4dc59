#!/usr/bin/env node
// Builds the local model's native addon at install time (`npm ci` runs it as postinstall):
//   native/build/hearth_blas.node           products on Hearth's own GEMM (native/gemm.c); needs
//                                           only a C compiler and Node-API headers (Node's own, or
//                                           the node-api-headers package): the default
//   native/build/hearth_blas_openblas.node  the same addon over OpenBLAS's sgemm, built only where
//                                           OpenBLAS is installed (libopenblas-dev); opt in with
//                                           HEARTH_GEMM=openblas (docs/native.md: not faster for
//                                           our shapes)
// Optional by design: where nothing can be built it says why and exits 0, and the local model
// runs on pure wasm. The last line always names the compute path set up (and how to get a
// faster one when there is one). HEARTH_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWasmKernels } from './wasm/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'build');
const out = join(outDir, 'hearth_blas.node');
const outOpenblas = join(outDir, 'hearth_blas_openblas.node');
const require = createRequire(import.meta.url);
const say = (line) => console.log(`hearth: ${line}`);
// The wasm SIMD kernels first: they need no compiler, and they are the fallback path.
const wasmKernelsError = await buildWasmKernels();
say(wasmKernelsError ? `wasm SIMD kernels not built: ${wasmKernelsError}` : 'built native/build/hearth_kernels.wasm (wasm SIMD kernels)');
const wasmPath = (why, fix) => {
  if (wasmKernelsError) say(`compute path: pure tfjs wasm (${why}; no wasm SIMD kernels either); the local model trains ~5x slower than with the native addon.`);
  else say(`compute path: Hearth wasm SIMD kernels (${why}); training runs at ~0.6x the native addon's speed per CPU-second, decoding ~0.4-0.7x (docs/native.md).`);
  if (fix) say(`to enable the native GEMM: ${fix}`);
  process.exit(0);
};

// A binary from elsewhere (another CPU: it is built with -march=native) must never be
// loaded: remove it first, so a failed build leaves no addon rather than a stale one.
rmSync(out, { force: true });
rmSync(outOpenblas, { force: true });
if (process.env.HEARTH_NATIVE === '0') wasmPath('HEARTH_NATIVE=0 at install', 'node native/build.mjs (without HEARTH_NATIVE=0)');

// Node-API headers: Node's own include dir, else the node-api-headers package (no download).
function napiInclude() {
  const own = join(dirname(process.execPath), '..', 'include', 'node');
  if (existsSync(join(own, 'node_api.h'))) return own;
  try {
    const pkg = dirname(require.resolve('node-api-headers/package.json'));
    if (existsSync(join(pkg, 'include', 'node_api.h'))) return join(pkg, 'include');
  } catch { /* not installed */ }
  return null;
}
const include = napiInclude();
if (!include) wasmPath('no Node-API headers', 'npm install node-api-headers && node native/build.mjs');
const cc = [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean).find((c) => spawnSync(c, ['--version']).status === 0);
if (!cc) wasmPath('no C compiler', 'apt-get install -y gcc && node native/build.mjs');
mkdirSync(outDir, { recursive: true });

const sources = ['blas.c', 'forward.c', 'gemm.c', 'norm.c', 'pool.c'].map((f) => join(here, f));
const base = ['-O3', '-fno-trapping-math', '-fopenmp-simd', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=hearth_blas', `-I${include}`];
/** Compile to `dest` (atomically); -march=native first (built on the machine that runs it), plain if the compiler refuses it. */
function compile(dest, extra, libs) {
  const tmp = `${dest}.${process.pid}.tmp`;
  let r;
  for (const march of [['-march=native'], []]) {
    r = spawnSync(cc, [...base, ...march, ...extra, ...sources, '-o', tmp, ...libs, '-lm', '-lpthread'], { encoding: 'utf8' });
    if (r.status === 0) { renameSync(tmp, dest); return null; }
  }
  rmSync(tmp, { force: true });
  return (r.stderr || r.error?.message || 'failed').trim().split('\n').slice(-2).join(' ');
}
/** Load a built addon and check one product (a broken build must not be left in place). */
function check(dest) {
  try {
    const m = require(dest);
    const a = new Float32Array([1, 2, 3, 4]);
    const c = new Float32Array(4);
    m.sgemm(a, 0, a, 0, c, 0, 1, 2, 2, 2, false, false, 0, 0);
    if (c.join() !== '7,10,15,22') throw new Error(`wrong product ${c.join()}`);
    return m.info();
  } catch (e) {
    rmSync(dest, { force: true });
    return { error: e.message };
  }
}

const err = compile(out, [], []);
const info = err ? { error: `compile failed: ${err}` } : check(out);
if (info.error) wasmPath(info.error, null);

// The OpenBLAS variant, where its headers and library exist (for comparison; opt-in).
const hasCblas = (d) => { try { return readFileSync(join(d, 'cblas.h'), 'utf8').includes('cblas_sgemm'); } catch { return false; } };
const incs = ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas', '/usr/include'].filter(hasCblas);
let openblas = 'not built (no OpenBLAS headers: apt-get install -y libopenblas-dev && node native/build.mjs)';
if (incs.length) {
  const e = compile(outOpenblas, ['-DHEARTH_OPENBLAS', ...incs.map((d) => `-I${d}`)], ['-lopenblas']);
  const oi = e ? { error: e } : check(outOpenblas);
  openblas = oi.error ? `not built (${oi.error})` : 'also built; opt in with HEARTH_GEMM=openblas (not faster for our shapes: docs/native.md)';
}
say(`built ${out} (Node-API headers from ${include})`);
say(`OpenBLAS variant: ${openblas}`);
say(`compute path: native Hearth GEMM (${info.kernel} micro-kernel${info.avx2Fma ? '' : '; this CPU has no AVX2+FMA'}), wasm for the rest; this is the fastest path here.`);
