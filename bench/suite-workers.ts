/**
 * Suite throughput over the Redis queue: episodes per second with 1 and with 2 `hearth worker`
 * processes, and their ratio (issue 18: ≥ 1.6× on a 2-core machine). Starts its own
 * redis-server on a free port; the suite is the planner on generated tasks (CPU-bound
 * episodes, no episode logs), its task list chosen once beforehand so that only the episodes
 * are timed. Workers are started and warmed up before each timed run (episodes of another
 * suite: with 2 × 16 episodes, JIT compilation still ran on V8's threads during the timed run
 * and the ratio read 1.14×, against 1.42× with 24 × 16 and 1.57× with 60 × 16 on the same code);
 * a timed run is from the jobs' enqueueing to the last result in the ledger.
 * Rounds alternate 1 and 2 workers; the median of each is reported, with the load average.
 *
 *   npm run bench:suite-workers -- [--tasks 16] [--seeds 48] [--warm-seeds 60] [--rounds 5] [--concurrency 1] [--job-episodes 16] [--checkpoint DIR] [--json]
 * (`--concurrency`: jobs each worker holds at once; 2 overlaps one job's Redis round trips with another's episode;
 * `--checkpoint DIR`: the episodes are a local checkpoint's (greedy LM decoding, ~0.1-1 s each) instead of the
 * planner's (~4 ms each, where the queue's own cost per job, Redis round trips and the coordinator's ledger
 * writes, is of the episode's order))
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSuite } from '../suites/spec.ts';
import { runSuite, runTasks } from '../suites/runner.ts';
import { haveRedis, startRedis } from '../test/support/redis-server.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const TASKS = arg('tasks', 16);
const SEEDS = arg('seeds', 48);
const ROUNDS = arg('rounds', 5);
const CONCURRENCY = arg('concurrency', 1);
const PER_JOB = arg('job-episodes', 16);
const WARM_SEEDS = arg('warm-seeds', 60);
const JSON_OUT = process.argv.includes('--json');
const ci = process.argv.indexOf('--checkpoint');
const CHECKPOINT = ci >= 0 ? resolve(process.argv[ci + 1] ?? '') : undefined;
const agent = CHECKPOINT ? { name: 'lm', kind: 'checkpoint', path: CHECKPOINT } : { name: 'planner', kind: 'planner' };
const HEARTH = resolve(import.meta.dirname, '../bin/hearth.mjs');

if (!haveRedis()) {
  console.error('redis-server is not installed (Debian: apt-get install redis-server): nothing to measure');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-suite-workers-'));
const redis = await startRedis();
const suiteFile = (name: string, seeds: number[]): string => {
  const f = join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify({
    name, tasks: { set: 'generated', splits: ['unseen'], count: TASKS, maxExpertSteps: 8 }, seeds, budgets: { maxSteps: 16 },
    agents: [agent], report: { logs: false, resamples: 10 },
  }));
  return f;
};
const measured = loadSuite(suiteFile('timed', Array.from({ length: SEEDS }, (_, i) => i)));
const warm = loadSuite(suiteFile('warm', Array.from({ length: WARM_SEEDS }, (_, i) => 1000 + i)));
const episodes = TASKS * SEEDS;

// Choose the task list once (planning every candidate costs more than a round's episodes);
// both suites list the same tasks (same tasks spec), so one tasks.json serves every directory.
const taskDir = join(dir, 'tasks');
mkdirSync(taskDir);
runTasks(measured.spec, taskDir);
const tasksJson = readFileSync(join(taskDir, 'tasks.json'));
const fresh = (name: string): string => {
  const out = join(dir, name);
  mkdirSync(out);
  writeFileSync(join(out, 'tasks.json'), tasksJson);
  return out;
};

/** CPU seconds (user + system) in a /proc `stat` file: utime and stime, in clock ticks (USER_HZ 100); 0 where unreadable. */
function statCpu(file: string): number {
  try {
    const f = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
/** CPU seconds a process has used so far. */
const procCpu = (pid: number | undefined): number => statCpu(`/proc/${pid}/stat`);
/** CPU seconds each thread of a process has used so far, by thread id. */
function threadCpus(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) out.set(tid, statCpu(`/proc/${pid}/task/${tid}/stat`));
  } catch { /* the process is gone */ }
  return out;
}
/** CPU seconds the busiest thread used between two `threadCpus` readings: the thread that runs the episodes. */
const episodeThreadCpu = (before: Map<string, number>, after: Map<string, number>): number =>
  Math.max(0, ...[...after].map(([tid, c]) => c - (before.get(tid) ?? 0)));
/** CPU seconds of each timed run: this coordinating process, redis-server, the workers together (and their episode threads). */
const cpu = { coordinator: [] as number[], redis: [] as number[], workers: [] as number[], workerEpisodes: [] as number[] };

/** Milliseconds inside episodes of the timed suite, per worker (from its `done KEY (N ms)` lines). */
let busyMs: number[] = [];

