/**
 * Reuse of prompt key/value rows across `generate` calls. An agent's prompts repeat
 * themselves: every step of an episode starts with the same instructions, task and
 * description, and the step before's history. Keys and values at position p depend only
 * on tokens 0..p (causal attention, fixed positions), so a new prompt that shares its first
 * L tokens with a stored one can start from that prompt's rows and prefill only the rest.
 *
 * Stored rows are only valid for the weights that made them: `engineFor` keeps one array
 * engine per model and rebuilds it (dropping every stored prompt) as soon as any tensor's
 * data handle or the active adapter changes, so training, loading a checkpoint, a direct
 * `assign` or switching a LoRA adapter can never serve stale rows.
 */
import { FastCache, FastEngine } from './fast-infer.ts';
import type { Transformer } from './model.ts';

interface StoredPrompt {
  ids: Int32Array;
  /** Per layer, (ids.length, D) keys and values. */
  k: Float32Array[];
  v: Float32Array[];
  used: number;
  /** Position in `entries` order (ties between equally long matches go to the lowest). */
  rank: number;
}

/** Lexicographic order of token sequences (a proper prefix sorts first), on their first `limit` tokens. */
function compareIds(a: ArrayLike<number>, b: ArrayLike<number>, limit = Infinity): number {
  const la = Math.min(a.length, limit);
  const lb = Math.min(b.length, limit);
  const n = Math.min(la, lb);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return la - lb;
}

