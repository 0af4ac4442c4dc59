import { benchDecode } from './tfjs-bench.ts';
for (const B of [1, 32]) {
  const r = await benchDecode({ layers: 2, d: 128, heads: 4, ctx: 128, batch: B, vocab: 512, steps: 120 });
  console.log(B, 'wall', Math.round(r.tokensPerSecond), 'per-cpu-s', Math.round(r.tokensPerCpuSecond));
}
