/**
 * The HTTP client backend against a real `serve` server on an ephemeral port: generation,
 * log-probs, stop strings, constrained decoding, chat; then retries and timeouts against real
 * servers that fail or stall the first requests, and the errors for an unreachable port, a
 * bad status and a body that is not JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { connectOpenAIHttp, listModels, normaliseBaseUrl, OpenAIHttpModel } from '../../agent/backends/openai-http.ts';
import { defaultChatTemplate } from '../../agent/backends/openai-protocol.ts';
import { Backoff } from '../../agent/backends/retry.ts';
import { ModelServer, serveModel, type RunningServer } from '../../agent/backends/serve.ts';
import { ACTION_CORPUS, CharNgramModel } from './char-ngram-model.ts';

const model = new CharNgramModel(ACTION_CORPUS);
let srv: RunningServer;
const FAST_RETRY = { retries: 3, baseDelayMs: 5, maxDelayMs: 20, seed: 1 };

beforeAll(async () => { srv = await serveModel(model, { modelId: 'toy' }); });
afterAll(async () => { await srv.close(); });

const PROMPTS = [
  'Task: put the apple in the fridge\nAction:',
  'Task: turn on the tv\nAction:',
  'Task: read a book\nAction:',
];

/** A real HTTP server in front of a ModelServer that misbehaves on the first `n` requests. */
async function flakyServer(n: number, misbehave: (req: number, res: import('node:http').ServerResponse) => boolean): Promise<{ url: string; seen: () => number; server: Server }> {
  const inner = new ModelServer(model, { modelId: 'toy' });
  let seen = 0;
  const server = createServer((req, res) => {
    const k = seen++;
    if (k < n && misbehave(k, res)) return;
    inner.handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen: () => seen, server };
}

async function closeServer(s: Server): Promise<void> {
  await new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); });
}

async function hearthError(p: Promise<unknown>): Promise<HearthError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error('expected a HearthError');
}

describe('OpenAIHttpModel against hearth serve', () => {
  it('finds the model through /v1/models and accepts a bare host:port URL', async () => {
    expect(await listModels({ baseUrl: srv.url })).toEqual(['toy']);
    const bare = srv.url.replace(/\/v1$/, '');
    const client = await connectOpenAIHttp({ baseUrl: bare });
    expect(client.model).toBe('toy');
    expect(client.baseUrl).toBe(srv.url);
    expect(client.name).toBe('openai:toy');
    expect(client.backend).toBe('http');
  });

  it('generates what the model generates (greedy, sampled with seed, stop strings)', async () => {
    const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy' });
    for (const options of [
      { maxTokens: 24, temperature: 0 },
      { maxTokens: 24, temperature: 0, stop: ['\n'] },
      { maxTokens: 24, temperature: 1.2, seed: 11 },
      { maxTokens: 24, temperature: 0.8, seed: 3, stop: ['to', '\n'] },
    ]) {
      const viaHttp = await client.generate(PROMPTS, options);
      expect(viaHttp).toEqual(await model.generate(PROMPTS, options));
      if (options.stop) for (const t of viaHttp) for (const s of options.stop) expect(t).not.toContain(s);
    }
  });

  it('applies more stop strings than the server is sent', async () => {
    const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy', maxServerStops: 1 });
    const stop = ['zz', 'p'];
    const out = await client.generate([PROMPTS[0]], { maxTokens: 24, temperature: 0, stop });
    const [full] = await model.generate([PROMPTS[0]], { maxTokens: 24, temperature: 0 });
    expect(full.indexOf('p')).toBeGreaterThan(0);
    expect(out[0]).toBe(full.slice(0, full.indexOf('p')));
  });

  it('scores continuations with echo log-probs equal to the model\'s own', async () => {
    const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy' });
    const prompts = [PROMPTS[0], PROMPTS[1], PROMPTS[1]];
    const conts = [' Walk to kitchen', ' Switch on tv', ' Grab apple'];
    const viaHttp = await client.logProbs(prompts, conts);
    const direct = await model.logProbs(prompts, conts);
    for (let i = 0; i < direct.length; i++) expect(viaHttp[i]).toBeCloseTo(direct[i], 9);
    // The right action for the task scores higher than a wrong one: the numbers mean something.
    expect(viaHttp[1]).toBeGreaterThan(viaHttp[2]);
  });

  it('constrained decoding picks the allowed string the model scores highest', async () => {
    const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy' });
    const allowed = [' Walk to bedroom', ' Switch on tv', ' Grab apple'];
    const out = await client.generate([PROMPTS[1], PROMPTS[2]], { maxTokens: 8, allowed });
    expect(out).toEqual(await model.generate([PROMPTS[1], PROMPTS[2]], { maxTokens: 8, allowed }));
    expect(out).toEqual([' Switch on tv', ' Walk to bedroom']);
  });

  it('chat API: the prompt is one user message under the server\'s chat template', async () => {
    const client = new OpenAIHttpModel({ baseUrl: srv.url, model: 'toy', api: 'chat' });
    const [out] = await client.generate(['Task: turn on the tv'], { maxTokens: 30, temperature: 0 });
    const t = defaultChatTemplate([{ role: 'user', content: 'Task: turn on the tv' }]);
    const [direct] = await model.generate([t.prompt], { maxTokens: 30, temperature: 0, stop: t.stop });
    expect(out).toBe(direct.replace(/\n$/, ''));
    const e = await hearthError(client.logProbs(['a'], ['b']));
    expect(e.kind).toBe('backend.no_logprobs');
  });
});

