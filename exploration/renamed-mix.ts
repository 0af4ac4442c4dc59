/**
 * A fine-tuning mix whose renamed planning records are a fixed share of the mix (issue 13:
 * "the same share in every model's mix"; recipe `renamedShareOfMix`).
 *
 * The share is of the mix as trained: the records after deduplication and the word limit
 * (`mixRecords`). Counting it before (planning + exploration records) overstated e2cl's mix,
 * whose two exploration sets share records, so e2cl got a larger renamed share than bc.
 */
import { mixRecords } from '../alignment/datasets/mix.ts';
import { type E2CLRecord, withinWordLimit } from '../alignment/datasets/records.ts';
import { HearthError } from '../env/errors.ts';

export interface RenamedMix {
  /** The mix in its shuffled order, renamed records in the places of their originals. */
  mix: E2CLRecord[];
  /** Renamed planning records in it: round(share · mix.length). */
  renamed: number;
}

const key = (r: E2CLRecord): string => `${r.input}\u0000${r.output}`;

/**
 * Mix `planning` with `others` (`mixRecords`, seeded by `seed`), then replace the first
 * round(share · |mix|) planning records of the seeded `order` (indices into `planning`) by
 * `renamed[i]`, in place. A candidate is skipped when its original is not in the mix (a
 * duplicate or over the word limit), its renamed copy is unchanged (every class it names is
 * alone in its group), over the word limit, or already a record of the mix; so the mix keeps
 * its size and order, and a smaller mix's renamed records are a prefix of a larger one's
 * (the same `order` in every mix). Throws a typed error when the mix cannot reach the share.
 */
export function mixWithRenamedShare(planning: readonly E2CLRecord[], renamed: readonly E2CLRecord[], others: ReadonlyArray<readonly E2CLRecord[]>,
  share: number, order: readonly number[], seed: number, name: string): RenamedMix {
  const mix = mixRecords([planning, ...others], seed);
  const want = Math.round(share * mix.length);
  const at = new Map(mix.map((r, i) => [key(r), i]));
  const keys = new Set(at.keys());
  let done = 0;
  for (const i of order) {
    if (done === want) break;
    const pos = at.get(key(planning[i]));
    const copy = renamed[i];
    if (pos === undefined || key(copy) === key(planning[i]) || keys.has(key(copy)) || !withinWordLimit(copy)) continue;
    at.delete(key(planning[i])); // a duplicate planning record maps to the one place it kept
    keys.delete(key(planning[i]));
    mix[pos] = copy;
    keys.add(key(copy));
    done++;
  }
  if (done < want) {
    const most = Math.floor((done / mix.length) * 100) / 100;
    throw new HearthError('e2cl.recipe', `renamedShareOfMix ${share}: ${name}'s mix of ${mix.length} records needs ${want} renamed planning records, but only ${done} of its planning records can be renamed`,
      `lower it: --recipe '{"renamedShareOfMix": ${most}}'`);
  }
  return { mix, renamed: done };
}
