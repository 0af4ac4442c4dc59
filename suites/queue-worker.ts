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
import type { EpisodeRecord } from './ledger.ts';
import { closeWithin, DEFAULT_QUEUE, redisClient, type EpisodeJob, type EpisodeJobResult, reachRedis } from './queue.ts';
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
  onFailed?: (key: string, error: Error) => void;
}

export interface QueueWorker {
  name: string;
  /** Jobs finished and failed so far. */
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
    if (d?.v !== 1) throw new HearthError('suite.worker', `job ${job.id} is not a Hearth suite episode (v ${String(d?.v)})`, 'workers and the coordinator run different Hearth versions: update them');
    const spec: SuiteSpec = d.suite.spec;
    const setKey = `${spec.tasks.set}|${spec.tasks.data ?? ''}`;
    let set = sets.get(setKey);
    if (!set) sets.set(setKey, (set = suiteTaskSet(spec)));
    const agent = spec.agents.find((a) => a.name === d.agent);
    if (!agent) throw new HearthError('suite.worker', `job ${job.id}: suite ${spec.name} has no agent "${d.agent}"`, 'the job is corrupt: rerun the suite');
    // A task recurs across seeds, agents and repetitions: built once (a generated task's scene costs milliseconds).
    const taskKey = `${setKey}|${JSON.stringify(d.task)}`;
    let entry = tasks.get(taskKey);
    if (!entry) {
      if (tasks.size >= MAX_TASKS) tasks.delete(tasks.keys().next().value as string);
      tasks.set(taskKey, (entry = taskOfEntry(set, d.task)));
    }
    const { split, task } = entry;
    const p: PlannedEpisode = { key: d.key, task, split, agent, seed: d.seed, repetition: d.repetition };
    o.onStart?.(d.key);
    const t0 = Date.now();
    const tmp = spec.report.logs ? mkdtempSync(join(tmpdir(), 'hearth-worker-')) : undefined;
    try {
      let rec: EpisodeRecord | undefined;
      await runPlanned([p], spec, (r) => { rec = r; }, tmp ? { out: tmp } : undefined, modelCache);
      if (!rec) throw new Error(`episode ${d.key} ended without a record`);
      const log = tmp && rec.log ? readFileSync(join(tmp, rec.log), 'utf8') : undefined;
      stats.done++;
      o.onDone?.(d.key, Date.now() - t0);
      return { record: { ...rec, worker: name }, ...(log !== undefined ? { log } : {}) };
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
  worker.on('failed', (job, err) => { stats.failed++; if (job) o.onFailed?.(job.data.key, err); });
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
