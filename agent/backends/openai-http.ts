/**
 * A `LanguageModel` served by any OpenAI-compatible HTTP server: vLLM, llama.cpp's
 * `llama-server`, Ollama, `hearth serve`, or OpenAI itself. Generation uses
 * `/v1/completions` (raw prompt, default) or `/v1/chat/completions` (the prompt becomes one
 * user message); log-probs use `/v1/completions` with `echo` + `logprobs`, which vLLM and
 * `hearth serve` answer and llama.cpp server / Ollama do not (a clear error says so).
 */
import { HearthError } from '../../env/errors.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { chooseByScore } from './constrained.ts';
import { JsonTransport, type TransportOptions } from './http-transport.ts';
import { DEFAULT_RETRY, type RetryOptions } from './retry.ts';
import { truncateAtStop } from './stop-strings.ts';

export interface OpenAIHttpOptions {
  /** API root, e.g. `http://127.0.0.1:8000/v1`; a bare `http://host:port` gets `/v1` added. */
  baseUrl: string;
  /** Model name the server knows; `connectOpenAIHttp` asks `/v1/models` when omitted. */
  model: string;
  /** `completions` (default: the prompt is sent verbatim) or `chat`. */
  api?: 'completions' | 'chat';
  apiKey?: string;
  /** Per-request limit, each attempt (default 60 s). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  /** Requests in flight at once for a batch of prompts (default 4). */
  concurrency?: number;
  /** Chat API only: a system message sent before each prompt. */
  systemPrompt?: string;
  /** Stop strings sent to the server (OpenAI accepts 4); all of them are applied locally anyway. */
  maxServerStops?: number;
  /**
   * Completions API: send a batch of prompts as one request (`prompt: [...]`, up to this many),
   * so the server decodes them together and seeded sampling sees the same batch rows as a
   * local call. 1 sends one request per prompt (for servers that take only a string, e.g.
   * Ollama). Default 64.
   */
  promptsPerRequest?: number;
}

export class OpenAIHttpModel implements LanguageModel {
  readonly name: string;
  readonly backend = 'http';
  readonly baseUrl: string;
  readonly model: string;
  private readonly api: 'completions' | 'chat';
  private readonly transport: JsonTransport;
  private readonly concurrency: number;

  constructor(private readonly options: OpenAIHttpOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.model = options.model;
    this.api = options.api ?? 'completions';
    // The name leaves out the URL: record/replay keys must survive a server moving ports.
    this.name = `openai:${options.model}`;
    this.transport = new JsonTransport(transportOptions(options));
    const c = options.concurrency ?? 4;
    if (!Number.isInteger(c) || c < 1) throw new HearthError('backend.config', `concurrency must be an integer ≥ 1, got ${c}`);
    this.concurrency = c;
  }

