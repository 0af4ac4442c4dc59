/**
 * What `hearth serve` costs and what its request merging buys, measured in one run on the
 * local TensorFlow.js model (untrained, prototype shape unless overridden):
 *   direct   — `model.generate(prompts)` in process, all prompts in one batch (the reference)
 *   merged   — one HTTP request per prompt, all sent at once (the server merges greedy requests)
 *   serial   — one HTTP request per prompt, one after another (no merging possible)
 *   batched  — the HTTP client's own batching: all prompts in one /v1/completions request
 * Prints tokens/s of each (best of --repeat runs), the ratios to direct and the model calls per
 * run. Usage:
 *   npm run bench:serve -- [--prompts 32] [--tokens 24] [--repeat 3] [--layers 2] [--d 128] [--heads 4] [--json]
 */
import { createModel } from '../agent/local-model.ts';
import { OpenAIHttpModel } from '../agent/backends/openai-http.ts';
import { serveModel } from '../agent/backends/serve.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const P = arg('prompts', 32);
const N = arg('tokens', 24);
const corpus = ['Task: turn on the tv\nAction: Walk to living room\n', 'Task: read a book\nAction: Walk to bedroom\n'];
const model = await createModel({ config: { layers: arg('layers', 2), d: arg('d', 128), heads: arg('heads', 4), ctx: 128, vocabSize: 512 }, corpus, seed: 1 });
const prompts = Array.from({ length: P }, (_, i) => `Task: episode ${i} turn on the tv\nAction:`);
const options = { maxTokens: N, temperature: 0 };
const srv = await serveModel(model, { modelId: 'bench' });
const perPrompt = new OpenAIHttpModel({ baseUrl: srv.url, model: 'bench', promptsPerRequest: 1, concurrency: P });
const oneRequest = new OpenAIHttpModel({ baseUrl: srv.url, model: 'bench' });

const REPEAT = arg('repeat', 3);

/** Best of REPEAT runs (the machine is shared: the minimum is the least disturbed run). */
async function time(label: string, fn: () => Promise<string[]>): Promise<{ label: string; seconds: number; outputs: string[]; modelCalls: number }> {
  let best = Infinity;
  let outputs: string[] = [];
  const calls0 = srv.queue.stats.calls;
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    outputs = await fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { label, seconds: best, outputs, modelCalls: (srv.queue.stats.calls - calls0) / REPEAT };
}

await model.generate(prompts, options); // warm-up (kernels, caches)
const runs = [
  await time('direct', () => model.generate(prompts, options)),
  await time('merged', () => perPrompt.generate(prompts, options)),
  await time('batched', () => oneRequest.generate(prompts, options)),
  await time('serial', async () => {
    const out: string[] = [];
    for (const p of prompts) out.push(...(await oneRequest.generate([p], options)));
    return out;
  }),
];
await srv.close();

const reference = runs[0];
const same = runs.every((r) => JSON.stringify(r.outputs) === JSON.stringify(reference.outputs));
// Generated tokens (every run decodes the same prompts to the same outputs; EOS ends a row early).
const tokens = reference.outputs.reduce((a, o) => a + model.tokenizer.encode(o).length, 0);
const rows = runs.map((r) => ({
  run: r.label, seconds: +r.seconds.toFixed(3), tokensPerSecond: Math.round(tokens / r.seconds),
  vsDirect: +(reference.seconds / r.seconds).toFixed(3), modelCallsPerRun: +r.modelCalls.toFixed(1),
}));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ prompts: P, maxTokens: N, generatedTokens: tokens, backend: model.backend, identicalOutputs: same, runs: rows }));
} else {
  console.log(`hearth serve benchmark: ${P} prompts × ≤${N} new tokens (${tokens} generated), backend ${model.backend}, best of ${REPEAT}, identical outputs: ${same}`);
  for (const r of rows) {
    console.log(`  ${r.run.padEnd(8)} ${r.seconds.toFixed(2).padStart(7)} s  ${String(r.tokensPerSecond).padStart(6)} tok/s  ${r.vsDirect.toFixed(2)}× direct  ${r.modelCallsPerRun} model calls`);
  }
}
await model.dispose();
