/**
 * `hearth suite run FILE [--out DIR] [--resume] [--json] [--quiet]`: run an evaluation suite
 * (suites/spec.ts) into an out directory that is its ledger; `--resume` finishes a run that
 * was stopped, running only the episodes not yet in the ledger. `--workers N` runs the
 * episodes in N child processes (`--shard i/N`, each appending to its own ledger file), then
 * writes the results from the merged ledger.
 * `hearth suite check FILE`: check a suite file and print what it would run.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HearthError } from '../../env/errors.ts';
import { loadSuite } from '../../suites/spec.ts';
import type { Command } from '../main.ts';
import { boolFlag, intFlag, parseArgs, parseIntStrict, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';

const USAGE = 'hearth suite run FILE [--out DIR] [--resume] [--workers N | --redis URL [--queue NAME] [--job-episodes N]] '
  + '[--base-url URL [--model M] [--api completions|chat] [--cache FILE] [--cache-mode auto|record|replay|off]] [--json] [--quiet] | hearth suite check FILE';
const SERVER_FLAGS = ['base-url', 'model', 'api', 'cache', 'cache-mode'] as const;

export const command: Command = {
  name: 'suite',
  summary: 'run an evaluation suite file (tasks × agents × seeds) into a resumable run directory with a report, or check one',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub !== 'run' && sub !== 'check') {
      throw new HearthError('cli.usage', sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`, `usage: ${USAGE}`);
    }
    const args = sub === 'run'
      ? parseArgs(rest, {
        out: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, workers: { type: 'string' }, shard: { type: 'string' },
        redis: { type: 'string' }, queue: { type: 'string' }, 'job-episodes': { type: 'string' }, ...Object.fromEntries(SERVER_FLAGS.map((f) => [f, { type: 'string' }])),
      }, USAGE)
      : parseArgs(rest, {}, USAGE);
    if (args.positionals.length !== 1) {
      throw new HearthError('cli.usage', args.positionals.length === 0 ? 'missing the suite FILE' : `unexpected argument "${args.positionals[1]}"`, `usage: ${USAGE}`);
    }
    let suite = loadSuite(args.positionals[0]);
    // --base-url and friends: the suite's openai agents (or an added agent "served") use that server.
    const serverArgs = SERVER_FLAGS.flatMap((f) => (stringFlag(args, f) !== undefined ? [`--${f}`, stringFlag(args, f)!] : []));
    if (serverArgs.length > 0) {
      const baseUrl = stringFlag(args, 'base-url');
      if (baseUrl === undefined) throw new HearthError('cli.usage', `${serverArgs[0]} needs --base-url URL`, `usage: ${USAGE}`);
      const api = stringFlag(args, 'api');
      if (api !== undefined && api !== 'completions' && api !== 'chat') throw new HearthError('cli.usage', `--api must be completions or chat, got "${api}"`);
      const cacheMode = stringFlag(args, 'cache-mode');
      if (cacheMode !== undefined && !['auto', 'record', 'replay', 'off'].includes(cacheMode)) throw new HearthError('cli.usage', `--cache-mode must be auto, record, replay or off, got "${cacheMode}"`);
      const { withServer } = await import('../../suites/server-override.ts');
      suite = withServer(suite, { baseUrl, model: stringFlag(args, 'model'), api, cache: stringFlag(args, 'cache'), cacheMode: cacheMode as 'auto' | undefined });
    }
    const s = suite.spec;
    if (sub === 'check') {
      const { loadSuiteTasks, planEpisodes } = await import('../../suites/runner.ts');
      const tasks = loadSuiteTasks(s);
      const n = planEpisodes(s, tasks).length;
      process.stdout.write(`${args.positionals[0]}: suite "${s.name}" is valid: ${tasks.length} tasks (${s.tasks.set}: ${s.tasks.splits.join(', ')}), `
        + `${s.agents.length} agents (${s.agents.map((a) => `${a.name}:${a.kind}`).join(', ')}), ${s.seeds.length} seeds × ${s.repetitions} repetitions = ${n} episodes; `
        + `protocol ${s.protocol}, feedback ${s.feedback}\n`);
      return 0;
    }
    const outFlag = stringFlag(args, 'out');
    const out = resolve(outFlag ?? join('runs', 'suites', s.name));
    checkOutputDir(out, outFlag !== undefined ? '--out' : 'the run directory');
    const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
    const { runSuite } = await import('../../suites/runner.ts');
    const shardFlag = stringFlag(args, 'shard');
    if (shardFlag !== undefined) {
      // One worker of `--workers N` (started by the command below): its share, into its own ledger file.
      const m = /^(\d+)\/(\d+)$/.exec(shardFlag);
      const count = m ? parseIntStrict(m[2], '--shard N', 1, 256) : 0;
      const index = m ? parseIntStrict(m[1], '--shard I', 0, count - 1) : -1;
      if (!m) throw new HearthError('cli.usage', `--shard must be I/N, got "${shardFlag}"`, 'it is set by --workers');
      await runSuite(suite, { out, resume: true, quiet: true, shard: { index, count } });
      return 0;
    }
    const workers = intFlag(args, 'workers', 1, 1, 64);
    const redis = stringFlag(args, 'redis');
    const queueName = stringFlag(args, 'queue');
    if (redis !== undefined && workers > 1) throw new HearthError('cli.usage', '--workers and --redis do not go together', 'with --redis, start `hearth worker --redis URL` processes instead');
    if (queueName !== undefined && redis === undefined) throw new HearthError('cli.usage', '--queue needs --redis', `usage: ${USAGE}`);
    if (stringFlag(args, 'job-episodes') !== undefined && redis === undefined) throw new HearthError('cli.usage', '--job-episodes needs --redis', `usage: ${USAGE}`);
    const { DEFAULT_EPISODES_PER_JOB } = await import('../../suites/queue.ts');
    const episodesPerJob = intFlag(args, 'job-episodes', DEFAULT_EPISODES_PER_JOB, 1, 10_000);
    if (queueName !== undefined && !/^[A-Za-z0-9_.-]+$/.test(queueName)) throw new HearthError('cli.usage', `--queue must be letters, digits and _ . -, got "${queueName}"`, `usage: ${USAGE}`);
    if (redis !== undefined) await (await import('../../suites/queue.ts')).pingRedis(redis); // a bad URL or no server: before any work
    const started = Date.now();
    const before = workers > 1 ? await runWorkers(args.positionals[0], out, workers, boolFlag(args, 'resume'), suite, boolFlag(args, 'quiet'), serverArgs) : undefined;
    const run = await runSuite(suite, {
      out, resume: boolFlag(args, 'resume') || workers > 1, quiet: boolFlag(args, 'quiet'), ...(redis !== undefined ? { queue: { url: redis, queue: queueName, episodesPerJob } } : {}),
    });
    const { readFileSync } = await import('node:fs');
    if (boolFlag(args, 'json')) {
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { summary: unknown };
      const ran = before !== undefined ? run.planned - before : run.ran;
      process.stdout.write(`${JSON.stringify({ out, planned: run.planned, ran, skipped: run.planned - ran, workers, seconds: (Date.now() - started) / 1000, summary: results.summary })}\n`);
    } else if (!quiet) {
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { summary: Array<{ agent: string; split: string; episodes: number; metrics: Record<string, { value: number; lo: number; hi: number } | null> }> };
      for (const r of results.summary) {
        const m = (k: string): string => { const x = r.metrics[k]; return x ? `${(x.value * 100).toFixed(1)}% [${(x.lo * 100).toFixed(1)}, ${(x.hi * 100).toFixed(1)}]` : '–'; };
        process.stdout.write(`${r.agent.padEnd(16)} ${r.split.padEnd(7)} n=${String(r.episodes).padEnd(4)} success ${m('successRate')}  step exec ${m('stepExecutability')}\n`);
      }
      process.stdout.write(`report: ${join(out, 'report.html')}\n`);
    }
    return 0;
  },
};

const HEARTH_BIN = resolve(fileURLToPath(import.meta.url), '../../../bin/hearth.mjs');

/**
 * Run the suite's pending episodes in `n` child processes (`--shard i/n`), showing progress from
 * the ledger files; a worker that fails is one error line naming it (what the others finished
 * stays in the ledger).
 */