function startWorker(i: number): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [HEARTH, 'worker', '--redis', redis.url, '--name', `w${i}`, '--concurrency', String(CONCURRENCY)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  busyMs[i] = 0;
  return new Promise((ok, fail) => {
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      let n: number;
      while ((n = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, n);
        err = err.slice(n + 1);
        if (/ ready on /.test(line)) ok(proc);
        const m = /^done timed\|\S+ \((\d+) ms\)$/.exec(line);
        if (m) busyMs[i] += Number(m[1]);
      }
    });
    proc.on('exit', (code) => fail(new Error(`worker exited (${code}): ${err}`)));
  });
}

/** Seconds from enqueueing the timed suite to its last episode in the ledger, with `workers` warm workers. */
async function round(workers: number, r: number): Promise<{ seconds: number; busy: number; episodeMs: number }> {
  busyMs = [];
  const procs = await Promise.all(Array.from({ length: workers }, (_, i) => startWorker(i)));
  try {
    await runSuite(warm, { out: fresh(`warm-${workers}-${r}`), resume: false, quiet: true, queue: { url: redis.url, episodesPerJob: PER_JOB } });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r0 = procCpu(redis.proc.pid);
    const w0 = procs.map((p) => procCpu(p.pid));
    const m0 = procs.map((p) => threadCpus(p.pid));
    let last = t0;
    await runSuite(measured, { out: fresh(`timed-${workers}-${r}`), resume: false, quiet: true, queue: { url: redis.url, episodesPerJob: PER_JOB }, onEpisode: () => { last = performance.now(); } });
    const seconds = (last - t0) / 1000;
    const cu = process.cpuUsage(c0);
    cpu.coordinator.push((cu.user + cu.system) / 1e6);
    cpu.redis.push(procCpu(redis.proc.pid) - r0);
    cpu.workers.push(procs.reduce((a, p, i) => a + procCpu(p.pid) - w0[i], 0));
    // Of the workers' CPU, what their episode threads used and, by difference, what their
    // other threads did (V8's parallel garbage collection and compilation, native product threads).
    cpu.workerEpisodes.push(procs.reduce((a, p, i) => a + episodeThreadCpu(m0[i], threadCpus(p.pid)), 0));
    // How much of the wall time each worker spent inside episodes: near 1 means the CPU is what limits throughput.
    const inside = busyMs.reduce((a, b) => a + b, 0);
    // Mean wall time of one episode: if it grows with the second worker, the two compete for CPU (a saturated machine).
    return { seconds, busy: inside / 1000 / workers / seconds, episodeMs: inside / episodes };
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((ok) => (p.exitCode !== null ? ok(null) : p.on('exit', ok)))));
  }
}

const load0 = loadavg();
const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
const busy: Record<1 | 2, number[]> = { 1: [], 2: [] };
const episodeMs: Record<1 | 2, number[]> = { 1: [], 2: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const w of [1, 2] as const) {
      const x = await round(w, r);
      times[w].push(x.seconds);
      busy[w].push(x.busy);
      episodeMs[w].push(x.episodeMs);
      const k = cpu.workers.length - 1;
      if (!JSON_OUT) console.error(`round ${r + 1}/${ROUNDS}: ${w} worker(s): ${episodes} episodes in ${x.seconds.toFixed(2)} s, each worker inside episodes ${(x.busy * 100).toFixed(0)}% of it, ${x.episodeMs.toFixed(1)} ms per episode; CPU s: workers ${cpu.workers[k].toFixed(2)} (episode threads ${cpu.workerEpisodes[k].toFixed(2)}), coordinator ${cpu.coordinator[k].toFixed(2)}, redis ${cpu.redis[k].toFixed(2)} (load ${loadavg()[0].toFixed(2)})`);
    }
  }
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t1 = median(times[1]);
const t2 = median(times[2]);
const result = {
  episodes, rounds: ROUNDS, concurrency: CONCURRENCY, cores: cpus().length, loadBefore: load0.map((x) => Number(x.toFixed(2))), loadAfter: loadavg().map((x) => Number(x.toFixed(2))),
  seconds: { one: times[1], two: times[2] }, busy: { one: busy[1], two: busy[2] }, episodeMs: { one: episodeMs[1], two: episodeMs[2] }, episodesPerSecond: { one: episodes / t1, two: episodes / t2 }, ratio: t1 / t2, cpuSeconds: cpu, episodesPerJob: PER_JOB,
};
if (JSON_OUT) {
  console.log(JSON.stringify(result));
} else {
  console.log(`suite over Redis, ${CHECKPOINT ? `checkpoint ${CHECKPOINT}` : 'planner'} on ${TASKS} generated tasks × ${SEEDS} seeds = ${episodes} episodes, ${CONCURRENCY} job(s) per worker at once, ${PER_JOB} episode(s) per job; ${result.cores} cores; load average ${result.loadBefore.join(' ')} before, ${result.loadAfter.join(' ')} after`);
  console.log(`1 worker : ${t1.toFixed(2)} s median (${(episodes / t1).toFixed(1)} episodes/s)`);
  console.log(`2 workers: ${t2.toFixed(2)} s median (${(episodes / t2).toFixed(1)} episodes/s)`);
  console.log(`mean episode: ${median(episodeMs[1]).toFixed(1)} ms with 1 worker, ${median(episodeMs[2]).toFixed(1)} ms with 2 (equal on free cores; about double on a saturated machine)`);
  console.log(`throughput ratio 2 workers / 1 worker: ${result.ratio.toFixed(2)}×`);
}
