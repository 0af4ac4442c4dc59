/**
 * The paper's training mix: the planning, feedback and correction files simply
 * concatenated and shuffled (no loss weights). Duplicates (same input and output) are
 * dropped first so that an action proposed on many identical prefixes does not dominate.
 */
import type { E2CLRecord } from './records.ts';
import { withinWordLimit } from './records.ts';
import { mulberry32, shuffled } from './rng.ts';

export function dedupe(records: readonly E2CLRecord[]): E2CLRecord[] {
  const seen = new Set<string>();
  const out: E2CLRecord[] = [];
  for (const r of records) {
    const key = `${r.input}\u0000${r.output}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

export function mixRecords(parts: ReadonlyArray<readonly E2CLRecord[]>, seed: number): E2CLRecord[] {
  return shuffled(dedupe(parts.flat()).filter(withinWordLimit), mulberry32(seed));
}
