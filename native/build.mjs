#!/usr/bin/env node
// Builds native/build/hearth_blas.node (N-API binding to OpenBLAS sgemm) at install time.
// Optional by design: where there is no C compiler, Node headers or OpenBLAS
// (`apt-get install -y libopenblas-dev`), it prints why and exits 0, and the local model
// runs its products on the pure wasm backend instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'build', 'hearth_blas.node');
const include = join(dirname(process.execPath), '..', 'include', 'node');
const skip = (why) => { console.log(`hearth: native BLAS addon not built (${why}); the local model will use pure wasm`); process.exit(0); };

// A binary from elsewhere (another CPU: it is built with -march=native) must never be
// loaded: remove it first, so a failed build leaves no addon rather than a stale one.
rmSync(out, { force: true });
if (process.env.HEARTH_NATIVE === '0') skip('HEARTH_NATIVE=0');
if (!existsSync(join(include, 'node_api.h'))) skip(`no Node headers at ${include}`);
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
if (!cc) skip('no C compiler');
const incs = ['/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas'].filter(existsSync).map((d) => `-I${d}`);
mkdirSync(join(here, 'build'), { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
// -march=native: the addon is built on the machine that runs it (at install).
const r = spawnSync(cc, ['-O3', '-march=native', '-fno-trapping-math', '-fopenmp-simd', '-shared', '-fPIC', '-DNODE_GYP_MODULE_NAME=hearth_blas', `-I${include}`, ...incs,
  join(here, 'blas.c'), join(here, 'forward.c'), '-o', tmp, '-lopenblas', '-lm', '-lpthread'], { encoding: 'utf8' });
if (r.status !== 0) skip(`compile failed: ${(r.stderr || '').trim().split('\n').slice(-2).join(' ')}`);
renameSync(tmp, out);
console.log(`hearth: built ${out}`);
