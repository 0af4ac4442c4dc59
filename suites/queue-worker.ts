/**
 * A queue worker (`hearth worker --redis URL`): takes suite episode jobs (suites/queue.ts) off
 * a BullMQ queue, runs each with the same code as an in-process run (runner.ts `runPlanned`),
 * and returns the ledger record and the episode log. It writes nothing the coordinator reads:
 * a log goes to a private temp directory and back in the job's result.
 *
 * A worker serves any number of suites: it rebuilds each job's task from the task set the
 * suite names (the job carries the task id and expert programs, not the scene) and keeps LM
 * agents' models open between jobs (keyed by suite hash and agent name).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { HearthError } from '../env/errors.ts';
import { type OpenedLm, openLmAgent } from './agents.ts';
import { closeWithin, DEFAULT_QUEUE, redisClient, type EpisodeJob, type EpisodeJobResult, type EpisodeResult, reachRedis } from './queue.ts';
import { type ModelCache, type PlannedEpisode, runPlanned, type SuiteTask, suiteTaskSet, taskOfEntry } from './runner.ts';
import type { SuiteSpec } from './spec.ts';

export interface QueueWorkerOptions {
  url: string;
  queue?: string;
  /** Shown in ledger records (`worker`) and on stderr; default host:pid. */
  name?: string;
  /** Jobs run at once (default 1: planner episodes are CPU-bound; more helps LM agents over HTTP). */
  concurrency?: number;
  /** A job's lock; a killed worker's job runs again elsewhere after about this long (default 30000 ms). */
  lockMs?: number;
  onStart?: (key: string) => void;
  onDone?: (key: string, ms: number) => void;
  /** A job returned (all its episodes done). */
  onJobDone?: (id: string, episodes: number) => void;
  /** A job's attempt failed: `key` is its first episode's. */
  onFailed?: (key: string, error: Error) => void;
}

export interface QueueWorker {
  name: string;
  /** Episodes finished and job attempts failed so far. */
  stats: { done: number; failed: number };
  /** Finish the running jobs, then disconnect and close the models. */
  close(): Promise<void>;
}

const MAX_MODELS = 4;
const MAX_TASKS = 2000;

export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const sets = new Map<string, ReturnType<typeof suiteTaskSet>>();
  const tasks = new Map<string, SuiteTask>();
  const models = new Map<string, Promise<OpenedLm>>();
  const modelCache: ModelCache = (agent, spec) => {
    const k = `${JSON.stringify(agent)}|${JSON.stringify(spec.budgets)}`;
    let m = models.get(k);
    if (!m) {
      if (models.size >= MAX_MODELS) { // the oldest goes
        const [first, old] = models.entries().next().value as [string, Promise<OpenedLm>];
        models.delete(first);
        void old.then((x) => x.lm.dispose?.()).catch(() => undefined);
      }
      m = openLmAgent(agent, spec.budgets, 0);
      models.set(k, m);
      m.catch(() => models.delete(k)); // a model that failed to open is tried again by the next job
    }
    return m;
  };
  const stats = { done: 0, failed: 0 };

  const run = async (job: Job<EpisodeJob, EpisodeJobResult>): Promise<EpisodeJobResult> => {
    const d = job.data;
    if (d?.v !== 2 || !Array.isArray(d.episodes)) throw new HearthError('suite.worker', `job ${job.id} is not a Hearth suite job (v ${String(d?.v)})`, 'workers and the coordinator run different Hearth versions: update them');
    const spec: SuiteSpec = d.suite.spec;
    const setKey = `${spec.tasks.set}|${spec.tasks.data ?? ''}`;
    let set = sets.get(setKey);
    if (!set) sets.set(setKey, (set = suiteTaskSet(spec)));
    const planned: PlannedEpisode[] = d.episodes.map((e) => {
      const agent = spec.agents.find((a) => a.name === e.agent);
      if (!agent) throw new HearthError('suite.worker', `job ${job.id}: suite ${spec.name} has no agent "${e.agent}"`, 'the job is corrupt: rerun the suite');
      // A task recurs across seeds, agents and repetitions: built once (a generated task's scene costs milliseconds).
      const taskKey = `${setKey}|${JSON.stringify(e.task)}`;
      let entry = tasks.get(taskKey);
      if (!entry) {
        if (tasks.size >= MAX_TASKS) tasks.delete(tasks.keys().next().value as string);
        tasks.set(taskKey, (entry = taskOfEntry(set, e.task)));
      }
      return { key: e.key, task: entry.task, split: entry.split, agent, seed: e.seed, repetition: e.repetition };
    });
    for (const p of planned) o.onStart?.(p.key);
    let last = Date.now();
    const tmp = spec.report.logs ? mkdtempSync(join(tmpdir(), 'hearth-worker-')) : undefined;
    try {
      const results: EpisodeResult[] = [];
      await runPlanned(planned, spec, (rec) => {
        const log = tmp && rec.log ? readFileSync(join(tmp, rec.log), 'utf8') : undefined;
        results.push({ record: { ...rec, worker: name }, ...(log !== undefined ? { log } : {}) });
        stats.done++;
        // Each episode's share of the job's time: from the previous episode's end (they sum to the job's).
        const now = Date.now();
        o.onDone?.(rec.key, now - last);
        last = now;
      }, tmp ? { out: tmp } : undefined, modelCache);
      const missing = planned.filter((p) => !results.some((r) => r.record.key === p.key));
      if (missing.length > 0) throw new Error(`episode ${missing[0].key} ended without a record`);
      o.onJobDone?.(String(job.id), planned.length);
      return { results };
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  };

  const lockMs = o.lockMs ?? 30_000;
  let lastError: Error | undefined;
  const client = redisClient(o.url, (e) => { lastError = e; });
  const worker = new Worker<EpisodeJob, EpisodeJobResult>(o.queue ?? DEFAULT_QUEUE, run, {
    connection: client, name, concurrency: o.concurrency ?? 1, autorun: false,
    lockDuration: lockMs, stalledInterval: Math.max(500, Math.floor(lockMs / 2)), maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => { stats.failed++; if (job) o.onFailed?.(job.data.episodes?.[0]?.key ?? String(job.id), err); });
  worker.on('error', (e) => { lastError = e; });
  try {
    await reachRedis(worker.waitUntilReady(), o.url);
  } catch (e) {
    client.disconnect();
    await closeWithin([worker.close(true)]);
    throw e;
  }
  void worker.run().catch((e: unknown) => { lastError = e as Error; });
  return {
    name, stats,
    async close() {
      await worker.close();
      client.disconnect();
      for (const m of models.values()) await m.then((x) => x.lm.dispose?.()).catch(() => undefined);
      models.clear();
      if (lastError && stats.done === 0 && stats.failed === 0) throw new HearthError('suite.redis', `worker ${name}: ${lastError.message}`, 'check --redis');
    },
  };
}
