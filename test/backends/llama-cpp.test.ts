/**
 * The GGUF backend through the real node-llama-cpp (prebuilt CPU binary) on a tiny GGUF
 * model written by the test itself (tiny-gguf.ts): generation, seeds, stop strings,
 * grammar-constrained decoding and log-probs checked against each other, and served over
 * HTTP by `serve`. Skipped, saying why, where the optional dependency is not installed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { GgufModel, importNodeLlamaCpp } from '../../agent/backends/llama-cpp.ts';
import { OpenAIHttpModel } from '../../agent/backends/openai-http.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import { writeTinyGguf } from './tiny-gguf.ts';

const available = await importNodeLlamaCpp().then(() => true, (e: HearthError) => {
  console.warn(`skipping llama.cpp backend tests: ${e.oneLine()}`);
  return false;
});

const dir = mkdtempSync(join(tmpdir(), 'hearth-gguf-'));
const path = join(dir, 'tiny.gguf');
const PROMPT = 'Walk to the kitchen';
const CHARS = 'abcdefghijklmnopqrstuvwxyz'.split('');
let model: GgufModel;

describe.skipIf(!available)('GgufModel (node-llama-cpp 3.21.1)', () => {
  beforeAll(async () => {
    writeTinyGguf(path);
    model = await GgufModel.load(path, { threads: 1, contextSize: 256 });
  });
  afterAll(async () => { await model?.dispose(); });

  it('greedy is deterministic; seeded sampling is reproducible and seed-dependent', async () => {
    const g = await model.generate([PROMPT, 'Open the fridge'], { maxTokens: 10 });
    expect(await model.generate([PROMPT, 'Open the fridge'], { maxTokens: 10 })).toEqual(g);
    expect(g[0]).not.toBe(g[1]);
    const s = await model.generate([PROMPT], { maxTokens: 10, temperature: 1, seed: 3 });
    expect(await model.generate([PROMPT], { maxTokens: 10, temperature: 1, seed: 3 })).toEqual(s);
    const others = await Promise.all([4, 5, 6].map((seed) => model.generate([PROMPT], { maxTokens: 10, temperature: 1, seed })));
    expect(new Set([s[0], ...others.map((o) => o[0])]).size).toBeGreaterThan(1);
  });

  it('the greedy next character is the one log-probs rank first', async () => {
    const [next] = await model.generate([PROMPT], { maxTokens: 1 });
    const candidates = [...new Set([next, ...CHARS])];
    const scores = await model.logProbs(candidates.map(() => PROMPT), candidates);
    const best = candidates[scores.indexOf(Math.max(...scores))];
    expect(best).toBe(next);
    // A distribution: the candidates' probabilities sum to at most 1.
    expect(scores.reduce((a, s) => a + Math.exp(s), 0)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('log-probs obey the chain rule', async () => {
    const [ab] = await model.logProbs([PROMPT], ['xy']);
    const [a] = await model.logProbs([PROMPT], ['x']);
    const [b] = await model.logProbs([`${PROMPT}x`], ['y']);
    expect(ab).toBeCloseTo(a + b, 4);
    expect(ab).toBeLessThan(0);
  });

  it('stop strings cut the output before the first stop', async () => {
    const [full] = await model.generate([PROMPT], { maxTokens: 12 });
    const stop = full[5];
    const [cut] = await model.generate([PROMPT], { maxTokens: 12, stop: [stop] });
    expect(cut).toBe(full.slice(0, full.indexOf(stop)));
  });

  it('constrained decoding returns an allowed string: the best-scored one for single tokens', async () => {
    const allowed = ['q', 'r', 's', 't'];
    const [out] = await model.generate([PROMPT], { maxTokens: 4, allowed });
    const scores = await model.logProbs(allowed.map(() => PROMPT), allowed);
    expect(out).toBe(allowed[scores.indexOf(Math.max(...scores))]);
    const [multi] = await model.generate([PROMPT], { maxTokens: 8, allowed: ['walk', 'run', 'open door'] });
    expect(['walk', 'run', 'open door']).toContain(multi);
  });

  it('serves over HTTP: the client gets what the model gives', async () => {
    const srv = await serveModel(model, { modelId: 'tiny' });
    try {
      const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'tiny' });
      expect(await client.generate([PROMPT], { maxTokens: 8 })).toEqual(await model.generate([PROMPT], { maxTokens: 8 }));
    } finally {
      await srv.close();
    }
  });

  it('missing and corrupt files are named user errors', async () => {
    await expect(GgufModel.load(join(dir, 'nope.gguf'))).rejects.toThrow(/nope\.gguf does not exist/);
    for (const [name, bytes] of [['text.gguf', Buffer.from('not a model at all, just some text')], ['garbage.gguf', Buffer.from('GGUF not really a header...')]] as const) {
      const bad = join(dir, name);
      writeFileSync(bad, bytes);
      const e = await GgufModel.load(bad).catch((x) => x);
      expect(e).toBeInstanceOf(HearthError);
      expect(e.kind).toBe('backend.gguf_invalid');
      expect(e.message).toContain(bad);
    }
  });
});
