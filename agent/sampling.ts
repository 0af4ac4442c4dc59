/**
 * Choosing one index from scores on a log scale: greedy, or temperature + top-p (nucleus)
 * sampling with a seeded PRNG. Shared by token decoding and by whole-string constrained
 * choice; no model imports, so HTTP backends can use it without loading tfjs.
 */
import type { Prng } from '../env/prng.ts';

/**
 * Greedy (temperature 0) or temperature/top-p sampling from one row of logits (or any scores
 * on a log scale, e.g. the summed log-probs of whole candidate strings); returns an index.
 */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topP: number, rng: Prng, allowed?: Set<number>): number {
  const V = logits.length;
  const ok = (i: number) => !allowed || allowed.has(i);
  if (!(temperature > 0)) {
    let best = -1;
    for (let i = 0; i < V; i++) if (ok(i) && (best < 0 || logits[i] > logits[best])) best = i;
    return best;
  }
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (ok(i) && logits[i] > max) max = logits[i];
  const idx: number[] = [];
  const p: number[] = [];
  let z = 0;
  for (let i = 0; i < V; i++) {
    if (!ok(i)) continue;
    const e = Math.exp((logits[i] - max) / temperature);
    idx.push(i);
    p.push(e);
    z += e;
  }
  const order = idx.map((_, k) => k).sort((a, b) => p[b] - p[a] || idx[a] - idx[b]);
  const keep: number[] = [];
  let cum = 0;
  for (const k of order) {
    keep.push(k);
    cum += p[k] / z;
    if (cum >= topP) break;
  }
  let mass = 0;
  for (const k of keep) mass += p[k];
  let r = rng.next() * mass;
  for (const k of keep) {
    r -= p[k];
    if (r <= 0) return idx[k];
  }
  return idx[keep[keep.length - 1]];
}