async function runWorkers(file: string, out: string, n: number, resume: boolean, suite: import('../../suites/spec.ts').LoadedSuite, quiet: boolean,
  serverArgs: string[]): Promise<number> {
  const { countLedgerLines, openLedger } = await import('../../suites/ledger.ts');
  // Checks the directory (spec hash, --resume), writes suite.json and cuts torn tails before any worker starts.
  const ledger = openLedger(out, suite, resume);
  const before = ledger.done.size;
  ledger.close();
  // Chosen once here (tasks.json), read by every worker.
  const { runTasks } = await import('../../suites/runner.ts');
  const { WORKER_SEMI_SPACE_MB } = await import('../../suites/queue-worker-thread.ts');
  runTasks(suite.spec, out);
  const t0 = Date.now();
  const children = Array.from({ length: n }, (_, i) => {
    // A 64 MB semi-space, as `hearth worker`'s thread has (suites/queue-worker-thread.ts says why).
    const proc = spawn(process.execPath, [`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`, HEARTH_BIN, 'suite', 'run', file, '--out', out, '--shard', `${i}/${n}`, ...serverArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    return new Promise<{ i: number; code: number | null; err: string }>((ok) => proc.on('close', (code) => ok({ i, code, err })));
  });
  const timer = quiet ? undefined : setInterval(() => {
    process.stderr.write(`suite ${suite.spec.name}: ${countLedgerLines(out)} episodes in the ledger (${before} before this run), ${n} workers, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }, 2000);
  const results = await Promise.all(children);
  if (timer) clearInterval(timer);
  const failed = results.find((r) => r.code !== 0);
  if (failed) {
    const line = failed.err.trim().split('\n').filter((l) => l.startsWith('error:')).pop() ?? `exit code ${failed.code}`;
    throw new HearthError('suite.worker', `worker ${failed.i + 1} of ${n} failed: ${line.replace(/^error: /, '')}`, 'fix it and rerun with --resume: finished episodes are kept');
  }
  return before;
}
