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
const dec1 = await benchDecode({ ...shape, batch: 1, steps: decodeSteps, backend });
const dec32 = await benchDecode({ ...shape, batch: 32, steps: decodeSteps, backend });
const tfjs = { backend: train.backend, trainTokensPerSecond: train.tokensPerSecond, decodeTokensPerSecond: dec1.tokensPerSecond, batchedDecodeTokensPerSecond: dec32.tokensPerSecond };
console.log(`tfjs (${tfjs.backend}):   train ${fmt(tfjs.trainTokensPerSecond)} tok/s   decode(1) ${fmt(tfjs.decodeTokensPerSecond)} tok/s   decode(32) ${fmt(tfjs.batchedDecodeTokensPerSecond)} tok/s`);
const result: Record<string, unknown> = { shape, tfjs };
if ('error' in torch) {
  console.log(`pytorch: unavailable (${torch.error})`);
} else {
  console.log(`pytorch ${torch.torch} (${threads} threads): train ${fmt(torch.trainTokensPerSecond)} tok/s   decode(1) ${fmt(torch.decodeTokensPerSecond)} tok/s   decode(32) ${fmt(torch.batchedDecodeTokensPerSecond)} tok/s`);
  const ratios = {
    train: tfjs.trainTokensPerSecond / torch.trainTokensPerSecond,
    decode: tfjs.decodeTokensPerSecond / torch.decodeTokensPerSecond,
    batched32VsSingle: tfjs.batchedDecodeTokensPerSecond / tfjs.decodeTokensPerSecond,
  };
  console.log(`ratios: train ${ratios.train.toFixed(2)}× PyTorch (target ≥ 0.5)   decode ${ratios.decode.toFixed(2)}× PyTorch (target ≥ 1)   batched-32 ${ratios.batched32VsSingle.toFixed(1)}× single (target ≥ 8)`);
  Object.assign(result, { torch, ratios });
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
