// Issue 22, "run directories know what they are": `hearth e2cl` resumes a run directory only
// for the same run (run.json), `--restart` starts over; `hearth train-lm` refuses to resume a
// checkpoint with another model shape or settings. The CLI cases passed silently on the old code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { readCheckpoint } from '../../agent/checkpoint.ts';
import { HearthError } from '../../env/errors.ts';
import { jsonDifferences, makeRunManifest, openRunDir, RUN_MANIFEST, type RunManifest } from '../../exploration/run-manifest.ts';
import { HEARTH, REPO } from '../support/tmpfs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-run-dirs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const manifest = (seed: number, layers = 1): RunManifest => makeRunManifest('e2cl', {
  seed, recipe: { name: 'tiny', seed, epochs: 1 }, model: { layers, d: 32 }, data: { tasks: 'generated', train: { count: 4, sha256: 'abc' } },
  code: { version: '0.1.0', commit: 'c0ffee' },
});
const caught = (f: () => void): HearthError => {
  try { f(); } catch (e) { return e as HearthError; }
  throw new Error('expected an error');
};

describe('openRunDir', () => {
  it('claims a new or empty directory by writing run.json first', () => {
    const d = join(tmp, 'new');
    expect(openRunDir(d, manifest(3))).toEqual({ how: 'new' });
    expect(JSON.parse(readFileSync(join(d, RUN_MANIFEST), 'utf8')).identity.seed).toBe(3);
    const e = join(tmp, 'empty');
    mkdirSync(e);
    expect(openRunDir(e, manifest(3)).how).toBe('new');
  });

  it('resumes the same run; refuses another with every difference and the fix', () => {
    const d = join(tmp, 'same');
    openRunDir(d, manifest(3));
    mkdirSync(join(d, 'checkpoints'));
    expect(openRunDir(d, manifest(3)).how).toBe('resume');
    const e = caught(() => openRunDir(d, manifest(4, 2)));
    expect(e).toBeInstanceOf(HearthError);
    expect(e.kind).toBe('run.mismatch');
    expect(e.message).toContain('seed: 3 → 4');
    expect(e.message).toContain('recipe.seed: 3 → 4');
    expect(e.message).toContain('model.layers: 1 → 2');
    expect(e.hint).toMatch(/--out with another directory, or --restart/);
    expect(existsSync(join(d, 'checkpoints'))).toBe(true);
  });

  it('another code commit alone resumes, with a note, and is recorded in run.json', () => {
    const d = join(tmp, 'commit');
    openRunDir(d, manifest(3));
    const next = manifest(3);
    next.identity.code = { version: '0.1.0', commit: 'beef' };
    const r = openRunDir(d, next);
    expect(r.how).toBe('resume');
    expect(r.note).toMatch(/code\.commit: "c0ffee" → "beef"/);
    const saved = JSON.parse(readFileSync(join(d, RUN_MANIFEST), 'utf8')) as RunManifest;
    expect(saved.identity.code.commit).toBe('c0ffee');
    expect(saved.resumes?.map((x) => x.code.commit)).toEqual(['beef']);
    const newer = manifest(3);
    newer.identity.code = { version: '0.2.0', commit: 'beef' };
    expect(caught(() => openRunDir(d, newer)).message).toContain('code.version: "0.1.0" → "0.2.0"');
  });

  it('--restart deletes the earlier run\'s files (only those) and writes the new manifest', () => {
    const d = join(tmp, 'restart');
    openRunDir(d, manifest(3));
    mkdirSync(join(d, 'checkpoints', 'bc'), { recursive: true });
    writeFileSync(join(d, 'results.json'), '{}');
    writeFileSync(join(d, 'notes.txt'), 'mine');
    expect(openRunDir(d, manifest(4), { restart: true }).how).toBe('restart');
    expect(existsSync(join(d, 'checkpoints'))).toBe(false);
    expect(existsSync(join(d, 'results.json'))).toBe(false);
    expect(readFileSync(join(d, 'notes.txt'), 'utf8')).toBe('mine');
    expect(JSON.parse(readFileSync(join(d, RUN_MANIFEST), 'utf8')).identity.seed).toBe(4);
  });

  it('a non-empty directory without a manifest is refused; --restart clears it only when it holds run files', () => {
    const old = join(tmp, 'old-run');
    mkdirSync(join(old, 'checkpoints'), { recursive: true });
    expect(caught(() => openRunDir(old, manifest(3))).message).toMatch(/has no readable run\.json/);
    expect(openRunDir(old, manifest(3), { restart: true }).how).toBe('restart');
    const other = join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'thesis.tex'), 'x');
    const e = caught(() => openRunDir(other, manifest(3), { restart: true }));
    expect(e.hint).toMatch(/new or empty directory/);
    expect(readFileSync(join(other, 'thesis.tex'), 'utf8')).toBe('x');
  });

  it('jsonDifferences lists leaf paths', () => {
    expect(jsonDifferences({ a: { b: 1, c: [1] } }, { a: { b: 2, c: [1] }, d: 'x' })).toEqual(['a.b: 1 → 2', 'd: (none) → "x"']);
  });
});

