/**
 * The one way Hearth writes a file (issue 22). `writeSync` may write fewer bytes than asked
 * (a full disk) and report it only in its return value; a `writeFileSync` + `renameSync`
 * pair leaves its temp file behind when either fails. Every writer in the repository goes
 * through these functions instead:
 *
 * - `writeFileAtomic`: temp file beside the target, every byte written (looping over short
 *   writes), fsync, rename over the target, fsync of the directory. The target is either the
 *   old file or the complete new one; the temp file is removed on any failure.
 * - `writeFileDurable`: the same without the rename, for files inside a temp directory that
 *   is itself renamed into place (`writeDirAtomic`).
 * - `AppendFile` / `appendFileDurable`: JSONL-style appends, each fsync'd; a failed append is
 *   cut back to the file's previous length, so no partial line stays.
 *
 * Failures are `HearthError`s naming the file and the cause in words ("disk full",
 * "is a directory", "permission denied", …) with a fix. This module is in env/ so that the
 * simulator's episode logs use it too; it imports nothing outside env/.
 */
import {
  constants as fsConstants, closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HearthError } from './errors.ts';

/** What to call the file in messages, and the error kind (e.g. `log.write`). */
export interface WriteOptions {
  /** e.g. `episode log`, `checkpoint`, `report` (default `file`). */
  what?: string;
  /** HearthError kind (default `file.write`). */
  kind?: string;
  /** Create the parent directory (default true). */
  mkdir?: boolean;
  /**
   * fsync the file and its directory (default true). `false` keeps everything else (every
   * byte, atomic rename, temp file removed, typed errors) but not durability across a power
   * loss: for many small files that can be made again (`tasks generate --out`), where two
   * fsyncs per file would cost more than making them.
   */
  sync?: boolean;
}

const CAUSES: Record<string, { cause: string; fix: string }> = {
  ENOSPC: { cause: 'disk full', fix: 'free disk space, or write to a disk with room' },
  EDQUOT: { cause: 'disk quota exceeded', fix: 'free space within your quota, or write elsewhere' },
  EFBIG: { cause: 'file too large for this file system', fix: 'write to another file system' },
  EISDIR: { cause: 'is a directory', fix: 'remove that directory or choose another file name' },
  ENOTDIR: { cause: 'a part of the path is a file, not a directory', fix: 'choose a path whose folders are directories' },
  ENOENT: { cause: 'no such directory', fix: 'create the folder first or choose an existing one' },
  EACCES: { cause: 'permission denied', fix: 'choose a writable location or fix its permissions' },
  EPERM: { cause: 'operation not permitted', fix: 'choose a writable location or fix its permissions' },
  EROFS: { cause: 'read-only file system', fix: 'write to a writable file system' },
  EEXIST: { cause: 'already exists', fix: 'remove it or choose another name' },
  ENOTEMPTY: { cause: 'a non-empty directory is in the way', fix: 'remove it or choose another name' },
  EMFILE: { cause: 'too many open files', fix: 'raise the open-file limit (ulimit -n)' },
  ENAMETOOLONG: { cause: 'file name too long', fix: 'choose a shorter path' },
  EIO: { cause: 'I/O error', fix: 'check the disk' },
  ESHORT: { cause: 'the disk accepted no more bytes', fix: 'free disk space, or write to a disk with room' },
};

