/**
 * Child-process entry for train-workers.ts: receives one `{job, spec}` message, runs
 * `trainOnMix` on the job's records with a local provider built from `spec`, reports
 * progress ticks and the final curve, and exits.
 */
import { readFileSync } from 'node:fs';
import { localProvider } from './local-provider.ts';
import type { ProviderSpec, TrainJob, WorkerMessage } from './train-workers.ts';
import { trainOnMix } from './training.ts';

const send = (m: WorkerMessage): Promise<void> => new Promise((resolve) => { process.send!(m, () => resolve()); });

process.once('message', (msg: { job: TrainJob; spec: ProviderSpec }) => {
  void (async () => {
    const { job, spec } = msg;
    const t0 = Date.now();
    try {
      const records = readFileSync(job.recordsFile, 'utf8').split('\n').filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { input: string; output: string })
        .map((r) => ({ input: r.input, output: r.output }));
      const r = await trainOnMix({
        provider: localProvider(spec.options), records, init: job.init, epochs: job.epochs, batchSize: job.batchSize,
        seed: job.seed, dir: job.dir, lengthGroups: job.lengthGroups, lengthBy: job.lengthBy, scheduleSteps: job.scheduleSteps, progress: { tick: (n = 1, extra = '') => { process.send!({ kind: 'tick', n, extra: `${job.name} ${extra}` } satisfies WorkerMessage); } },
      });
      r.model.dispose?.();
      await send({ kind: 'done', curve: r.curve, seconds: (Date.now() - t0) / 1000 });
      process.exit(0);
    } catch (e) {
      await send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    }
  })();
});