describe('hearth e2cl into a finished run directory', () => {
  const out = join(tmp, 'runs', 't');
  const e2cl = (...args: string[]) => spawnSync(process.execPath, [HEARTH, 'e2cl', '--tiny', '--train', '2', '--eval', '1', '--eval-seen', '1', '--quiet', '--workers', '1', '--out', out, ...args],
    { cwd: REPO, encoding: 'utf8', timeout: 300_000 });
  const results = () => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { recipe: { seed: number } };

  it('another seed is refused (exit 2) with the difference and the fix; the same seed resumes; --restart starts over', () => {
    const first = e2cl('--seed', '3');
    expect(first.status, first.stderr).toBe(0);
    expect(results().recipe.seed).toBe(3);
    const evalBefore = readFileSync(join(out, 'eval', 'e2cl.json'), 'utf8');

    const other = e2cl('--seed', '4');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('seed: 3 → 4');
    expect(other.stderr).toMatch(/data.train.sha256: [0-9a-f]{10}… → [0-9a-f]{10}…/);
    expect(other.stderr).toMatch(/--out with another directory, or --restart/);
    expect(other.stderr).not.toMatch(/^\s+at /m);
    expect(results().recipe.seed).toBe(3);

    const again = e2cl('--seed', '3');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('resuming the same run');
    expect(readFileSync(join(out, 'eval', 'e2cl.json'), 'utf8')).toBe(evalBefore);

    const restarted = e2cl('--seed', '4', '--restart');
    expect(restarted.status, restarted.stderr).toBe(0);
    expect(results().recipe.seed).toBe(4);
    expect(JSON.parse(readFileSync(join(out, RUN_MANIFEST), 'utf8')).identity.seed).toBe(4);
  });
});

describe('hearth train-lm resume', () => {
  it('refuses a resume with another --layers/--d/--heads/--lr/--seed, naming each difference; the same settings resume', async () => {
    const data = join(tmp, 'd.jsonl');
    writeFileSync(data, Array.from({ length: 12 }, (_, i) => JSON.stringify({ input: `n ${i} :`, output: ` ${i % 3}` })).join('\n'));
    const ck = join(tmp, 'ck');
    const base = ['train-lm', '--data', data, '--checkpoint', ck, '--layers', '1', '--d', '16', '--heads', '2', '--ctx', '32', '--vocab', '270'];
    const errs: string[] = [];
    const err = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main([...base, '--steps', '2'])).toBe(0);
      errs.length = 0;
      expect(await main([...base.slice(0, 5), '--layers', '2', '--d', '32', '--heads', '4', '--ctx', '32', '--vocab', '270', '--steps', '3', '--lr', '0.01', '--seed', '5'])).toBe(2);
      const msg = errs.join('\n');
      for (const d of ['layers: 1 → 2', 'd: 16 → 32', 'heads: 2 → 4', 'lr: 0.003 → 0.01', 'seed: 0 → 5']) expect(msg).toContain(d);
      expect(msg).toMatch(/another --checkpoint DIR/);
      expect(msg).not.toMatch(/parameters/); // the new (wrong) parameter count is not printed
      expect(readCheckpoint(ck).manifest.step).toBe(2);
      expect(await main([...base, '--steps', '3'])).toBe(0);
      expect(readCheckpoint(ck).manifest.step).toBe(3);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});
