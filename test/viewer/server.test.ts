/**
 * The viewer's static server stays up and inside its folder (issue 22): malformed URLs are
 * 400s and leave the process running; symlinks in the static folder that lead outside it are
 * not followed (404/403), symlinks that stay inside it are. A real server process on 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'hearth-viewer-server-'));
const dist = join(tmp, 'dist');
let proc: ChildProcess;
let base: string;

/** A raw request: the path goes out byte for byte (fetch would re-encode a malformed one). */
function get(path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("app")');
  const outside = join(tmp, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'SECRET');
  writeFileSync(join(tmp, 'episode.jsonl'), '{"type":"header"}\n');
  symlinkSync(join(outside, 'secret.txt'), join(dist, 'leak.txt'));       // file link out of dist
  symlinkSync(outside, join(dist, 'out'));                               // directory link out of dist
  symlinkSync('/etc/hostname', join(dist, 'host.txt'));                  // absolute link out of dist
  symlinkSync(join(dist, 'assets', 'app.js'), join(dist, 'alias.js'));   // link that stays inside
  proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/viewer/static-server.ts'), dist, join(tmp, 'episode.jsonl')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise<string>((ok, fail) => {
    let out = '';
    let err = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /viewer: (http:\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    proc.on('exit', (code) => fail(new Error(`viewer server exited with ${code}: ${err}`)));
  });
}, 60_000);
afterAll(() => {
  if (proc.exitCode === null) proc.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

describe('viewer static server', () => {
  it('malformed URLs are 400s and the process answers on', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/assets/%zz.js', '/api/episodes/%', '/%00']) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
    }
    expect(proc.exitCode).toBe(null);
    expect((await get('/')).status).toBe(200);
    expect((await get('/assets/app.js')).body).toBe('console.log("app")');
    expect((await get('/api/episodes/0')).status).toBe(200);
  });

  it('does not follow symlinks out of its folder; follows those that stay inside', async () => {
    for (const path of ['/leak.txt', '/out/secret.txt', '/host.txt', '/%2e%2e/outside/secret.txt', '/..%2Foutside%2Fsecret.txt']) {
      const r = await get(path);
      expect([403, 404], path).toContain(r.status);
      expect(r.body).not.toContain('SECRET');
    }
    expect((await get('/leak.txt', 'HEAD')).status).toBe(403);
    const alias = await get('/alias.js');
    expect(alias.status).toBe(200);
    expect(alias.body).toBe('console.log("app")');
    expect(proc.exitCode).toBe(null);
  });
});
