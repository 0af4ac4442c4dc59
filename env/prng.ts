/**
 * A small seeded PRNG for the simulator library (env/ imports nothing from the rest of the
 * project, so it keeps its own). mulberry32: 32-bit state, fast, good enough for choosing
 * among a handful of object instances; same seed, same sequence, on every platform.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seedToState(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Prng.pick: empty list');
    return items[this.int(items.length)];
  }
}

/** Any finite number (negative, fractional, > 2^32) maps to a 32-bit state deterministically. */
function seedToState(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`Prng: seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32) return seed >>> 0;
  // FNV-1a over the number's text: keeps distinct seeds distinct in practice.
  let h = 0x811c9dc5;
  const s = String(seed);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
