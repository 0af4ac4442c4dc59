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
 * A job carries up to `episodesPerJob` episodes (default 16) of one agent: a job costs Redis
 * round trips and the coordinator's bookkeeping whatever its size, which for the planner's
 * episodes (~6 ms then, ~3 ms now) was as much as the episode itself with one per job; with 8
 * per job a worker still idled ~10% of the time between jobs when two shared the machine (two
 * workers 1.56× one; with 16, 1.65×, 768 planner episodes, bench:suite-workers). A worker runs
 * an LM agent's episodes of one job batched (runner.ts `runPlanned`). Larger jobs cost a
 * killed worker's job more episodes to rerun, and balance the last jobs less evenly.
 *
 * Exactly once: a job's id is a hash of (suite spec hash, its episodes' keys), and a key is
 * (suite, task, agent, seed, repetition), so adding a job twice (a resumed coordinator with the
 * same pending episodes) is a no-op in BullMQ and a result still waiting in Redis is
 * collected. A worker killed mid-job loses its lock; BullMQ's stalled-job check puts the job
 * back and another worker runs all its episodes from their start (episodes are deterministic
 * in their key, so the rerun gives the same records). Should two workers both finish one job
 * (a lock that lapsed on a stalled event loop), or a job of an earlier coordinator overlap a
 * resumed one's, the ledger takes the first record of a key and ignores the rest (runner.ts
 * `record`).
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
  /** Episodes per job (default DEFAULT_EPISODES_PER_JOB). */
  episodesPerJob?: number;
}

/** Episodes per job unless told otherwise (see above): per-job costs shrink 16-fold; a 64-episode suite is still 4 jobs for two workers. */
export const DEFAULT_EPISODES_PER_JOB = 16;

export const DEFAULT_QUEUE = 'hearth-suites';

/** One episode of a job: everything a worker needs to rebuild it, nothing of the coordinator's disk. */
export interface EpisodeRef {
  key: string;
  task: TaskEntry;
  agent: string;
  seed: number;
  repetition: number;
}

/** What a job carries: the suite, and its episodes (all of one agent). */
export interface EpisodeJob {
  v: 2;
  suite: { spec: SuiteSpec; hash: string; file: string };
  episodes: EpisodeRef[];
}

/** One episode's outcome: the ledger record, and the episode log's text when the suite writes logs. */
export interface EpisodeResult { record: EpisodeRecord; log?: string }

/** What a worker returns: every episode of the job, in any order. */
export interface EpisodeJobResult { results: EpisodeResult[] }

/** A job's id: the same episodes of the same suite spec always get the same id (BullMQ ids may not contain ':'). */
export function jobId(suiteHash: string, keys: readonly string[]): string {
  return `ep-${suiteHash.slice(0, 16)}-${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 32)}`;
}

function episodeRef(p: PlannedEpisode): EpisodeRef {
  const t = p.task;
  return {
    key: p.key, task: { id: t.id, split: p.split, ...(t.expertNL ? { expertNL: t.expertNL } : {}), ...(t.expert ? { expert: t.expert } : {}) },
    agent: p.agent.name, seed: p.seed, repetition: p.repetition,
  };
}

/**
 * The pending episodes as jobs: each agent's episodes (in plan order, those of one seed and
 * repetition together, as an LM agent batches them), `perJob` at a time.
 */
