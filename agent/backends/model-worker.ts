/**
 * The worker thread of `WorkerModel` (worker-model.ts): loads one local checkpoint and answers
 * generate / log-prob calls one at a time, in the order they arrive.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isHearthError } from '../../env/errors.ts';
import { loadModel } from '../local-model.ts';
import type { SerialisedError, WorkerReply, WorkerRequest } from './worker-model.ts';

const port = parentPort!;
const { dir, backend } = workerData as { dir: string; backend?: string };

function serialise(e: unknown): SerialisedError {
  if (isHearthError(e)) return { message: e.message, kind: e.kind, hint: e.hint };
  return { message: e instanceof Error ? e.message : String(e) };
}

const send = (m: WorkerReply) => port.postMessage(m);

try {
  const lm = await loadModel(dir, { backend });
  port.on('message', async (m: WorkerRequest) => {
    try {
      const value = m.op === 'generate' ? await lm.generate(m.prompts, m.options) : await lm.logProbs(m.prompts, m.continuations);
      send({ type: 'result', id: m.id, value });
    } catch (e) {
      send({ type: 'error', id: m.id, error: serialise(e) });
    }
  });
  send({ type: 'ready', name: lm.name, backend: lm.backend, step: lm.meta.step, tokenizer: lm.tokenizer.toJSON() });
} catch (e) {
  send({ type: 'error', id: null, error: serialise(e) });
}
