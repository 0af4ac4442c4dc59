/**
 * Suite episodes as jobs on a BullMQ queue over Redis (issue 18 "beyond one machine").
 *
 * `hearth suite run FILE --redis URL` plans the episodes as usual, adds every pending one as a
 * job and waits; `hearth worker --redis URL` processes (on this machine or any other that can
 * reach Redis and has the suite's files: checkpoints, task data) run them and return the
 * episode's ledger record and its episode log. Only the coordinating process writes the run
 * directory: it appends each returned record to the ledger (suites/ledger.ts) and writes its
 * log, so the run directory is the same as an in-process run's, and `--resume` works as usual.
 *
 * Exactly once: a job's id is a hash of (suite spec hash, episode key), and the key is (suite,
 * task, agent, seed, repetition), so adding a job twice (a resumed coordinator) is a no-op in
 * BullMQ and a result still waiting in Redis is collected. A worker killed mid-job loses its
 * lock; BullMQ's stalled-job check puts the job back and another worker runs it from its start
 * (episodes are deterministic in their key, so the rerun gives the same record). Should two
 * workers both finish one job (a lock that lapsed on a stalled event loop), the ledger takes
 * the first record and ignores the second (runner.ts `record`).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { writeFileAtomic } from '../env/files.ts';
import { HearthError } from '../env/errors.ts';
import type { EpisodeRecord } from './ledger.ts';
import type { LogTarget, PlannedEpisode, SuiteRun, TaskEntry } from './runner.ts';
import type { LoadedSuite, SuiteSpec } from './spec.ts';

/** Where the jobs go. */
export interface QueueTarget {
  /** redis://host:port[/db] */
  url: string;
  /** Queue name (default `hearth-suites`); a worker serves one queue, any number of suites. */
  queue?: string;
  /** Stop waiting for Redis after this long (default 5000 ms). */
  connectTimeoutMs?: number;
}

export const DEFAULT_QUEUE = 'hearth-suites';

/** What a job carries: everything a worker needs to rebuild the episode, nothing of the coordinator's disk. */
export interface EpisodeJob {
  v: 1;
  suite: { spec: SuiteSpec; hash: string; file: string };
  key: string;
  task: TaskEntry;
  agent: string;
  seed: number;
  repetition: number;
}

/** What a worker returns: the ledger record, and the episode log's text when the suite writes logs. */
export interface EpisodeJobResult { record: EpisodeRecord; log?: string }

/** A job's id: the same episode of the same suite spec always gets the same id (BullMQ ids may not contain ':'). */
export function jobId(suiteHash: string, key: string): string {
  return `ep-${suiteHash.slice(0, 16)}-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function jobOf(suite: LoadedSuite, p: PlannedEpisode): EpisodeJob {
  const t = p.task;
  return {
    v: 1, suite: { spec: suite.spec, hash: suite.hash, file: suite.file }, key: p.key,
    task: { id: t.id, split: p.split, ...(t.expertNL ? { expertNL: t.expertNL } : {}), ...(t.expert ? { expert: t.expert } : {}) },
    agent: p.agent.name, seed: p.seed, repetition: p.repetition,
  };
}

/** Check a redis:// URL (so that a typo is a one-line error before any work). */
export function checkRedisUrl(url: string): string {
  if (!/^rediss?:\/\/[^\s/]+/.test(url)) throw new HearthError('cli.usage', `--redis must be a redis:// URL (redis://host:port), got "${url}"`, 'e.g. --redis redis://127.0.0.1:6379');
  return url;
}

/**
 * A Redis client for one BullMQ object (each gets its own: QueueEvents and Worker block on
 * theirs). BullMQ 6 cannot load ioredis itself under native ESM, so it is given instances.
 * Connection errors go to `onError` (ioredis retries on its own) instead of an unhandled event.
 */
export function redisClient(url: string, onError: (e: Error) => void): Redis {
  const c = new Redis(checkRedisUrl(url), { maxRetriesPerRequest: null });
  c.on('error', onError);
  return c;
}

/** Fail with a one-line error unless Redis answers at `url` (checked before a run plans or writes anything). */
export async function pingRedis(url: string, timeoutMs = 5000): Promise<void> {
  const c = new Redis(checkRedisUrl(url), { maxRetriesPerRequest: null, lazyConnect: true });
  let cause: Error | undefined;
  c.on('error', (e: Error) => { cause ??= e; }); // e.g. ECONNREFUSED, more telling than the "Connection is closed" that connect() rejects with
  try {
    await reachRedis(c.connect().then(() => c.ping()).catch((e: unknown) => { throw cause ?? e; }), url, timeoutMs);
  } finally {
    c.disconnect();
  }
}

