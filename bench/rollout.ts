/**
 * Rollout throughput: the same episodes advanced together (their decode requests batched
 * into one `generate` call per turn by the RxJS engine) versus one at a time, with the same
 * local model. Prints episode steps per second for both and the ratio.
 *
 *   npm run bench:rollout -- [--checkpoint DIR] [--episodes N] [--steps K] [--speculative] [--runs R]
 *
 * Without a checkpoint a fresh model of the quick recipe's shape is used (its outputs are
 * nonsense, which does not matter for throughput: every step still decodes and executes).
 */
import { parseArgs, intFlag, stringFlag, boolFlag } from '../cli/args.ts';
import { demoTask } from '../env/scenes/demo-house.ts';
import type { Task } from '../env/task.ts';
import { LocalModel } from '../agent/local-model.ts';
import { clearPrefixes, engineFor, prefixStats } from '../agent/prefix-cache.ts';
import { nativeBlas } from '../agent/native-blas.ts';
import { BatchedDecoder } from '../exploration/batching.ts';
import { localProvider } from '../exploration/local-provider.ts';
import { policyOf } from '../exploration/pipeline.ts';
import { QUICK } from '../exploration/recipes.ts';
import { runRollout } from '../exploration/rollout.ts';
import { loadTaskSet } from '../exploration/task-source.ts';
import { resolveCheckpoint } from '../exploration/training.ts';
import { episodeFactory } from '../exploration/world.ts';
import { planningPrompt } from '../alignment/datasets/prompts.ts';

const args = parseArgs(process.argv.slice(2), {
  checkpoint: { type: 'string' }, episodes: { type: 'string' }, steps: { type: 'string' }, speculative: { type: 'boolean' }, runs: { type: 'string' },
}, 'npm run bench:rollout -- [--checkpoint DIR] [--episodes N] [--steps K] [--speculative] [--runs R]');
const n = intFlag(args, 'episodes', 32, 1);
const steps = intFlag(args, 'steps', 4, 1);
const speculative = boolFlag(args, 'speculative');
const r = QUICK.recipe;
const m = QUICK.sizes.model;

let tasks: Task[];
try {
  tasks = (await loadTaskSet('generated')).list({ split: 'unseen', seed: 7, count: n });
} catch {
  tasks = Array.from({ length: n }, () => demoTask());
}
const provider = localProvider({ config: { layers: m.layers, d: m.d, heads: m.heads, ctx: m.ctx, vocabSize: m.vocab }, lr: m.lr });
const ck = stringFlag(args, 'checkpoint');
const model = ck ? await provider.load(resolveCheckpoint(ck), 'eval')
  : await provider.create(tasks.map((t) => planningPrompt(t, [], r.prompt) + (t.expertNL ?? []).join('\n')), 1);
const cfg = { factory: episodeFactory, policy: policyOf(r), speculative, maxSteps: steps, seed: 0 };

interface Measured { steps: number; seconds: number; calls: number; prompts: number; prefilled: number; flops: number }

async function measure(concurrency: number): Promise<Measured> {
  const dec = new BatchedDecoder(model.lm, { maxBatch: 64 });
  const before = model.lm instanceof LocalModel ? { ...prefixStats(model.lm.model) } : null;
  const engine = model.lm instanceof LocalModel ? engineFor(model.lm.model).engine : null;
  const work0 = engine ? { ...engine.work } : null;
  const t0 = performance.now();
  const eps = await runRollout(tasks, dec, { ...cfg, concurrency }).promise;
  const seconds = (performance.now() - t0) / 1000;
  dec.close();
  const after = model.lm instanceof LocalModel ? prefixStats(model.lm.model) : null;
  // Prompt tokens that went through the model (not served from stored prefixes).
  const prefilled = before && after ? (after.promptTokens - before.promptTokens) - (after.reusedTokens - before.reusedTokens) : NaN;
  const flops = engine && work0 ? engine.flops() - engine.flops(work0) : NaN; // flops() is linear in the counters
  return { steps: eps.reduce((a, e) => a + e.steps.length + (e.saidEnd ? 1 : 0), 0), seconds, calls: dec.stats.calls, prompts: dec.stats.prompts, prefilled, flops };
}

