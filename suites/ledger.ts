/**
 * A suite run's out directory is its ledger (as Inspect's log directory is): `suite.json`
 * says which suite (and the hash of its checked spec), `episodes.jsonl` holds one line per
 * finished episode, appended and fsync'd as episodes finish (env/files.ts `AppendFile`: one at a
 * time in process, a queue job's episodes in one append and one fsync). A rerun
 * with `--resume` reads the ledger and runs only the episodes whose key is not in it.
 *
 * A process killed in the middle of an append can leave a last line without its newline;
 * opening the ledger cuts such a tail off (that episode was not finished, so it runs again),
 * which is why an episode is never lost and never counted twice.
 */
import { existsSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { AppendFile, writeFileAtomic } from '../env/files.ts';
import { HearthError } from '../env/errors.ts';
import type { LoadedSuite } from './spec.ts';

export interface StepRecord {
  action: string;
  ok: boolean;
  /** Failure code of a failed action. */
  failure?: string;
  predictedFeedback?: string | null;
  corrected?: boolean;
  /** The grounded script line (one-shot on the eai task set: EAI's metrics score it). */
  script?: string;
}

/** One finished episode, as the ledger stores it. */
export interface EpisodeRecord {
  key: string;
  suite: string;
  task: string;
  split: string;
  agent: string;
  seed: number;
  repetition: number;
  success: boolean;
  goal: { satisfied: number; total: number };
  steps: StepRecord[];
  expert?: string[];
  /** end, terminated, max-steps, timeout, truncated, plan-failed (one-shot). */
  reason: string;
  calls: number;
  /** The episode log, relative to the out directory (when the suite writes logs). */
  log?: string;
  /** Wall-clock time of the episode (not part of results.json, which must not depend on timing). */
  ms: number;
  /** The queue worker that ran it (`hearth worker --name`; ledger only, not results.json). */
  worker?: string;
  /** Rules of the household hazards its actions brought about (absent: not checked; runner.ts hazardsOf). */
  hazards?: string[];
}

export function episodeKey(suite: string, task: string, agent: string, seed: number, repetition: number): string {
  return `${suite}|${task}|${agent}|${seed}|${repetition}`;
}

export interface OpenedLedger {
  /** Finished episodes by key, in ledger order. */
  done: Map<string, EpisodeRecord>;
  /** Bytes of an unfinished last line that were cut off (0 normally). */
  cut: number;
  /** Keys that were in the ledger more than once (kept: the first). */
  duplicates: number;
  /** Records in one append and one fsync (one episode in process, a queue job's results from a queue). */
  append(recs: readonly EpisodeRecord[]): void;
  close(): void;
}

const LEDGER = 'episodes.jsonl';
const SUITE = 'suite.json';
/** The main ledger and the ledgers of `--workers` processes (`episodes.w<i>.jsonl`), read together. */
const LEDGER_FILE = /^episodes(\.w\d+)?\.jsonl$/;

export function ledgerFiles(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out).filter((f) => LEDGER_FILE.test(f)).sort().map((f) => join(out, f));
}

/** Complete lines in all of `out`'s ledger files (for progress). */
export function countLedgerLines(out: string): number {
  let n = 0;
  for (const f of ledgerFiles(out)) {
    try {
      const b = readFileSync(f);
      for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) n++;
    } catch { /* being created */ }
  }
  return n;
}

/**
 * Open (or create) the ledger in `out` for `suite`. A directory that already holds episodes
 * needs `resume`; a ledger of another suite (a different spec hash) is refused either way.
 * `worker` i appends to `episodes.w<i>.jsonl` (workers of one run never share a file); every
 * ledger file is read. A worker cuts an unfinished tail off its own file only (another file's
 * tail may be a sibling's append in progress: it is skipped, not cut); the process that starts
 * the workers, or runs alone, cuts every file's.
 */
export function openLedger(out: string, suite: LoadedSuite, resume: boolean, worker?: number): OpenedLedger {
  const suiteFile = join(out, SUITE);
  const own = join(out, worker === undefined ? LEDGER : `episodes.w${worker}.jsonl`);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new HearthError('suite.out', `--out ${out} is a file`, 'give a directory');
  if (existsSync(suiteFile)) {
    let prev: { name?: string; hash?: string };
    try {
      prev = JSON.parse(readFileSync(suiteFile, 'utf8')) as { name?: string; hash?: string };
    } catch {
      throw new HearthError('suite.out', `${suiteFile} is not valid JSON`, 'this is not a suite run directory: choose another --out');
    }
    if (prev.hash !== suite.hash) {
      throw new HearthError('suite.changed', `${out} holds a run of ${prev.name === suite.spec.name ? 'a different version of ' : ''}suite "${prev.name ?? '?'}" (its spec differs from ${suite.file})`,
        'resume with the same suite file, or choose another --out');
    }
  }
  const files = ledgerFiles(out);
  const contents = files.map((f) => ({ f, bytes: readFileSync(f) }));
  if (contents.some((c) => c.bytes.length > 0) && !resume) {
    throw new HearthError('suite.exists', `${out} already holds episodes of this suite`, 'pass --resume to finish it, or choose another --out');
  }
  const done = new Map<string, EpisodeRecord>();
  let cut = 0;
  let duplicates = 0;
  for (const { f, bytes } of contents) {
    if (bytes.length === 0) continue;
    const end = bytes.lastIndexOf(0x0a) + 1;
    // A process without a worker number is the only writer (workers are started after it): it cuts every file.
    if (end < bytes.length && (f === own || worker === undefined)) {
      cut += bytes.length - end;
      truncateSync(f, end);
    }
    const lines = bytes.subarray(0, end).toString('utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: EpisodeRecord;
      try {
        rec = JSON.parse(line) as EpisodeRecord;
      } catch {
        throw new HearthError('suite.ledger', `${f}:${i + 1} is not a JSON episode record`, 'the ledger was edited by hand: remove that line to run its episode again');
      }
      if (typeof rec.key !== 'string') throw new HearthError('suite.ledger', `${f}:${i + 1} has no "key"`, 'remove that line to run its episode again');
      if (done.has(rec.key)) duplicates++;
      else done.set(rec.key, rec);
    });
  }
  if (!existsSync(suiteFile)) {
    writeFileAtomic(suiteFile, `${JSON.stringify({ name: suite.spec.name, hash: suite.hash, file: suite.file, spec: suite.spec }, null, 2)}\n`, { what: 'suite record', kind: 'suite.write' });
  }
  const file = AppendFile.open(own, { what: 'suite ledger', kind: 'suite.write' });
  return {
    done, cut, duplicates,
    append(recs) { if (recs.length > 0) file.append(recs.map((r) => `${JSON.stringify(r)}\n`).join('')); },
    close() { file.close(); },
  };
}
