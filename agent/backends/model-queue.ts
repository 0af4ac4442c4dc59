/**
 * Serialises a server's calls into one `LanguageModel`, merges concurrent greedy requests
 * that share their settings into one `generate` call (so many clients, e.g. rollouts of many
 * episodes, share forward passes of a batching model), and keeps one large request from
 * holding the model for long:
 *
 * - a request's work is cut into slices (generate: at most `sliceTokens` prompt rows ×
 *   max_tokens per call, at least one row; log-probs: at most `sliceScores` pairs per call);
 * - the next slice goes to the request (the "owner") that has been served the fewest slices
 *   so far, oldest first: a small request that arrives while a large one runs waits for one
 *   slice, not for the whole large request;
 * - one model call merges slices of different owners (one slice per owner) up to `maxBatch`
 *   prompts, so many small greedy requests still share one call;
 * - a job whose `signal` aborts leaves the queue at once (its promise rejects with an
 *   `AbortError`); `cancelAll` empties the queue (server shutdown).
 *
 * A sampled request that is cut into slices gets the same samples on every run, but not the
 * ones one model call with all its prompts would give (the local model seeds each row from the
 * seed and the row's place in the call); requests within one slice are unaffected.
 */
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { stableKey } from './stable-key.ts';

interface Job {
  kind: 'generate' | 'logprobs';
  key: string;
  owner: number;
  prompts: string[];
  continuations?: string[];
  options?: GenerateOptions;
  resolve: (v: string[] | number[]) => void;
  reject: (e: unknown) => void;
}

export interface QueueOptions {
  /** Most prompts merged into one model call (default 64). */
  maxBatch?: number;
  /** Generate slices: rows × max_tokens per slice (default 4096; a slice has at least one row). */
  sliceTokens?: number;
  /** Log-prob slices: pairs per slice (default 16). */
  sliceScores?: number;
}

/** What ties a queued call to the request it serves. */
export interface JobControl {
  /** Calls with one owner take turns with other owners (default: a fresh owner per call). */
  owner?: number;
  signal?: AbortSignal;
}

