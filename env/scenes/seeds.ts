/**
 * Deriving seeds: a task or scene seed is a hash of its parts (`seed, 'scene', 3`), so any
 * one of them can be rebuilt from its id without generating the ones before it.
 */

/** FNV-1a over the parts' text, then a murmur-style finaliser: a 32-bit unsigned seed. */
export function deriveSeed(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  const s = parts.join('\u0000');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
