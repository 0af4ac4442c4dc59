/**
 * Output paths are checked before a command does any work (issue 22): training that runs for
 * an hour and then finds `--checkpoint` unwritable has lost the hour. A directory output
 * (`--out`, `--checkpoint`, `--log DIR`) must be a directory or creatable as one, a file output
 * (`--log FILE`, `--export`) must not be a directory, and the place it goes must take a file
 * (probed by creating and removing one), optionally with room for the bytes it will hold.
 * Nothing is created here; failures are one-line HearthErrors naming the flag and the path.
 */
import { accessSync, closeSync, constants, existsSync, openSync, statSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HearthError } from '../env/errors.ts';

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded', ENOENT: 'does not accept new files', ENOTDIR: 'a part of the path is a file', ENAMETOOLONG: 'name too long',
};

function causeOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return CAUSES[code] ?? (code || String(e));
}

/** The path itself if it exists, else its nearest existing ancestor. */
function nearestExisting(abs: string): string {
  let p = abs;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

/** Create and remove a small file in `dir`: the honest test of "can I write here" (permission bits lie to root, /proc, read-only mounts). */
function probeWritable(dir: string, flag: string, shown: string): void {
  const probe = join(dir, `.hearth-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'wx');
    writeSync(fd, 'x');
  } catch (e) {
    throw new HearthError('cli.out', `${flag} ${shown} is not writable (${dir}: ${causeOf(e)})`, `choose a path in a writable directory for ${flag}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(probe); } catch { /* it was never created */ }
  }
}

/** Free bytes for unprivileged users on the file system holding `dir`, or undefined when unknown. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MiB`;
}

export interface OutputCheck {
  /** Bytes the output will need at most; a file system with less room is an error now rather than after the work. */
  needBytes?: number;
  /** Free bytes of a directory (for tests; default statfs). */
  free?: (dir: string) => number | undefined;
}

/** `path` (given as `flag`) must be an existing directory or creatable as one, and writable. */
export function checkOutputDir(path: string, flag: string, opts: OutputCheck = {}): void {
  const abs = resolve(path);
  const at = nearestExisting(abs);
  if (at === abs && !isDir(abs)) {
    throw new HearthError('cli.out', `${flag} ${path} is a file, not a directory`, `pass a directory path for ${flag} (it is created if missing)`);
  }
  if (!isDir(at)) {
    throw new HearthError('cli.out', `${flag} ${path} cannot be created: ${at} is a file`, `choose a path whose folders are directories for ${flag}`);
  }
  probeWritable(at, flag, path);
  checkRoom(at, flag, path, opts);
}

/** `path` (given as `flag`) must be a file path: not a directory, in a directory that exists or can be created, writable. */
export function checkOutputFile(path: string, flag: string, opts: OutputCheck = {}): void {
  const abs = resolve(path);
  if (isDir(abs)) throw new HearthError('cli.out', `${flag} ${path} is a directory, not a file`, `pass a file path for ${flag}`);
  if (existsSync(abs)) {
    try { accessSync(abs, constants.W_OK); } catch (e) {
      throw new HearthError('cli.out', `${flag} ${path} is not writable: ${causeOf(e)}`, `choose another path for ${flag}`);
    }
  }
  const parent = dirname(abs);
  const at = nearestExisting(parent);
  if (!isDir(at)) {
    throw new HearthError('cli.out', `${flag} ${path} cannot be created: ${at} is a file`, `choose a path whose folders are directories for ${flag}`);
  }
  probeWritable(at, flag, path);
  checkRoom(at, flag, path, opts);
}

function checkRoom(dir: string, flag: string, shown: string, opts: OutputCheck): void {
  if (opts.needBytes === undefined) return;
  const free = (opts.free ?? freeBytes)(dir);
  if (free !== undefined && free < opts.needBytes) {
    throw new HearthError('cli.out', `${flag} ${shown}: the disk has ${mib(free)} free, and this run needs about ${mib(opts.needBytes)}`,
      `free disk space or choose another disk for ${flag}`);
  }
}