  async generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    if (options.allowed) return this.generateConstrained(prompts, options, options.allowed);
    if (this.api === 'chat') return mapLimit(prompts, this.concurrency, (p) => this.chat(p, options));
    const per = this.options.promptsPerRequest ?? 64;
    const chunks: string[][] = [];
    for (let i = 0; i < prompts.length; i += per) chunks.push(prompts.slice(i, i + per));
    return (await mapLimit(chunks, this.concurrency, (c) => this.complete(c, options))).flat();
  }

  /**
   * Sum of the log-probs of each continuation's tokens given its prompt. The server tokenises
   * prompt+continuation as one text, so a token that straddles the boundary (typically a word
   * with its leading space when the prompt ends in a space) counts toward the continuation.
   */
  async logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    if (prompts.length !== continuations.length) {
      throw new Error(`logProbs: ${prompts.length} prompts but ${continuations.length} continuations`);
    }
    if (this.api === 'chat') {
      throw new HearthError('backend.no_logprobs', `log-probs of given text need the completions API, but ${this.name} uses chat`,
        "use api: 'completions' (the default) with a server that returns prompt log-probs (vLLM, `hearth serve`)");
    }
    // Pairs with an empty continuation score 0 without a request; the rest go in batches.
    const todo = prompts.map((_, i) => i).filter((i) => continuations[i] !== '');
    const per = this.options.promptsPerRequest ?? 64;
    const chunks: number[][] = [];
    for (let i = 0; i < todo.length; i += per) chunks.push(todo.slice(i, i + per));
    const out = prompts.map(() => 0);
    await mapLimit(chunks, this.concurrency, async (chunk) => {
      const scores = await this.scoreBatch(chunk.map((i) => prompts[i]), chunk.map((i) => continuations[i]));
      chunk.forEach((i, k) => { out[i] = scores[k]; });
    });
    return out;
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  private samplingBody(options: GenerateOptions): Record<string, unknown> {
    const body: Record<string, unknown> = {
      model: this.model,
      max_tokens: options.maxTokens,
      temperature: options.temperature ?? 0,
    };
    if (options.topP !== undefined) body.top_p = options.topP;
    if (options.seed !== undefined) body.seed = options.seed;
    const stops = (options.stop ?? []).filter((s) => s !== '');
    if (stops.length > 0) body.stop = stops.slice(0, this.options.maxServerStops ?? 4);
    return body;
  }

  private async complete(prompts: string[], options: GenerateOptions): Promise<string[]> {
    const url = this.url('/completions');
    const json = await this.transport.post(url, { ...this.samplingBody(options), prompt: prompts.length === 1 ? prompts[0] : prompts });
    const choices = (json as { choices?: unknown } | null)?.choices;
    if (!Array.isArray(choices) || choices.length !== prompts.length) throw badShape(url, `${prompts.length} choices`);
    const out = new Array<string>(prompts.length);
    choices.forEach((c: { index?: unknown; text?: unknown }, k) => {
      const i = typeof c?.index === 'number' ? c.index : k;
      if (typeof c?.text !== 'string' || !(i >= 0 && i < prompts.length)) throw badShape(url, `choices[${k}].text`);
      out[i] = truncateAtStop(c.text, options.stop).text;
    });
    return out;
  }

  private async chat(prompt: string, options: GenerateOptions): Promise<string> {
    const url = this.url('/chat/completions');
    const messages = [
      ...(this.options.systemPrompt ? [{ role: 'system', content: this.options.systemPrompt }] : []),
      { role: 'user', content: prompt },
    ];
    const json = await this.transport.post(url, { ...this.samplingBody(options), messages });
    const message = firstChoice(json, url).message as { content?: unknown } | undefined;
    if (!message || (typeof message.content !== 'string' && message.content !== null)) throw badShape(url, 'choices[0].message.content');
    return truncateAtStop(message.content ?? '', options.stop).text;
  }

  private async scoreBatch(prompts: string[], continuations: string[]): Promise<number[]> {
    const url = this.url('/completions');
    const fulls = prompts.map((p, i) => p + continuations[i]);
    // max_tokens 1, not 0: several servers reject 0; the generated token is filtered out below.
    const json = await this.transport.post(url, {
      model: this.model, prompt: fulls.length === 1 ? fulls[0] : fulls, max_tokens: 1, temperature: 0, echo: true, logprobs: 1,
    });
    const choices = (json as { choices?: unknown } | null)?.choices;
    if (!Array.isArray(choices) || choices.length !== fulls.length) throw badShape(url, `${fulls.length} choices`);
    const out = new Array<number>(fulls.length);
    choices.forEach((c: { index?: unknown; logprobs?: unknown }, k) => {
      const i = typeof c?.index === 'number' ? c.index : k;
      if (!(i >= 0 && i < fulls.length)) throw badShape(url, `choices[${k}].index`);
      out[i] = continuationLogProb(url, c?.logprobs, prompts[i].length, fulls[i].length);
    });
    return out;
  }


  private async generateConstrained(prompts: string[], options: GenerateOptions, allowed: string[]): Promise<string[]> {
    if (allowed.length === 0) throw new HearthError('backend.config', 'constrained decoding got an empty list of allowed strings');
    const out: string[] = [];
    for (const prompt of prompts) {
      const scores = await this.logProbs(allowed.map(() => prompt), allowed);
      out.push(allowed[chooseByScore(scores, options)]);
    }
    return out;
  }
}