/** The errno code of a Node fs error (or undefined). */
export function errnoCode(e: unknown): string | undefined {
  const c = (e as NodeJS.ErrnoException | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/**
 * A typed error for a failed write of `path`: `cannot write <what> <path>: disk full (ENOSPC)`
 * with a fix. A HearthError passes through unchanged.
 */
export function writeError(path: string, e: unknown, opts: Pick<WriteOptions, 'what' | 'kind'> = {}, verb = 'write'): HearthError {
  if (e instanceof HearthError) return e;
  const code = errnoCode(e);
  const known = code ? CAUSES[code] : undefined;
  const cause = known ? `${known.cause} (${code})` : code ?? (e instanceof Error ? e.message : String(e));
  return new HearthError(opts.kind ?? 'file.write', `cannot ${verb} ${opts.what ?? 'file'} ${path}: ${cause}`,
    known?.fix ?? 'check the path, free disk space and permissions');
}

function shortWrite(): NodeJS.ErrnoException {
  const e = new Error('write accepted 0 bytes') as NodeJS.ErrnoException;
  e.code = 'ESHORT';
  return e;
}

/** Write every byte of `data` to `fd` (at the current position), looping over short writes. */
export function writeAllSync(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.byteLength) {
    const n = writeSync(fd, buf, off, buf.byteLength - off);
    if (n <= 0) throw shortWrite();
    off += n;
  }
}

/**
 * `mkdir -p`, one level at a time (Node's `recursive: true` spins forever on some paths that
 * cannot be created, e.g. under /proc). Errors are raw fs errors.
 */
export function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
}

/** fsync a directory so that a rename in it survives a crash (best effort: not every file system allows it). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch { /* not supported here: the rename is still atomic */ } finally {
    if (fd !== undefined) try { closeSync(fd); } catch { /* ignore */ }
  }
}

let tempCounter = 0;

/** A temp name beside `path`, unique across processes and calls: `.<name>.tmp-<pid>-<n>`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${++tempCounter}`);
}

function removeQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* already gone */ }
}