const runs = intFlag(args, 'runs', 3, 1);
const clearStore = (): void => { if (model.lm instanceof LocalModel) clearPrefixes(model.lm.model); };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (x: { steps: number; seconds: number }): number => x.steps / x.seconds;

await model.lm.generate(['warm up'], { maxTokens: 2 });
// Modes alternate, each starting with an empty prompt store (the model's prefix cache would
// otherwise serve the second mode the rows the first one computed).
const batchedRuns: Measured[] = [];
const singleRuns: Measured[] = [];
for (let i = 0; i < runs; i++) {
  clearStore();
  batchedRuns.push(await measure(n));
  clearStore();
  singleRuns.push(await measure(1));
}
const batched = { ...batchedRuns[0], seconds: median(batchedRuns.map((x) => x.seconds)) };
const single = { ...singleRuns[0], seconds: median(singleRuns.map((x) => x.seconds)) };
console.log(`rollout throughput, ${n} episodes × ≤${steps} steps, model ${ck ?? 'fresh (quick shape)'}, backend ${model.lm.backend}${speculative ? ', speculative' : ''}, median of ${runs} runs per mode`);
console.log(`  batched (all ${n} live, one generate per turn): ${batched.steps} steps in ${batched.seconds.toFixed(2)} s = ${rate(batched).toFixed(1)} steps/s (${batched.calls} generate calls)`);
console.log(`  one episode at a time:                          ${single.steps} steps in ${single.seconds.toFixed(2)} s = ${rate(single).toFixed(1)} steps/s (${single.calls} generate calls)`);
console.log(`  ratio batched / one-at-a-time: ${(rate(batched) / rate(single)).toFixed(2)}×  (target ≥ 5×)`);
// Where a step's work goes: prompt tokens prefilled (a matrix product per prompt even one
// episode at a time, so batching saves little) versus generated tokens (one row per step).
if (Number.isFinite(batched.prefilled)) {
  console.log(`  per episode step: ${(batched.prompts / batched.steps).toFixed(1)} prompts, ${(batched.prefilled / batched.steps).toFixed(1)} prompt tokens prefilled ` +
    `(batched run; one-at-a-time ${(single.prefilled / single.steps).toFixed(1)}), at most ${r.actionTokens} generated tokens per action prompt`);
}

// The ceiling: batching does not reduce a step's products (batched prefill even does a little
// more), so it can only win by running them closer to the machine's peak: the best of a large
// single-thread sgemm, measured in the same run.
const blas = nativeBlas();
if (blas && Number.isFinite(single.flops)) {
  const S = 512;
  const reps = 15;
  const a = new Float32Array(S * S).fill(0.5);
  const b = new Float32Array(S * S).fill(0.25);
  const c = new Float32Array(S * S);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    blas.sgemm(a, 0, b, 0, c, 0, 1, S, S, S, false, false, 0, 0);
    times.push((performance.now() - t0) / 1000);
  }
  const peak = (2 * S * S * S) / Math.min(...times) / 1e9;
  const gf = (x: Measured): number => x.flops / x.seconds / 1e9;
  const perStep = (x: Measured): number => x.flops / x.steps / 1e6;
  console.log(`  model products per step: ${perStep(batched).toFixed(1)} MFLOP batched, ${perStep(single).toFixed(1)} MFLOP one at a time; ` +
    `achieved ${gf(batched).toFixed(1)} / ${gf(single).toFixed(1)} GFLOP/s`);
  console.log(`  this core's sgemm peak (${S}³, best of ${reps}): ${peak.toFixed(1)} GFLOP/s → batching can gain at most ` +
    `${((peak / gf(single)) * (perStep(single) / perStep(batched))).toFixed(2)}× over one at a time, even with no simulator or JS time`);
}
