/**
 * `hearth serve`: expose a model as an OpenAI-compatible HTTP server (/v1/models,
 * /v1/completions, /v1/chat/completions), so that other tools, and Hearth's own HTTP
 * backend, can use Hearth's models. The model is a local checkpoint (the usual case), a GGUF
 * file, or another server (then `serve` is a proxy, useful with --cache to record or replay).
 * Prints the bound address (`--port 0` picks a free port) and runs until SIGINT/SIGTERM, which
 * cancel the requests in flight (503) and end the process within seconds (docs/servers.md).
 * A local checkpoint runs in a worker thread, so that /health and new requests are answered
 * while the model computes; `--max-request-tokens` bounds one request's work.
 */
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { HearthError } from '../../env/errors.ts';
import { openLanguageModel, type ModelSource } from '../../agent/backends/open-model.ts';
import type { CacheMode } from '../../agent/backends/record-replay.ts';
import { DEFAULT_MAX_REQUEST_TOKENS, serveModel } from '../../agent/backends/serve.ts';
import type { Command } from '../main.ts';
import { boolFlag, type FlagSpec, intFlag, parseArgs, type ParsedArgs, stringFlag } from '../args.ts';

const USAGE = 'hearth serve (--checkpoint DIR | --gguf FILE | --base-url URL [--model NAME] [--api completions|chat] [--timeout MS] [--retries N] [--prompts-per-request N]) [--port 8000] [--host 127.0.0.1] '
  + '[--model-id NAME] [--auth-key KEY] [--backend wasm|cpu|tensorflow] [--cache PATH --cache-mode record|replay|auto] [--seed S] '
  + `[--max-request-tokens ${DEFAULT_MAX_REQUEST_TOKENS}] [--quiet]`;

/** How long SIGINT/SIGTERM may take before the process exits regardless. */
const SHUTDOWN_MS = 4000;

/** Flags that choose a model; other commands that take a model can reuse them. */
export const MODEL_FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: 'string', help: 'local model checkpoint: a model directory (its final epoch) or an epoch directory' },
  backend: { type: 'string', help: 'compute backend of the local model' },
  gguf: { type: 'string', help: 'GGUF model file (node-llama-cpp)' },
  'base-url': { type: 'string', help: 'OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1' },
  model: { type: 'string', help: 'model name on that server' },
  api: { type: 'string', help: 'completions (default) or chat' },
  timeout: { type: 'string', help: 'per-request timeout in ms' },
  retries: { type: 'string', help: 'retries per request' },
  'prompts-per-request': { type: 'string', help: 'prompts batched into one completions request (1 for Ollama)' },
  cache: { type: 'string', help: 'record/replay cache (.jsonl file or directory)' },
  'cache-mode': { type: 'string', help: 'record, replay or auto' },
};

/**
 * The model source named by MODEL_FLAGS; the server's API key comes from OPENAI_API_KEY.
 * `--checkpoint` goes through the one resolver (model or epoch directory), which line it
 * loaded is printed on stderr.
 */
export function modelSourceFromArgs(args: ParsedArgs): ModelSource {
  const api = stringFlag(args, 'api');
  if (api !== undefined && api !== 'completions' && api !== 'chat') {
    throw new HearthError('cli.usage', `--api must be completions or chat, got "${api}"`);
  }
  const given = stringFlag(args, 'checkpoint');
  let checkpoint: string | undefined;
  if (given !== undefined) {
    const resolved = resolveCheckpointDir(given);
    process.stderr.write(`${describeCheckpoint(resolved)}\n`);
    checkpoint = resolved.dir;
  }
  return {
    checkpoint,
    backend: stringFlag(args, 'backend'),
    gguf: stringFlag(args, 'gguf'),
    baseUrl: stringFlag(args, 'base-url'),
    model: stringFlag(args, 'model'),
    api,
    apiKey: process.env.OPENAI_API_KEY,
    timeoutMs: stringFlag(args, 'timeout') === undefined ? undefined : intFlag(args, 'timeout', 60_000, 1),
    retries: stringFlag(args, 'retries') === undefined ? undefined : intFlag(args, 'retries', 4, 0),
    promptsPerRequest: stringFlag(args, 'prompts-per-request') === undefined ? undefined : intFlag(args, 'prompts-per-request', 64, 1),
    cache: stringFlag(args, 'cache'),
    cacheMode: stringFlag(args, 'cache-mode') as CacheMode | undefined,
  };
}

export const command: Command = {
  name: 'serve',
  summary: 'serve a model (checkpoint, GGUF or another server) over an OpenAI-compatible HTTP API',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      ...MODEL_FLAGS,
      port: { type: 'string' }, host: { type: 'string' }, 'model-id': { type: 'string' },
      'auth-key': { type: 'string' }, seed: { type: 'string' }, quiet: { type: 'boolean' },
      'max-request-tokens': { type: 'string', help: 'budget of one request: prompts × n × max_tokens, plus echoed and scored pieces' },
    }, USAGE);
    if (args.positionals.length > 0) {
      throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    }
    const port = intFlag(args, 'port', 8000, 0);
    if (port > 65535) throw new HearthError('cli.usage', `--port must be in [0, 65535], got ${port}`);
    const host = stringFlag(args, 'host') ?? '127.0.0.1';
    const quiet = boolFlag(args, 'quiet');
    const maxRequestTokens = intFlag(args, 'max-request-tokens', DEFAULT_MAX_REQUEST_TOKENS, 1);
    const model = await openLanguageModel({ ...modelSourceFromArgs(args), inWorker: true });
    const srv = await serveModel(model, {
      port, host, maxRequestTokens,
      modelId: stringFlag(args, 'model-id'),
      apiKey: stringFlag(args, 'auth-key'),
      seed: intFlag(args, 'seed', 0),
      log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    }).catch(async (e: NodeJS.ErrnoException) => {
      await model.dispose?.();
      if (e.code === 'EADDRINUSE') throw new HearthError('serve.port', `port ${port} on ${host} is already in use`, 'pick another --port (0 picks a free one)');
      if (e.code === 'EACCES') throw new HearthError('serve.port', `no permission to listen on ${host}:${port}`, 'use a port ≥ 1024');
      if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new HearthError('serve.host', `cannot listen on host ${host}`, 'use 127.0.0.1, 0.0.0.0 or an address of this machine');
      throw e;
    });
    const modelId = stringFlag(args, 'model-id') ?? model.name;
    // One parseable line on stdout: tests and scripts read the bound port from it.
    console.log(`hearth serve: listening on ${srv.url} (model "${modelId}", backend ${model.backend})`);
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    if (!quiet) process.stderr.write(`hearth serve: ${signal}, cancelling requests in flight and stopping\n`);
    // Whatever still holds the process (a stuck connection, a model call) gets SHUTDOWN_MS.
    setTimeout(() => {
      process.stderr.write(`hearth serve: not stopped within ${SHUTDOWN_MS} ms of ${signal}; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_MS).unref();
    // The model first: a worker in the middle of a call is terminated, not waited for.
    await Promise.all([model.dispose?.(), srv.close()]);
    return 0;
  },
};
