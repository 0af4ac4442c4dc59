/**
 * Run directories know what they are (issue 22): `hearth e2cl` writes `run.json` into its
 * run directory before anything else: the recipe (seed included), the model's shape, the
 * task data (set, folder, and a content hash of each split), the corrector endpoint and
 * the code version. A rerun into the same directory resumes only when its manifest is
 * identical (except for the code's git commit: see openRunDir); otherwise it is refused with the differences (checkpoints, datasets and
 * evaluations of one run would otherwise be reported under another run's settings).
 * `--restart` deletes the earlier run's files and starts over in the directory.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HearthError } from '../env/errors.ts';
import { makeDirs, writeError, writeFileAtomic } from '../env/files.ts';

export const RUN_MANIFEST = 'run.json';
export const RUN_FORMAT = 'hearth-run/1';

/** Files and folders a run writes (what `--restart` deletes; nothing else in the directory is touched). */
export const RUN_ENTRIES = [RUN_MANIFEST, 'checkpoints', 'datasets', 'eval', 'episodes', 'exploration.json', 'method.json', 'report.md', 'report.html', 'results.json', 'diagnosis.md', 'diagnosis.svg'];

export interface RunManifest {
  format: typeof RUN_FORMAT;
  command: string;
  /** Everything that decides the run's results: recipe (with seed), model shape, data, code. */
  identity: {
    seed: number;
    recipe: unknown;
    model: unknown;
    data: unknown;
    code: { version: string; commit?: string };
    [k: string]: unknown;
  };
  createdAt: string;
  /** Resumes with another commit of the code (`code.commit` is not part of the run's identity check). */
  resumes?: Array<{ at: string; code: RunManifest['identity']['code'] }>;
}

/** sha256 of a JSON value (key order as given). */
export function jsonHash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v) ?? 'undefined').digest('hex');
}

let cachedCode: RunManifest['identity']['code'] | undefined;

/** The package version and, in a git checkout, the commit (results can change with the code). */
export function codeVersion(): RunManifest['identity']['code'] {
  if (cachedCode) return cachedCode;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  let version = 'unknown';
  try { version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? version; } catch { /* not in a package */ }
  let commit: string | undefined;
  if (existsSync(join(root, '.git'))) {
    try {
      commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || undefined;
    } catch { /* no git binary */ }
  }
  cachedCode = commit ? { version, commit } : { version };
  return cachedCode;
}

export function makeRunManifest(command: string, identity: RunManifest['identity']): RunManifest {
  return { format: RUN_FORMAT, command, identity, createdAt: new Date().toISOString() };
}

/** Leaf-by-leaf differences `path: was → now` between two JSON values. */
export function jsonDifferences(was: unknown, now: unknown, path = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(was) && isObj(now)) {
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])];
    return keys.flatMap((k) => jsonDifferences(was[k], now[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(was) === JSON.stringify(now)) return [];
  // Short enough that several differences fit on the CLI's one error line.
  const show = (v: unknown): string => {
    if (typeof v === 'string' && /^[0-9a-f]{40,}$/.test(v)) return `${v.slice(0, 10)}…`;
    const s = v === undefined ? '(none)' : JSON.stringify(v);
    return s.length > 40 ? `${s.slice(0, 39)}…` : s;
  };
  return [`${path || '(value)'}: ${show(was)} → ${show(now)}`];
}

function readManifest(path: string): RunManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as RunManifest;
    return m && m.format === RUN_FORMAT && typeof m.identity === 'object' ? m : undefined;
  } catch {
    return undefined;
  }
}

function clearRun(dir: string): void {
  // The manifest goes first: a directory cleared halfway has none and is not resumed.
  for (const name of RUN_ENTRIES) {
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch (e) {
      throw writeError(join(dir, name), e, { what: 'earlier run file', kind: 'run.restart' }, 'delete');
    }
  }
}

export interface OpenedRun {
  /** `new`: an empty or new directory; `resume`: the same run continues; `restart`: an earlier run was deleted. */
  how: 'new' | 'resume' | 'restart';
  /** A warning for the user (a resume with another code commit). */
  note?: string;
}

/**
 * Claim `dir` for the run described by `manifest`, before anything is written into it.
 * - missing or empty: create it and write the manifest;
 * - same manifest identity: resume (or with `restart`, delete the earlier run and start over);
 *   only the code's commit may differ (recorded, and returned as a note);
 * - another identity: HearthError listing the differences, unless `restart`;
 * - files but no manifest: refused (an older Hearth's run, or not a run directory);
 *   `restart` deletes only a run's own files (RUN_ENTRIES).
 */
export function openRunDir(dir: string, manifest: RunManifest, opts: { restart?: boolean } = {}): OpenedRun {
  const fix = `pass --out with another directory, or --restart to delete that run's files and start over in it`;
  let entries: string[] = [];
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new HearthError('run.dir', `run directory ${dir} is a file`, 'pass --out with a directory path');
    entries = readdirSync(dir);
  }
  const write = (): void => writeFileAtomic(join(dir, RUN_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { what: 'run manifest', kind: 'run.write' });
  if (entries.length === 0) {
    try { makeDirs(dir); } catch (e) { throw writeError(dir, e, { what: 'run directory', kind: 'run.write' }, 'create'); }
    write();
    return { how: 'new' };
  }
  const old = readManifest(join(dir, RUN_MANIFEST));
  if (!old) {
    const ours = entries.filter((e) => RUN_ENTRIES.includes(e));
    if (opts.restart && ours.length > 0) {
      clearRun(dir);
      write();
      return { how: 'restart' };
    }
    throw new HearthError('run.mismatch',
      `run directory ${dir} is not empty and has no readable ${RUN_MANIFEST} (a run from an older Hearth, or not a run directory): cannot tell whether it holds this run`,
      ours.length > 0 ? fix : 'pass --out with a new or empty directory');
  }
  const all = old.command === manifest.command ? jsonDifferences(old.identity, manifest.identity) : [`command: ${old.command} → ${manifest.command}`];
  // A different commit alone does not refuse the resume (a crash is often fixed by a commit, and
  // a dirty tree has none anyway): it is recorded in run.json and named on stderr.
  const diffs = all.filter((d) => !d.startsWith('code.commit:'));
  const commitChange = all.find((d) => d.startsWith('code.commit:'));
  if (opts.restart) {
    clearRun(dir);
    write();
    return { how: 'restart' };
  }
  if (diffs.length > 0) {
    const shown = diffs.length > 6 ? [...diffs.slice(0, 6), `and ${diffs.length - 6} more`] : diffs;
    throw new HearthError('run.mismatch', `run directory ${dir} holds another run (started ${old.createdAt}); earlier → now: ${shown.join('; ')}`, fix);
  }
  if (commitChange) {
    const resumes = [...(old.resumes ?? []), { at: manifest.createdAt, code: manifest.identity.code }];
    writeFileAtomic(join(dir, RUN_MANIFEST), `${JSON.stringify({ ...old, resumes }, null, 2)}\n`, { what: 'run manifest', kind: 'run.write' });
    return { how: 'resume', note: `resuming with other code than the run started with (${commitChange}); recorded in ${RUN_MANIFEST}` };
  }
  return { how: 'resume' };
}
