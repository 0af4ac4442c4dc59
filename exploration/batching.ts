/**
 * Batched decoding for many live episodes. Every episode that needs the model pushes a
 * decode request into one stream; the `gatherBatches` operator collects the requests that
 * arrive in the same turn of the event loop (all live episodes resume together when a batch
 * returns, so they all ask again before the next turn) or until `maxBatch` are waiting,
 * and each batch becomes ONE `generate` call. Requests whose episode was cancelled (by
 * unsubscription or timeout) are dropped before the call.
 */
import { Observable, Subject, type OperatorFunction, type Subscription, concatMap, from } from 'rxjs';
import type { GenerateOptions, LanguageModel } from '../agent/language-model.ts';

export interface DecodeRequest {
  prompt: string;
  /** Requests with equal option keys share a batch. */
  options: GenerateOptions;
  resolve: (text: string) => void;
  reject: (e: unknown) => void;
  cancelled: boolean;
}

/**
 * Emit arrays of the values that arrived before the next macrotask (setImmediate), or as soon
 * as `maxBatch` have arrived: `bufferTime(0, null, maxBatch)` without a running timer when idle.
 */
export function gatherBatches<T>(maxBatch: number): OperatorFunction<T, T[]> {
  return (source) => new Observable<T[]>((sub) => {
    let buf: T[] = [];
    let scheduled: ReturnType<typeof setImmediate> | null = null;
    let done = false;
    const flush = (): void => {
      if (scheduled) { clearImmediate(scheduled); scheduled = null; }
      if (buf.length === 0) return;
      const b = buf;
      buf = [];
      sub.next(b);
    };
    const inner = source.subscribe({
      next: (v) => {
        buf.push(v);
        if (buf.length >= maxBatch) flush();
        else if (!scheduled) scheduled = setImmediate(flush);
      },
      error: (e) => sub.error(e),
      complete: () => { done = true; flush(); sub.complete(); },
    });
    return () => {
      if (scheduled) clearImmediate(scheduled);
      inner.unsubscribe();
      void done;
    };
  });
}

const optionsKey = (o: GenerateOptions): string => JSON.stringify([o.maxTokens, o.temperature ?? 0, o.topP ?? 1, o.seed ?? null, o.stop ?? [], o.allowed ?? null]);

export interface DecoderStats {
  /** `generate` calls made. */
  calls: number;
  /** Prompts decoded. */
  prompts: number;
  /** Largest batch. */
  maxBatch: number;
  /** Requests dropped because their episode was cancelled. */
  dropped: number;
}

/** The agent side of the engine: one request stream, batched into `generate` calls. */
export class BatchedDecoder {
  private readonly requests = new Subject<DecodeRequest>();
  private readonly sub: Subscription;
  readonly stats: DecoderStats = { calls: 0, prompts: 0, maxBatch: 0, dropped: 0 };

  constructor(readonly model: LanguageModel, options: { maxBatch?: number } = {}) {
    const maxBatch = options.maxBatch ?? 64;
    this.sub = this.requests.pipe(
      gatherBatches(maxBatch),
      concatMap((batch) => from(this.run(batch))),
    ).subscribe();
  }

  private async run(batch: DecodeRequest[]): Promise<void> {
    const live = batch.filter((r) => !r.cancelled);
    this.stats.dropped += batch.length - live.length;
    const groups = new Map<string, DecodeRequest[]>();
    for (const r of live) {
      const k = optionsKey(r.options);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(r);
    }
    for (const g of groups.values()) {
      this.stats.calls++;
      this.stats.prompts += g.length;
      this.stats.maxBatch = Math.max(this.stats.maxBatch, g.length);
      try {
        const outs = await this.model.generate(g.map((r) => r.prompt), g[0].options);
        g.forEach((r, i) => { if (!r.cancelled) r.resolve(outs[i] ?? ''); });
      } catch (e) {
        for (const r of g) r.reject(e);
      }
    }
  }

  /** Queue one prompt; the returned request can be cancelled (its promise then never settles). */
  request(prompt: string, options: GenerateOptions): { promise: Promise<string>; request: DecodeRequest } {
    let request!: DecodeRequest;
    const promise = new Promise<string>((resolve, reject) => {
      request = { prompt, options, resolve, reject, cancelled: false };
    });
    this.requests.next(request);
    return { promise, request };
  }

  close(): void {
    this.requests.complete();
    this.sub.unsubscribe();
  }
}

/** A per-episode handle: decodes through the shared decoder and cancels its pending requests on teardown. */
export class EpisodeDecoder {
  private readonly pending = new Set<DecodeRequest>();
  cancelled = false;

  constructor(private readonly decoder: BatchedDecoder) {}

  async decode(prompt: string, options: GenerateOptions): Promise<string> {
    if (this.cancelled) throw new CancelledError();
    const { promise, request } = this.decoder.request(prompt, options);
    this.pending.add(request);
    try {
      return await promise;
    } finally {
      this.pending.delete(request);
    }
  }

  cancel(): void {
    this.cancelled = true;
    for (const r of this.pending) r.cancelled = true;
    this.pending.clear();
  }
}

export class CancelledError extends Error {
  constructor() { super('episode cancelled'); this.name = 'CancelledError'; }
}
