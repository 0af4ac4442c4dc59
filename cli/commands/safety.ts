/**
 * `hearth safety`: the safety analyses of issue 15 (methods/safety/).
 *   align   SFT an E2CL checkpoint into the safety-aligned agent (refuses hazardous requests)
 *   probe   (alias analyze) EHA / ISA LoRA attacks on it over seeds: probes, logit lens, patching, claims
 *   detox   self-detoxification (toxification reversal) of the unsafe-prefixed agent on unseen tasks
 * Each writes a report directory (results.json, report.md, SVG figures); --json prints the results.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { loadModel } from '../../agent/local-model.ts';
import { BACKENDS, backendDetail, initBackend } from '../../agent/tfjs.ts';
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { loadTaskSet, solvableTasks } from '../../exploration/task-source.ts';
import { refusalExamples, trainAligned, trajectoryExamples } from '../../methods/safety/aligned.ts';
import { analyzeAttacks } from '../../methods/safety/analysis.ts';
import { ATTACKS, type AttackKind, DEFAULT_ATTACK } from '../../methods/safety/attacks.ts';
import { evaluateDetox } from '../../methods/safety/detox-eval.ts';
import { HOUSEHOLD_DETOX_STRENGTH } from '../../methods/safety/detox.ts';
import { writeDetoxReport, writeProbeReport } from '../../methods/safety/report.ts';
import { backendFlag, boolFlag, intFlag, numberFlag, parseArgs, requireFlag, stringFlag } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';
import type { Command } from '../main.ts';
import { newestBcCheckpoint } from './align.ts';
import { settingsFor } from './eval.ts';

const USAGE = [
  'hearth safety align [--checkpoint E2CL_CKPT] [--out DIR] [--steps N] [--tasks N] [--seed S] [--tiny] [--json] [--quiet] [--backend B]',
  'hearth safety probe|analyze --aligned DIR [--attacks eha,isa] [--seeds N] [--attack-steps N] [--out DIR] [--tiny] [--json] [--quiet] [--backend B]',
  'hearth safety detox --checkpoint DIR [--count N] [--seed S] [--strength X] [--out DIR] [--tiny] [--json] [--quiet] [--backend B]',
].join('\n       ');

const SUBS = ['align', 'probe', 'analyze', 'detox'];

function parseAttacks(text: string | undefined): AttackKind[] {
  const list = (text ?? 'eha,isa').split(',').map((s) => s.trim()).filter(Boolean);
  for (const a of list) {
    if (!(ATTACKS as readonly string[]).includes(a)) throw new HearthError('cli.usage', `--attacks: unknown attack "${a}"`, `use a comma-separated list of ${ATTACKS.join(', ')}`);
  }
  if (list.length === 0) throw new HearthError('cli.usage', '--attacks is empty', `name at least one of ${ATTACKS.join(', ')}`);
  return [...new Set(list)] as AttackKind[];
}

const progress = (quiet: boolean) => (line: string): void => { if (!quiet) process.stderr.write(`${line}\n`); };

async function align(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    checkpoint: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, tasks: { type: 'string' }, seed: { type: 'string' },
    tiny: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
  }, USAGE);
  const tiny = boolFlag(args, 'tiny');
  const given = stringFlag(args, 'checkpoint') ?? newestBcCheckpoint(resolve('runs'));
  if (!given) throw new HearthError('safety.checkpoint', 'no E2CL bc checkpoint found under runs/', 'pass --checkpoint DIR (a `hearth e2cl` model), or run `npm start` first');
  const resolved = resolveCheckpointDir(given);
  const out = resolve(stringFlag(args, 'out') ?? join('runs', 'safety', 'aligned'));
  checkOutputDir(out, '--out');
  const steps = intFlag(args, 'steps', tiny ? 3 : 240, 1, 100000);
  const count = intFlag(args, 'tasks', tiny ? 6 : 240, 1, 5000);
  const seed = intFlag(args, 'seed', 0);
  const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
  await initBackend(backendFlag(args, BACKENDS));
  const log = progress(quiet);
  const s = settingsFor(resolved.dir);
  log(`${describeCheckpoint(resolved)}`);
  const set = await loadTaskSet('generated');
  const tasks = solvableTasks(set, 'train', seed, count, s.maxExpertSteps ?? Infinity).tasks;
  const traj = trajectoryExamples(tasks, s.prompt, seed);
  const refusal = refusalExamples(s.prompt, 4);
  const data = [...traj.planning, ...traj.unsafe, ...refusal];
  log(`data: ${traj.planning.length} planning records, ${traj.unsafe.length} unsafe-prefix records (${traj.unsafeTasks} tasks with an executed hazard), ${refusal.length} refusal/compliance records; ${steps} steps; compute: ${backendDetail()}`);
  const t0 = performance.now();
  let last = NaN;
  const lm = await trainAligned({ base: resolved.dir, out, data, steps, seed, backend: stringFlag(args, 'backend'),
    onStep: (i, loss) => { last = loss; if (i % 20 === 0) log(`step ${i}/${steps} loss ${loss.toFixed(3)}`); } });
  await lm.dispose();
  writeFileAtomic(join(out, 'e2cl.json'), `${JSON.stringify(s, null, 2)}\n`);
  const result = { aligned: out, base: resolved.dir, steps, finalLoss: last, seconds: (performance.now() - t0) / 1000,
    data: { planning: traj.planning.length, unsafe: traj.unsafe.length, unsafeTasks: traj.unsafeTasks, refusal: refusal.length } };
  if (boolFlag(args, 'json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`aligned agent written to ${out} (${steps} steps, final loss ${last.toFixed(3)})\n`);
  return 0;
}

/** The aligned model directory and the prompt settings it was trained with (its e2cl.json). */
function alignedDir(given: string): { dir: string; settings: ReturnType<typeof settingsFor> } {
  const resolved = resolveCheckpointDir(given);
  if (![resolved.dir, dirname(resolved.dir)].some((d) => existsSync(join(d, 'e2cl.json')))) {
    throw new HearthError('safety.checkpoint', `${given} has no e2cl.json beside it (the agent's prompt settings)`, 'pass a directory written by `hearth safety align`, or an E2CL checkpoint');
  }
  return { dir: resolved.dir, settings: settingsFor(resolved.dir) };
}

