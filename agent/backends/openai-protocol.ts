/**
 * The part of the OpenAI HTTP API that `hearth serve` answers: request validation into
 * typed requests (every rejection names the parameter, as OpenAI's own errors do) and the
 * default chat template. No I/O here; serve.ts does the HTTP.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = status >= 500 ? 'server_error' : 'invalid_request_error',
  ) {
    super(message);
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export interface Sampling {
  maxTokens: number;
  temperature: number;
  topP: number;
  /** Undefined: the server draws one from its own seeded stream. */
  seed?: number;
  stop: string[];
  n: number;
}

export interface CompletionRequest extends Sampling {
  model?: string;
  prompts: string[];
  echo: boolean;
  /** Number of top log-probs asked for per token; null = none. */
  logprobs: number | null;
  stream: boolean;
}

export interface ChatMessage { role: string; content: string }

export interface ChatRequest extends Sampling {
  model?: string;
  messages: ChatMessage[];
  logprobs: boolean;
  stream: boolean;
}

export const LIMITS = { maxTokens: 4096, n: 16, stops: 16, prompts: 64, messages: 256 };

type Json = Record<string, unknown>;

export function parseCompletionRequest(body: unknown): CompletionRequest {
  const b = object(body);
  let prompts: string[];
  if (typeof b.prompt === 'string') prompts = [b.prompt];
  else if (Array.isArray(b.prompt) && b.prompt.length > 0 && b.prompt.every((p) => typeof p === 'string')) prompts = b.prompt as string[];
  else if (Array.isArray(b.prompt) && b.prompt.length > 0) {
    throw new ApiError(400, 'token-id prompts are not supported by this server; send the prompt as text', 'prompt');
  } else throw new ApiError(400, "'prompt' is required: a string or a non-empty list of strings", 'prompt');
  if (prompts.length > LIMITS.prompts) throw new ApiError(400, `at most ${LIMITS.prompts} prompts per request`, 'prompt');
  rejectUnsupported(b, ['suffix']);
  if (b.best_of !== undefined && b.best_of !== null && b.best_of !== 1) throw new ApiError(400, "'best_of' other than 1 is not supported", 'best_of');
  const echo = optBool(b, 'echo') ?? false;
  const logprobs = b.logprobs === undefined || b.logprobs === null ? null : int(b, 'logprobs', 0, 5);
  const sampling = parseSampling(b, 'max_tokens', 16, echo ? 0 : 1);
  return { ...sampling, model: optString(b, 'model'), prompts, echo, logprobs, stream: optBool(b, 'stream') ?? false };
}

export function parseChatRequest(body: unknown): ChatRequest {
  const b = object(body);
  if (!Array.isArray(b.messages) || b.messages.length === 0) {
    throw new ApiError(400, "'messages' is required: a non-empty list of {role, content}", 'messages');
  }
  if (b.messages.length > LIMITS.messages) throw new ApiError(400, `at most ${LIMITS.messages} messages per request`, 'messages');
  const messages = b.messages.map((m, i) => parseMessage(m, i));
  if (Array.isArray(b.tools) && b.tools.length > 0) throw new ApiError(400, 'tool calls are not supported by this server', 'tools');
  const format = b.response_format as { type?: unknown } | undefined;
  if (format && format.type !== undefined && format.type !== 'text') {
    throw new ApiError(400, `response_format ${JSON.stringify(format.type)} is not supported (only "text")`, 'response_format');
  }
  const tokensKey = b.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const sampling = parseSampling(b, tokensKey, 256, 1);
  return {
    ...sampling, model: optString(b, 'model'), messages,
    logprobs: optBool(b, 'logprobs') ?? false, stream: optBool(b, 'stream') ?? false,
  };
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function parseMessage(m: unknown, i: number): ChatMessage {
  const param = `messages[${i}]`;
  if (!m || typeof m !== 'object') throw new ApiError(400, `${param} must be an object {role, content}`, param);
  const { role, content } = m as Json;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw new ApiError(400, `${param}.role must be one of ${[...ROLES].join(', ')}, got ${JSON.stringify(role)}`, `${param}.role`);
  }
  if (typeof content === 'string') return { role, content };
  if (content === null || content === undefined) return { role, content: '' };
  if (Array.isArray(content)) {
    const texts = content.map((part, j) => {
      const p = part as Json;
      if (p?.type !== 'text' || typeof p.text !== 'string') {
        throw new ApiError(400, `${param}.content[${j}]: only text parts are supported`, `${param}.content`);
      }
      return p.text;
    });
    return { role, content: texts.join('') };
  }
  throw new ApiError(400, `${param}.content must be a string or a list of text parts`, `${param}.content`);
}

