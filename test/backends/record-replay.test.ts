/**
 * Record against a real server, then replay with the server gone: identical outputs, no
 * model call. Both store layouts; misses and damaged files give named errors.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { OpenAIHttpModel } from '../../agent/backends/openai-http.ts';
import { cacheKey, normaliseSampling, RecordReplayModel } from '../../agent/backends/record-replay.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import { ACTION_CORPUS, CharNgramModel } from './char-ngram-model.ts';

const PROMPTS = ['Task: turn on the tv\nAction:', 'Task: read a book\nAction:'];
const SAMPLED = { maxTokens: 20, temperature: 1, seed: 5, stop: ['\n'] };
const GREEDY = { maxTokens: 20, temperature: 0 };
const CONTS = [' Switch on tv', ' Walk to bedroom'];

async function recordAgainstServer(storePath: string): Promise<{ sampled: string[]; greedy: string[]; scores: number[]; calls: number }> {
  const model = new CharNgramModel(ACTION_CORPUS);
  const srv = await serveModel(model, { modelId: 'toy' });
  try {
    const rec = new RecordReplayModel({ inner: new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy' }), store: storePath, mode: 'record' });
    const sampled = await rec.generate(PROMPTS, SAMPLED);
    const greedy = await rec.generate(PROMPTS, GREEDY);
    const scores = await rec.logProbs(PROMPTS, CONTS);
    expect(rec.stats).toEqual({ hits: 0, misses: 6 });
    return { sampled, greedy, scores, calls: model.calls.generate + model.calls.logProbs };
  } finally {
    await srv.close();
  }
}

describe('record → replay', () => {
  for (const layout of ['cache.jsonl', 'cache-dir']) {
    it(`replays identical outputs with the server gone (${layout})`, async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'hearth-rr-')), layout);
      const recorded = await recordAgainstServer(path);
      expect(recorded.calls).toBeGreaterThan(0);
      // The server is closed: any call that reached the network would fail.
      const replay = new RecordReplayModel({ model: 'openai:toy', store: path, mode: 'replay' });
      expect(await replay.generate(PROMPTS, SAMPLED)).toEqual(recorded.sampled);
      expect(await replay.generate(PROMPTS, GREEDY)).toEqual(recorded.greedy);
      expect(await replay.logProbs(PROMPTS, CONTS)).toEqual(recorded.scores);
      expect(replay.stats).toEqual({ hits: 6, misses: 0 });
      // Greedy keys ignore the seed: asking with another seed is still a hit.
      expect(await replay.generate(PROMPTS, { ...GREEDY, seed: 99 })).toEqual(recorded.greedy);
      // A different sampling setting is a different key: a named miss, not a wrong answer.
      const miss = await replay.generate(PROMPTS, { ...SAMPLED, seed: 6 }).catch((e) => e);
      expect(miss).toBeInstanceOf(HearthError);
      expect(miss.kind).toBe('cache.miss');
      expect(miss.message).toContain(path);
      expect(miss.message).toContain('Task: turn on the tv');
      expect(miss.hint).toMatch(/--cache-mode record or auto/);
    });
  }

  it('auto mode answers hits from the cache and records only the misses', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hearth-rr-')), 'c.jsonl');
    const model = new CharNgramModel(ACTION_CORPUS);
    const auto = new RecordReplayModel({ inner: model, store: path, mode: 'auto' });
    const first = await auto.generate(PROMPTS, GREEDY);
    expect(model.calls.prompts).toBe(2);
    const again = await auto.generate([PROMPTS[1], 'Task: put the apple in the fridge\nAction:'], GREEDY);
    expect(again[0]).toBe(first[1]);
    expect(model.calls.prompts).toBe(3); // only the new prompt reached the model
    expect(auto.stats).toEqual({ hits: 1, misses: 3 });
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
    // Seeded samples are keyed by their row too (a sampler may seed each row from seed and
    // row): the same prompt in another row is a miss, in the same row a hit.
    await auto.generate(PROMPTS, SAMPLED);
    await auto.generate([PROMPTS[1], PROMPTS[0]], SAMPLED);
    expect(model.calls.prompts).toBe(7);
    await auto.generate([PROMPTS[1]], SAMPLED);
    expect(model.calls.prompts).toBe(7);
  });

  it('drops a torn last line, names a damaged middle line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-rr-'));
    const path = join(dir, 'c.jsonl');
    const model = new CharNgramModel(ACTION_CORPUS);
    const out = await new RecordReplayModel({ inner: model, store: path, mode: 'record' }).generate(PROMPTS, GREEDY);
    appendFileSync(path, '{"v":1,"key":"abc","op":"gen'); // interrupted write
    const replay = new RecordReplayModel({ model: model.name, store: path, mode: 'replay' });
    expect(await replay.generate(PROMPTS, GREEDY)).toEqual(out);
    // Loading repaired the line end, so a new record appends cleanly after the torn text.
    const again = new RecordReplayModel({ inner: model, store: path, mode: 'auto' });
    await again.generate(['Task: x\nAction:'], GREEDY);
    expect(await new RecordReplayModel({ model: model.name, store: path, mode: 'replay' }).generate(['Task: x\nAction:'], GREEDY)).toHaveLength(1);

    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"v":1,"key":"a","output":"x"}\nnot json\n{"v":1,"key":"b","output":"y"}\n');
    expect(() => new RecordReplayModel({ model: 'm', store: bad, mode: 'replay' })).toThrow(`${bad}:2: not a JSON line`);
  });

  it('keys depend on model, prompt and every sampling setting that changes the output', () => {
    const base = { op: 'generate' as const, model: 'm', prompt: 'p', options: normaliseSampling(SAMPLED) };
    const k = cacheKey(base);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base })).toBe(k);
    expect(cacheKey({ ...base, model: 'm2' })).not.toBe(k);
    expect(cacheKey({ ...base, prompt: 'p ' })).not.toBe(k);
    for (const change of [{ seed: 6 }, { temperature: 0.5 }, { maxTokens: 21 }, { stop: ['x'] }, { topP: 0.9 }, { allowed: ['a'] }]) {
      expect(cacheKey({ ...base, options: normaliseSampling({ ...SAMPLED, ...change }) })).not.toBe(k);
    }
    // Defaults spelled out or left implicit give the same key.
    expect(normaliseSampling({ maxTokens: 5 })).toEqual(normaliseSampling({ maxTokens: 5, temperature: 0, seed: 3, topP: 0.5 }));
  });

  it('the directory layout writes one file per entry, no temp files left', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hearth-rr-')), 'd');
    await new RecordReplayModel({ inner: new CharNgramModel(ACTION_CORPUS), store: dir, mode: 'record' }).generate(PROMPTS, GREEDY);
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json') || f.includes('.tmp-'));
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.json'))).toBe(true);
  });

  it('refuses configurations that cannot work', () => {
    expect(() => new RecordReplayModel({ store: '/tmp/x.jsonl', mode: 'record', model: 'm' })).toThrow(/needs a live model/);
    expect(() => new RecordReplayModel({ store: '/tmp/x.jsonl', mode: 'replay' })).toThrow(/model name/);
    expect(() => new RecordReplayModel({ store: '/tmp/x.jsonl', mode: 'bogus' as 'auto', model: 'm' })).toThrow(/record, replay, auto/);
  });
});
