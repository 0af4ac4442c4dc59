/**
 * `hearth suite run FILE [--out DIR] [--resume] [--json] [--quiet]`: run an evaluation suite
 * (suites/spec.ts) into an out directory that is its ledger; `--resume` finishes a run that
 * was stopped, running only the episodes not yet in the ledger.
 * `hearth suite check FILE`: check a suite file and print what it would run.
 */
import { join, resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { loadSuite } from '../../suites/spec.ts';
import type { Command } from '../main.ts';
import { boolFlag, parseArgs, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';

const USAGE = 'hearth suite run FILE [--out DIR] [--resume] [--json] [--quiet] | hearth suite check FILE';

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
      ? parseArgs(rest, { out: { type: 'string' }, resume: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } }, USAGE)
      : parseArgs(rest, {}, USAGE);
    if (args.positionals.length !== 1) {
      throw new HearthError('cli.usage', args.positionals.length === 0 ? 'missing the suite FILE' : `unexpected argument "${args.positionals[1]}"`, `usage: ${USAGE}`);
    }
    const suite = loadSuite(args.positionals[0]);
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
    const run = await runSuite(suite, { out, resume: boolFlag(args, 'resume'), quiet: boolFlag(args, 'quiet') });
    const { readFileSync } = await import('node:fs');
    if (boolFlag(args, 'json')) {
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { summary: unknown };
      process.stdout.write(`${JSON.stringify({ out, planned: run.planned, ran: run.ran, skipped: run.skipped, seconds: run.seconds, summary: results.summary })}\n`);
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
