/**
 * `serve` as an unmodified OpenAI client sees it: real HTTP on an ephemeral port, plain
 * `fetch` with the headers and bodies the official SDK sends, answers checked against the
 * model called directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveModel, type RunningServer } from '../../agent/backends/serve.ts';
import { defaultChatTemplate } from '../../agent/backends/openai-protocol.ts';
import { ACTION_CORPUS, CharNgramModel } from './char-ngram-model.ts';

const model = new CharNgramModel(ACTION_CORPUS);
let srv: RunningServer;

/** What the OpenAI SDK (JS 4.x / Python 1.x) puts on every request. */
const SDK_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: 'Bearer sk-no-key-required',
  'user-agent': 'OpenAI/JS 4.77.0',
  'x-stainless-lang': 'js',
};

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${srv.url}${path}`, { method: 'POST', headers: SDK_HEADERS, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

beforeAll(async () => {
  srv = await serveModel(model, { modelId: 'hearth-test', port: 0 });
});
afterAll(async () => { await srv.close(); });

describe('hearth serve: OpenAI wire format', () => {
  it('lists its model', async () => {
    const r = await fetch(`${srv.url}/models`, { headers: SDK_HEADERS });
    expect(r.status).toBe(200);
    const json = await r.json();
    expect(json.object).toBe('list');
    expect(json.data.map((m: { id: string }) => m.id)).toEqual(['hearth-test']);
    expect(json.data[0].object).toBe('model');
  });

  it('answers a chat completion exactly as the SDK sends it (defaults: temperature 1, server-seeded)', async () => {
    const { status, json } = await post('/chat/completions', {
      model: 'hearth-test',
      messages: [{ role: 'system', content: 'You are a household agent.' }, { role: 'user', content: 'Task: turn on the tv' }],
    });
    expect(status).toBe(200);
    expect(json.object).toBe('chat.completion');
    expect(typeof json.id).toBe('string');
    expect(json.model).toBe('hearth-test');
    expect(Number.isInteger(json.created)).toBe(true);
    expect(json.choices).toHaveLength(1);
    expect(json.choices[0].index).toBe(0);
    expect(json.choices[0].message.role).toBe('assistant');
    expect(typeof json.choices[0].message.content).toBe('string');
    expect(['stop', 'length']).toContain(json.choices[0].finish_reason);
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
    expect(json.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('greedy chat equals the model on the chat template', async () => {
    const messages = [{ role: 'user', content: 'Task: put the apple in the fridge' }];
    const { json } = await post('/chat/completions', { model: 'hearth-test', messages, temperature: 0, max_tokens: 40 });
    const t = defaultChatTemplate(messages);
    const [direct] = await model.generate([t.prompt], { maxTokens: 40, temperature: 0, stop: t.stop });
    expect(json.choices[0].message.content).toBe(direct.replace(/\n$/, ''));
  });

  it('answers a completion; greedy text equals the model called directly, stop strings respected', async () => {
    const prompt = 'Task: put the apple in the fridge\nAction:';
    const { status, json } = await post('/completions', { model: 'hearth-test', prompt, max_tokens: 30, temperature: 0, stop: ['\n'] });
    expect(status).toBe(200);
    expect(json.object).toBe('text_completion');
    const [direct] = await model.generate([prompt], { maxTokens: 30, temperature: 0, stop: ['\n'] });
    expect(json.choices[0].text).toBe(direct);
    expect([' Walk to kitchen', ' Grab apple']).toContain(json.choices[0].text);
    expect(json.choices[0].finish_reason).toBe('stop');
  });

  it('n samples with a seed: reproducible, each equal to the model with seed+k', async () => {
    const body = { model: 'hearth-test', prompt: 'Task: turn on the tv\nAction:', max_tokens: 12, temperature: 1.5, seed: 7, n: 3 };
    const a = (await post('/completions', body)).json;
    const b = (await post('/completions', body)).json;
    expect(a.choices.map((c: { text: string }) => c.text)).toEqual(b.choices.map((c: { text: string }) => c.text));
    for (let k = 0; k < 3; k++) {
      const [direct] = await model.generate([body.prompt], { maxTokens: 12, temperature: 1.5, seed: 7 + k });
      expect(a.choices[k].text).toBe(direct);
      expect(a.choices[k].index).toBe(k);
    }
  });

  it('echo + logprobs: per-piece log-probs that sum to the text log-prob', async () => {
    const prompt = 'Task: turn on the tv\nAction: Switch on tv';
    const { json } = await post('/completions', { model: 'hearth-test', prompt, max_tokens: 0, echo: true, logprobs: 1 });
    const lp = json.choices[0].logprobs;
    expect(json.choices[0].text).toBe(prompt);
    expect(lp.tokens.join('')).toBe(prompt);
    expect(lp.token_logprobs[0]).toBeNull();
    expect(lp.text_offset[1]).toBe(lp.tokens[0].length);
    const sum = lp.token_logprobs.slice(1).reduce((a: number, b: number) => a + b, 0);
    const [direct] = await model.logProbs([lp.tokens[0]], [prompt.slice(lp.tokens[0].length)]);
    expect(sum).toBeCloseTo(direct, 9);
  });

  it('streams server-sent events whose text equals the non-streamed answer', async () => {
    const body = { model: 'hearth-test', prompt: 'Task: read a book\nAction:', max_tokens: 20, temperature: 0 };
    const r = await fetch(`${srv.url}/completions`, { method: 'POST', headers: SDK_HEADERS, body: JSON.stringify({ ...body, stream: true }) });
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const events = (await r.text()).split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const text = events.slice(0, -1).map((e) => JSON.parse(e).choices[0].text).join('');
    expect(text).toBe((await post('/completions', body)).json.choices[0].text);
  });

  it('merges concurrent greedy requests into shared model calls, answers unchanged', async () => {
    const prompts = ACTION_CORPUS.map((l) => l.slice(0, l.indexOf('Action:') + 7));
    const expected = await model.generate(prompts, { maxTokens: 16, temperature: 0, stop: ['\n'] });
    let open!: () => void;
    model.gate = new Promise((r) => { open = r; });
    const callsBefore = srv.queue.stats.calls;
    try {
      const answers = Promise.all(prompts.map((prompt) =>
        post('/completions', { model: 'hearth-test', prompt, max_tokens: 16, temperature: 0, stop: ['\n'] })));
      // The first request holds the model; wait until all the others are queued behind it.
      while (srv.queue.pending < prompts.length - 1) await new Promise((r) => setTimeout(r, 5));
      open();
      expect((await answers).map((a) => a.json.choices[0].text)).toEqual(expected);
    } finally {
      model.gate = undefined;
      open();
    }
    // One call for the first request, one for all that queued behind it.
    expect(srv.queue.stats.calls - callsBefore).toBe(2);
  });
});

describe('hearth serve: request validation (OpenAI error JSON)', () => {
  const cases: Array<[string, unknown, number, string | null]> = [
    ['/completions', { model: 'hearth-test', prompt: 'x', temperature: 5 }, 400, 'temperature'],
    ['/completions', { model: 'hearth-test' }, 400, 'prompt'],
    ['/completions', { model: 'hearth-test', prompt: [1, 2, 3] }, 400, 'prompt'],
    ['/completions', { model: 'hearth-test', prompt: 'x', max_tokens: -1 }, 400, 'max_tokens'],
    ['/completions', { model: 'hearth-test', prompt: 'x', stop: 3 }, 400, 'stop'],
    ['/completions', { model: 'gpt-4o', prompt: 'x' }, 404, 'model'],
    ['/chat/completions', { model: 'hearth-test', messages: [] }, 400, 'messages'],
    ['/chat/completions', { model: 'hearth-test', messages: [{ role: 'wizard', content: 'x' }] }, 400, 'messages[0].role'],
    ['/chat/completions', { model: 'hearth-test', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }, 400, 'tools'],
  ];
  for (const [path, body, status, param] of cases) {
    it(`${path} ${JSON.stringify(body)} → ${status} (${param})`, async () => {
      const r = await post(path, body);
      expect(r.status).toBe(status);
      expect(typeof r.json.error.message).toBe('string');
      expect(r.json.error.param).toBe(param);
      expect(r.json.error.type).toBe('invalid_request_error');
    });
  }

  it('rejects a body that is not JSON, unknown paths and wrong methods', async () => {
    const bad = await fetch(`${srv.url}/completions`, { method: 'POST', headers: SDK_HEADERS, body: '{"model": ' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/not valid JSON/);
    const unknown = await fetch(`${srv.url}/embeddings`, { method: 'POST', headers: SDK_HEADERS, body: '{}' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toMatch(/\/v1\/completions/);
    const wrong = await fetch(`${srv.url}/completions`, { headers: SDK_HEADERS });
    expect(wrong.status).toBe(405);
  });

  it('requires the API key when one is set', async () => {
    const locked = await serveModel(model, { modelId: 'hearth-test', apiKey: 'secret' });
    try {
      const no = await fetch(`${locked.url}/models`);
      expect(no.status).toBe(401);
      expect((await no.json()).error.code).toBe('invalid_api_key');
      const yes = await fetch(`${locked.url}/models`, { headers: { authorization: 'Bearer secret' } });
      expect(yes.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
