/**
 * Suites beyond one machine (issue 18): `hearth suite run FILE --redis URL` puts the episodes
 * on a BullMQ queue in a real `redis-server`; two `hearth worker` processes run them; one is
 * killed with SIGKILL in the middle of an episode. Every episode must be in the ledger exactly
 * once, the killed worker's episode finished by the other, and the results byte-identical to
 * the same suite run in one process. Skips with a message when redis-server is not installed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, haveRedis, type RedisServer, startRedis } from '../support/redis-server.ts';
import { expectOneLineErrors, HEARTH, hearth, trainTinyActionModel } from '../support/tiny-checkpoint.ts';

const HAVE = haveRedis();
if (!HAVE) console.warn('[hearth] redis-server not found: skipping the suite queue tests (Debian: apt-get install redis-server)');
const maybe = HAVE ? describe : describe.skip;

interface WorkerProc { proc: ChildProcess; name: string; lines: string[]; exited: Promise<void> }

/** Start `hearth worker`; resolves once it says it is ready. `onLine` sees every stderr line. */
function startWorker(url: string, name: string, onLine: (line: string, w: WorkerProc) => void = () => {}): Promise<WorkerProc> {
  const proc = spawn(process.execPath, [HEARTH, 'worker', '--redis', url, '--name', name, '--lock-ms', '3000'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const w: WorkerProc = { proc, name, lines: [], exited: new Promise((ok) => proc.on('exit', () => ok())) };
  let buf = '';
  return new Promise((ok, fail) => {
    proc.stderr!.on('data', (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        w.lines.push(line);
        if (line.startsWith(`worker ${name} ready`)) ok(w);
        onLine(line, w);
      }
    });
    void w.exited.then(() => fail(new Error(`worker ${name} exited: ${w.lines.join('\n')}`)));
  });
}

maybe('hearth suite run --redis with hearth worker processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-queue-'));
  let redis: RedisServer;
  const workers: WorkerProc[] = [];
  const suite = join(dir, 'suite.json');

  beforeAll(async () => {
    redis = await startRedis();
    await trainTinyActionModel(join(dir, 'ckpt'));
    writeFileSync(suite, JSON.stringify({
      name: 'queued', tasks: { set: 'generated', splits: ['seen', 'unseen'], count: 3, maxExpertSteps: 6 }, seeds: [0, 1], budgets: { maxSteps: 8, maxTokens: 12 },
      agents: [{ name: 'planner', kind: 'planner' }, { name: 'random', kind: 'random' }, { name: 'lm', kind: 'checkpoint', path: join(dir, 'ckpt'), speculative: false }],
    }, null, 2));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) { w.proc.kill('SIGKILL'); await w.exited; }
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two workers, one SIGKILLed mid-episode: every episode in the ledger exactly once, results as one process', async () => {
    const local = join(dir, 'local');
    const queued = join(dir, 'queued');
    const ref = await hearth(['suite', 'run', suite, '--out', local, '--quiet']);
    expect(ref.code, ref.stderr).toBe(0);

    // Worker A is killed at the start of its first LM episode after it has finished two episodes (a job of several).
    let killedKey: string | undefined;
    const a = await startWorker(redis.url, 'A', (line, w) => {
      const m = /^start (\S+)$/.exec(line);
      if (!killedKey && m && m[1].includes('|lm|') && w.lines.filter((l) => l.startsWith('done ')).length >= 2) {
        killedKey = m[1];
        w.proc.kill('SIGKILL');
      }
    });
    const b = await startWorker(redis.url, 'B');
    workers.push(a, b);
    const r = await hearth(['suite', 'run', suite, '--out', queued, '--redis', redis.url, '--json'], 240_000);
    expect(r.code, r.stderr).toBe(0);
    expect(killedKey, `worker A never started an LM episode: ${a.lines.join('\n')}`).toBeDefined();
    await a.exited;
    expect(a.proc.signalCode).toBe('SIGKILL');
    expect(a.lines).not.toContain(`done ${killedKey}`);

    const ledger = readFileSync(join(queued, 'episodes.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; worker: string });
    const planned = (JSON.parse(readFileSync(join(local, 'results.json'), 'utf8')) as { episodes: Array<{ key: string }> }).episodes.map((e) => e.key);
    expect(planned).toHaveLength(36);
    expect(ledger.map((x) => x.key).sort()).toEqual([...planned].sort()); // each once, none missing, none extra
    // Hazards were replayed by the workers that ran the episodes (the coordinator only merges).
    for (const x of ledger as Array<{ key: string; hazards?: unknown }>) expect(Array.isArray(x.hazards), `${x.key} checked for hazards`).toBe(true);
    const byWorker = (n: string) => ledger.filter((x) => x.worker === n).length;
    expect(byWorker('A')).toBeGreaterThanOrEqual(2);
    expect(byWorker('B')).toBeGreaterThan(0);
    expect(byWorker('A') + byWorker('B')).toBe(36);
    // The episode A died in was run again, from its start, by B.
    expect(ledger.find((x) => x.key === killedKey)!.worker).toBe('B');
    // So was every episode of the job A died in: the LM agent's 6 episodes of that seed, one
    // job at the default 8 episodes per job; none of them came back from A.
    const killed = ledger.find((x) => x.key === killedKey) as unknown as { agent: string; seed: number };
    const sameJob = (ledger as unknown as Array<{ key: string; worker: string; agent: string; seed: number }>).filter((x) => x.agent === killed.agent && x.seed === killed.seed);
    expect(sameJob).toHaveLength(6);
    for (const x of sameJob) expect(x.worker, x.key).toBe('B');
    expect(b.lines.filter((l) => /^job done \S+ \(6 episodes\)$/.test(l)).length, 'B returned jobs of several episodes').toBeGreaterThan(0);
    expect(b.lines.filter((l) => l === `done ${killedKey}` || l.startsWith(`done ${killedKey} `))).toHaveLength(1);
    const j = JSON.parse(r.stdout) as { planned: number; ran: number };
    expect(j).toMatchObject({ planned: 36, ran: 36 });
    for (const f of ['results.json', 'results.csv']) expect(readFileSync(join(queued, f), 'utf8'), f).toBe(readFileSync(join(local, f), 'utf8'));
    // Logs came back through the queue: the killed episode's log is complete (its end record).
    const rec = JSON.parse(readFileSync(join(queued, 'results.json'), 'utf8')) as { episodes: Array<{ key: string; log: string }> };
    const log = readFileSync(join(queued, rec.episodes.find((e) => e.key === killedKey)!.log), 'utf8').trim().split('\n');
    expect(JSON.parse(log[log.length - 1])).toMatchObject({ type: 'end' });

    // Rerun with --resume: nothing is queued again, the results stay the same.
    const again = await hearth(['suite', 'run', suite, '--out', queued, '--redis', redis.url, '--resume', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ planned: 36, ran: 0 });
    expect(readFileSync(join(queued, 'episodes.jsonl'), 'utf8').trim().split('\n')).toHaveLength(36);
    expect(readFileSync(join(queued, 'results.json'), 'utf8')).toBe(readFileSync(join(local, 'results.json'), 'utf8'));
  }, 300_000);

  it('the coordinator SIGKILLed mid-run and rerun with --resume: every episode exactly once, results as one process', async () => {
    const queued = join(dir, 'coordinator-killed');
    const workersNow = workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
    if (workersNow.length === 0) workers.push(await startWorker(redis.url, 'C'));
    // Kill the coordinator once its ledger has a few episodes; the workers keep going meanwhile.
    const proc = spawn(process.execPath, [HEARTH, 'suite', 'run', suite, '--out', queued, '--redis', redis.url, '--quiet'], { stdio: 'ignore' });
    const ledger = (): string[] => { try { return readFileSync(join(queued, 'episodes.jsonl'), 'utf8').split('\n').filter((l) => l !== ''); } catch { return []; } };
    await new Promise<void>((ok) => {
      const t = setInterval(() => { if (ledger().length >= 4) { proc.kill('SIGKILL'); clearInterval(t); } }, 5);
      proc.on('exit', () => { clearInterval(t); ok(); });
    });
    expect(proc.signalCode).toBe('SIGKILL');
    const before = ledger().length;
    expect(before).toBeLessThan(36);
    const r = await hearth(['suite', 'run', suite, '--out', queued, '--redis', redis.url, '--resume', '--json'], 240_000);
    expect(r.code, r.stderr).toBe(0);
    const keys = ledger().map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toHaveLength(36);
    expect(new Set(keys).size).toBe(36);
    expect(readFileSync(join(queued, 'results.json'), 'utf8')).toBe(readFileSync(join(dir, 'local', 'results.json'), 'utf8'));
  }, 300_000);

  it('bad input is one error line: an unreachable Redis, a non-redis URL, --workers with --redis', async () => {
    const port = await freePort();
    await expectOneLineErrors([
      [['suite', 'run', suite, '--out', join(dir, 'x'), '--redis', `redis://127.0.0.1:${port}`], /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/],
      [['worker', '--redis', 'http://127.0.0.1:1'], /--redis must be a redis:\/\/ URL/],
      [['suite', 'run', suite, '--redis', redis.url, '--workers', '2'], /--workers and --redis do not go together/],
    ]);
  }, 120_000);
});
