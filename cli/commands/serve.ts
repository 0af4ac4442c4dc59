/**
 * `hearth serve`: expose a model as an OpenAI-compatible HTTP server (/v1/models,
 * /v1/completions, /v1/chat/completions), so that other tools, and Hearth's own HTTP
 * backend, can use Hearth's models. The model is a local checkpoint (the usual case), a GGUF
 * file, or another server (then `serve` is a proxy, useful with --cache to record or replay).
 * Prints the bound address (`--port 0` picks a free port) and runs until SIGINT/SIGTERM.
 */
import { HearthError } from '../../env/errors.ts';
import { openLanguageModel, type ModelSource } from '../../agent/backends/open-model.ts';
import type { CacheMode } from '../../agent/backends/record-replay.ts';
import { serveModel } from '../../agent/backends/serve.ts';
import type { Command } from '../main.ts';
import { boolFlag, type FlagSpec, intFlag, parseArgs, type ParsedArgs, stringFlag } from '../args.ts';

const USAGE = 'hearth serve (--checkpoint DIR | --gguf FILE | --base-url URL [--model NAME] [--api completions|chat] [--timeout MS] [--retries N] [--prompts-per-request N]) [--port 8000] [--host 127.0.0.1] '
  + '[--model-id NAME] [--auth-key KEY] [--backend wasm|cpu|tensorflow] [--cache PATH --cache-mode record|replay|auto] [--seed S] [--quiet]';

/** Flags that choose a model; other commands that take a model can reuse them. */
export const MODEL_FLAGS: Record<string, FlagSpec> = {
  checkpoint: { type: 'string', help: 'local model checkpoint directory' },
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

/** The model source named by MODEL_FLAGS; the server's API key comes from OPENAI_API_KEY. */
export function modelSourceFromArgs(args: ParsedArgs): ModelSource {
  const api = stringFlag(args, 'api');
  if (api !== undefined && api !== 'completions' && api !== 'chat') {
    throw new HearthError('cli.usage', `--api must be completions or chat, got "${api}"`);
  }
  return {
    checkpoint: stringFlag(args, 'checkpoint'),
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
    }, USAGE);
    if (args.positionals.length > 0) {
      throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    }
    const port = intFlag(args, 'port', 8000, 0);
    if (port > 65535) throw new HearthError('cli.usage', `--port must be in [0, 65535], got ${port}`);
    const host = stringFlag(args, 'host') ?? '127.0.0.1';
    const quiet = boolFlag(args, 'quiet');
    const model = await openLanguageModel(modelSourceFromArgs(args));
    const srv = await serveModel(model, {
      port, host,
      modelId: stringFlag(args, 'model-id'),
      apiKey: stringFlag(args, 'auth-key'),
      seed: intFlag(args, 'seed', 0),
      log: quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') throw new HearthError('serve.port', `port ${port} on ${host} is already in use`, 'pick another --port (0 picks a free one)');
      if (e.code === 'EACCES') throw new HearthError('serve.port', `no permission to listen on ${host}:${port}`, 'use a port ≥ 1024');
      if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new HearthError('serve.host', `cannot listen on host ${host}`, 'use 127.0.0.1, 0.0.0.0 or an address of this machine');
      throw e;
    });
    const modelId = stringFlag(args, 'model-id') ?? model.name;
    // One parseable line on stdout: tests and scripts read the bound port from it.
    console.log(`hearth serve: listening on ${srv.url} (model "${modelId}", backend ${model.backend})`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await srv.close();
    await model.dispose?.();
    return 0;
  },
};
