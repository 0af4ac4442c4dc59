/**
 * An OpenAI-compatible HTTP server around any `LanguageModel` (node:http, no framework):
 * `GET /v1/models`, `POST /v1/completions`, `POST /v1/chat/completions` (with a simple chat
 * template), `GET /health`. Requests are validated with OpenAI-style error JSON; concurrent
 * requests with equal sampling settings share one batched `generate` call (model-queue.ts).
 *
 * What the `LanguageModel` interface cannot tell is approximated and documented here:
 * - token counts (usage, `finish_reason: "length"`) use the model's tokenizer when it has one
 *   (`model.tokenizer.encode`), else whitespace-delimited pieces;
 * - per-token log-probs are reported per piece (a word with its leading whitespace, or the
 *   model tokenizer's pre-tokenisation is not visible here), each scored with
 *   `model.logProbs(prefix, piece)`; their sum is the text's log-prob by the chain rule.
 *   `top_logprobs` lists only the chosen piece (the interface exposes no vocabulary).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHearthError } from '../../env/errors.ts';
import { Prng } from '../../env/prng.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { ModelQueue } from './model-queue.ts';
import {
  ApiError, type ChatMessage, type ChatRequest, type CompletionRequest, defaultChatTemplate,
  parseChatRequest, parseCompletionRequest, type Sampling,
} from './openai-protocol.ts';
import { truncateAtStop } from './stop-strings.ts';

export interface ServeOptions {
  /** Name listed at /v1/models and required in requests' `model` (default: `model.name`). */
  modelId?: string;
  port?: number;
  /** Default 127.0.0.1 (local only); 0.0.0.0 to accept other machines. */
  host?: string;
  /** When set, requests must send `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Seed of the stream that gives seeds to requests that bring none. */
  seed?: number;
  chatTemplate?: (messages: ChatMessage[]) => { prompt: string; stop: string[] };
  maxBodyBytes?: number;
  /** Most prompts merged into one generate call. */
  maxBatch?: number;
  /** One line per request (method, path, status, ms). */
  log?: (line: string) => void;
}