export function jobsOf(suite: LoadedSuite, pending: readonly PlannedEpisode[], perJob: number): Array<{ id: string; data: EpisodeJob; planned: PlannedEpisode[] }> {
  const groups = new Map<string, PlannedEpisode[]>();
  for (const p of pending) {
    const k = `${p.agent.name}|${p.seed}|${p.repetition}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(p);
  }
  const jobs: Array<{ id: string; data: EpisodeJob; planned: PlannedEpisode[] }> = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += perJob) {
      const planned = group.slice(i, i + perJob);
      jobs.push({
        id: jobId(suite.hash, planned.map((p) => p.key)), planned,
        data: { v: 2, suite: { spec: suite.spec, hash: suite.hash, file: suite.file }, episodes: planned.map(episodeRef) },
      });
    }
  }
  return jobs;
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
 * arrive, a job's records in one call (logs first: a log is complete before its episode enters the ledger). Resolves when
 * every pending episode is recorded; a job that failed all its attempts is an error naming
 * the episode (what finished stays in the ledger for `--resume`).
 */
export async function runOnQueue(target: QueueTarget, suite: LoadedSuite, pending: readonly PlannedEpisode[], record: (rs: readonly EpisodeRecord[]) => void,
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
    const jobs = jobsOf(suite, pending, Math.max(1, target.episodesPerJob ?? DEFAULT_EPISODES_PER_JOB));
    const outstanding = new Map(jobs.map((j) => [j.id, j.planned]));
    if (outstanding.size === 0) return agentTimes;
    const label = (planned: readonly PlannedEpisode[]): string => planned.length === 1 ? `episode ${planned[0].key}` : `job of ${planned.length} episodes (${planned[0].key}, ...)`;
    let failure: HearthError | undefined;
    let wake: (() => void) | undefined;
    const take = (id: string, value: unknown): void => {
      const planned = outstanding.get(id);
      if (!planned) return;
      const r = parseResult(value);
      const got = Array.isArray(r?.results) ? r.results.map((x) => x?.record?.key).sort() : [];
      const want = planned.map((p) => p.key).sort();
      if (got.length !== want.length || got.some((k, i) => k !== want[i])) {
        failure = new HearthError('suite.worker', `job ${id} returned other episodes than its own (${got.length} records for ${want.length} episodes, ${want[0]} ...)`, 'workers and this process run different Hearth versions: update them');
        wake?.();
        return;
      }
      outstanding.delete(id);
      for (const { record: rec, log } of r.results) if (logs && log !== undefined && rec.log) writeFileAtomic(join(logs.out, rec.log), log, { what: 'episode log', kind: 'suite.write' });
      record(r.results.map((x) => x.record));
      const t = (agentTimes[planned[0].agent.name] ??= { episodes: 0, seconds: 0 });
      t.episodes += planned.length;
      t.seconds = (Date.now() - t0) / 1000;
      void queue.remove(id).catch(() => undefined); // collected: Redis need not keep it
      if (outstanding.size === 0) wake?.();
    };
    const failed = async (id: string, reason: string): Promise<void> => {
      const planned = outstanding.get(id);
      if (!planned || (await queue.getJobState(id)) !== 'failed') return; // a failed attempt that will be retried
      await queue.remove(id).catch(() => undefined); // so that --resume adds it afresh
      failure ??= new HearthError('suite.worker', `${label(planned)} failed on queue ${name}: ${reason}`, 'fix it and rerun with --resume: finished episodes are kept');
      wake?.();
    };
    events.on('completed', ({ jobId: id, returnvalue }) => take(id, returnvalue));
    events.on('failed', ({ jobId: id, failedReason }) => { void failed(id, failedReason); });
    // Jobs of an earlier attempt at this run that failed for good are added afresh.
    for (const j of await queue.getJobs(['failed'])) if (j?.id && outstanding.has(j.id)) await j.remove();
    await queue.addBulk(jobs.map((j) => ({
      name: 'episodes', data: j.data,
      opts: { jobId: j.id, attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: false, removeOnFail: false },
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
        process.stderr.write(`suite ${suite.spec.name}: ${[...outstanding.values()].reduce((n, x) => n + x.length, 0)} episodes (${outstanding.size} jobs) waiting on queue ${name} at ${target.url}, ${workers} worker(s) connected${workers === 0 ? ` (start some: hearth worker --redis ${target.url}${name !== DEFAULT_QUEUE ? ` --queue ${name}` : ''})` : ''}\n`);
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
