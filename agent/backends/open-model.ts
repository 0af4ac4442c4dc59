/**
 * One place that turns "which model" (a local checkpoint, a GGUF file, or an
 * OpenAI-compatible server, optionally behind a record/replay cache) into a `LanguageModel`.
 * Every backend is imported lazily, so using a server never loads TensorFlow.js and using a
 * checkpoint never loads node-llama-cpp.
 */
import { existsSync } from 'node:fs';
import { HearthError } from '../../env/errors.ts';
import type { LanguageModel } from '../language-model.ts';
import { CACHE_MODES, type CacheMode } from './record-replay.ts';

export interface ModelSource {
  /** Local TensorFlow.js checkpoint directory. */
  checkpoint?: string;
  /** Compute backend of the local model (`wasm`, `cpu`, `tensorflow`). */
  backend?: string;
  /** GGUF file run through node-llama-cpp. */
  gguf?: string;
  /** OpenAI-compatible server API root. */
  baseUrl?: string;
  /** Server-side model name (default: the first one the server lists). */
  model?: string;
  api?: 'completions' | 'chat';
  apiKey?: string;
  timeoutMs?: number;
  retries?: number;
  /** Prompts per completions request (1 for servers that take one prompt, e.g. Ollama). */
  promptsPerRequest?: number;
  /** Record/replay cache path (`*.jsonl` or a directory). */
  cache?: string;
  cacheMode?: CacheMode;
  /** Run a local checkpoint in a worker thread (servers: keeps their event loop free). */
  inWorker?: boolean;
}

export async function openLanguageModel(src: ModelSource): Promise<LanguageModel> {
  const given = (['checkpoint', 'gguf', 'baseUrl'] as const).filter((k) => src[k] !== undefined);
  const replayOnly = given.length === 0 && src.cache !== undefined && src.cacheMode === 'replay';
  if (given.length > 1) {
    throw new HearthError('model.source', `give one model source, not ${given.map(flagName).join(' and ')}`,
      'use --checkpoint DIR, --gguf FILE or --base-url URL');
  }
  if (given.length === 0 && !replayOnly) {
    throw new HearthError('model.source', 'no model given', 'use --checkpoint DIR, --gguf FILE or --base-url URL (or --cache FILE --cache-mode replay --model NAME)');
  }
  if (src.cacheMode !== undefined && !CACHE_MODES.includes(src.cacheMode)) {
    throw new HearthError('model.source', `--cache-mode must be one of ${CACHE_MODES.join(', ')}, got "${src.cacheMode}"`);
  }
  if (src.cacheMode !== undefined && src.cache === undefined) {
    throw new HearthError('model.source', '--cache-mode needs --cache PATH', 'give a .jsonl file or a directory to record into');
  }
  if (src.cache !== undefined && src.cacheMode === 'replay' && (!replayOnly || src.model !== undefined) && !existsSync(src.cache)) {
    throw new HearthError('cache.missing', `replay cache ${src.cache} does not exist`,
      'check the --cache path, or record it first with --cache-mode record (or auto)');
  }
  let inner: LanguageModel | undefined;
  if (src.checkpoint !== undefined && src.inWorker) {
    const { WorkerModel } = await import('./worker-model.ts');
    inner = await WorkerModel.load(src.checkpoint, { backend: src.backend });
  } else if (src.checkpoint !== undefined) {
    // The local model is the one import to switch if the loader moves.
    const { loadModel } = await import('../local-model.ts');
    inner = await loadModel(src.checkpoint, { backend: src.backend });
  } else if (src.gguf !== undefined) {
    const { GgufModel } = await import('./llama-cpp.ts');
    inner = await GgufModel.load(src.gguf);
  } else if (src.baseUrl !== undefined) {
    const { connectOpenAIHttp } = await import('./openai-http.ts');
    inner = await connectOpenAIHttp({
      baseUrl: src.baseUrl, model: src.model, api: src.api, apiKey: src.apiKey, timeoutMs: src.timeoutMs,
      promptsPerRequest: src.promptsPerRequest,
      retry: src.retries === undefined ? undefined : { retries: src.retries },
    });
  }
  if (src.cache === undefined) return inner!;
  const { RecordReplayModel } = await import('./record-replay.ts');
  try {
    return new RecordReplayModel({
      inner, store: src.cache, mode: src.cacheMode ?? 'auto',
      model: replayOnly ? src.model : undefined,
    });
  } catch (e) {
    await inner?.dispose?.(); // e.g. a worker thread, which would keep the process alive
    throw e;
  }
}

function flagName(k: 'checkpoint' | 'gguf' | 'baseUrl'): string {
  return k === 'baseUrl' ? '--base-url' : `--${k}`;
}
