/**
 * The thread of `startQueueWorkerThread` (queue-worker-thread.ts): runs a queue worker and
 * reports its events to the main thread; 'close' finishes the running job and disconnects.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHearthError } from '../env/errors.ts';
import { startQueueWorker } from './queue-worker.ts';
import type { ThreadEvent, ThreadOptions } from './queue-worker-thread.ts';

const port = parentPort!;
const send = (m: ThreadEvent): void => port.postMessage(m);
const failure = (e: unknown): ThreadEvent => (isHearthError(e)
  ? { ev: 'error', message: e.message, kind: e.kind, hint: e.hint }
  : { ev: 'error', message: e instanceof Error ? e.message : String(e) });

try {
  const w = await startQueueWorker({
    ...(workerData as ThreadOptions),
    onStart: (key) => send({ ev: 'start', key }),
    onDone: (key, ms) => send({ ev: 'done', key, ms }),
    onJobDone: (id, episodes) => send({ ev: 'job', id, episodes }),
    onFailed: (key, e) => send({ ev: 'failed', key, message: e.message }),
  });
  port.on('message', (m: unknown) => {
    if (m !== 'close') return;
    w.close().then(() => send({ ev: 'closed' }), (e: unknown) => send(failure(e))).finally(() => port.close());
  });
  send({ ev: 'ready', name: w.name });
} catch (e) {
  send(failure(e));
  port.close();
}
