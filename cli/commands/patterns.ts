/**
 * `hearth patterns run|list`: implicit-pattern suites (spec §G) — in-context learning against
 * fine-tuning on one meta-trained local model, ICL on a served model with --base-url, and the
 * circuit shift by the shared interpretability toolkit; writes a report directory (report.md,
 * results.json, plots/*.svg, base/ checkpoint). `list` prints the suites and their hidden rules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKENDS, backendDetail, initBackend } from '../../agent/tfjs.ts';
import { CACHE_MODES, type CacheMode } from '../../agent/backends/record-replay.ts';
import { HearthError } from '../../env/errors.ts';
import { FULL_PATTERNS, QUICK_PATTERNS, TINY_PATTERNS } from '../../methods/patterns/experiment.ts';
import { runPatterns, type PatternLearner } from '../../methods/patterns/run.ts';
import { SUITES, suitesNamed } from '../../methods/patterns/suites.ts';
import { backendFlag, boolFlag, exclusive, intFlag, parseArgs, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';
import type { Command } from '../main.ts';

const USAGE = 'hearth patterns run [--suite NAME[,NAME…]] [--learners icl,ft] [--tiny|--quick|--full] [--seeds N] [--seed S] [--meta-steps N | --base DIR] [--out DIR] '
  + '[--base-url URL [--model M] [--api completions|chat] [--cache FILE [--cache-mode auto|record|replay]]] [--json] [--quiet] [--backend B] | hearth patterns list [--json]';
const SERVER_ONLY = ['model', 'api', 'cache', 'cache-mode'] as const;

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

function listFlag(v: string | undefined, flag: string, allowed: readonly string[] | null, fallback: string[]): string[] {
  if (v === undefined) return fallback;
  const xs = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (xs.length === 0) throw new HearthError('cli.usage', `--${flag} is empty`, `give a comma-separated list${allowed ? ` of ${allowed.join(', ')}` : ''}`);
  for (const x of xs) if (allowed && !allowed.includes(x)) throw new HearthError('cli.usage', `--${flag}: unknown "${x}"`, `pick from ${allowed.join(', ')}`);
  if (new Set(xs).size !== xs.length) throw new HearthError('cli.usage', `--${flag} names something twice`, 'name each once');
  return xs;
}

export const command: Command = {
  name: 'patterns',
  summary: 'implicit-pattern suites: in-context learning vs fine-tuning on the local model (and ICL on a served model), with the circuit shift; writes a report',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      suite: { type: 'string' }, learners: { type: 'string' }, tiny: { type: 'boolean' }, quick: { type: 'boolean' }, full: { type: 'boolean' }, seeds: { type: 'string' }, seed: { type: 'string' }, 'meta-steps': { type: 'string' }, base: { type: 'string' },
      out: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
      'base-url': { type: 'string' }, model: { type: 'string' }, api: { type: 'string' }, cache: { type: 'string' }, 'cache-mode': { type: 'string' },
    }, USAGE);
    const [sub, ...extra] = args.positionals;
    if (sub !== 'run' && sub !== 'list') throw new HearthError('cli.usage', sub === undefined ? 'hearth patterns needs a subcommand' : `unknown subcommand "${sub}"`, `usage: ${USAGE}`);
    if (extra.length) throw new HearthError('cli.usage', `unexpected argument "${extra[0]}"`, `usage: ${USAGE}`);
    const json = boolFlag(args, 'json');
    if (sub === 'list') {
      const rows = SUITES.map((s) => ({ name: s.name, kind: s.kind, hiddenRule: s.hiddenRule, rules: s.rules.map((r) => r.name) }));
      process.stdout.write(json ? `${JSON.stringify(rows)}\n` : `${rows.map((r) => `${r.name.padEnd(14)} ${r.kind.padEnd(10)} ${r.hiddenRule} (candidates: ${r.rules.join(', ')})`).join('\n')}\n`);
      return 0;
    }
    exclusive(args, ['tiny', 'quick', 'full'], USAGE);
    const suites = suitesNamed(listFlag(stringFlag(args, 'suite'), 'suite', SUITES.map((s) => s.name), SUITES.map((s) => s.name)));
    const learners = listFlag(stringFlag(args, 'learners'), 'learners', ['icl', 'ft'], ['icl', 'ft']) as PatternLearner[];
    const preset = boolFlag(args, 'tiny') ? TINY_PATTERNS : boolFlag(args, 'full') ? FULL_PATTERNS : QUICK_PATTERNS;
    const sizes = { ...preset, metaSteps: intFlag(args, 'meta-steps', preset.metaSteps, 1, 1_000_000) };
    const seeds = intFlag(args, 'seeds', 3, 1, 20);
    const firstSeed = intFlag(args, 'seed', 1, 0, 1_000_000);
    const baseUrl = stringFlag(args, 'base-url');
    const given = SERVER_ONLY.find((f) => stringFlag(args, f) !== undefined);
    if (given && baseUrl === undefined) throw new HearthError('cli.usage', `--${given} needs --base-url URL`, `usage: ${USAGE}`);
    const api = stringFlag(args, 'api');
    if (api !== undefined && api !== 'completions' && api !== 'chat') throw new HearthError('cli.usage', `--api must be completions or chat, got "${api}"`, 'use --api completions for a completions endpoint, --api chat for /chat/completions');
    const cacheMode = stringFlag(args, 'cache-mode');
    if (cacheMode !== undefined && !CACHE_MODES.includes(cacheMode as CacheMode)) throw new HearthError('cli.usage', `--cache-mode must be one of ${CACHE_MODES.join(', ')}, got "${cacheMode}"`, 'record calls the model and writes the cache, replay runs offline from it, auto replays what is cached and records the rest');
    if (baseUrl !== undefined && !learners.includes('icl')) throw new HearthError('cli.usage', '--base-url runs ICL on the served model, but --learners leaves icl out', 'add icl to --learners, or drop --base-url');
    const baseDir = stringFlag(args, 'base');
    if (baseDir !== undefined) {
      exclusive(args, ['base', 'meta-steps'], USAGE);
      if (!existsSync(join(baseDir, 'manifest.json'))) throw new HearthError('cli.usage', `--base ${baseDir} holds no model (no manifest.json)`, 'pass the base/ directory of an earlier hearth patterns run');
    }
    const quiet = boolFlag(args, 'quiet') || json;
    const backend = backendFlag(args, BACKENDS);
    const out = resolve(stringFlag(args, 'out') ?? join('runs', `patterns-${timestamp()}`));
    checkOutputDir(out, '--out');
    await initBackend(backend);
    const log = quiet ? () => undefined : (l: string) => process.stderr.write(`${l}\n`);
    const t0 = Date.now();
    const seedList = Array.from({ length: seeds }, (_, i) => firstSeed + i);
    const r = await runPatterns({
      sizes, suites, learners, seeds: seedList, out, backend, log, base: baseDir === undefined ? undefined : resolve(baseDir), circuitQuestions: Math.min(16, sizes.testItems),
      served: baseUrl === undefined ? undefined : { baseUrl, model: stringFlag(args, 'model'), api: api as 'chat' | undefined, cache: stringFlag(args, 'cache'), cacheMode: cacheMode as CacheMode | undefined },
      notes: () => `Compute: ${backendDetail()}; load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${availableParallelism()} cores; wall ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
    });
    if (json) {
      process.stdout.write(`${JSON.stringify({ out, sizes: sizes.name, seeds: seedList, suites: suites.map((s) => s.name), learners, wallSeconds: (Date.now() - t0) / 1000,
        claims: r.claims, curves: r.summaries, circuits: r.circuits.map((c) => ({ suite: c.suite, shiftIcl: c.shiftIcl, shiftFt: c.shiftFt, shiftIclFt: c.shiftIclFt })) })}\n`);
    } else {
      process.stdout.write(`${r.md}\n\nreport: ${join(out, 'report.md')}\n`);
    }
    return 0;
  },
};
