/**
 * Throughput of the local model at a given shape: training (forward + backward + AdamW on
 * full rows of random tokens) and KV-cache decoding (B sequences, one token per step,
 * greedy). Both report tokens/s as the median over timed repeats after a warm-up.
 */
import { createModel } from '../../agent/local-model.ts';
import { FastEngine } from '../../agent/fast-infer.ts';
import { KVCache } from '../../agent/model.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { type PackedRow } from '../../alignment/packing.ts';

export interface BenchShape { layers: number; d: number; heads: number; ctx: number; batch: number; vocab: number; steps: number; backend?: string }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function model(shape: BenchShape) {
  // A byte tokenizer suffices: the benchmark feeds token ids directly.
  return createModel({
    tokenizer: new Tokenizer([]), seed: 0, backend: shape.backend,
    config: { vocabSize: shape.vocab, ctx: shape.ctx, layers: shape.layers, d: shape.d, heads: shape.heads, positions: 'learned' },
  });
}

/** Training tokens/s: `steps` optimizer steps on (batch, ctx) rows, one step of warm-up. */
export interface BenchResult {
  /** Wall-clock tokens/s (median over timed repeats). */
  tokensPerSecond: number;
  /** Tokens per second of process CPU time (all threads): robust when other work shares the cores. */
  tokensPerCpuSecond: number;
  backend: string;
}

const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

export async function benchTrain(shape: BenchShape): Promise<BenchResult> {
  const lm = await model(shape);
  const t = new Trainer(lm, { lr: 1e-3, warmupSteps: 0, totalSteps: 1000, seed: 0, microBatchRows: shape.batch });
  const rng = new Prng(1);
  const row = (): PackedRow => {
    const ids = Array.from({ length: shape.ctx + 1 }, () => rng.int(shape.vocab));
    return { examples: [{ ids, weights: new Array(shape.ctx).fill(1) }], length: shape.ctx };
  };
  const rows = Array.from({ length: shape.batch }, row);
  t.stepOnRows(rows); // warm-up (kernel set-up, allocation)
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < shape.steps; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    t.stepOnRows(rows);
    ms.push(performance.now() - t0);
    cpu.push(cpuMs(process.cpuUsage(c0)));
  }
  t.dispose();
  const tokens = shape.batch * shape.ctx;
  return { tokensPerSecond: tokens / (median(ms) / 1000), tokensPerCpuSecond: tokens / (median(cpu) / 1000), backend: lm.backend };
}

/**
 * Decoding tokens/s: `batch` sequences, prefill 8 tokens, then `steps` single-token steps
 * with greedy argmax (× 3 timed repeats after two warm-up repeats). `engine` 'fast' is what
 * `LocalModel.generate` uses (agent/fast-infer.ts); 'tfjs' is the tfjs forward with a KVCache.
 */
export async function benchDecode(shape: BenchShape & { engine?: 'fast' | 'tfjs' }): Promise<BenchResult> {
  const lm = await model(shape);
  const m = lm.model;
  const B = shape.batch;
  const V = shape.vocab;
  const steps = Math.min(shape.steps, shape.ctx - 8);
  const argmax = (data: ArrayLike<number>) => Array.from({ length: B }, (_, b) => {
    let best = 0;
    for (let v = 1; v < V; v++) if (data[b * V + v] > data[b * V + best]) best = v;
    return best;
  });
  const prompts = Array.from({ length: B }, (_, b) => Array.from({ length: 8 }, (_, i) => (i * 31 + b) % V));
  const rates: number[] = [];
  const cpuRates: number[] = [];
  // Two warm-up repeats: V8 needs a few hundred steps before the engine's loops are optimised.
  const warmup = 2;
  for (let rep = 0; rep < warmup + 3; rep++) {
    let t0 = 0;
    let c0 = process.cpuUsage();
    if (shape.engine === 'tfjs') {
      const cache = new KVCache(B);
      let logits = tf.tidy(() => m.forward({ tokens: Int32Array.from(prompts.flat()), batch: B, time: 8, cache, logits: 'last' }).logits!);
      t0 = performance.now();
      c0 = process.cpuUsage();
      for (let s = 0; s < steps; s++) {
        const next = argmax(logits.dataSync());
        logits.dispose();
        logits = tf.tidy(() => m.forward({ tokens: Int32Array.from(next), batch: B, time: 1, cache, logits: 'last' }).logits!);
      }
      logits.dataSync();
      logits.dispose();
      cache.dispose();
    } else {
      const engine = new FastEngine(m);
      const cache = engine.newCache(B);
      let logits = engine.forward(prompts, cache);
      t0 = performance.now();
      c0 = process.cpuUsage();
      for (let s = 0; s < steps; s++) logits = engine.forward(argmax(logits).map((t) => [t]), cache);
      engine.dispose();
    }
    const secs = (performance.now() - t0) / 1000;
    const cpuSecs = cpuMs(process.cpuUsage(c0)) / 1000;
    if (rep >= warmup) { rates.push((B * steps) / secs); cpuRates.push((B * steps) / cpuSecs); }
  }
  await lm.dispose();
  return { tokensPerSecond: median(rates), tokensPerCpuSecond: median(cpuRates), backend: lm.backend };
}