export interface RunningServer {
  server: Server;
  /** API root, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  host: string;
  queue: ModelQueue;
  close(): Promise<void>;
}

interface Choice { text: string; logprobs: PieceLogProbs | null; finish: 'stop' | 'length' }
interface PieceLogProbs { tokens: string[]; values: Array<number | null>; offsets: number[] }

const ENDPOINTS = 'GET /v1/models, POST /v1/completions, POST /v1/chat/completions, GET /health';

export class ModelServer {
  readonly queue: ModelQueue;
  readonly modelId: string;
  private readonly seeds: Prng;
  private counter = 0;

  constructor(readonly model: LanguageModel, private readonly options: ServeOptions = {}) {
    this.modelId = options.modelId ?? model.name;
    this.queue = new ModelQueue(model, options.maxBatch ?? 64);
    this.seeds = new Prng(options.seed ?? 0);
  }

  /** The node:http request handler. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    res.on('finish', () => this.options.log?.(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`));
    this.route(req, res, path).catch((e) => this.fail(res, e));
  };

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      throw new ApiError(401, 'invalid or missing API key (send Authorization: Bearer <key>)', null, 'invalid_api_key');
    }
    const method = req.method ?? 'GET';
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      allow(method, 'GET', path);
      const card = { id: this.modelId, object: 'model', created: 0, owned_by: 'hearth', backend: this.model.backend };
      if (path === '/v1/models') return sendJson(res, 200, { object: 'list', data: [card] });
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (id !== this.modelId) throw modelNotFound(id, this.modelId);
      return sendJson(res, 200, card);
    }
    if (path === '/v1/completions') {
      allow(method, 'POST', path);
      return this.completions(parseCompletionRequest(await readJson(req, this.options.maxBodyBytes ?? 4 << 20)), res);
    }
    if (path === '/v1/chat/completions') {
      allow(method, 'POST', path);
      return this.chat(parseChatRequest(await readJson(req, this.options.maxBodyBytes ?? 4 << 20)), res);
    }
    throw new ApiError(404, `unknown path ${path}; this server answers ${ENDPOINTS}`, null, 'not_found');
  }

  private async completions(r: CompletionRequest, res: ServerResponse): Promise<void> {
    this.checkModel(r.model);
    const texts = await this.sample(r.prompts, r);
    const choices = await Promise.all(texts.map(async (text, i) => {
      const prompt = r.prompts[Math.floor(i / r.n)];
      const shown = r.echo ? prompt + text : text;
      let logprobs: PieceLogProbs | null = null;
      if (r.logprobs !== null) {
        // Prompt and generated text are split separately, as a server tokenises the prompt and
        // then appends generated tokens: no piece straddles the end of the prompt.
        const generated = await this.pieceLogProbs(prompt, text, prompt.length);
        logprobs = r.echo ? concatPieces(await this.pieceLogProbs('', prompt, 0), generated) : generated;
      }
      return { text: shown, logprobs, finish: this.finishReason(text, r.maxTokens) } satisfies Choice;
    }));
    const id = `cmpl-hearth-${++this.counter}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = this.usage(r.prompts, texts);
    const lp = (c: Choice) => c.logprobs && {
      tokens: c.logprobs.tokens, token_logprobs: c.logprobs.values, text_offset: c.logprobs.offsets,
      top_logprobs: c.logprobs.tokens.map((t, k) => (c.logprobs!.values[k] === null ? null : { [t]: c.logprobs!.values[k] })),
    };
    if (r.stream) {
      const chunks = choices.flatMap((c, index) => [
        { id, object: 'text_completion', created, model: this.modelId, choices: [{ index, text: c.text, logprobs: lp(c), finish_reason: null }] },
        { id, object: 'text_completion', created, model: this.modelId, choices: [{ index, text: '', logprobs: null, finish_reason: c.finish }] },
      ]);
      return sendStream(res, chunks);
    }
    sendJson(res, 200, {
      id, object: 'text_completion', created, model: this.modelId,
      choices: choices.map((c, index) => ({ index, text: c.text, logprobs: lp(c), finish_reason: c.finish })),
      usage,
    });
  }

  private async chat(r: ChatRequest, res: ServerResponse): Promise<void> {
    this.checkModel(r.model);
    const template = (this.options.chatTemplate ?? defaultChatTemplate)(r.messages);
    // The template ends each turn with a newline before the next role marker: drop it.
    const texts = (await this.sample([template.prompt], { ...r, stop: [...r.stop, ...template.stop] })).map((t) => t.replace(/\n$/, ''));
    const choices = await Promise.all(texts.map(async (text) => ({
      text,
      logprobs: r.logprobs ? await this.pieceLogProbs(template.prompt, text, 0) : null,
      finish: this.finishReason(text, r.maxTokens),
    } satisfies Choice)));
    const id = `chatcmpl-hearth-${++this.counter}`;
    const created = Math.floor(Date.now() / 1000);
    const lp = (c: Choice) => c.logprobs && {
      content: c.logprobs.tokens.map((token, k) => ({
        token, logprob: c.logprobs!.values[k], bytes: [...Buffer.from(token, 'utf8')],
        top_logprobs: [{ token, logprob: c.logprobs!.values[k], bytes: [...Buffer.from(token, 'utf8')] }],
      })),
    };
    if (r.stream) {
      const chunks = choices.flatMap((c, index) => [
        { id, object: 'chat.completion.chunk', created, model: this.modelId, choices: [{ index, delta: { role: 'assistant', content: c.text }, logprobs: lp(c), finish_reason: null }] },
        { id, object: 'chat.completion.chunk', created, model: this.modelId, choices: [{ index, delta: {}, logprobs: null, finish_reason: c.finish }] },
      ]);
      return sendStream(res, chunks);
    }
    sendJson(res, 200, {
      id, object: 'chat.completion', created, model: this.modelId,
      choices: choices.map((c, index) => ({ index, message: { role: 'assistant', content: c.text }, logprobs: lp(c), finish_reason: c.finish })),
      usage: this.usage([template.prompt], texts),
    });
  }

  /**
   * `n` samples of each prompt, in OpenAI's order (prompt-major). Sample k uses seed + k so
   * the n samples differ and each is reproducible; requests without a seed get one from the
   * server's seeded stream. Greedy requests drop the seed so that they can be merged.
   */
  private async sample(prompts: string[], s: Sampling): Promise<string[]> {
    if (s.maxTokens === 0) return prompts.flatMap(() => Array<string>(s.n).fill(''));
    const base = s.seed ?? this.seeds.int(2 ** 31);
    const perSample = await Promise.all(Array.from({ length: s.n }, (_, k) => {
      const options: GenerateOptions = { maxTokens: s.maxTokens, temperature: s.temperature, stop: s.stop };
      if (s.temperature > 0) {
        options.seed = base + k;
        if (s.topP < 1) options.topP = s.topP;
      }
      return this.queue.generate(prompts, options);
    }));
    return prompts.flatMap((_, p) => perSample.map((texts) => truncateAtStop(texts[p], s.stop).text));
  }

