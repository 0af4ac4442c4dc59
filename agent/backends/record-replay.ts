/**
 * Record/replay of model calls, so that an evaluation against a remote model can be run
 * again, bit for bit, without the server. Each prompt of a call is one cache entry keyed by
 * sha256 of (model, operation, prompt[, continuation], normalised sampling settings).
 *
 * Modes: `record` calls the model for every prompt and (re)writes its entry; `replay` never
 * calls the model and fails on a missing entry, naming it; `auto` answers from the cache and
 * records what is missing.
 */
import { createHash } from 'node:crypto';
import { HearthError } from '../../env/errors.ts';
import type { GenerateOptions, LanguageModel } from '../language-model.ts';
import { type CacheEntry, type CacheStore, openCacheStore } from './cache-store.ts';
import { stableKey } from './stable-key.ts';

export type CacheMode = 'record' | 'replay' | 'auto';
export const CACHE_MODES: readonly CacheMode[] = ['record', 'replay', 'auto'];

export interface RecordReplayOptions {
  /** The live model; may be omitted in `replay` mode. */
  inner?: LanguageModel;
  /** Model identity in the keys (default `inner.name`; required without `inner`). */
  model?: string;
  /** A store, or a path (`*.jsonl` file or a directory). */
  store: CacheStore | string;
  mode: CacheMode;
}

export class RecordReplayModel implements LanguageModel {
  readonly name: string;
  readonly backend: string;
  readonly store: CacheStore;
  readonly stats = { hits: 0, misses: 0 };
  private readonly inner?: LanguageModel;
  private readonly mode: CacheMode;

  constructor(options: RecordReplayOptions) {
    if (!CACHE_MODES.includes(options.mode)) {
      throw new HearthError('cache.mode', `cache mode must be one of ${CACHE_MODES.join(', ')}, got "${options.mode}"`);
    }
    const name = options.model ?? options.inner?.name;
    if (!name) throw new HearthError('cache.config', 'a replay-only cache needs the model name its entries were recorded with', 'pass --model NAME');
    if (!options.inner && options.mode !== 'replay') {
      throw new HearthError('cache.config', `cache mode "${options.mode}" needs a live model to record from`, 'give a model server (--base-url), or use --cache-mode replay');
    }
    this.name = name;
    this.inner = options.inner;
    this.mode = options.mode;
    this.backend = options.inner?.backend ?? 'replay';
    this.store = typeof options.store === 'string' ? openCacheStore(options.store) : options.store;
  }

  async generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    const settings = normaliseSampling(options);
    // Seeded sampling may depend on a prompt's row in the batch (the local model seeds each
    // row from seed and row), so sampled entries are keyed by row too; greedy ones are not.
    const sampled = (options.temperature ?? 0) > 0;
    const requests = prompts.map((prompt, row) => ({ op: 'generate' as const, model: this.name, prompt, options: sampled ? { ...settings, row } : settings }));
    return this.through(requests, (idx) => this.inner!.generate(idx.map((i) => prompts[i]), options)) as Promise<string[]>;
  }

  async logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    if (this.inner && !this.inner.logProbs) throw new HearthError('backend.no_logprobs', `model ${this.name} does not provide log-probs`);
    const requests = prompts.map((prompt, i) => ({ op: 'logprob' as const, model: this.name, prompt, continuation: continuations[i] }));
    return this.through(requests, (idx) => this.inner!.logProbs!(idx.map((i) => prompts[i]), idx.map((i) => continuations[i]))) as Promise<number[]>;
  }

  async dispose(): Promise<void> {
    await this.inner?.dispose?.();
  }

  /** Answer hits from the store, send the rest to the model in one call, record them. */
  private async through(
    requests: Array<Omit<CacheEntry, 'v' | 'key' | 'output'>>,
    call: (indices: number[]) => Promise<Array<string | number>>,
  ): Promise<Array<string | number>> {
    const keys = requests.map(cacheKey);
    const out = new Array<string | number>(requests.length);
    const missing: number[] = [];
    keys.forEach((key, i) => {
      const hit = this.mode === 'record' ? undefined : this.store.get(key);
      if (hit) {
        out[i] = hit.output;
        this.stats.hits++;
      } else missing.push(i);
    });
    if (missing.length === 0) return out;
    if (this.mode === 'replay') {
      const r = requests[missing[0]];
      throw new HearthError('cache.miss',
        `replay cache ${this.store.path} has no ${r.op} entry for model ${r.model}, prompt ${excerpt(r.prompt)}`
        + `${r.continuation !== undefined ? `, continuation ${excerpt(r.continuation)}` : ''} (key ${keys[missing[0]].slice(0, 16)}, ${missing.length} missing)`,
        'record it first: run once with --cache-mode record or auto against the model server; keys include the sampling settings');
    }
    this.stats.misses += missing.length;
    const fresh = await call(missing);
    missing.forEach((i, j) => {
      out[i] = fresh[j];
      this.store.put({ v: 1, key: keys[i], ...requests[i], output: fresh[j] });
    });
    return out;
  }
}

/** Settings that change the output, with defaults filled in; greedy decoding ignores seed and top-p. */
export function normaliseSampling(o: GenerateOptions): Record<string, unknown> {
  const temperature = o.temperature ?? 0;
  const s: Record<string, unknown> = { maxTokens: o.maxTokens, temperature };
  if (temperature > 0) {
    s.topP = o.topP ?? 1;
    s.seed = o.seed ?? null;
  }
  if (o.stop && o.stop.length > 0) s.stop = o.stop;
  if (o.allowed) s.allowed = o.allowed;
  return s;
}

export function cacheKey(request: Omit<CacheEntry, 'v' | 'key' | 'output'>): string {
  return createHash('sha256').update(stableKey({ v: 1, ...request })).digest('hex');
}

function excerpt(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