/** Length of the common prefix of two token sequences. */
function commonPrefix(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export interface PrefixStats {
  /** Prompts looked up, prompts that reused stored rows, prompt tokens not prefilled. */
  lookups: number;
  hits: number;
  reusedTokens: number;
  promptTokens: number;
}

export class PrefixStore {
  /** In eviction order (most recently used first after an eviction, then in insertion order). */
  private entries: StoredPrompt[] = [];
  /** The same entries sorted by ids: the longest match of a prompt is next to where it would sort. */
  private sorted: StoredPrompt[] = [];
  private floats = 0;
  private clock = 0;
  private nextRank = 0;
  readonly stats: PrefixStats = { lookups: 0, hits: 0, reusedTokens: 0, promptTokens: 0 };

  /**
   * @param maxFloats bound on stored keys + values (floats; default 32M = 128 MB)
   * @param minReuse shortest shared prefix worth copying
   */
  constructor(private readonly maxFloats = 32 * 1024 * 1024, private readonly minReuse = 8) {}

  /** First index of `sorted` whose entry does not sort before `ids` (on its first `len` tokens when given). */
  private lowerBound(ids: ArrayLike<number>, len = Infinity): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareIds(this.sorted[mid].ids, ids, len) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * Copy the longest stored prefix of `ids` into `row` of `cache` (whose length must be 0)
   * and return its length; at least one token is always left to feed, since the caller
   * needs the logits after the prompt's last token. Among entries sharing that prefix, the
   * first in `entries` order is used (as a linear scan would).
   */
  restore(ids: readonly number[], cache: FastCache, row: number): number {
    this.stats.lookups++;
    this.stats.promptTokens += ids.length;
    if (this.sorted.length === 0) return 0;
    // The longest common prefix with any entry is reached by a sorted neighbour of ids.
    const at = this.lowerBound(ids);
    let longest = 0;
    for (const j of [at - 1, at]) if (j >= 0 && j < this.sorted.length) longest = Math.max(longest, commonPrefix(this.sorted[j].ids, ids));
    const bestLen = Math.min(longest, ids.length - 1);
    if (bestLen < this.minReuse || bestLen <= 0) return 0;
    // Entries that share ids' first bestLen tokens are contiguous in sorted order.
    let best: StoredPrompt | null = null;
    for (let j = this.lowerBound(ids, bestLen); j < this.sorted.length; j++) {
      const e = this.sorted[j];
      if (commonPrefix(e.ids, ids) < bestLen) break;
      if (!best || e.rank < best.rank) best = e;
    }
    if (!best) return 0;
    const D = cache.d;
    for (let l = 0; l < best.k.length; l++) {
      cache.k[l][row].set(best.k[l].subarray(0, bestLen * D));
      cache.v[l][row].set(best.v[l].subarray(0, bestLen * D));
    }
    cache.length[row] = bestLen;
    best.used = ++this.clock;
    this.stats.hits++;
    this.stats.reusedTokens += bestLen;
    return bestLen;
  }

  /** Remember the rows of a prompt just prefilled into `row` of `cache`. */
  save(ids: readonly number[], cache: FastCache, row: number): void {
    const D = cache.d;
    const n = ids.length;
    const at = this.lowerBound(ids);
    if (at < this.sorted.length && compareIds(this.sorted[at].ids, ids) === 0) return;
    const entry: StoredPrompt = {
      ids: Int32Array.from(ids),
      k: cache.k.map((l) => l[row].slice(0, n * D)),
      v: cache.v.map((l) => l[row].slice(0, n * D)),
      used: ++this.clock,
      rank: this.nextRank++,
    };
    this.entries.push(entry);
    this.sorted.splice(at, 0, entry);
    this.floats += 2 * cache.k.length * n * D;
    if (this.floats > this.maxFloats) {
      // Evict the least recently used until under the bound.
      this.entries.sort((a, b) => b.used - a.used);
      const evicted = new Set<StoredPrompt>();
      while (this.floats > this.maxFloats && this.entries.length > 1) {
        const e = this.entries.pop()!;
        evicted.add(e);
        this.floats -= 2 * e.k.length * e.ids.length * D;
      }
      this.sorted = this.sorted.filter((e) => !evicted.has(e));
      this.entries.forEach((e, i) => { e.rank = i; });
      this.nextRank = this.entries.length;
    }
  }

  clear(): void {
    this.entries = [];
    this.sorted = [];
    this.floats = 0;
    this.nextRank = 0;
  }

  get size(): number { return this.entries.length; }
}

interface EngineSlot {
  engine: FastEngine;
  prefixes: PrefixStore;
  /** Identity of the weights the engine was built from (see weightsIdentity). */
  identity: unknown[];
}

const slots = new WeakMap<Transformer, EngineSlot>();

/**
 * What identifies a model's current weights without reading them: the active adapter and
 * the data handle of every tensor. tfjs gives a variable a new data handle on every
 * `assign` (optimizer steps, checkpoint loads, direct writes), so equal handles mean
 * equal weights.
 */
function weightsIdentity(model: Transformer): unknown[] {
  const out: unknown[] = [model.activeAdapter];
  for (const t of model.namedTensors().values()) out.push((t as unknown as { dataId: object }).dataId);
  return out;
}

/**
 * The array engine for `model`'s current weights, with its prompt store: reused while the
 * weights (and active adapter) are unchanged, rebuilt otherwise.
 */
export function engineFor(model: Transformer): EngineSlot {
  const identity = weightsIdentity(model);
  const slot = slots.get(model);
  if (slot && slot.identity.length === identity.length && slot.identity.every((x, i) => x === identity[i])) return slot;
  slot?.engine.dispose();
  const fresh: EngineSlot = { engine: new FastEngine(model), prefixes: new PrefixStore(), identity };
  slots.set(model, fresh);
  return fresh;
}

/** Prompt-store counters of a model's engine (zeros before its first generate call). */
export function prefixStats(model: Transformer): PrefixStats {
  return slots.get(model)?.prefixes.stats ?? { lookups: 0, hits: 0, reusedTokens: 0, promptTokens: 0 };
}

/** Forget every stored prompt of `model` (benchmarks start each measurement cold). */
export function clearPrefixes(model: Transformer): void {
  slots.get(model)?.prefixes.clear();
}
