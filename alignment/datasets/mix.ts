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

/**
 * Subsample the `True` and `Task finished` feedback records of an exploration set so that
 * neither outnumbers the `Error` records more than `ratio` to one (a seeded uniform
 * subsample; planning, correction and `Error` records are all kept). A harness choice, not
 * the paper's (which keeps every step): a well-trained agent's own actions mostly succeed,
 * and a feedback head trained on ~85% `True` learns to always answer `True`.
 */
export function balanceFeedback(records: readonly E2CLRecord[], ratio: number, seed: number): E2CLRecord[] {
  const label = (r: E2CLRecord): 'true' | 'finished' | 'error' | null => r.kind !== 'feedback' ? null
    : r.output.startsWith('Error') ? 'error' : r.output === 'True' ? 'true' : 'finished';
  const errors = records.filter((r) => label(r) === 'error').length;
  const keep = new Set<E2CLRecord>();
  const limit = Math.max(1, Math.ceil(errors * ratio));
  for (const kind of ['true', 'finished'] as const) {
    const group = records.filter((r) => label(r) === kind);
    for (const r of group.length > limit ? shuffled(group, mulberry32(seed ^ (kind === 'true' ? 0x9e37 : 0x7f4a))).slice(0, limit) : group) keep.add(r);
  }
  return records.filter((r) => { const l = label(r); return l === null || l === 'error' || keep.has(r); });
}

/**
 * Cap an exploration set at `max` records by dropping only what the agent already does
 * right: `True` and `Task finished` feedback records (seeded uniform subsample); every
 * `Error` feedback record and every correction record is kept, even when they alone exceed
 * `max` (issue 13: a uniform cap dropped 18% of the unique `Error` records while it kept
 * hundreds of `Task finished` ones).
 */
export function capKeepingErrors(records: readonly E2CLRecord[], max: number, seed: number): E2CLRecord[] {
  const right = (r: E2CLRecord): boolean => r.kind === 'feedback' && !r.output.startsWith('Error');
  const rightOnes = records.filter(right);
  const room = Math.max(0, max - (records.length - rightOnes.length));
  if (rightOnes.length <= room) return [...records];
  const keep = new Set(shuffled(rightOnes, mulberry32(seed)).slice(0, room));
  return records.filter((r) => !right(r) || keep.has(r));
}

/**
 * An exploration set as it enters the mixes: duplicates dropped, feedback labels balanced
 * (`balance`, optional), then capped at `max` records (optional) by dropping only `True` /
 * `Task finished` records. Planning records (teacher-free `planningRecords`) are outside the
 * balance and the cap: they are kept whole, after the rest.
 */
export function explorationForMix(records: readonly E2CLRecord[], o: { balance?: number; max?: number; balanceSeed: number; capSeed: number }): E2CLRecord[] {
  const unique = dedupe(records);
  const rest = unique.filter((r) => r.kind !== 'planning');
  const balanced = o.balance !== undefined ? balanceFeedback(rest, o.balance, o.balanceSeed) : rest;
  const capped = o.max !== undefined && balanced.length > o.max ? capKeepingErrors(balanced, o.max, o.capSeed) : balanced;
  return [...capped, ...unique.filter((r) => r.kind === 'planning')];
}