  private async pieceLogProbs(prefix: string, text: string, offsetBase: number): Promise<PieceLogProbs> {
    if (!this.model.logProbs) {
      throw new ApiError(400, `model ${this.modelId} (backend ${this.model.backend}) does not provide log-probs`, 'logprobs');
    }
    const tokens = splitPieces(text);
    const offsets: number[] = [];
    let at = 0;
    for (const t of tokens) { offsets.push(at); at += t.length; }
    // The first piece of a text with no prefix has no context to be scored against (as in OpenAI's API).
    const scored = tokens.map((_, k) => k).filter((k) => prefix !== '' || k > 0);
    const values: Array<number | null> = tokens.map(() => null);
    if (scored.length > 0) {
      const lps = await this.queue.logProbs(scored.map((k) => prefix + text.slice(0, offsets[k])), scored.map((k) => tokens[k]));
      scored.forEach((k, j) => { values[k] = lps[j]; });
    }
    return { tokens, values, offsets: offsets.map((o) => o + offsetBase) };
  }

  private countTokens(text: string): number {
    const tok = (this.model as { tokenizer?: { encode?: (s: string) => ArrayLike<number> } }).tokenizer;
    if (tok && typeof tok.encode === 'function') return tok.encode(text).length;
    return splitPieces(text).length;
  }

  private finishReason(text: string, maxTokens: number): 'stop' | 'length' {
    return this.countTokens(text) >= maxTokens ? 'length' : 'stop';
  }

  private usage(prompts: string[], texts: string[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
    const p = prompts.reduce((a, t) => a + this.countTokens(t), 0);
    const c = texts.reduce((a, t) => a + this.countTokens(t), 0);
    return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
  }

  private checkModel(requested: string | undefined): void {
    if (requested !== undefined && requested !== this.modelId) throw modelNotFound(requested, this.modelId);
  }

  private fail(res: ServerResponse, e: unknown): void {
    let err: ApiError;
    if (e instanceof ApiError) err = e;
    else if (isHearthError(e)) err = new ApiError(400, e.oneLine(), null, e.kind);
    else {
      err = new ApiError(500, `internal error: ${e instanceof Error ? e.message : String(e)}`);
      this.options.log?.(`internal error: ${e instanceof Error ? e.stack : String(e)}`);
    }
    if (res.headersSent) { res.destroy(); return; }
    sendJson(res, err.status, err.toJSON());
  }
}

/** Start listening; resolves once the port is bound (port 0 = any free port). */
export function serveModel(model: LanguageModel, options: ServeOptions = {}): Promise<RunningServer> {
  const handler = new ModelServer(model, options);
  const server = createServer(handler.handle);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      resolve({
        server, port, host, queue: handler.queue, url: `http://${shownHost}:${port}/v1`,
        close: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }),
      });
    });
  });
}

function concatPieces(a: PieceLogProbs, b: PieceLogProbs): PieceLogProbs {
  return { tokens: [...a.tokens, ...b.tokens], values: [...a.values, ...b.values], offsets: [...a.offsets, ...b.offsets] };
}

/** Words with their leading whitespace; trailing whitespace is a piece of its own. Concatenates back to `text`. */
export function splitPieces(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

function allow(method: string, expected: string, path: string): void {
  if (method !== expected) throw new ApiError(405, `${path} takes ${expected}, not ${method}`, null, 'method_not_allowed');
}

function modelNotFound(requested: string, available: string): ApiError {
  return new ApiError(404, `The model '${requested}' does not exist on this server; it serves '${available}' (GET /v1/models)`, 'model', 'model_not_found');
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > limit) return reject(new ApiError(413, `request body is ${size} bytes; the limit is ${limit}`));
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ApiError(400, `the request body is not valid JSON: ${(e as Error).message}`));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Server-sent events as OpenAI streams them: `data: {chunk}` lines, then `data: [DONE]`. */
function sendStream(res: ServerResponse, chunks: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const c of chunks) res.write(`data: ${JSON.stringify(c)}\n\n`);
  res.end('data: [DONE]\n\n');
}