describe('retries, timeouts and errors', () => {
  it('retries 503s with backoff and then succeeds', async () => {
    const flaky = await flakyServer(2, (_k, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'model is loading' } }));
      return true;
    });
    try {
      const client = new OpenAIHttpModel({ baseUrl: flaky.url, model: 'toy', retry: FAST_RETRY });
      const [out] = await client.generate([PROMPTS[1]], { maxTokens: 16, temperature: 0 });
      expect(out).toBe((await model.generate([PROMPTS[1]], { maxTokens: 16, temperature: 0 }))[0]);
      expect(flaky.seen()).toBe(3);
    } finally {
      await closeServer(flaky.server);
    }
  });

  it('gives up after the retry budget with the server\'s message and the URL', async () => {
    const flaky = await flakyServer(10, (_k, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'model is loading' } }));
      return true;
    });
    try {
      const client = new OpenAIHttpModel({ baseUrl: flaky.url, model: 'toy', retry: { ...FAST_RETRY, retries: 2 } });
      const e = await hearthError(client.generate([PROMPTS[1]], { maxTokens: 4 }));
      expect(e.kind).toBe('backend.http_status');
      expect(e.message).toContain(`${flaky.url}/completions`);
      expect(e.message).toContain('HTTP 503: model is loading');
      expect(e.message).toContain('after 3 attempts');
      expect(flaky.seen()).toBe(3);
    } finally {
      await closeServer(flaky.server);
    }
  });

  it('times out a stalled request and retries it', async () => {
    const stalls: import('node:http').ServerResponse[] = [];
    const flaky = await flakyServer(1, (_k, res) => { stalls.push(res); return true; }); // never answers
    try {
      // Generous limit: the answered retry must come back within it even on a loaded machine.
      const client = new OpenAIHttpModel({ baseUrl: flaky.url, model: 'toy', timeoutMs: 1000, retry: FAST_RETRY });
      const t0 = Date.now();
      const [out] = await client.generate([PROMPTS[0]], { maxTokens: 8, temperature: 0 });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(out).toBe((await model.generate([PROMPTS[0]], { maxTokens: 8, temperature: 0 }))[0]);
      expect(flaky.seen()).toBe(2);
    } finally {
      await closeServer(flaky.server);
    }
  });

  it('a server that never answers gives a timeout error naming the URL and the limit', async () => {
    const flaky = await flakyServer(100, () => true);
    try {
      const client = new OpenAIHttpModel({ baseUrl: flaky.url, model: 'toy', timeoutMs: 100, retry: { ...FAST_RETRY, retries: 1 } });
      const e = await hearthError(client.generate([PROMPTS[0]], { maxTokens: 8 }));
      expect(e.kind).toBe('backend.timeout');
      expect(e.message).toContain(`${flaky.url}/completions did not answer within 100 ms`);
      expect(e.hint).toMatch(/timeout/);
      expect(flaky.seen()).toBe(2);
    } finally {
      await closeServer(flaky.server);
    }
  });

  it('an unreachable port gives a clear error with the fix', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await closeServer(probe);
    const client = new OpenAIHttpModel({ baseUrl: `http://127.0.0.1:${port}`, model: 'toy', retry: { ...FAST_RETRY, retries: 1 } });
    const e = await hearthError(client.generate(['x'], { maxTokens: 4 }));
    expect(e.kind).toBe('backend.unreachable');
    expect(e.message).toBe(`cannot reach model server at http://127.0.0.1:${port}/v1/completions (ECONNREFUSED) (after 2 attempts)`);
    expect(e.hint).toContain('hearth serve --checkpoint');
    expect(e.hint).toContain('vllm serve');
  });

  it('a non-JSON body, an auth failure and a wrong model each name the problem', async () => {
    const html = await flakyServer(100, (_k, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Login required</body></html>');
      return true;
    });
    try {
      const e = await hearthError(new OpenAIHttpModel({ baseUrl: html.url, model: 'toy', retry: FAST_RETRY }).generate(['x'], { maxTokens: 4 }));
      expect(e.kind).toBe('backend.bad_json');
      expect(e.message).toContain(html.url);
      expect(e.message).toContain('Login required');
      expect(html.seen()).toBe(1); // not retried: retrying cannot fix it
    } finally {
      await closeServer(html.server);
    }
    const locked = await serveModel(model, { modelId: 'toy', apiKey: 'k' });
    try {
      const e = await hearthError(new OpenAIHttpModel({ baseUrl: locked.url, model: 'toy', retry: FAST_RETRY }).generate(['x'], { maxTokens: 4 }));
      expect(e.kind).toBe('backend.http_status');
      expect(e.message).toContain('HTTP 401');
      expect(e.hint).toMatch(/API key/);
      const ok = await new OpenAIHttpModel({ baseUrl: locked.url, model: 'toy', apiKey: 'k' }).generate(['x'], { maxTokens: 2, temperature: 0 });
      expect(ok).toHaveLength(1);
    } finally {
      await locked.close();
    }
    const e = await hearthError(new OpenAIHttpModel({ baseUrl: srv.url, model: 'llama-3' }).generate(['x'], { maxTokens: 4 }));
    expect(e.message).toContain("HTTP 404: The model 'llama-3' does not exist");
    expect(e.hint).toMatch(/\/v1\/models/);
  });

  it('rejects malformed base URLs', () => {
    expect(() => normaliseBaseUrl('localhost:8000')).toThrow(/http/);
    expect(() => normaliseBaseUrl('not a url')).toThrow(HearthError);
    expect(normaliseBaseUrl('http://h:1/v1/')).toBe('http://h:1/v1');
  });

  it('backoff is exponential, capped, jittered in [0.5, 1) and reproducible from its seed', () => {
    const opts = { retries: 6, baseDelayMs: 100, maxDelayMs: 1000, seed: 42 };
    const a = new Backoff(opts);
    const b = new Backoff(opts);
    const delays = Array.from({ length: 6 }, (_, i) => a.delayMs(i));
    expect(delays).toEqual(Array.from({ length: 6 }, (_, i) => b.delayMs(i)));
    delays.forEach((d, i) => {
      const nominal = Math.min(1000, 100 * 2 ** i);
      expect(d).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(d).toBeLessThan(nominal);
    });
    expect(new Set(delays.map((d, i) => d / Math.min(1000, 100 * 2 ** i))).size).toBe(6);
    expect(new Backoff(opts).delayMs(0, 900)).toBe(900); // Retry-After wins when longer
  });
});
