/**
 * PrefixStore's sorted lookup against a plain linear scan (the reference semantics): the same
 * reused length and the same stored rows (the first entry, in eviction order, among those
 * sharing the longest prefix), through evictions.
 */
import { describe, expect, it } from 'vitest';
import { FastCache } from '../../agent/fast-infer.ts';
import { PrefixStore } from '../../agent/prefix-cache.ts';
import { Prng } from '../../env/prng.ts';

interface Ref { ids: number[]; k: Float32Array; used: number }

/** The linear scan PrefixStore replaced (one layer, keys only). */
class LinearStore {
  entries: Ref[] = [];
  floats = 0;
  clock = 0;
  constructor(private readonly maxFloats: number, private readonly minReuse: number, private readonly D: number) {}
  restore(ids: number[]): { len: number; k: Float32Array | null } {
    let best: Ref | null = null;
    let bestLen = 0;
    for (const e of this.entries) {
      const n = Math.min(e.ids.length, ids.length - 1);
      if (n <= bestLen) continue;
      let i = 0;
      while (i < n && e.ids[i] === ids[i]) i++;
      if (i > bestLen) { best = e; bestLen = i; }
    }
    if (!best || bestLen < this.minReuse) return { len: 0, k: null };
    best.used = ++this.clock;
    return { len: bestLen, k: best.k.subarray(0, bestLen * this.D) };
  }
  save(ids: number[], k: Float32Array): void {
    if (this.entries.some((e) => e.ids.length === ids.length && e.ids.every((t, i) => t === ids[i]))) return;
    this.entries.push({ ids, k: k.slice(0, ids.length * this.D), used: ++this.clock });
    this.floats += 2 * ids.length * this.D;
    if (this.floats > this.maxFloats) {
      this.entries.sort((a, b) => b.used - a.used);
      while (this.floats > this.maxFloats && this.entries.length > 1) this.floats -= 2 * this.entries.pop()!.ids.length * this.D;
    }
  }
}

describe('prompt prefix store', () => {
  it('finds the same prefix and rows as a linear scan, through evictions', () => {
    const D = 2;
    const rng = new Prng(11);
    const store = new PrefixStore(600, 3);
    const ref = new LinearStore(600, 3, D);
    const pool: number[][] = [];
    let hits = 0;
    for (let step = 0; step < 400; step++) {
      // Prompts that extend, branch from or repeat earlier ones, over a 3-token alphabet.
      const base = pool.length && rng.next() < 0.8 ? pool[rng.int(pool.length)] : [];
      const ids = [...base.slice(0, rng.int(base.length + 1)), ...Array.from({ length: 1 + rng.int(6) }, () => rng.int(3))];
      pool.push(ids);
      const cache = new FastCache(1, 1, 64, D);
      const got = store.restore(ids, cache, 0);
      const want = ref.restore(ids);
      expect(got).toBe(want.len);
      if (want.k) expect(Array.from(cache.k[0][0].subarray(0, got * D))).toEqual(Array.from(want.k));
      if (got) hits++;
      // "Prefill": rows after the reused ones get values unique to this prompt and position.
      for (let p = got; p < ids.length; p++) for (let j = 0; j < D; j++) cache.k[0][0][p * D + j] = step * 1000 + p * 10 + j;
      store.save(ids, cache, 0);
      ref.save(ids, cache.k[0][0]);
    }
    expect(hits).toBeGreaterThan(100);
    expect(store.size).toBe(ref.entries.length);
  });
});