/** Create `path` (truncating), write all of `data`, fsync (unless `sync` is false), close. Raw fs errors; the file may be partial on failure. */
function writeAndSync(path: string, data: string | Uint8Array, sync = true): void {
  const fd = openSync(path, 'w');
  try {
    writeAllSync(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A target that is an existing directory: the rename would fail late (EISDIR); fail early with the same words. */
function refuseDirectory(path: string): void {
  let isDir = false;
  try { isDir = statSync(path).isDirectory(); } catch { /* does not exist: fine */ }
  if (isDir) {
    const e = new Error(`${path} is a directory`) as NodeJS.ErrnoException;
    e.code = 'EISDIR';
    throw e;
  }
}

/**
 * Write `data` to `path` atomically: temp file beside it, every byte, fsync, rename. On any
 * failure the temp file is removed, the old `path` (if any) is untouched, and a HearthError
 * names the path and the cause.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  let tmp: string | undefined;
  try {
    if (opts.mkdir !== false) makeDirs(dirname(path));
    refuseDirectory(path);
    tmp = tempPathFor(path);
    writeAndSync(tmp, data, opts.sync !== false);
    renameSync(tmp, path);
    tmp = undefined;
    if (opts.sync !== false) syncDir(dirname(path));
  } catch (e) {
    if (tmp !== undefined) removeQuietly(tmp);
    throw writeError(path, e, opts);
  }
}

/**
 * Write `data` to `path` completely and fsync it, without a rename: for files inside a temp
 * directory that `writeDirAtomic` renames into place. On failure the partial file is removed.
 */
export function writeFileDurable(path: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  try {
    if (opts.mkdir !== false) makeDirs(dirname(path));
    writeAndSync(path, data, opts.sync !== false);
  } catch (e) {
    if (errnoCode(e) !== 'EISDIR') removeQuietly(path);
    throw writeError(path, e, opts);
  }
}

/** The temp directory beside `dir` that `writeDirAtomic` fills. */
function tempDirFor(dir: string): string {
  return join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${++tempCounter}`);
}

function commitDir(tmp: string, dir: string, opts: WriteOptions): void {
  try {
    syncDir(tmp);
    if (existsSync(dir)) {
      // rename(2) cannot replace a non-empty directory: move the old one aside first.
      const old = `${tempDirFor(dir)}.old`;
      renameSync(dir, old);
      try {
        renameSync(tmp, dir);
      } catch (e) {
        try { renameSync(old, dir); } catch { /* leave `old` for the user */ }
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, dir);
    }
    syncDir(dirname(dir));
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(dir, e, opts);
  }
}

/**
 * Build a directory atomically: `fill` writes into an empty temp directory beside `dir`
 * (with `writeFileDurable`), which then replaces `dir` in one rename. On any failure the
 * temp directory is removed and `dir` keeps its old content.
 */
export function writeDirAtomic(dir: string, fill: (tmp: string) => void, opts: WriteOptions = {}): void {
  const tmp = prepareTempDir(dir, opts);
  try {
    fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(dir, e, opts);
  }
  commitDir(tmp, dir, opts);
}

/** `writeDirAtomic` for an asynchronous `fill` (a model's `save`). */
export async function writeDirAtomicAsync(dir: string, fill: (tmp: string) => Promise<void>, opts: WriteOptions = {}): Promise<void> {
  const tmp = prepareTempDir(dir, opts);
  try {
    await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw writeError(dir, e, opts);
  }
  commitDir(tmp, dir, opts);
}

function prepareTempDir(dir: string, opts: WriteOptions): string {
  const tmp = tempDirFor(dir);
  try {
    if (opts.mkdir !== false) makeDirs(dirname(dir));
    mkdirSync(tmp);
  } catch (e) {
    throw writeError(dir, e, opts);
  }
  return tmp;
}

/**
 * An append-only file (JSONL): every `append` writes all of its text and fsyncs before
 * returning. A failed append truncates the file back to its length before the call, so the
 * file never ends in a partial line, and raises a HearthError naming the path and cause.
 */
export class AppendFile {
  readonly path: string;
  private fd: number | undefined;
  private size: number;
  private readonly opts: WriteOptions;

  private constructor(path: string, fd: number, size: number, opts: WriteOptions) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.opts = opts;
  }

  /**
   * Open `path` for appending (creating its directory). `truncate`: start empty (a new log);
   * otherwise keep the existing content and append after it.
   */
  static open(path: string, opts: WriteOptions & { truncate?: boolean } = {}): AppendFile {
    let fd: number | undefined;
    try {
      if (opts.mkdir !== false) makeDirs(dirname(path));
      refuseDirectory(path);
      // O_APPEND in both cases: after a failed append is cut back, the next one must start at
      // the new end (with 'w' the file position would stay past it and leave a hole of zeros).
      const { O_APPEND, O_CREAT, O_TRUNC, O_WRONLY } = fsConstants;
      fd = openSync(path, O_WRONLY | O_CREAT | O_APPEND | (opts.truncate ? O_TRUNC : 0), 0o666);
      return new AppendFile(path, fd, fstatSync(fd).size, opts);
    } catch (e) {
      if (fd !== undefined) try { closeSync(fd); } catch { /* ignore */ }
      throw writeError(path, e, opts);
    }
  }

  /** Bytes in the file after the last successful append. */
  get length(): number { return this.size; }

  get closed(): boolean { return this.fd === undefined; }

  /** Append `text` completely and fsync; on failure cut the file back and throw. */
  append(text: string | Uint8Array): void {
    if (this.fd === undefined) throw new Error(`${this.opts.what ?? 'file'} ${this.path} is closed`);
    const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    try {
      writeAllSync(this.fd, buf);
      fsyncSync(this.fd);
      this.size += buf.byteLength;
    } catch (e) {
      // Cut back to the last complete record: a reader never sees half a line.
      try {
        ftruncateSync(this.fd, this.size);
        fsyncSync(this.fd);
      } catch { /* the error below still reports the failure */ }
      throw writeError(this.path, e, this.opts, 'append to');
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch (e) {
      throw writeError(this.path, e, this.opts, 'close');
    }
  }
}

/** One append to `path` (opened, appended, closed) with `AppendFile`'s guarantees. */
export function appendFileDurable(path: string, text: string | Uint8Array, opts: WriteOptions = {}): void {
  const f = AppendFile.open(path, opts);
  try {
    f.append(text);
  } finally {
    f.close();
  }
}