/** Resolve when `ready` does, or fail with a one-line error naming the URL. */
export async function reachRedis(ready: Promise<unknown>, url: string, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new HearthError('suite.redis', `cannot reach Redis at ${url} within ${timeoutMs} ms`, 'start redis-server (Debian: apt-get install redis-server) or check --redis')), timeoutMs);
  });
  try {
    await Promise.race([ready.catch((e: unknown) => {
      throw new HearthError('suite.redis', `cannot reach Redis at ${url}: ${(e as Error).message}`, 'start redis-server (Debian: apt-get install redis-server) or check --redis');
    }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wait for BullMQ objects to close, at most `ms` (their connections are already cut). */
export async function closeWithin(closing: Array<Promise<unknown>>, ms = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closing.map((c) => c.catch(() => undefined))), new Promise((ok) => { timer = setTimeout(ok, ms); })]);
  clearTimeout(timer);
}

const parseResult = (v: unknown): EpisodeJobResult => (typeof v === 'string' ? JSON.parse(v) : v) as EpisodeJobResult;

/**
 * Add `pending` as jobs and merge their results into the ledger through `record` as they
 * arrive (logs first: a log is complete before its episode enters the ledger). Resolves when
 * every pending episode is recorded; a job that failed all its attempts is an error naming
 * the episode (what finished stays in the ledger for `--resume`).
 */
export async function runOnQueue(target: QueueTarget, suite: LoadedSuite, pending: readonly PlannedEpisode[], record: (r: EpisodeRecord) => void,
  logs: LogTarget | undefined, quiet: boolean): Promise<SuiteRun['agentTimes']> {
  const name = target.queue ?? DEFAULT_QUEUE;
  let redisError: Error | undefined;
  const clients = [redisClient(target.url, (e) => { redisError = e; }), redisClient(target.url, (e) => { redisError = e; })];
  const queue = new Queue<EpisodeJob, EpisodeJobResult>(name, { connection: clients[0] });
  const events = new QueueEvents(name, { connection: clients[1] });
  queue.on('error', (e) => { redisError = e; });
  events.on('error', (e) => { redisError = e; });
  const t0 = Date.now();
  const agentTimes: SuiteRun['agentTimes'] = {};
  try {
    await reachRedis(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), target.url, target.connectTimeoutMs);
    const outstanding = new Map(pending.map((p) => [jobId(suite.hash, p.key), p]));
    if (outstanding.size === 0) return agentTimes;
    let failure: HearthError | undefined;
    let wake: (() => void) | undefined;
    const take = (id: string, value: unknown): void => {
      const p = outstanding.get(id);
      if (!p) return;
      const r = parseResult(value);
      if (r.record?.key !== p.key) { failure = new HearthError('suite.worker', `job ${id} returned an episode of another key (${String(r.record?.key)}; expected ${p.key})`, 'workers and this process run different Hearth versions: update them'); wake?.(); return; }
      outstanding.delete(id);
      if (logs && r.log !== undefined && r.record.log) {
        writeFileAtomic(join(logs.out, r.record.log), r.log, { what: 'episode log', kind: 'suite.write' });
      }
      record(r.record);
      const t = (agentTimes[p.agent.name] ??= { episodes: 0, seconds: 0 });
      t.episodes++;
      t.seconds = (Date.now() - t0) / 1000;
      void queue.remove(id).catch(() => undefined); // collected: Redis need not keep it
      if (outstanding.size === 0) wake?.();
    };
    const failed = async (id: string, reason: string): Promise<void> => {
      const p = outstanding.get(id);
      if (!p || (await queue.getJobState(id)) !== 'failed') return; // a failed attempt that will be retried
      await queue.remove(id).catch(() => undefined); // so that --resume adds it afresh
      failure ??= new HearthError('suite.worker', `episode ${p.key} failed on queue ${name}: ${reason}`, 'fix it and rerun with --resume: finished episodes are kept');
      wake?.();
    };
    events.on('completed', ({ jobId: id, returnvalue }) => take(id, returnvalue));
    events.on('failed', ({ jobId: id, failedReason }) => { void failed(id, failedReason); });
    // Jobs of an earlier attempt at this run that failed for good are added afresh.
    for (const j of await queue.getJobs(['failed'])) if (j?.id && outstanding.has(j.id)) await j.remove();
    await queue.addBulk(pending.map((p) => ({
      name: 'episode', data: jobOf(suite, p),
      opts: { jobId: jobId(suite.hash, p.key), attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
    })));
    // Results that finished before the listener was up (an earlier coordinator's jobs), then a slow poll as a safety net for missed events.
    const sweep = async (): Promise<void> => {
      for (const id of [...outstanding.keys()]) {
        const job = await queue.getJob(id);
        if (job?.finishedOn && job.returnvalue !== null && job.returnvalue !== undefined && !job.failedReason) take(id, job.returnvalue);
        else if (job?.failedReason && (await queue.getJobState(id)) === 'failed') await failed(id, job.failedReason);
      }
    };
    await sweep();
    let lastNote = Date.now();
    while (outstanding.size > 0 && !failure) {
      const left = outstanding.size;
      await new Promise<void>((ok) => { wake = ok; setTimeout(ok, 3000); });
      wake = undefined;
      // Only when no result arrived for 3 s: a sweep asks Redis once per outstanding job.
      if (outstanding.size === left && outstanding.size > 0 && !failure) await sweep();
      if (!quiet && outstanding.size > 0 && Date.now() - lastNote > 10_000) {
        lastNote = Date.now();
        if (redisError) process.stderr.write(`suite ${suite.spec.name}: Redis at ${target.url}: ${redisError.message} (reconnecting; finished episodes are in the ledger)\n`);
        redisError = undefined;
        const workers = (await queue.getWorkers()).length;
        process.stderr.write(`suite ${suite.spec.name}: ${outstanding.size} episodes waiting on queue ${name} at ${target.url}, ${workers} worker(s) connected${workers === 0 ? ` (start some: hearth worker --redis ${target.url}${name !== DEFAULT_QUEUE ? ` --queue ${name}` : ''})` : ''}\n`);
      }
    }
    if (failure) throw failure;
    return agentTimes;
  } finally {
    // Cut the connections first: the events client sits in a blocking XREAD (up to 10 s), and
    // closing objects that never connected waits for a connection that will not come.
    for (const c of clients) c.disconnect();
    await closeWithin([events.close(), queue.close()]);
  }
}
