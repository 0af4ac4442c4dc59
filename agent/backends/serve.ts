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
 *
 * Staying up (docs/servers.md): each request's work is bounded by `maxRequestTokens` (see
 * `requestWork`; beyond it a 400 names the numbers); model calls go through `ModelQueue`, which
 * cuts large requests into slices and lets other requests take turns between them; a request
 * whose client disconnects is cancelled; `close()` cancels every request in flight (503) and
 * closes all connections. A synchronous model (the local checkpoint) should run in a worker
 * (`WorkerModel`) so that the event loop stays free during a model call.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHearthError } from '../../env/errors.ts';
import { decodeUtf8 } from '../../env/text.ts';
import { Prng } from '../../env/prng.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { type JobControl, ModelQueue } from './model-queue.ts';
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
  /** Budget of one request's work in tokens (`requestWork`); default DEFAULT_MAX_REQUEST_TOKENS. */
  maxRequestTokens?: number;
  /** Slicing of large requests (ModelQueue): rows × max_tokens per generate call, pairs per log-prob call. */
  sliceTokens?: number;
  sliceScores?: number;
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

/** Default budget of one request (`--max-request-tokens`): e.g. 64 prompts × 1024 tokens, or 16 × 4096. */
export const DEFAULT_MAX_REQUEST_TOKENS = 65_536;

/**
 * Budget units of one scored log-prob piece: scoring a piece runs the model over its whole
 * context (prompt and text before it), where generating a token is one cached decode step.
 * Measured on a one-layer ctx-64 checkpoint: ~12× a generated token; more for longer contexts.
 */
export const SCORE_COST = 16;

/**
 * The work a request may cause, in token units: every token it may generate (prompts × n ×
 * max_tokens), every prompt piece it echoes (n times per prompt), and, with log-probs,
 * SCORE_COST for every piece that is scored (generated ones, plus each echoed prompt's pieces
 * once). Pieces are words with their leading whitespace (`splitPieces`), the unit log-probs are
 * reported in.
 */
export function requestWork(r: { prompts: string[]; n: number; maxTokens: number; echo: boolean; logprobs: boolean }): { work: number; detail: string } {
  const generated = r.prompts.length * r.n * r.maxTokens;
  const promptPieces = r.echo ? r.prompts.reduce((a, p) => a + countPieces(p), 0) : 0;
  const echoed = r.n * promptPieces;
  const scored = r.logprobs ? generated + promptPieces : 0;
  const parts = [`${r.prompts.length} prompt${r.prompts.length === 1 ? '' : 's'} × n ${r.n} × max_tokens ${r.maxTokens} = ${generated} generated`];
  if (r.echo) parts.push(`${echoed} echoed prompt pieces`);
  if (r.logprobs) parts.push(`${scored} scored log-probs × ${SCORE_COST}`);
  return { work: generated + echoed + SCORE_COST * scored, detail: parts.join(' + ') };
}

interface Choice { text: string; logprobs: PieceLogProbs | null; finish: 'stop' | 'length' }
interface PieceLogProbs { tokens: string[]; values: Array<number | null>; offsets: number[] }

const ENDPOINTS = 'GET /v1/models, POST /v1/completions, POST /v1/chat/completions, GET /health';

export class ModelServer {
  readonly queue: ModelQueue;
  readonly modelId: string;
  readonly maxRequestTokens: number;
  private readonly seeds: Prng;
  private counter = 0;
  /** Requests in progress, each with the controller that cancels its model calls. */
  private readonly inflight = new Map<ServerResponse, AbortController>();
  private closing = false;

  constructor(readonly model: LanguageModel, private readonly options: ServeOptions = {}) {
    this.modelId = options.modelId ?? model.name;
    this.queue = new ModelQueue(model, { maxBatch: options.maxBatch ?? 64, sliceTokens: options.sliceTokens, sliceScores: options.sliceScores });
    this.seeds = new Prng(options.seed ?? 0);
    this.maxRequestTokens = options.maxRequestTokens ?? DEFAULT_MAX_REQUEST_TOKENS;
  }

