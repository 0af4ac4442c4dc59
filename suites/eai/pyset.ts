/**
 * Enough of CPython 3.11's `set` to reproduce the iteration orders eai-eval's prompt text
 * depends on (objects, nodes and edges are printed in set order): open addressing with 9
 * linear probes then perturbation, growth to 4×used when 3/5 full, `set_merge`'s one resize
 * to 2×(used+other) and its slot-order copy into an empty table, `a - b`'s two paths. Hashes:
 * int → itself, str → SipHash-1-3 with the zero key (PYTHONHASHSEED=0), Enum → its name's hash,
 * tuple → CPython's xxHash-based tuple hash.
 */

const M64 = (1n << 64n) - 1n;

// ---- SipHash-1-3 on 32-bit halves (the BigInt version in pyhash.ts is the readable reference) --

function sip(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  // v0..v3 as [hi, lo]
  const v = new Uint32Array([0x736f6d65, 0x70736575, 0x646f7261, 0x6e646f6d, 0x6c796765, 0x6e657261, 0x74656462, 0x79746573]);
  const add = (a: number, b: number) => { // v[a] += v[b]
    const lo = (v[a + 1] + v[b + 1]) >>> 0;
    v[a] = (v[a] + v[b] + (lo < v[a + 1] ? 1 : 0)) >>> 0;
    v[a + 1] = lo;
  };
  const rotl = (a: number, r: number) => {
    const hi = v[a], lo = v[a + 1];
    if (r === 32) { v[a] = lo; v[a + 1] = hi; return; }
    if (r < 32) { v[a] = ((hi << r) | (lo >>> (32 - r))) >>> 0; v[a + 1] = ((lo << r) | (hi >>> (32 - r))) >>> 0; }
  };
  const xor = (a: number, b: number) => { v[a] ^= v[b]; v[a + 1] ^= v[b + 1]; };
  // indices: v0=0, v1=2, v2=4, v3=6
  const round = () => {
    add(0, 2); add(4, 6); rotl(2, 13); xor(2, 0); rotl(6, 16); xor(6, 4); rotl(0, 32);
    add(4, 2); add(0, 6); rotl(2, 17); xor(2, 4); rotl(6, 21); xor(6, 0); rotl(4, 32);
  };
  const n = bytes.length;
  let off = 0;
  for (; n - off >= 8; off += 8) {
    const lo = (bytes[off] | (bytes[off + 1] << 8) | (bytes[off + 2] << 16) | (bytes[off + 3] << 24)) >>> 0;
    const hi = (bytes[off + 4] | (bytes[off + 5] << 8) | (bytes[off + 6] << 16) | (bytes[off + 7] << 24)) >>> 0;
    v[6] ^= hi; v[7] ^= lo; round(); v[0] ^= hi; v[1] ^= lo;
  }
  let lo = 0, hi = 0;
  for (let k = 0; k < n - off; k++) {
    if (k < 4) lo |= bytes[off + k] << (8 * k); else hi |= bytes[off + k] << (8 * (k - 4));
  }
  hi = (hi | ((n & 0xff) << 24)) >>> 0; lo >>>= 0;
  v[6] ^= hi; v[7] ^= lo; round(); v[0] ^= hi; v[1] ^= lo;
  v[5] ^= 0xff;
  round(); round(); round();
  const rh = (v[0] ^ v[2] ^ v[4] ^ v[6]) >>> 0, rl = (v[1] ^ v[3] ^ v[5] ^ v[7]) >>> 0;
  let h = (BigInt(rh) << 32n) | BigInt(rl);
  if (h === M64) h = M64 - 1n;
  return h;
}

/** hash(str) as an unsigned 64-bit value, PYTHONHASHSEED=0 (latin-1 strings). */
export function strHash(s: string): bigint {
  let h = HASHES.get(s);
  if (h === undefined) {
    h = sip(Buffer.from(s, 'latin1'));
    if (HASHES.size > 1_000_000) HASHES.clear();
    HASHES.set(s, h);
  }
  return h;
}
/** Tasks share most of their scene: the same node and edge strings recur across prompts. */
const HASHES = new Map<string, bigint>();
/** hash(int) for the small non-negative ints of scene ids. */
export const intHash = (i: number): bigint => BigInt(i);