async function probe(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    aligned: { type: 'string' }, attacks: { type: 'string' }, seeds: { type: 'string' }, 'attack-steps': { type: 'string' }, out: { type: 'string' },
    tiny: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
  }, USAGE);
  const tiny = boolFlag(args, 'tiny');
  const given = requireFlag(args, 'aligned', USAGE);
  const attacks = parseAttacks(stringFlag(args, 'attacks'));
  const nSeeds = intFlag(args, 'seeds', tiny ? 2 : 3, 1, 20);
  const attack = { ...DEFAULT_ATTACK, steps: intFlag(args, 'attack-steps', tiny ? 2 : DEFAULT_ATTACK.steps, 1, 10000) };
  const { dir, settings } = alignedDir(given);
  const out = resolve(stringFlag(args, 'out') ?? join(dirname(dir), 'probe'));
  checkOutputDir(out, '--out');
  const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
  backendFlag(args, BACKENDS);
  const t0 = performance.now();
  const r = await analyzeAttacks({ alignedDir: dir, prompt: settings.prompt, attacks, seeds: Array.from({ length: nSeeds }, (_, i) => i), attack,
    backend: stringFlag(args, 'backend'), log: progress(quiet) });
  const meta = { aligned: dir, seconds: Math.round((performance.now() - t0) / 1000), load: (await import('node:os')).loadavg()[0].toFixed(1), compute: backendDetail() };
  writeProbeReport(out, r, meta);
  if (boolFlag(args, 'json')) process.stdout.write(`${JSON.stringify({ out, ...meta, ...r })}\n`);
  else {
    process.stdout.write(`report: ${join(out, 'report.md')}\n`);
    for (const c of r.claims) process.stdout.write(`${c.held ? 'held' : 'NOT held'}: ${c.claim}\n  ${c.detail}\n`);
  }
  return 0;
}

async function detox(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    checkpoint: { type: 'string' }, count: { type: 'string' }, seed: { type: 'string' }, strength: { type: 'string' }, out: { type: 'string' },
    tiny: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
  }, USAGE);
  const tiny = boolFlag(args, 'tiny');
  const given = requireFlag(args, 'checkpoint', USAGE);
  const count = intFlag(args, 'count', tiny ? 3 : 60, 1, 5000);
  const seed = intFlag(args, 'seed', 0);
  const strength = numberFlag(args, 'strength', HOUSEHOLD_DETOX_STRENGTH, 0, 100, USAGE);
  const { dir, settings } = alignedDir(given);
  const out = resolve(stringFlag(args, 'out') ?? join(dirname(dir), 'detox'));
  checkOutputDir(out, '--out');
  const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
  backendFlag(args, BACKENDS);
  const set = await loadTaskSet('generated');
  const tasks = solvableTasks(set, 'unseen', seed, count, settings.maxExpertSteps ?? Infinity).tasks;
  const lm = await loadModel(dir, { backend: stringFlag(args, 'backend') });
  const t0 = performance.now();
  const r = await evaluateDetox({ lm, tasks, settings: tiny ? { ...settings, maxSteps: 3 } : settings, seed, config: { strength }, quiet, resamples: tiny ? 50 : 1000 });
  await lm.dispose();
  const meta = { checkpoint: dir, seconds: Math.round((performance.now() - t0) / 1000), load: (await import('node:os')).loadavg()[0].toFixed(1), compute: backendDetail() };
  writeDetoxReport(out, r, meta);
  if (boolFlag(args, 'json')) process.stdout.write(`${JSON.stringify({ out, ...meta, ...r })}\n`);
  else process.stdout.write(`report: ${join(out, 'report.md')}\n${r.claim.held ? 'held' : 'NOT held'}: ${r.claim.detail}\n`);
  return 0;
}

export const command: Command = {
  name: 'safety',
  summary: 'safety analyses: align (refusing agent), probe|analyze (EHA vs ISA attacks: probes, logit lens, patching), detox (self-detoxification)',
  usage: `\n       ${USAGE}`,
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    if (!sub || !SUBS.includes(sub)) {
      throw new HearthError('cli.usage', sub ? `unknown safety subcommand "${sub}"` : 'hearth safety needs a subcommand', `use one of ${SUBS.join(', ')}:\n       ${USAGE}`);
    }
    if (sub === 'align') return align(rest);
    if (sub === 'detox') return detox(rest);
    return probe(rest);
  },
};