  /** The node:http request handler. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    res.on('finish', () => this.options.log?.(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`));
    if (this.closing) return this.fail(res, new ApiError(503, 'the server is shutting down', null, 'shutting_down'));
    const ac = new AbortController();
    this.inflight.set(res, ac);
    // A client that goes away cancels its request's queued model calls.
    res.on('close', () => {
      this.inflight.delete(res);
      if (!res.writableFinished) ac.abort(cancelled('the client closed the connection'));
    });
    const ctl: JobControl = { owner: this.queue.newOwner(), signal: ac.signal };
    this.route(req, res, path, ctl).catch((e) => this.fail(res, e));
  };

  /** Cancel every request in progress (they answer 503) and refuse new ones. */
  shutdown(): void {
    this.closing = true;
    const reason = new ApiError(503, 'the server is shutting down; the request was cancelled', null, 'shutting_down');
    for (const ac of this.inflight.values()) ac.abort(reason);
    this.queue.cancelAll(reason);
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string, ctl: JobControl): Promise<void> {
    if (path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      throw new ApiError(401, 'invalid or missing API key (send Authorization: Bearer <key>)', null, 'invalid_api_key');
    }
    const method = req.method ?? 'GET';
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      allow(method, 'GET', path);
      const card = { id: this.modelId, object: 'model', created: 0, owned_by: 'hearth', backend: this.model.backend };
      if (path === '/v1/models') return sendJson(res, 200, { object: 'list', data: [card] });
      let id: string;
      try {
        id = decodeURIComponent(path.slice('/v1/models/'.length));
      } catch {
        throw new ApiError(400, `malformed percent-encoding in the path ${JSON.stringify(path)}`, null, 'invalid_path');
      }
      if (id !== this.modelId) throw modelNotFound(id, this.modelId);
      return sendJson(res, 200, card);
    }
    if (path === '/v1/completions') {
      allow(method, 'POST', path);
      return this.completions(parseCompletionRequest(await readJson(req, this.options.maxBodyBytes ?? 4 << 20)), res, ctl);
    }
    if (path === '/v1/chat/completions') {
      allow(method, 'POST', path);
      return this.chat(parseChatRequest(await readJson(req, this.options.maxBodyBytes ?? 4 << 20)), res, ctl);
    }
    throw new ApiError(404, `unknown path ${path}; this server answers ${ENDPOINTS}`, null, 'not_found');
  }

  private async completions(r: CompletionRequest, res: ServerResponse, ctl: JobControl): Promise<void> {
    this.checkModel(r.model);
    this.checkBudget({ prompts: r.prompts, n: r.n, maxTokens: r.maxTokens, echo: r.echo, logprobs: r.logprobs !== null });
    const texts = await this.sample(r.prompts, r, ctl);
    // Each distinct prompt's echoed log-probs are scored once, however many samples show them.
    const echoed = new Map<string, Promise<PieceLogProbs>>();
    const choices = await Promise.all(texts.map(async (text, i) => {
      const prompt = r.prompts[Math.floor(i / r.n)];
      const shown = r.echo ? prompt + text : text;
      let logprobs: PieceLogProbs | null = null;
      if (r.logprobs !== null) {
        // Prompt and generated text are split separately, as a server tokenises the prompt and
        // then appends generated tokens: no piece straddles the end of the prompt.
        if (r.echo && !echoed.has(prompt)) echoed.set(prompt, this.pieceLogProbs('', prompt, 0, ctl));
        const [head, generated] = await Promise.all([r.echo ? echoed.get(prompt)! : null, this.pieceLogProbs(prompt, text, prompt.length, ctl)]);
        logprobs = head ? concatPieces(head, generated) : generated;
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

  private async chat(r: ChatRequest, res: ServerResponse, ctl: JobControl): Promise<void> {
    this.checkModel(r.model);
    const template = (this.options.chatTemplate ?? defaultChatTemplate)(r.messages);
    this.checkBudget({ prompts: [template.prompt], n: r.n, maxTokens: r.maxTokens, echo: false, logprobs: r.logprobs });
    // The template ends each turn with a newline before the next role marker: drop it.
    const texts = (await this.sample([template.prompt], { ...r, stop: [...r.stop, ...template.stop] }, ctl)).map((t) => t.replace(/\n$/, ''));
    const choices = await Promise.all(texts.map(async (text) => ({
      text,
      logprobs: r.logprobs ? await this.pieceLogProbs(template.prompt, text, 0, ctl) : null,
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
  private async sample(prompts: string[], s: Sampling, ctl: JobControl): Promise<string[]> {
    if (s.maxTokens === 0) return prompts.flatMap(() => Array<string>(s.n).fill(''));
    const base = s.seed ?? this.seeds.int(2 ** 31);
    const perSample = await Promise.all(Array.from({ length: s.n }, (_, k) => {
      const options: GenerateOptions = { maxTokens: s.maxTokens, temperature: s.temperature, stop: s.stop };
      if (s.temperature > 0) {
        options.seed = base + k;
        if (s.topP < 1) options.topP = s.topP;
      }
      return this.queue.generate(prompts, options, ctl);
    }));
    return prompts.flatMap((_, p) => perSample.map((texts) => truncateAtStop(texts[p], s.stop).text));
  }

  private async pieceLogProbs(prefix: string, text: string, offsetBase: number, ctl: JobControl): Promise<PieceLogProbs> {
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
      const lps = await this.queue.logProbs(scored.map((k) => prefix + text.slice(0, offsets[k])), scored.map((k) => tokens[k]), ctl);
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

  private checkBudget(r: Parameters<typeof requestWork>[0]): void {
    const { work, detail } = requestWork(r);
    if (work > this.maxRequestTokens) {
      throw new ApiError(400, `this request asks for ${work} tokens of work (${detail}); this server takes at most ${this.maxRequestTokens} per request `
        + '(hearth serve --max-request-tokens): send fewer prompts, a smaller n or max_tokens, or no echo/logprobs', 'max_tokens', 'request_too_large');
    }
  }

  private checkModel(requested: string | undefined): void {
    if (requested !== undefined && requested !== this.modelId) throw modelNotFound(requested, this.modelId);
  }

  private fail(res: ServerResponse, e: unknown): void {
    let err: ApiError;
    if (res.destroyed || res.writableEnded) return; // cancelled: nobody to answer
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
  // Idle keep-alive connections must not hold close() up.
  server.keepAliveTimeout = 2000;
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      resolve({
        server, port, host, queue: handler.queue, url: `http://${shownHost}:${port}/v1`,
        close: () => new Promise<void>((done) => {
          handler.shutdown();
          server.close(() => done());
          // Let the 503s of cancelled requests go out, then drop every connection.
          setImmediate(() => server.closeAllConnections());
        }),
      });
    });
  });
}

function cancelled(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

/** Number of `splitPieces(text)` without building them. */
function countPieces(text: string): number {
  let n = 0;
  const re = /\s*\S+|\s+/g;
  while (re.exec(text) !== null) n++;
  return n;
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
      try {
        // Strict UTF-8 with a BOM stripped, like every text input (env/text.ts).
        resolve(JSON.parse(decodeUtf8(Buffer.concat(chunks), 'the request body')));
      } catch (e) {
        if (isHearthError(e)) return reject(new ApiError(400, e.message));
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
