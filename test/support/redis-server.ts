/**
 * A real `redis-server` for a test or a benchmark: on a free port, in a temp directory, no
 * persistence. `haveRedis()` says whether the binary is installed (Debian: redis-server);
 * callers skip with a message when it is not.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const haveRedis = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export interface RedisServer { url: string; port: number; proc: ChildProcess; stop(): Promise<void> }

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export async function startRedis(timeoutMs = 20_000): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-redis-'));
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((ok) => proc.on('exit', () => ok()));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within ${timeoutMs} ms: ${out}`)), timeoutMs);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/Ready to accept connections/.test(out)) { clearTimeout(timer); ok(); }
    });
    void exited.then(() => { clearTimeout(timer); fail(new Error(`redis-server exited: ${out}`)); });
  });
  return {
    url: `redis://127.0.0.1:${port}`, port, proc,
    async stop() {
      proc.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
