/**
 * A local checkpoint run in a worker thread, behind the `LanguageModel` interface. The local
 * model computes synchronously (TensorFlow.js wasm/cpu, plain-array decoding): in the thread
 * of an HTTP server it would hold the event loop for a whole model call, so health checks,
 * new requests and signals would wait. In a worker, the server's thread only passes messages;
 * `dispose()` terminates the worker at once, even in the middle of a call.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HearthError } from '../../env/errors.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { Tokenizer, type TokenizerJSON } from '../tokenizer.ts';

/** Messages from the worker (model-worker.ts). */
export type WorkerReply =
  | { type: 'ready'; name: string; backend: string; step: number; tokenizer: TokenizerJSON }
  | { type: 'result'; id: number; value: string[] | number[] }
  | { type: 'error'; id: number | null; error: SerialisedError };

export interface SerialisedError { message: string; kind?: string; hint?: string }

/** Messages to the worker. */
export type WorkerRequest =
  | { op: 'generate'; id: number; prompts: string[]; options: GenerateOptions }
  | { op: 'logprobs'; id: number; prompts: string[]; continuations: string[] };

/**
 * A data: URL that loads `entry` (a TypeScript module) in a worker thread through tsx's ESM
 * loader, like the CLI itself (tsx's hooks are registered per thread).
 */
export function tsWorkerUrl(entry: URL): URL {
  let api: string;
  try {
    api = import.meta.resolve('tsx/esm/api');
  } catch {
    api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  }
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** The worker's entry module. */
const workerUrl = (): URL => tsWorkerUrl(new URL('./model-worker.ts', import.meta.url));

function revive(e: SerialisedError): Error {
  return e.kind ? new HearthError(e.kind, e.message, e.hint) : new Error(e.message);
}

export class WorkerModel implements LanguageModel {
  private next = 0;
  private readonly calls = new Map<number, { resolve: (v: string[] | number[]) => void; reject: (e: unknown) => void }>();
  private stopped: Error | null = null;

  /** The model's tokenizer, in this thread (token counts for usage and finish reasons). */
  readonly tokenizer: Tokenizer;

  private constructor(private readonly worker: Worker, readonly name: string, readonly backend: string, readonly step: number, tokenizer: TokenizerJSON) {
    this.tokenizer = Tokenizer.fromJSON(tokenizer);
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready' || m.id === null) return;
      const call = this.calls.get(m.id);
      if (!call) return;
      this.calls.delete(m.id);
      if (m.type === 'result') call.resolve(m.value);
      else call.reject(revive(m.error));
    });
    const fail = (e: Error) => {
      this.stopped ??= e;
      for (const c of this.calls.values()) c.reject(e);
      this.calls.clear();
    };
    worker.on('error', (e) => fail(new Error(`model worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`model worker exited (code ${code})`)));
  }

  /** Start a worker that loads the checkpoint in `dir` (an epoch or train-lm directory). */
  static load(dir: string, opts: { backend?: string } = {}): Promise<WorkerModel> {
    const worker = new Worker(workerUrl(), { workerData: { dir, backend: opts.backend } });
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerReply) => {
        if (m.type === 'ready') {
          cleanup();
          resolve(new WorkerModel(worker, m.name, m.backend, m.step, m.tokenizer));
        } else if (m.type === 'error' && m.id === null) {
          cleanup();
          void worker.terminate();
          reject(revive(m.error));
        }
      };
      const onError = (e: Error) => { cleanup(); reject(e); };
      const onExit = (code: number) => { cleanup(); reject(new Error(`model worker exited (code ${code}) before loading ${dir}`)); };
      const cleanup = () => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    return this.call({ op: 'generate', id: 0, prompts, options }) as Promise<string[]>;
  }

  logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    return this.call({ op: 'logprobs', id: 0, prompts, continuations }) as Promise<number[]>;
  }

  /** Terminate the worker; calls in progress reject. */
  async dispose(): Promise<void> {
    this.stopped ??= new Error('model worker stopped');
    await this.worker.terminate();
  }

  private call(req: WorkerRequest): Promise<string[] | number[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ ...req, id });
    });
  }
}
