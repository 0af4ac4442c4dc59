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
}

export interface PrefixStats {
  /** Prompts looked up, prompts that reused stored rows, prompt tokens not prefilled. */
  lookups: number;
  hits: number;
  reusedTokens: number;
  promptTokens: number;
}

export class PrefixStore {
  private entries: StoredPrompt[] = [];
  private floats = 0;
  private clock = 0;
  readonly stats: PrefixStats = { lookups: 0, hits: 0, reusedTokens: 0, promptTokens: 0 };

  /**
   * @param maxFloats bound on stored keys + values (floats; default 32M = 128 MB)
   * @param minReuse shortest shared prefix worth copying
   */
  constructor(private readonly maxFloats = 32 * 1024 * 1024, private readonly minReuse = 8) {}

  /**
   * Copy the longest stored prefix of `ids` into `row` of `cache` (whose length must be 0)
   * and return its length; at least one token is always left to feed, since the caller
   * needs the logits after the prompt's last token.
   */
  restore(ids: readonly number[], cache: FastCache, row: number): number {
    this.stats.lookups++;
    this.stats.promptTokens += ids.length;
    let best: StoredPrompt | null = null;
    let bestLen = 0;
    for (const e of this.entries) {
      const n = Math.min(e.ids.length, ids.length - 1);
      if (n <= bestLen) continue;
      let i = 0;
      while (i < n && e.ids[i] === ids[i]) i++;
      if (i > bestLen) { best = e; bestLen = i; }
    }
    if (!best || bestLen < this.minReuse) return 0;
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
    if (this.entries.some((e) => e.ids.length === n && e.ids.every((t, i) => t === ids[i]))) return;
    const entry: StoredPrompt = {
      ids: Int32Array.from(ids),
      k: cache.k.map((l) => l[row].slice(0, n * D)),
      v: cache.v.map((l) => l[row].slice(0, n * D)),
      used: ++this.clock,
    };
    this.entries.push(entry);
    this.floats += 2 * cache.k.length * n * D;
    if (this.floats > this.maxFloats) {
      // Evict the least recently used until under the bound.
      this.entries.sort((a, b) => b.used - a.used);
      while (this.floats > this.maxFloats && this.entries.length > 1) {
        const e = this.entries.pop()!;
        this.floats -= 2 * e.k.length * e.ids.length * D;
      }
    }
  }

  clear(): void {
    this.entries = [];
    this.floats = 0;
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