export class ModelQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private solo = 0;
  private owners = 0;
  /** Slices served per owner with jobs still queued. */
  private readonly served = new Map<number, number>();
  private readonly maxBatch: number;
  private readonly sliceTokens: number;
  private readonly sliceScores: number;
  /** Number of model calls made and prompts they carried (for tests and logs). */
  readonly stats = { calls: 0, prompts: 0 };

  constructor(private readonly model: LanguageModel, options: number | QueueOptions = {}) {
    const o = typeof options === 'number' ? { maxBatch: options } : options;
    this.maxBatch = o.maxBatch ?? 64;
    this.sliceTokens = o.sliceTokens ?? 4096;
    this.sliceScores = o.sliceScores ?? 16;
  }

  /** Requests waiting for the model (not counting the call in progress). */
  get pending(): number {
    return this.jobs.length;
  }

  /** A fresh owner id, for callers that make several calls for one request. */
  newOwner(): number {
    return ++this.owners;
  }

  /**
   * Only greedy requests merge: a seeded sampler may depend on a prompt's row in the batch
   * (the local model seeds each row from seed and row), so a sampled request runs alone and
   * its answer does not depend on other clients' traffic.
   */
  generate(prompts: string[], options: GenerateOptions, ctl: JobControl = {}): Promise<string[]> {
    const greedy = (options.temperature ?? 0) <= 0;
    const key = greedy ? `g:${stableKey(options)}` : `s:${++this.solo}`;
    const rows = Math.max(1, Math.min(this.maxBatch, Math.floor(this.sliceTokens / Math.max(1, options.maxTokens))));
    return this.sliced(prompts, rows, (part) => ({ kind: 'generate', key, prompts: part, options }), ctl) as Promise<string[]>;
  }

  logProbs(prompts: string[], continuations: string[], ctl: JobControl = {}): Promise<number[]> {
    const rows = Math.max(1, Math.min(this.maxBatch, this.sliceScores));
    return this.sliced(prompts, rows, (part, at) => ({
      kind: 'logprobs', key: 'l', prompts: part, continuations: continuations.slice(at, at + part.length),
    }), ctl) as Promise<number[]>;
  }

  /** Reject every queued job (the call in progress finishes, its answer is dropped by its caller). */
  cancelAll(reason: unknown): void {
    for (const j of this.jobs.splice(0)) j.reject(reason);
    this.served.clear();
  }

  private async sliced(prompts: string[], rows: number, make: (part: string[], at: number) => Omit<Job, 'resolve' | 'reject' | 'owner'>,
    ctl: JobControl): Promise<Array<string | number>> {
    if (prompts.length === 0) return [];
    const { signal } = ctl;
    if (signal?.aborted) throw abortError(signal);
    const owner = ctl.owner ?? this.newOwner();
    const mine: Job[] = [];
    const parts: Array<Promise<string[] | number[]>> = [];
    for (let at = 0; at < prompts.length; at += rows) {
      parts.push(new Promise((resolve, reject) => mine.push({ ...make(prompts.slice(at, at + rows), at), owner, resolve, reject })));
    }
    if (!this.served.has(owner)) this.served.set(owner, 0);
    this.jobs.push(...mine);
    void this.drain();
    const all = Promise.all(parts);
    if (!signal) return (await all).flat();
    // One listener per call: a cancelled request leaves the queue at once and stops waiting,
    // also for a slice that is in the model already (its answer is dropped).
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const err = abortError(signal);
        const gone = new Set(mine);
        for (let i = this.jobs.length - 1; i >= 0; i--) if (gone.has(this.jobs[i])) this.jobs.splice(i, 1);
        for (const j of mine) j.reject(err);
        reject(err);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      all.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v.flat()); },
        (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
    });
  }

  /** The next model call: the least-served owner's oldest job, plus other owners' jobs that merge with it. */
  private nextGroup(): Job[] {
    let lead = 0;
    for (let i = 1; i < this.jobs.length; i++) {
      if ((this.served.get(this.jobs[i].owner) ?? 0) < (this.served.get(this.jobs[lead].owner) ?? 0)) lead = i;
    }
    const first = this.jobs[lead];
    const group: Job[] = [first];
    const owners = new Set([first.owner]);
    let size = first.prompts.length;
    for (let i = 0; i < this.jobs.length; i++) {
      const j = this.jobs[i];
      if (i === lead || j.key !== first.key || owners.has(j.owner) || size + j.prompts.length > this.maxBatch) continue;
      group.push(j);
      owners.add(j.owner);
      size += j.prompts.length;
    }
    for (const j of group) {
      this.jobs.splice(this.jobs.indexOf(j), 1);
      this.served.set(j.owner, (this.served.get(j.owner) ?? 0) + 1);
    }
    // Forget owners with nothing left queued (their counts only order the waiting ones).
    const waiting = new Set(this.jobs.map((j) => j.owner));
    for (const o of this.served.keys()) if (!waiting.has(o)) this.served.delete(o);
    return group;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      // Let requests whose bytes have already arrived reach the queue before grouping: a model
      // that computes synchronously would otherwise start on the first request alone, every time.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.jobs.length > 0) {
        await this.run(this.nextGroup());
        // Between model calls the event loop answers other requests (health checks, new work).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  private async run(group: Job[]): Promise<void> {
    const prompts = group.flatMap((j) => j.prompts);
    this.stats.calls++;
    this.stats.prompts += prompts.length;
    try {
      let out: string[] | number[];
      if (group[0].kind === 'generate') {
        out = await this.model.generate(prompts, group[0].options!);
      } else {
        if (!this.model.logProbs) throw new Error('model has no logProbs');
        out = await this.model.logProbs(prompts, group.flatMap((j) => j.continuations!));
      }
      let at = 0;
      for (const j of group) {
        j.resolve(out.slice(at, at + j.prompts.length) as string[] | number[]);
        at += j.prompts.length;
      }
    } catch (e) {
      for (const j of group) j.reject(e);
    }
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('the request was cancelled');
  e.name = 'AbortError';
  return e;
}
