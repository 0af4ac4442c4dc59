/**
 * `startQueueWorker` (queue-worker.ts) in a worker thread with a larger young generation.
 *
 * Why a thread: a planner or random agent's episode allocates a few MB (scene graph copies for
 * planning, observations), and with V8's default 16 MB semi-space a worker scavenged every
 * ~15 ms, ~10% of each scavenge surviving; the parallel scavenges ran on V8's helper threads,
 * so one worker process used ~1.15 cores and two of them on a 2-core machine got 1.54× one.
 * A 64 MB semi-space (measured with `--max-semi-space-size=64`: 1.12× one worker's throughput,
 * 2 workers 1.67× one) can only be set when a V8 heap is made: a flag after start-up has no
 * effect, and re-executing the process would put a second process between a `kill -9` and
 * the work. A thread's heap takes it through `resourceLimits`, and one process stays one
 * process: SIGKILL stops everything, SIGINT/SIGTERM reach the main thread, which asks the
 * thread to finish its running job.
 */
import { Worker } from 'node:worker_threads';
import { tsWorkerUrl } from '../agent/backends/worker-model.ts';
import { HearthError } from '../env/errors.ts';
import type { QueueWorker, QueueWorkerOptions } from './queue-worker.ts';

/** The semi-space of a worker's heap, in MB (V8's default is 16). */
export const WORKER_SEMI_SPACE_MB = 64;

/** The options a thread can receive (callbacks stay on this side). */
export type ThreadOptions = Pick<QueueWorkerOptions, 'url' | 'queue' | 'name' | 'concurrency' | 'lockMs'>;

/** Thread → main. */
export type ThreadEvent =
  | { ev: 'ready'; name: string }
  | { ev: 'start'; key: string }
  | { ev: 'done'; key: string; ms: number }
  | { ev: 'job'; id: string; episodes: number }
  | { ev: 'failed'; key: string; message: string }
  | { ev: 'closed' }
  | { ev: 'error'; message: string; kind?: string; hint?: string };

const revive = (m: { message: string; kind?: string; hint?: string }): Error =>
  (m.kind ? new HearthError(m.kind, m.message, m.hint) : new Error(m.message));

/** A queue worker in a thread; `died` settles if the thread fails while it serves (it never rejects). */
export interface ThreadedQueueWorker extends QueueWorker { died: Promise<Error> }

/** Start a queue worker in its own thread; resolves once it listens (or rejects as startQueueWorker would). */
export function startQueueWorkerThread(o: QueueWorkerOptions): Promise<ThreadedQueueWorker> {
  const options: ThreadOptions = { url: o.url, queue: o.queue, name: o.name, concurrency: o.concurrency, lockMs: o.lockMs };
  // V8's young generation is two semi-spaces and a new-large-object space of the same size.
  const thread = new Worker(tsWorkerUrl(new URL('./queue-worker-entry.ts', import.meta.url)), {
    workerData: options, resourceLimits: { maxYoungGenerationSizeMb: 3 * WORKER_SEMI_SPACE_MB },
  });
  const stats = { done: 0, failed: 0 };
  let die: (e: Error) => void = () => undefined;
  const died = new Promise<Error>((ok) => { die = ok; });
  return new Promise((resolve, reject) => {
    /** Where the thread's end goes: the start-up promise, a close in progress, or `died`. */
    let state: 'starting' | 'serving' | 'closing' | 'over' = 'starting';
    let closing: { ok: () => void; fail: (e: Error) => void } | undefined;
    let fatal: Error | undefined;
    const end = (e?: Error): void => {
      if (state === 'starting') reject(e ?? new Error('queue worker thread ended before listening'));
      else if (state === 'serving') { fatal = e ?? new Error('queue worker thread ended unasked'); die(fatal); } else if (state === 'closing') { if (e) closing!.fail(e); else closing!.ok(); }
      state = 'over';
      void thread.terminate();
    };
    thread.on('message', (m: ThreadEvent) => {
      switch (m.ev) {
        case 'ready':
          state = 'serving';
          resolve({
            name: m.name, stats, died,
            close: () => new Promise<void>((ok, fail) => {
              if (fatal) { fail(fatal); return; }
              state = 'closing';
              closing = { ok, fail };
              thread.postMessage('close');
            }),
          });
          break;
        case 'start': o.onStart?.(m.key); break;
        case 'done': stats.done++; o.onDone?.(m.key, m.ms); break;
        case 'job': o.onJobDone?.(m.id, m.episodes); break;
        case 'failed': stats.failed++; o.onFailed?.(m.key, new Error(m.message)); break;
        case 'closed': end(); break;
        case 'error': end(revive(m)); break;
      }
    });
    thread.on('error', (e) => end(new Error(`queue worker thread failed: ${e.message}`)));
    thread.on('exit', (code) => { if (state !== 'over') end(new Error(`queue worker thread ended (code ${code})`)); });
  });
}