/**
 * Sum of the echoed token log-probs that cover [promptLength, fullLength): a token counts when
 * it contains any continuation text; tokens after the text (the one generated) do not.
 */
function continuationLogProb(url: string, logprobs: unknown, promptLength: number, fullLength: number): number {
  const lp = logprobs as { tokens?: unknown; token_logprobs?: unknown; text_offset?: unknown } | null | undefined;
  const tokens = lp?.tokens;
  const values = lp?.token_logprobs;
  const offsets = lp?.text_offset;
  if (!Array.isArray(tokens) || !Array.isArray(values) || !Array.isArray(offsets) || offsets.length !== values.length) {
    throw new HearthError('backend.no_logprobs', `model server at ${url} returned no prompt log-probs (echo + logprobs)`,
      'use a server that returns them (vLLM, `hearth serve`); llama.cpp server and Ollama only generate');
  }
  let sum = 0;
  let counted = 0;
  for (let i = 0; i < values.length; i++) {
    const start = Number(offsets[i]);
    const end = start + String(tokens[i]).length;
    if (start >= fullLength || end <= promptLength) continue;
    const v = values[i];
    if (typeof v !== 'number') {
      throw new HearthError('backend.no_logprobs', `model server at ${url} gave no log-prob for token ${JSON.stringify(tokens[i])} of the continuation`,
        'the first token of a text has no log-prob: give a non-empty prompt');
    }
    sum += v;
    counted++;
  }
  if (counted === 0) throw badShape(url, 'logprobs covering the continuation');
  return sum;
}

/** Build a client, asking the server for its model list when no model is named. */
export async function connectOpenAIHttp(options: Omit<OpenAIHttpOptions, 'model'> & { model?: string }): Promise<OpenAIHttpModel> {
  if (options.model) return new OpenAIHttpModel({ ...options, model: options.model });
  const models = await listModels(options);
  if (models.length === 0) {
    throw new HearthError('backend.no_model', `model server at ${normaliseBaseUrl(options.baseUrl)} lists no models at /v1/models`,
      'name the model explicitly (--model NAME) or load one into the server');
  }
  return new OpenAIHttpModel({ ...options, model: models[0] });
}

/** Model ids from `GET /v1/models`. */
export async function listModels(options: Omit<OpenAIHttpOptions, 'model'>): Promise<string[]> {
  const url = `${normaliseBaseUrl(options.baseUrl)}/models`;
  const json = await new JsonTransport(transportOptions(options)).get(url) as { data?: unknown };
  if (!Array.isArray(json?.data)) throw badShape(url, 'data[]');
  return json.data.map((m: { id?: unknown }) => String(m?.id));
}

export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HearthError('backend.config', `model server URL "${raw}" is not a URL`, 'write it as http://HOST:PORT/v1');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HearthError('backend.config', `model server URL "${raw}" must use http or https`, 'write it as http://HOST:PORT/v1');
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/v1' : path}`;
}

function transportOptions(options: Omit<OpenAIHttpOptions, 'model'>): TransportOptions {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!(timeoutMs > 0)) throw new HearthError('backend.config', `timeout must be > 0 ms, got ${timeoutMs}`);
  return { timeoutMs, retry: { ...DEFAULT_RETRY, ...options.retry }, apiKey: options.apiKey };
}

function firstChoice(json: unknown, url: string): Record<string, unknown> {
  const choices = (json as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0 || typeof choices[0] !== 'object' || choices[0] === null) {
    throw badShape(url, 'choices[0]');
  }
  return choices[0] as Record<string, unknown>;
}

function badShape(url: string, what: string): HearthError {
  return new HearthError('backend.bad_response', `model server at ${url} answered JSON without ${what}`,
    'check that the base URL points at an OpenAI-compatible API (path /v1)');
}

/** Run `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
