/**
 * `npm run bench:lm`: the local model (tfjs) against PyTorch on the same model and shape
 * (2 layers, d=128, 4 heads, ctx 128, batch 16, vocab 512 by default), measured in the
 * same run: training tokens/s, KV-cache decoding tokens/s of one sequence, and batched
 * decoding of 32 sequences. Prints each side's numbers and the ratios against the issue's
 * targets (train ≥ 0.5× PyTorch, decode ≥ 1×, batched-32 ≥ 8× single). The PyTorch side
 * needs Debian's python3-torch (`apt-get install -y python3-torch libopenblas0-pthread`);
 * without it the tfjs side still runs and the ratios are reported as unavailable.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { backendDetail } from '../../agent/tfjs.ts';
import { benchDecode, benchTrain } from './tfjs-bench.ts';

const arg = (name: string, fb: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fb;
};
const shape = { layers: arg('layers', 2), d: arg('d', 128), heads: arg('heads', 4), ctx: arg('ctx', 128), batch: arg('batch', 16), vocab: arg('vocab', 512), steps: arg('steps', 5) };
const backendIdx = process.argv.indexOf('--backend');
const backend = backendIdx >= 0 ? process.argv[backendIdx + 1] : undefined;
const decodeSteps = arg('decode-steps', 64);
const threads = arg('threads', 2);

function torchSide(): Record<string, number> | { error: string } {
  const py = ['/usr/bin/python3', 'python3'].find((p) => p === 'python3' || existsSync(p))!;
  const script = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
  const r = spawnSync(py, [script, '--layers', `${shape.layers}`, '--d', `${shape.d}`, '--heads', `${shape.heads}`, '--ctx', `${shape.ctx}`,
    '--batch', `${shape.batch}`, '--vocab', `${shape.vocab}`, '--steps', `${shape.steps}`, '--threads', `${threads}`, '--decode-steps', `${decodeSteps}`, '--decode-batch', '32'],
  { encoding: 'utf8', env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`shape: ${JSON.stringify(shape)}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const torch = torchSide();
const train = await benchTrain({ ...shape, backend });
// A discarded warm-up run: the decoding engine's JS loops reach steady state (V8 tiers up)
// only after some hundred steps, which would otherwise penalise whichever shape runs first.
await benchDecode({ ...shape, batch: 4, steps: decodeSteps, backend });
const dec1 = await benchDecode({ ...shape, batch: 1, steps: decodeSteps, backend });
const dec32 = await benchDecode({ ...shape, batch: 32, steps: decodeSteps, backend });
const tfjs = {
  backend: train.backend, backendDetail: backendDetail(),
  trainTokensPerSecond: train.tokensPerSecond, decodeTokensPerSecond: dec1.tokensPerSecond, batchedDecodeTokensPerSecond: dec32.tokensPerSecond,
  trainTokensPerCpuSecond: train.tokensPerCpuSecond, decodeTokensPerCpuSecond: dec1.tokensPerCpuSecond, batchedDecodeTokensPerCpuSecond: dec32.tokensPerCpuSecond,
};
const line = (name: string, x: Record<string, number | string>, unit: 'Second' | 'CpuSecond') =>
  `${name.padEnd(28)} train ${fmt(x[`trainTokensPer${unit}`] as number).padStart(7)}   decode(1) ${fmt(x[`decodeTokensPer${unit}`] as number).padStart(7)}   decode(32) ${fmt(x[`batchedDecodeTokensPer${unit}`] as number).padStart(7)}`;
const ratioLine = (x: Record<string, number | string>, t: Record<string, number | string>, unit: 'Second' | 'CpuSecond') => {
  const r = {
    train: (x[`trainTokensPer${unit}`] as number) / (t[`trainTokensPer${unit}`] as number),
    decode: (x[`decodeTokensPer${unit}`] as number) / (t[`decodeTokensPer${unit}`] as number),
    batched32VsSingle: (x[`batchedDecodeTokensPer${unit}`] as number) / (x[`decodeTokensPer${unit}`] as number),
    torchBatched32VsSingle: (t[`batchedDecodeTokensPer${unit}`] as number) / (t[`decodeTokensPer${unit}`] as number),
  };
  console.log(`  ratios: train ${r.train.toFixed(2)}× PyTorch (target ≥ 0.5)   decode ${r.decode.toFixed(2)}× PyTorch (target ≥ 1)   batched-32 ${r.batched32VsSingle.toFixed(1)}× single (target ≥ 8; PyTorch ${r.torchBatched32VsSingle.toFixed(1)}×)`);
  return r;
};
const result: Record<string, unknown> = { shape, tfjs };
console.log(`tfjs: ${tfjs.backendDetail}`);
console.log('tokens/s, wall clock (median):');
console.log(line('  tfjs', tfjs as unknown as Record<string, number>, 'Second'));
if ('error' in torch) {
  console.log(`  pytorch: unavailable (${torch.error})`);
} else {
  console.log(line(`  pytorch ${torch.torch} (${threads} thr)`, torch, 'Second'));
  const wall = ratioLine(tfjs as unknown as Record<string, number>, torch, 'Second');
  console.log('tokens per CPU-second (all threads; robust when other jobs share the cores):');
  console.log(line('  tfjs', tfjs as unknown as Record<string, number>, 'CpuSecond'));
  console.log(line(`  pytorch ${torch.torch} (${threads} thr)`, torch, 'CpuSecond'));
  const cpu = ratioLine(tfjs as unknown as Record<string, number>, torch, 'CpuSecond');
  Object.assign(result, { torch, ratios: { wall, cpu } });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