function parseSampling(b: Json, tokensKey: string, defaultMax: number, minTokens: number): Sampling {
  rejectUnsupported(b, ['logit_bias']);
  for (const k of ['frequency_penalty', 'presence_penalty']) {
    if (b[k] !== undefined && b[k] !== null && b[k] !== 0) throw new ApiError(400, `'${k}' is not supported by this server (leave it at 0)`, k);
  }
  const maxTokens = b[tokensKey] === undefined || b[tokensKey] === null ? defaultMax : int(b, tokensKey, minTokens, LIMITS.maxTokens);
  const temperature = num(b, 'temperature', 0, 2) ?? 1;
  const topP = num(b, 'top_p', 0, 1) ?? 1;
  if (topP === 0) throw new ApiError(400, "'top_p' must be > 0", 'top_p');
  const seed = b.seed === undefined || b.seed === null ? undefined : int(b, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  let stop: string[] = [];
  if (typeof b.stop === 'string') stop = [b.stop];
  else if (Array.isArray(b.stop) && b.stop.every((s) => typeof s === 'string')) stop = b.stop as string[];
  else if (b.stop !== undefined && b.stop !== null) throw new ApiError(400, "'stop' must be a string or a list of strings", 'stop');
  if (stop.length > LIMITS.stops) throw new ApiError(400, `at most ${LIMITS.stops} stop strings`, 'stop');
  const n = b.n === undefined || b.n === null ? 1 : int(b, 'n', 1, LIMITS.n);
  return { maxTokens, temperature, topP, seed, stop: stop.filter((s) => s !== ''), n };
}

function object(body: unknown): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'the request body must be a JSON object');
  return body as Json;
}

function rejectUnsupported(b: Json, keys: string[]): void {
  for (const k of keys) {
    const v = b[k];
    const empty = v === undefined || v === null || v === '' || (typeof v === 'object' && Object.keys(v as object).length === 0);
    if (!empty) throw new ApiError(400, `'${k}' is not supported by this server`, k);
  }
}

function int(b: Json, key: string, min: number, max: number): number {
  const v = b[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ApiError(400, `'${key}' must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, key);
  }
  return v;
}

function num(b: Json, key: string, min: number, max: number): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ApiError(400, `'${key}' must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`, key);
  }
  return v;
}

function optBool(b: Json, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ApiError(400, `'${key}' must be true or false, got ${JSON.stringify(v)}`, key);
  return v;
}

function optString(b: Json, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, `'${key}' must be a string`, key);
  return v;
}

/**
 * The default chat template: each message as `<|role|>\ncontent\n`, then `<|assistant|>\n`
 * for the model to continue. Generation also stops at the next role marker, so a model that
 * runs on into a new turn is cut where the turn ends.
 */
export function defaultChatTemplate(messages: ChatMessage[]): { prompt: string; stop: string[] } {
  const prompt = messages.map((m) => `<|${m.role}|>\n${m.content}\n`).join('') + '<|assistant|>\n';
  return { prompt, stop: ['<|user|>', '<|system|>', '<|assistant|>'] };
}
