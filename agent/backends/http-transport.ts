/**
 * JSON over HTTP for model servers: one request with a timeout, retried with backoff on the
 * failures that retrying can fix (connection refused/reset, timeouts, 408, 429, 5xx), and
 * every failure left over turned into a HearthError that names the URL and the fix.
 */
import { HearthError } from '../../env/errors.ts';
import { Backoff, parseRetryAfter, sleep, type RetryOptions } from './retry.ts';

export interface TransportOptions {
  /** Per-attempt limit on the whole exchange (headers and body). */
  timeoutMs: number;
  retry: RetryOptions;
  /** Sent as `Authorization: Bearer <key>` when set. */
  apiKey?: string;
  headers?: Record<string, string>;
}

export const START_SERVER_HINT =
  'start the server (vLLM: `vllm serve MODEL`; llama.cpp: `llama-server -m FILE.gguf --port 8080`; '
  + 'Ollama: `ollama serve`; Hearth: `hearth serve --checkpoint DIR --port 8000`) '
  + 'or fix the base URL (for example http://127.0.0.1:8000/v1)';

const RETRY_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

type Attempt =
  | { kind: 'ok'; json: unknown }
  | { kind: 'retry'; error: HearthError; retryAfterMs?: number }
  | { kind: 'fatal'; error: HearthError };

/** A retrying JSON client bound to one set of options; `backoff` keeps one seeded jitter stream. */
export class JsonTransport {
  private readonly backoff: Backoff;

  constructor(private readonly options: TransportOptions) {
    this.backoff = new Backoff(options.retry);
  }

  get(url: string): Promise<unknown> {
    return this.request('GET', url, undefined);
  }

  post(url: string, body: unknown): Promise<unknown> {
    return this.request('POST', url, body);
  }

  private async request(method: string, url: string, body: unknown): Promise<unknown> {
    const attempts = this.options.retry.retries + 1;
    for (let i = 0; ; i++) {
      const outcome = await this.attempt(method, url, body);
      if (outcome.kind === 'ok') return outcome.json;
      if (outcome.kind === 'fatal' || i + 1 >= attempts) {
        const e = outcome.error;
        if (outcome.kind === 'retry' && attempts > 1) {
          throw new HearthError(e.kind, `${e.message} (after ${attempts} attempts)`, e.hint);
        }
        throw e;
      }
      await sleep(this.backoff.delayMs(i, outcome.retryAfterMs));
    }
  }

  private async attempt(method: string, url: string, body: unknown): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let status = 0;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const response = await fetch(url, {
        method, headers, signal: controller.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (e) {
      if (controller.signal.aborted) {
        return {
          kind: 'retry',
          error: new HearthError('backend.timeout', `model server at ${url} did not answer within ${this.options.timeoutMs} ms`,
            'raise the timeout (timeoutMs, or --timeout) or check whether the server is overloaded'),
        };
      }
      const code = networkCode(e);
      if (code === 'bad port') {
        // undici refuses the Fetch standard's blocked ports (1, 22, 25, 6000, ...) without trying.
        return {
          kind: 'fatal',
          error: new HearthError('backend.unreachable', `cannot use model server at ${url}: fetch blocks that port (Fetch standard "bad port")`,
            'run the server on another port, e.g. 8000'),
        };
      }
      return {
        kind: 'retry',
        error: new HearthError('backend.unreachable', `cannot reach model server at ${url} (${code})`, START_SERVER_HINT),
      };
    } finally {
      clearTimeout(timer);
    }
    if (status < 200 || status >= 300) {
      const error = statusError(url, status, text);
      return RETRY_STATUS.has(status)
        ? { kind: 'retry', error, retryAfterMs: parseRetryAfter(retryAfter) }
        : { kind: 'fatal', error };
    }
    try {
      return { kind: 'ok', json: JSON.parse(text) };
    } catch {
      return {
        kind: 'fatal',
        error: new HearthError('backend.bad_json', `model server at ${url} answered HTTP ${status} with a body that is not JSON: ${excerpt(text)}`,
          'check that the base URL points at an OpenAI-compatible API (its path usually ends in /v1), not a web page or a proxy login'),
      };
    }
  }
}

function statusError(url: string, status: number, text: string): HearthError {
  const message = `model server at ${url} answered HTTP ${status}: ${serverMessage(text)}`;
  let hint: string;
  if (status === 401 || status === 403) hint = 'set the API key (OPENAI_API_KEY, or the apiKey option) to one the server accepts';
  else if (status === 404) hint = 'check that the base URL ends in /v1 and that the model name is one the server lists at GET /v1/models';
  else if (status === 429 || status >= 500) hint = 'the server is overloaded or failing; retry later, raise the retry count, or check its logs';
  else hint = 'the server rejected the request; its message above names the parameter';
  return new HearthError('backend.http_status', message, hint);
}

/** OpenAI-style `{error: {message}}`, or `{error: "..."}`, or `{detail: ...}` (FastAPI), else the raw text. */
function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const err = j.error;
    if (typeof err === 'string') return err;
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
      return (err as { message: string }).message;
    }
    if (typeof j.detail === 'string') return j.detail;
    if (typeof j.message === 'string') return j.message;
  } catch { /* not JSON: show the text */ }
  return excerpt(text);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > 200 ? `${JSON.stringify(flat.slice(0, 200))}…` : JSON.stringify(flat);
}

/** undici wraps the socket error: `TypeError('fetch failed', {cause: {code: 'ECONNREFUSED'}})`. */
function networkCode(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const c = cur as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof c.code === 'string') return c.code;
    if (!c.cause && typeof c.message === 'string') return c.message;
    cur = c.cause;
  }
  return String(e);
}
