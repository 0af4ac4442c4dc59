// Issue 22, "one way to write a file": the CLI's writers on a full disk (a small tmpfs in a
// private mount namespace, test/support/tmpfs.ts) and with a file name taken by a directory.
// Every case failed on the old code: success with a cut record, a temp file left, a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completeLines, hearth, HEARTH, inTmpfs, REPO, TMPFS } from '../support/tmpfs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-full-disk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TASK = 'generated/s0/0000';
const noStackTrace = (stderr: string): void => expect(stderr).not.toMatch(/^\s+at /m);

describe.skipIf(!TMPFS.ok)('full disk (tmpfs)', () => {
  it('run --log: a log that does not fit fails with "disk full" (exit 2) and keeps only complete records', () => {
    // The same run on a roomy disk, to size the tmpfs: room for the header but not for every step.
    const roomy = join(tmp, 'roomy.jsonl');
    const ok = spawnSync(process.execPath, [HEARTH, 'run', '--task', TASK, '--agent', 'planner', '--log', roomy, '--quiet'], { cwd: REPO, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const text = readFileSync(roomy, 'utf8');
    const header = text.indexOf('\n') + 1;
    const pages = Math.ceil(header / 4096);
    expect(pages * 4096).toBeLessThan(Buffer.byteLength(text)); // else the task's log is too small to test with
    const run = inTmpfs(pages * 4, [hearth('run', '--task', TASK, '--agent', 'planner', '--log', '$MOUNT/a.jsonl', '--quiet')]);
    const [r] = run.results;
    const log = run.files['a.jsonl'];
    expect(completeLines(log), `log ends with ${JSON.stringify(log.slice(-80))}`).toBe(true);
    expect(log.length).toBeGreaterThanOrEqual(header);
    expect(r.stdout).not.toMatch(/Success/);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/episode log .*a\.jsonl: disk full \(ENOSPC\)/);
    noStackTrace(r.stderr);
  });

  it('run --log: a header that does not fit leaves no half line', () => {
    const run = inTmpfs(16, [hearth('run', '--task', TASK, '--agent', 'planner', '--log', '$MOUNT/a.jsonl', '--quiet')]);
    expect(run.files['a.jsonl'] ?? '').toBe('');
    expect(run.results[0].status).toBe(2);
    expect(run.results[0].stderr).toMatch(/disk full/);
  });

  it('view --export: "disk full" (exit 2), no temp file and no partial export left', () => {
    const log = join(tmp, 'ep.jsonl');
    expect(spawnSync(process.execPath, [HEARTH, 'run', '--task', TASK, '--agent', 'planner', '--log', log, '--quiet'], { cwd: REPO }).status).toBe(0);
    const run = inTmpfs(64, [hearth('view', '--export', '$MOUNT/out.html', log)]);
    const [r] = run.results;
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/out\.html: disk full \(ENOSPC\)/);
    noStackTrace(r.stderr);
    expect(run.files).toEqual({});
  });

  it('tasks generate --out: "disk full" (exit 2) and no temp files', () => {
    const run = inTmpfs(64, [hearth('tasks', 'generate', '--set', 'generated', '--count', '40', '--out', '$MOUNT/tasks')]);
    const [r] = run.results;
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/task file .*\.json: disk full \(ENOSPC\)/);
    noStackTrace(r.stderr);
    const names = Object.keys(run.files);
    expect(names.filter((n) => n.includes('.tmp'))).toEqual([]);
    for (const n of names) if (n.endsWith('.json')) expect(() => JSON.parse(run.files[n])).not.toThrow();
  });
});

describe('a file name taken by a directory', () => {
  it('tasks generate --out: the path and "is a directory" (exit 2), no stack trace, no temp file', () => {
    const out = join(tmp, 'tasks');
    mkdirSync(join(out, 'generated__s0__0001.json'), { recursive: true });
    const r = spawnSync(process.execPath, [HEARTH, 'tasks', 'generate', '--set', 'generated', '--count', '3', '--out', out], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(out, 'generated__s0__0001.json')}: is a directory (EISDIR)`);
    noStackTrace(r.stderr);
    expect(readdirSync(out).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(statSync(join(out, 'generated__s0__0001.json')).isDirectory()).toBe(true);
  });

  it('view --export onto a directory: exit 2 naming it, no temp file', () => {
    const log = join(tmp, 'ep2.jsonl');
    expect(spawnSync(process.execPath, [HEARTH, 'run', '--task', TASK, '--agent', 'planner', '--log', log, '--quiet'], { cwd: REPO }).status).toBe(0);
    const target = join(tmp, 'export-dir.html');
    mkdirSync(target);
    const r = spawnSync(process.execPath, [HEARTH, 'view', '--export', target, log], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(target);
    noStackTrace(r.stderr);
    expect(readdirSync(tmp).filter((n) => n.includes('.tmp'))).toEqual([]);
  });
});
