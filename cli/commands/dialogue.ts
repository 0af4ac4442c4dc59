/**
 * `hearth dialogue run|train --method midi|spda|cooper`: the multi-round methods against their
 * baselines with simulated household users (dialogue/).
 *
 * - `run` trains (where the method trains) and evaluates over seeds on unseen users, and writes a
 *   report directory (report.md with 95% intervals, results.json, plots/*.svg, logs/ with the
 *   first seed's episode logs);
 * - `train` trains one seed's models and saves them (midi: the model with its agent, user and
 *   flat adapters) without evaluating.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKENDS, backendDetail, initBackend } from '../../agent/tfjs.ts';
import { HearthError } from '../../env/errors.ts';
import { DIALOGUE_METHODS, dialogueMethod } from '../../methods/dialogue-methods.ts';
import { backendFlag, boolFlag, exclusive, intFlag, parseArgs, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';
import type { Command } from '../main.ts';

const USAGE = `hearth dialogue run|train --method ${Object.keys(DIALOGUE_METHODS).join('|')} [--tiny|--quick] [--seeds N] [--seed S] [--out DIR] [--json] [--quiet] [--backend B]`;

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

export const command: Command = {
  name: 'dialogue',
  summary: 'multi-round interaction with simulated household users: Midi-Tuning, SPDA, Cooper against their baselines (run: report over seeds; train: one seed\'s models)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      method: { type: 'string' }, tiny: { type: 'boolean' }, quick: { type: 'boolean' }, seeds: { type: 'string' }, seed: { type: 'string' },
      out: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
    }, USAGE);
    const [sub, ...extra] = args.positionals;
    if (sub !== 'run' && sub !== 'train') throw new HearthError('cli.usage', sub === undefined ? 'hearth dialogue needs a subcommand' : `unknown subcommand "${sub}"`, `usage: ${USAGE}`);
    if (extra.length) throw new HearthError('cli.usage', `unexpected argument "${extra[0]}"`, `usage: ${USAGE}`);
    exclusive(args, ['tiny', 'quick'], USAGE);
    const method = dialogueMethod(stringFlag(args, 'method'));
    const size = boolFlag(args, 'tiny') ? 'tiny' : 'quick';
    const seeds = intFlag(args, 'seeds', 3, 1, 20);
    const firstSeed = intFlag(args, 'seed', 1, 0, 1_000_000);
    const json = boolFlag(args, 'json');
    const quiet = boolFlag(args, 'quiet') || json;
    const backend = backendFlag(args, BACKENDS);
    const out = resolve(stringFlag(args, 'out') ?? join('runs', `dialogue-${sub}-${method.name}-${timestamp()}`));
    checkOutputDir(out, '--out');
    if (method.needsModel) await initBackend(backend);
    const log = quiet ? () => undefined : (l: string) => process.stderr.write(`${l}\n`);
    const t0 = Date.now();
    const env = () => `Compute: ${method.needsModel ? backendDetail() : 'symbolic (no model)'}; load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${availableParallelism()} cores; wall ${((Date.now() - t0) / 1000).toFixed(0)} s.`;
    if (sub === 'train') {
      const r = await method.train({ size, seed: firstSeed, out, backend, log });
      if (json) process.stdout.write(`${JSON.stringify({ out, method: method.name, seed: firstSeed, ...r })}\n`);
      else process.stdout.write(`trained ${method.name} (seed ${firstSeed}): ${r.summary}\nsaved: ${out}\n`);
      return 0;
    }
    const seedList = Array.from({ length: seeds }, (_, i) => firstSeed + i);
    const r = await method.run({ size, seeds: seedList, out, backend, log, notes: env });
    if (json) process.stdout.write(`${JSON.stringify({ out, method: method.name, seeds: seedList, wallSeconds: (Date.now() - t0) / 1000, tables: r.tables, claims: r.claims })}\n`);
    else process.stdout.write(`${r.md}\n\nreport: ${join(out, 'report.md')}\n`);
    return 0;
  },
};