const P1 = 11400714785074694791n, P2 = 14029467366897019727n, P5 = 2870177450012600261n;
/** hash(tuple) of items with the given (unsigned) hashes. */
export function tupleHash(items: bigint[]): bigint {
  let acc = P5;
  for (const lane of items) {
    acc = (acc + lane * P2) & M64;
    acc = ((acc << 31n) | (acc >> 33n)) & M64;
    acc = (acc * P1) & M64;
  }
  acc = (acc + (BigInt(items.length) ^ (P5 ^ 3527539n))) & M64;
  return acc === M64 ? 1546275796n : acc;
}

interface Entry<K> { key: K; hash: bigint }
/** A discarded slot: probing passes over it, iteration skips it. */
const DUMMY = { key: undefined, hash: -1n } as unknown as Entry<never>;

export class PySet<K> {
  table: Array<Entry<K> | undefined> = new Array(8).fill(undefined);
  mask = 7;
  used = 0;
  fill = 0;
  constructor(private readonly keyOf: (k: K) => string = String) {}

  private probe(tab: Array<Entry<K> | undefined>, mask: number, hash: bigint, key?: K): number {
    let i = Number(BigInt.asUintN(32, hash)) & mask;
    let perturb = hash;
    const id = key === undefined ? undefined : typeof key === 'string' ? key : this.keyOf(key);
    for (;;) {
      const probes = i + 9 <= mask ? 9 : 0;
      for (let j = i; j <= i + probes; j++) {
        const e = tab[j];
        if (e === undefined) return j;
        if (e === DUMMY) continue;
        if (id !== undefined && e.hash === hash && (e.key === key || this.keyOf(e.key) === id)) return -1 - j;
      }
      perturb >>= 5n;
      i = Number((BigInt(i) * 5n + 1n + perturb) & BigInt(mask));
    }
  }

  private resize(minused: number): void {
    let size = 8;
    while (size <= minused) size <<= 1;
    const old = this.table;
    this.table = new Array(size).fill(undefined);
    this.mask = size - 1;
    this.fill = this.used;
    for (const e of old) if (e && e !== DUMMY) this.table[this.probe(this.table, this.mask, e.hash)] = e;
  }

  add(key: K, hash: bigint): void {
    const j = this.probe(this.table, this.mask, hash, key);
    if (j < 0) return;
    this.table[j] = { key, hash };
    this.fill++; this.used++;
    if (this.fill * 5 >= this.mask * 3) this.resize(this.used > 50000 ? this.used * 2 : this.used * 4);
  }

  has(key: K, hash: bigint): boolean { return this.probe(this.table, this.mask, hash, key) < 0; }

  entries(): Array<Entry<K>> { return this.table.filter((e): e is Entry<K> => e !== undefined && e !== DUMMY); }
  keys(): K[] { return this.entries().map((e) => e.key); }

  /** set_merge(this, other) for a set `other`. */
  merge(other: PySet<K>): void {
    if (other === this || other.used === 0) return;
    if ((this.fill + other.used) * 5 >= this.mask * 3) this.resize((this.used + other.used) * 2);
    if (this.fill === 0 && this.mask === other.mask && other.fill === other.used) {
      this.table = other.table.slice(); this.used = other.used; this.fill = other.used;
      return;
    }
    for (const e of other.entries()) this.add(e.key, e.hash);
  }

  copy(): PySet<K> { const s = new PySet<K>(this.keyOf); s.merge(this); return s; }

  /** `this - other` (set_difference). */
  minus(other: PySet<K>): PySet<K> {
    if ((this.used >> 2) > other.used) {
      const r = this.copy();
      for (const e of other.entries()) {
        const j = r.probe(r.table, r.mask, e.hash, e.key);
        if (j < 0) { r.table[-1 - j] = DUMMY; r.used--; }
      }
      return r;
    }
    const r = new PySet<K>(this.keyOf);
    for (const e of this.entries()) if (!other.has(e.key, e.hash)) r.add(e.key, e.hash);
    return r;
  }

  /** `this.union(other)`: a copy, then set_merge. */
  union(other: PySet<K>): PySet<K> { const r = this.copy(); r.merge(other); return r; }
}

export function intSet(ids: Iterable<number>): PySet<number> {
  const s = new PySet<number>();
  for (const i of ids) s.add(i, intHash(i));
  return s;
}

export function strSet(xs: Iterable<string>): PySet<string> {
  const s = new PySet<string>((x) => x);
  for (const x of xs) s.add(x, strHash(x));
  return s;
}
