/**
 * Choosing a model from flags, and `serve` as a recording proxy: record through a proxy in
 * front of a real upstream server, close the upstream, replay the same requests from the
 * cache through a new proxy with identical answers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { openLanguageModel } from '../../agent/backends/open-model.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import { ACTION_CORPUS, CharNgramModel } from './char-ngram-model.ts';

async function completions(url: string, body: Record<string, unknown>): Promise<{ status: number; json: any }> {
  const r = await fetch(`${url}/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

describe('openLanguageModel', () => {
  it('names what is wrong with a model choice', async () => {
    const cases: Array<[Parameters<typeof openLanguageModel>[0], RegExp]> = [
      [{}, /no model given/],
      [{ checkpoint: 'a', baseUrl: 'http://x/v1' }, /one model source, not --checkpoint and --base-url/],
      [{ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', cacheMode: 'auto' }, /--cache-mode needs --cache/],
      [{ baseUrl: 'http://127.0.0.1:1/v1', model: 'm', cache: '/tmp/c.jsonl', cacheMode: 'sometimes' as 'auto' }, /record, replay, auto/],
      [{ cache: '/tmp/c.jsonl', cacheMode: 'replay' }, /model name/],
      [{ baseUrl: 'ftp://x' }, /http or https/],
    ];
    for (const [src, message] of cases) {
      const e = await openLanguageModel(src).catch((x) => x);
      expect(e).toBeInstanceOf(HearthError);
      expect(e.message + (e.hint ?? '')).toMatch(message);
    }
  });

  it('serve as a recording proxy, then a replaying one with the upstream gone', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'hearth-proxy-')), 'calls.jsonl');
    const upstream = await serveModel(new CharNgramModel(ACTION_CORPUS), { modelId: 'toy' });
    const request = { model: 'proxy', prompt: ['Task: turn on the tv\nAction:', 'Task: read a book\nAction:'], max_tokens: 20, temperature: 0, stop: ['\n'] };
    let recorded: string[];
    try {
      const recorder = await openLanguageModel({ baseUrl: upstream.url, cache, cacheMode: 'record' });
      expect(recorder.name).toBe('openai:toy');
      const proxy = await serveModel(recorder, { modelId: 'proxy' });
      try {
        const r = await completions(proxy.url, request);
        expect(r.status).toBe(200);
        recorded = r.json.choices.map((c: { text: string }) => c.text);
        expect(recorded).toEqual([' Switch on tv', ' Walk to bedroom']);
      } finally {
        await proxy.close();
      }
    } finally {
      await upstream.close();
    }
    const replayer = await openLanguageModel({ cache, cacheMode: 'replay', model: 'openai:toy' });
    const proxy = await serveModel(replayer, { modelId: 'proxy' });
    try {
      const r = await completions(proxy.url, request);
      expect(r.json.choices.map((c: { text: string }) => c.text)).toEqual(recorded);
      const miss = await completions(proxy.url, { ...request, prompt: 'Task: something new\nAction:' });
      expect(miss.status).toBe(400);
      expect(miss.json.error.code).toBe('cache.miss');
      expect(miss.json.error.message).toContain('Task: something new');
    } finally {
      await proxy.close();
    }
  });
});
