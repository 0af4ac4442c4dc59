/**
 * `npm run bench:lm`: the local model's training and KV-cache decoding tokens/s on each
 * compute path available here, against PyTorch on the same model, shape and initialisation
 * (2 layers, d=128, 4 heads, ctx 128, batch 16, vocab 512 by default), all in one run:
 *
 *   hearth    native addon, Hearth's own GEMM (native/gemm.c; the default when built)
 *   openblas  native addon over OpenBLAS (HEARTH_GEMM=openblas; only where it was built)
 *   wasm      Hearth's wasm SIMD kernels, no addon (HEARTH_NATIVE=0): the no-compiler path
 *   tfjs-wasm tfjs's own wasm kernels only (HEARTH_NATIVE=0 HEARTH_WASM_KERNELS=0; optional)
 *   pytorch   bench/lm/torch_bench.py (Debian's python3-torch), --threads threads
 *
 * Each path runs in its own process (the path is fixed at start-up). Training is the median
 * of 5 optimizer steps after a warm-up step; decoding the median of 3 timed repeats. Figures
 * are wall clock and per CPU-second (all threads), with the load average before and after
 * each. Ratios (ours vs OpenBLAS: target ≥ 0.9; ours vs PyTorch: target ≥ 1) are printed only
 * when the machine was quiet: a 1-minute load average above --max-load (default: the number of
 * cores) before a path, or above --max-load + 2 (our own threads) after it, withholds them
 * unless --force. Then the native GEMM's GFLOP/s on the quick recipe's training products and on
 * decoding products, as a share of the FMA peak measured in the same run (bench/lm/gemm-bench.ts).
 *
 * Flags: --layers --d --heads --ctx --batch --vocab --steps --decode-steps --threads (PyTorch),
 * --rounds N (every path N times in turn, medians over rounds; loads shown are the highest),
 * --paths hearth,openblas,wasm,pytorch (optional: hearth-1t, ours on one thread; openblas-2t, OpenBLAS on two; wasm-1t, the wasm kernels on one; tfjs-wasm)  --max-load N  --force  --no-gemm  --json
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatGemmReport, type GemmReport } from './gemm-bench.ts';

const arg = (name: string, fb: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fb;
};
const strArg = (name: string, fb: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fb;
};
const shape = { layers: arg('layers', 2), d: arg('d', 128), heads: arg('heads', 4), ctx: arg('ctx', 128), batch: arg('batch', 16), vocab: arg('vocab', 512), steps: arg('steps', 5) };
const decodeSteps = arg('decode-steps', 64);
const threads = arg('threads', 2);
const cores = availableParallelism();
const maxLoad = arg('max-load', cores);
const force = process.argv.includes('--force');
const wantPaths = strArg('paths', 'hearth,openblas,wasm,pytorch').split(',');
const root = fileURLToPath(new URL('../../', import.meta.url));
const openblasBuilt = existsSync(`${root}native/build/hearth_blas_openblas.node`);
const oursBuilt = existsSync(`${root}native/build/hearth_blas.node`);

type Rates = Record<string, number>;
interface PathResult { name: string; detail: string; rates?: Rates; error?: string; loadBefore: number; loadAfter: number; gemm?: { training: GemmReport; decoding: GemmReport } | null }

const load1 = () => loadavg()[0];
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';
const shapeArgs = Object.entries(shape).flatMap(([k, v]) => [`--${k}`, `${v}`]);

function nodePath(name: string, env: Record<string, string>, gemm: boolean): PathResult {
  const loadBefore = load1();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('HEARTH_GEMM' in env)) delete childEnv.HEARTH_GEMM;
  if (!('HEARTH_NATIVE' in env)) delete childEnv.HEARTH_NATIVE;
  if (!('HEARTH_BLAS_THREADS' in env)) delete childEnv.HEARTH_BLAS_THREADS;
  if (!('HEARTH_WASM_KERNELS' in env)) delete childEnv.HEARTH_WASM_KERNELS;
  if (!('HEARTH_WASM_THREADS' in env)) delete childEnv.HEARTH_WASM_THREADS;
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./path.ts', import.meta.url)), ...shapeArgs, '--decode-steps', `${decodeSteps}`, ...(gemm ? ['--gemm'] : [])],
    { encoding: 'utf8', env: childEnv, cwd: root, maxBuffer: 64 << 20 });
  const loadAfter = load1();
  if (r.status !== 0) return { name, detail: '', error: lastLine(r.stderr || r.error?.message || 'failed'), loadBefore, loadAfter };
  const j = JSON.parse(lastLine(r.stdout)) as Rates & { backendDetail: string; note: string; gemm: PathResult['gemm'] };
  return { name, detail: `${j.backendDetail}${j.note ? `; ${j.note}` : ''}`, rates: j, loadBefore, loadAfter, gemm: j.gemm };
}

function torchPath(): PathResult {
  const loadBefore = load1();
  const py = ['/usr/bin/python3', 'python3'].find((p) => p === 'python3' || existsSync(p))!;
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const r = spawnSync(py, [script, ...shapeArgs, '--threads', `${threads}`, '--decode-steps', `${decodeSteps}`, '--decode-batch', '32'],
    { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  const loadAfter = load1();
  if (r.status !== 0) return { name: 'pytorch', detail: '', error: lastLine(r.stderr || r.error?.message || 'failed'), loadBefore, loadAfter };
  const j = JSON.parse(lastLine(r.stdout)) as Rates & { torch: string };
  // The reference must not be slowed by denormals (PyTorch's default init did that): flushing
  // them must not make it clearly faster, and its gradients must hold (almost) none.
  const denormalWarning = j.flushDenormalSpeedup > 1.3 || j.gradDenormalShare > 0.01 ? ' — WARNING: the reference looks slowed by denormals, its ratios are unfair' : '';
  return { name: 'pytorch', detail: `PyTorch ${j.torch}, ${threads} thread(s), our init; flush-denormal check: ${j.flushDenormalSpeedup.toFixed(2)}× per CPU-second with set_flush_denormal(True) (≈1 means no denormal slowdown), denormal share of gradients ${(100 * j.gradDenormalShare).toFixed(2)}%${denormalWarning}`, rates: j, loadBefore, loadAfter };
}

const started = new Date().toISOString();
console.log(`bench:lm ${started}; shape ${JSON.stringify(shape)}; ${cores} cores; ${arg('rounds', 1)} round(s); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (ratios need ≤ ${maxLoad}${force ? ', forced' : ''})`);
// --rounds N runs every path N times in turn (A B C A B C …) and reports each figure's median
// over the rounds: a change of load during the run then hits every path alike.
const rounds = Math.max(1, arg('rounds', 1));
const unavailable = (name: string, error: string): PathResult => ({ name, detail: '', error, loadBefore: load1(), loadAfter: load1() });
const runs = new Map<string, PathResult[]>();
for (let round = 0; round < rounds; round++) {
  const add = (p: PathResult) => runs.set(p.name, [...(runs.get(p.name) ?? []), p]);
  if (wantPaths.includes('pytorch')) add(torchPath());
  if (wantPaths.includes('hearth')) add(oursBuilt ? nodePath('hearth', {}, round === 0 && !process.argv.includes('--no-gemm')) : unavailable('hearth', 'addon not built (node native/build.mjs)'));
  // Optional (--paths …,hearth-1t): Hearth's GEMM on one thread, to see what the second core gives.
  if (wantPaths.includes('hearth-1t') && oursBuilt) add(nodePath('hearth-1t', { HEARTH_BLAS_THREADS: '1' }, false));
  if (wantPaths.includes('openblas')) {
    add(openblasBuilt ? nodePath('openblas', { HEARTH_GEMM: 'openblas' }, false)
      : unavailable('openblas', 'OpenBLAS variant not built (apt-get install -y libopenblas-dev && node native/build.mjs)'));
  }
  if (wantPaths.includes('openblas-2t') && openblasBuilt) add(nodePath('openblas-2t', { HEARTH_GEMM: 'openblas', HEARTH_BLAS_THREADS: '2' }, false));
  if (wantPaths.includes('wasm')) add(nodePath('wasm', { HEARTH_NATIVE: '0' }, round === 0 && !process.argv.includes('--no-gemm')));
  if (wantPaths.includes('wasm-1t')) add(nodePath('wasm-1t', { HEARTH_NATIVE: '0', HEARTH_WASM_THREADS: '1' }, false));
  if (wantPaths.includes('tfjs-wasm')) add(nodePath('tfjs-wasm', { HEARTH_NATIVE: '0', HEARTH_WASM_KERNELS: '0' }, false));
}
const medianOf = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2; };
const results: PathResult[] = [...runs.values()].map((ps) => {
  const ok = ps.filter((p) => p.rates);
  if (!ok.length) return ps[0];
  const rates: Rates = {};
  for (const k of Object.keys(ok[0].rates!)) if (typeof ok[0].rates![k] === 'number') rates[k] = medianOf(ok.map((p) => p.rates![k]));
  return { ...ok[0], rates, loadBefore: Math.max(...ps.map((p) => p.loadBefore)), loadAfter: Math.max(...ps.map((p) => p.loadAfter)) };
});

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(7);
const keys = ['train', 'decode', 'batchedDecode'] as const;
const rate = (r: Rates, k: typeof keys[number], unit: 'Second' | 'CpuSecond') => r[`${k}TokensPer${unit}`];
console.log('\ntokens/s: wall clock | per CPU-second (all threads)         load avg before → after');
console.log(`  ${'path'.padEnd(9)} ${'train'.padStart(7)} ${'dec(1)'.padStart(7)} ${'dec(32)'.padStart(7)} | ${'train'.padStart(7)} ${'dec(1)'.padStart(7)} ${'dec(32)'.padStart(7)}`);
for (const p of results) {
  if (!p.rates) { console.log(`  ${p.name.padEnd(9)} unavailable: ${p.error}`); continue; }
  const w = keys.map((k) => fmt(rate(p.rates!, k, 'Second'))).join(' ');
  const c = keys.map((k) => fmt(rate(p.rates!, k, 'CpuSecond'))).join(' ');
  console.log(`  ${p.name.padEnd(9)} ${w} | ${c}     ${p.loadBefore.toFixed(2)} → ${p.loadAfter.toFixed(2)}`);
}
for (const p of results) if (p.rates) console.log(`  ${p.name}: ${p.detail}`);

const byName = new Map(results.filter((p) => p.rates).map((p) => [p.name, p]));
const busy = results.filter((p) => p.loadBefore > maxLoad || p.loadAfter > maxLoad + 2);
const ratios: Record<string, Record<string, number>> = {};
const ratio = (a: string, b: string, target: string) => {
  const x = byName.get(a);
  const y = byName.get(b);
  if (!x || !y) return;
  const r: Record<string, number> = {};
  for (const unit of ['Second', 'CpuSecond'] as const) for (const k of keys) r[`${k}${unit === 'Second' ? '' : 'PerCpu'}`] = rate(x.rates!, k, unit) / rate(y.rates!, k, unit);
  ratios[`${a}/${b}`] = r;
  if (busy.length && !force) return;
  console.log(`  ${`${a} / ${b}`.padEnd(19)} train ${r.train.toFixed(2)}× (per CPU-s ${r.trainPerCpu.toFixed(2)}×; target ${target})   decode(1) ${r.decode.toFixed(2)}× (${r.decodePerCpu.toFixed(2)}×)   decode(32) ${r.batchedDecode.toFixed(2)}× (${r.batchedDecodePerCpu.toFixed(2)}×)`);
};
console.log('\nratios (wall clock, per CPU-second in brackets):');
if (busy.length && !force) {
  console.log(`  withheld: the machine was busy (1-min load average ${busy.map((p) => `${p.loadBefore.toFixed(1)} → ${p.loadAfter.toFixed(1)} around ${p.name}`).join(', ')}; limit ${maxLoad} before, ${maxLoad + 2} after). Rerun when it is quiet, or pass --force.`);
} else if (busy.length) console.log(`  (forced: the machine was busy, load up to ${Math.max(...busy.map((p) => Math.max(p.loadBefore, p.loadAfter))).toFixed(1)}; treat these as indicative)`);
ratio('hearth', 'openblas', '≥ 0.9');
ratio('hearth', 'openblas-2t', '≥ 0.9');
ratio('hearth', 'pytorch', '≥ 1');
ratio('openblas', 'pytorch', '-');
ratio('hearth', 'wasm', '-');
ratio('wasm', 'pytorch', '≥ 0.5');
ratio('wasm', 'tfjs-wasm', '-');
ratio('wasm', 'wasm-1t', '-');
ratio('hearth', 'hearth-1t', '-');

const wg = byName.get('wasm')?.gemm;
if (wg) {
  console.log('');
  for (const line of formatGemmReport(wg.training, 'wasm SIMD kernels\' product on the quick recipe\'s training-step products (one thread)')) console.log(line);
}
const g = byName.get('hearth')?.gemm;
if (g) {
  console.log('');
  for (const line of formatGemmReport(g.training, 'Hearth GEMM on the quick recipe\'s training-step products (layers 2, d 128, heads 4, ctx 256, vocab 1024, 16 rows)')) console.log(line);
  console.log('');
  for (const line of formatGemmReport(g.decoding, 'Hearth GEMM on decoding products (1 and 32 sequences, same model)')) console.log(line);
  console.log('  (target: ≥ 60% of the same-run peak on the training products; the per-CPU-second share is the one that survives a busy machine)');
}
console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ started, shape, cores, maxLoad, forced: force, busy: busy.map((p) => p.name), results, ratios }));
