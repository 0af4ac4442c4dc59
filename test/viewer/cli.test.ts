/**
 * `hearth view` end to end (no browser): the server lists and serves the episodes of a run
 * directory and nothing outside them, user errors are one line with exit code 2, and
 * `--export` writes a single HTML file with the episode embedded.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../../viewer/build.ts';
import { REPO_ROOT } from '../support/vh-data.ts';
import { type Fixtures, makeFixtures } from './fixtures.ts';

const HEARTH = resolve(REPO_ROOT, 'bin/hearth.mjs');
let fx: Fixtures;

beforeAll(async () => {
  fx = makeFixtures(mkdtempSync(join(tmpdir(), 'hearth-viewer-cli-')));
  await ensureBuilt();
});
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

function hearth(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [HEARTH, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hearth view', () => {
  it('serves a run directory: the episode list, each log, the app, and nothing else', async () => {
    const run = join(fx.dir, 'run');
    mkdirSync(join(run, 'episodes'), { recursive: true });
    mkdirSync(join(run, 'datasets'), { recursive: true });
    writeFileSync(join(run, 'episodes', 'a.jsonl'), readFileSync(fx.demo));
    writeFileSync(join(run, 'episodes', 'b.jsonl'), readFileSync(fx.e2cl));
    writeFileSync(join(run, 'datasets', 'planning.jsonl'), '{"input":"x","output":"y"}\n'); // not an episode log
    const child = spawn(process.execPath, [HEARTH, 'view', run, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error(`no URL printed: ${out}`)), 60_000);
        child.stdout.on('data', (d) => {
          out += String(d);
          const m = /serving 2 episodes at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) { clearTimeout(timer); ok(m[1]); }
        });
        child.on('exit', (code) => fail(new Error(`hearth view exited ${code}: ${out}`)));
      });
      const list = await (await fetch(`${url}api/episodes`)).json() as { episodes: { name: string; bytes: number }[] };
      expect(list.episodes.map((e) => e.name)).toEqual([join('episodes', 'a.jsonl'), join('episodes', 'b.jsonl')]);
      expect(await (await fetch(`${url}api/episodes/1`)).text()).toBe(readFileSync(fx.e2cl, 'utf8'));
      expect((await fetch(`${url}api/episodes/2`)).status).toBe(404);
      const index = await (await fetch(url)).text();
      expect(index).toContain('id="steps"');
      expect((await fetch(`${url}..%2f..%2fpackage.json`)).status).toBeGreaterThanOrEqual(400);
      expect((await fetch(`${url}assets/../../package.json`)).status).toBeGreaterThanOrEqual(400);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('gives one-line errors for a missing file, a bad header, an empty run directory and a busy port', async () => {
    const missing = hearth(['view', join(fx.dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.jsonl');

    const badHeader = join(fx.dir, 'bad.jsonl');
    writeFileSync(badHeader, '{"type":"step"}\n');
    const bad = hearth(['view', badHeader]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 1/);

    const empty = join(fx.dir, 'empty-run');
    mkdirSync(empty, { recursive: true });
    const none = hearth(['view', empty]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no episode logs');

    const usage = hearth(['view', fx.demo, '--port', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--port');

    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', () => ok()));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const busy = await new Promise<{ code: number | null; stderr: string }>((ok) => {
        const c = spawn(process.execPath, [HEARTH, 'view', fx.demo, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d) => { stderr += String(d); });
        c.on('exit', (code) => ok({ code, stderr }));
      });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('--export writes one self-contained HTML file with the episode', () => {
    const out = join(fx.dir, 'demo.html');
    const r = hearth(['view', '--export', out, fx.demo]);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    const m = /<script type="application\/x-ndjson" id="hearth-episode"[^>]*>\n([\s\S]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    const embedded = m![1].split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    const original = readFileSync(fx.demo, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    expect(embedded).toEqual(original);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/);
    const dir = hearth(['view', '--export', out, fx.dir]);
    expect(dir.code).toBe(2);
  });
});
