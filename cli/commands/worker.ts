/**
 * `hearth worker --redis URL [--queue NAME] [--name ID] [--concurrency N] [--lock-ms MS] [--json] [--quiet]`:
 * run suite episodes that `hearth suite run FILE --redis URL` puts on a Redis queue
 * (suites/queue-worker.ts), on this machine or any other, until SIGINT/SIGTERM. Each episode's
 * start and end is a line on stderr (`start KEY`, `done KEY (MS ms)`), and each job's return
 * (`job done ID (N episodes)`); `--json` prints one
 * summary object on stdout when the worker stops.
 */
import { HearthError } from '../../env/errors.ts';
import type { Command } from '../main.ts';
import { boolFlag, intFlag, noPositionals, parseArgs, requireFlag, stringFlag } from '../args.ts';

const USAGE = 'hearth worker --redis URL [--queue NAME] [--name ID] [--concurrency N] [--lock-ms MS] [--json] [--quiet]';

export const command: Command = {
  name: 'worker',
  summary: 'run suite episodes from a Redis queue (hearth suite run --redis URL) until stopped',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      redis: { type: 'string' }, queue: { type: 'string' }, name: { type: 'string' }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' },
      json: { type: 'boolean' }, quiet: { type: 'boolean' },
    }, USAGE);
    noPositionals(args, USAGE);
    const url = requireFlag(args, 'redis', USAGE);
    const queue = stringFlag(args, 'queue');
    if (queue !== undefined && !/^[A-Za-z0-9_.-]+$/.test(queue)) throw new HearthError('cli.usage', `--queue must be letters, digits and _ . -, got "${queue}"`, `usage: ${USAGE}`);
    const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
    const say = (s: string): void => { if (!quiet) process.stderr.write(`${s}\n`); };
    // In a thread with a 64 MB semi-space (suites/queue-worker-thread.ts says why).
    const { startQueueWorkerThread } = await import('../../suites/queue-worker-thread.ts');
    const t0 = Date.now();
    const w = await startQueueWorkerThread({
      url, queue, name: stringFlag(args, 'name'), concurrency: intFlag(args, 'concurrency', 1, 1, 1024), lockMs: intFlag(args, 'lock-ms', 30_000, 200, 3_600_000),
      onStart: (key) => say(`start ${key}`),
      onDone: (key, ms) => say(`done ${key} (${ms} ms)`),
      onJobDone: (id, n) => say(`job done ${id} (${n} episode${n === 1 ? '' : 's'})`),
      onFailed: (key, e) => process.stderr.write(`failed ${key}: ${e.message}\n`),
    });
    // The test and the benchmark wait for this line (also under --quiet: it says the worker is listening).
    process.stderr.write(`worker ${w.name} ready on ${url} queue ${queue ?? 'hearth-suites'}\n`);
    const signal = await Promise.race([
      new Promise<string>((ok) => {
        process.once('SIGINT', () => ok('SIGINT'));
        process.once('SIGTERM', () => ok('SIGTERM'));
      }),
      w.died.then((e) => { throw new HearthError('suite.worker', `worker ${w.name} stopped: ${e.message}`, 'restart it: its running job goes back to the queue when its lock lapses'); }),
    ]);
    say(`worker ${w.name}: ${signal}, finishing the running job`);
    await w.close();
    if (boolFlag(args, 'json')) process.stdout.write(`${JSON.stringify({ name: w.name, done: w.stats.done, failed: w.stats.failed, seconds: (Date.now() - t0) / 1000 })}\n`);
    return 0;
  },
};
