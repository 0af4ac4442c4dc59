/**
 * CPython 3.11's str hash and small-set iteration order, for the one place eai-eval's result
 * depends on them: `list(set(action_goals))` orders a task's action goals, and the action-goal
 * score stops at the first goal not found in order. With PYTHONHASHSEED=0 the hash secret is
 * all zeros, so `hash(s)` is SipHash-1-3 with a zero key over the string's bytes (ASCII here:
 * one byte per character), -1 mapped to -2; the set is CPython's open-addressing table.
 */
const M = (1n << 64n) - 1n;
const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & M;

function sipround(v: bigint[]): void {
  // HALF_ROUND(v0,v1,v2,v3,13,16); HALF_ROUND(v2,v1,v0,v3,17,21)
  v[0] = (v[0] + v[1]) & M; v[2] = (v[2] + v[3]) & M;
  v[1] = rotl(v[1], 13n) ^ v[0]; v[3] = rotl(v[3], 16n) ^ v[2]; v[0] = rotl(v[0], 32n);
  v[2] = (v[2] + v[1]) & M; v[0] = (v[0] + v[3]) & M;
  v[1] = rotl(v[1], 17n) ^ v[2]; v[3] = rotl(v[3], 21n) ^ v[0]; v[2] = rotl(v[2], 32n);
}

/** `hash(s)` under PYTHONHASHSEED=0 as an unsigned 64-bit value (the set's `(size_t)hash`). */
export function pyStrHash(s: string): bigint {
  const bytes = Buffer.from(s, 'latin1');
  if (bytes.length === 0) return 0n;
  const v = [0x736f6d6570736575n, 0x646f72616e646f6dn, 0x6c7967656e657261n, 0x7465646279746573n];
  let off = 0;
  for (; bytes.length - off >= 8; off += 8) {
    const mi = bytes.readBigUInt64LE(off);
    v[3] ^= mi; sipround(v); v[0] ^= mi;
  }
  let t = 0n;
  for (let k = bytes.length - off - 1; k >= 0; k--) t = (t << 8n) | BigInt(bytes[off + k]);
  const b = (BigInt(bytes.length) << 56n | t) & M;
  v[3] ^= b; sipround(v); v[0] ^= b;
  v[2] ^= 0xffn;
  sipround(v); sipround(v); sipround(v);
  let h = (v[0] ^ v[1] ^ v[2] ^ v[3]) & M;
  if (h === M) h = M - 1n; // -1 is reserved: CPython returns -2
  return h;
}

/** Iteration order of `set(keys)` built by adding `keys` in order (CPython 3.11). */
export function pySetOrder(keys: readonly string[]): string[] {
  let mask = 7;
  let table: Array<{ key: string; hash: bigint } | undefined> = new Array(8).fill(undefined);
  let used = 0;
  const insert = (tab: typeof table, m: number, key: string, hash: bigint) => {
    let i = Number(hash & BigInt(m));
    let perturb = hash;
    for (;;) {
      let probes = i + 9 <= m ? 9 : 0;
      let j = i;
      do {
        const e = tab[j];
        if (e === undefined) { tab[j] = { key, hash }; return true; }
        if (e.hash === hash && e.key === key) return false;
        j++;
      } while (probes-- > 0);
      perturb >>= 5n;
      i = Number((BigInt(i) * 5n + 1n + perturb) & BigInt(m));
    }
  };
  for (const key of keys) {
    if (!insert(table, mask, key, pyStrHash(key))) continue;
    used++;
    if (used * 5 >= mask * 3) {
      let size = 8;
      while (size <= used * 4) size <<= 1;
      const next: typeof table = new Array(size).fill(undefined);
      for (const e of table) if (e) insert(next, size - 1, e.key, e.hash);
      table = next; mask = size - 1;
    }
  }
  return table.filter((e): e is { key: string; hash: bigint } => e !== undefined).map((e) => e.key);
}
