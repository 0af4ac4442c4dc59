// env/files.ts: the one way to write a file (issue 22). Short writes and ENOSPC are simulated
// by a pass-through mock of node:fs; the real full disk is a small tmpfs (test/support/tmpfs.ts).
import * as realFs from 'node:fs';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { EpisodeLogWriter, readEpisodeLog } from '../../env/episode-log.ts';
import { AppendFile, appendFileDurable, writeDirAtomic, writeFileAtomic } from '../../env/files.ts';
import { taskById } from '../../env/tasks/index.ts';
import { completeLines, inTmpfs, REPO, TMPFS } from '../support/tmpfs.ts';

// How the mocked writeSync behaves: `pass` (the real one), `trickle` (at most 7 bytes per
// call, as a kernel may do), `fullAfterHalf` (half the bytes, then ENOSPC: a disk filling up).
const mode = vi.hoisted(() => ({ current: 'pass' as 'pass' | 'trickle' | 'fullAfterHalf', calls: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, data: Uint8Array | string, offset?: number, length?: number, position?: number | null): number => {
    if (mode.current === 'pass') return (fs.writeSync as (...a: unknown[]) => number)(fd, data, offset, length, position);
    // writeSync(fd, string) too (the old writers' form): the same bytes as a buffer.
    if (typeof data === 'string') { data = Buffer.from(data, 'utf8'); offset = 0; length = undefined; }
    const off = offset ?? 0;
    const len = length ?? data.byteLength - off;
    if (mode.current === 'trickle') return fs.writeSync(fd, data, off, Math.min(7, len));
    mode.calls++;
    if (mode.calls === 1 && len > 1) return fs.writeSync(fd, data, off, Math.floor(len / 2));
    const e = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
    e.code = 'ENOSPC';
    throw e;
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const tmp = mkdtempSync(join(tmpdir(), 'hearth-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => { mode.current = 'pass'; mode.calls = 0; });

const caught = (f: () => void): HearthError => {
  try { f(); } catch (e) { return e as HearthError; }
  throw new Error('expected an error');
};
const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.tmp'));

describe('writeFileAtomic', () => {
  it('writes and replaces a file, creating its folder, leaving no temp file', () => {
    const p = join(tmp, 'a', 'b', 'report.md');
    writeFileAtomic(p, 'one\n');
    writeFileAtomic(p, new Uint8Array([116, 119, 111]));
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(leftovers(join(tmp, 'a', 'b'))).toEqual([]);
  });

  it('loops until every byte is written (short writes)', () => {
    const p = join(tmp, 'short.txt');
    const text = 'é'.repeat(500) + 'end';
    mode.current = 'trickle';
    writeFileAtomic(p, text);
    mode.current = 'pass';
    expect(readFileSync(p, 'utf8')).toBe(text);
  });

  it('ENOSPC: a typed error naming the path and "disk full"; the old file stays; the temp file is removed', () => {
    const p = join(tmp, 'keep.txt');
    writeFileAtomic(p, 'old\n');
    mode.current = 'fullAfterHalf';
    const e = caught(() => writeFileAtomic(p, 'new content that does not fit', { what: 'report', kind: 'x.write' }));
    mode.current = 'pass';
    expect(e).toBeInstanceOf(HearthError);
    expect(e.kind).toBe('x.write');
    expect(e.message).toBe(`cannot write report ${p}: disk full (ENOSPC)`);
    expect(e.hint).toMatch(/free disk space/);
    expect(readFileSync(p, 'utf8')).toBe('old\n');
    expect(leftovers(tmp)).toEqual([]);
  });

  it('EISDIR: a directory in the way is named, and no temp file is left', () => {
    const p = join(tmp, 'taken.json');
    mkdirSync(p);
    const e = caught(() => writeFileAtomic(p, '{}\n', { what: 'task file' }));
    expect(e).toBeInstanceOf(HearthError);
    expect(e.message).toBe(`cannot write task file ${p}: is a directory (EISDIR)`);
    expect(e.hint).toMatch(/remove that directory or choose another file name/);
    expect(statSync(p).isDirectory()).toBe(true);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('a missing folder with mkdir: false, and a file where a folder should be, are typed errors', () => {
    expect(caught(() => writeFileAtomic(join(tmp, 'nope', 'x.html'), 'x', { mkdir: false })).message).toMatch(/no such directory \(ENOENT\)/);
    writeFileSync(join(tmp, 'plain'), 'x');
    expect(caught(() => writeFileAtomic(join(tmp, 'plain', 'x.txt'), 'x')).message).toMatch(/not a directory \(ENOTDIR\)|ENOTDIR/);
  });
});

describe('writeDirAtomic', () => {
  it('a failing fill removes the temp directory and keeps the old directory', () => {
    const d = join(tmp, 'ck');
    writeDirAtomic(d, (t) => writeFileSync(join(t, 'weights.bin'), 'v1'));
    const e = caught(() => writeDirAtomic(d, (t) => {
      writeFileSync(join(t, 'weights.bin'), 'v2');
      const x = new Error('ENOSPC') as NodeJS.ErrnoException;
      x.code = 'ENOSPC';
      throw x;
    }, { what: 'checkpoint' }));
    expect(e.message).toBe(`cannot write checkpoint ${d}: disk full (ENOSPC)`);
    expect(readFileSync(join(d, 'weights.bin'), 'utf8')).toBe('v1');
    expect(leftovers(tmp)).toEqual([]);
    writeDirAtomic(d, (t) => writeFileSync(join(t, 'weights.bin'), 'v3'));
    expect(readFileSync(join(d, 'weights.bin'), 'utf8')).toBe('v3');
    expect(leftovers(tmp)).toEqual([]);
  });
});

describe('AppendFile', () => {
  it('appends whole records; a failed append is cut back so no partial line stays', () => {
    const p = join(tmp, 'log.jsonl');
    const f = AppendFile.open(p, { truncate: true, what: 'episode log' });
    f.append('{"a":1}\n');
    mode.current = 'fullAfterHalf';
    const e = caught(() => f.append(`${JSON.stringify({ b: 'z'.repeat(100) })}\n`));
    mode.current = 'pass';
    expect(e.message).toBe(`cannot append to episode log ${p}: disk full (ENOSPC)`);
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n');
    expect(f.length).toBe(8);
    f.append('{"c":3}\n');
    f.close();
    expect(readFileSync(p, 'utf8')).toBe('{"a":1}\n{"c":3}\n');
    appendFileDurable(p, '{"d":4}\n');
    expect(readFileSync(p, 'utf8').split('\n')).toHaveLength(4);
  });

  it('opening a directory is a typed error', () => {
    expect(caught(() => AppendFile.open(tmp, { what: 'cache' })).message).toBe(`cannot write cache ${tmp}: is a directory (EISDIR)`);
  });

  it('EpisodeLogWriter: a step that does not fit raises "disk full" and leaves only complete records (the old writer ignored the byte count)', () => {
    const p = join(tmp, 'ep.jsonl');
    const task = taskById('generated/s0/0000');
    const w = EpisodeLogWriter.create(p, { task, seed: 1 });
    mode.current = 'fullAfterHalf';
    const e = caught(() => w.end({ steps: 0, success: false, terminated: false, truncated: true }));
    mode.current = 'pass';
    w.close();
    expect(e).toBeInstanceOf(HearthError);
    expect(e.message).toMatch(/disk full \(ENOSPC\)/);
    const text = readFileSync(p, 'utf8');
    expect(completeLines(text)).toBe(true);
    expect(readEpisodeLog(p).error).toBeUndefined();
  });

  it('EpisodeLogWriter: a header that does not fit leaves no file (not half a header line)', () => {
    const p = join(tmp, 'ep2.jsonl');
    mode.current = 'fullAfterHalf';
    const e = caught(() => EpisodeLogWriter.create(p, { task: taskById('generated/s0/0000'), seed: 1 }));
    mode.current = 'pass';
    expect(e.message).toMatch(/disk full/);
    expect(realFs.existsSync(p)).toBe(false);
  });
});

describe.skipIf(!TMPFS.ok)('on a real full disk (64 KiB tmpfs)', () => {
  it('ENOSPC from the kernel: typed errors, old file kept, no temp files, appends cut back to whole lines', () => {
    const run = inTmpfs(64, [[process.execPath, '--import', 'tsx', join(REPO, 'test', 'env', 'files-enospc.fixture.ts'), '$MOUNT']]);
    const [r] = run.results;
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, { name: string; message: string } | number>;
    for (const k of ['atomic', 'dir', 'append'] as const) {
      expect(out[k]).toMatchObject({ name: 'HearthError', message: expect.stringMatching(/disk full \(ENOSPC\)$/) });
    }
    expect(run.files['old.txt']).toBe('old content\n');
    expect(Object.keys(run.files).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(Object.keys(run.files)).not.toContain('ck/');
    const log = run.files['log.jsonl'];
    expect(out.appended).toBeGreaterThan(10);
    expect(completeLines(log)).toBe(true);
    expect(log.split('\n').length - 1).toBe(out.appended);
    expect(Buffer.byteLength(log)).toBe(out.length);
  });
});
