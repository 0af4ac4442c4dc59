import { benchDecode } from './tfjs-bench.ts';
for (const B of [1, 32]) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const r = await benchDecode({ layers: 2, d: 128, heads: 4, ctx: 128, batch: B, vocab: 512, steps: 64 });
  const cpu = process.cpuUsage(c0); const wall = performance.now() - t0;
  console.log(B, Math.round(r.tokensPerSecond), 'tok/s wall-median; process cpu ms', Math.round((cpu.user + cpu.system) / 1000), 'wall ms', Math.round(wall));
}
