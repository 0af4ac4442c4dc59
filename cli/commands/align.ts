/**
 * `hearth align --method X`: preference training methods (DPO, IPO, SimPO; FPO and RISE against their
 * baselines; Muffin's ranking on facet-labelled plans against its start) from the E2CL `bc`
 * checkpoint on plans sampled and executed in the simulator;
 * evaluates unseen success, step executability and held-out pair accuracy over seeds and
 * writes a report directory (report.md, results.json, plots/, datasets/, sae/, checkpoints/).
 * Without --from it takes the `bc` model of the newest `hearth e2cl` run under runs/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { BACKENDS, backendDetail, initBackend } from '../../agent/tfjs.ts';
import { HearthError } from '../../env/errors.ts';
import { loadSplits } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { FULL_ALIGN, QUICK_ALIGN, TINY_ALIGN, runAlign, type AlignSizes } from '../../methods/align-run.ts';
import { writeAlignReport } from '../../methods/align-report.ts';
import { methodNamed, METHODS } from '../../methods/registry.ts';
import { backendFlag, boolFlag, exclusive, intFlag, parseArgs, stringFlag, noPositionals } from '../args.ts';
import { checkOutputDir } from '../output-paths.ts';
import type { Command } from '../main.ts';
import { settingsFor } from './eval.ts';

const USAGE = `hearth align --method ${Object.keys(METHODS).join('|')} [--from CHECKPOINT] [--quick|--full|--tiny] [--seeds N] [--steps N] [--out DIR] [--json] [--quiet] [--backend B]`;

/** The `bc` model directory of the newest `hearth e2cl` run under `runs/` that has one. */
export function newestBcCheckpoint(runsDir: string): string | null {
  if (!existsSync(runsDir)) return null;
  for (const ts of readdirSync(runsDir).sort().reverse()) {
    const dir = join(runsDir, ts, 'checkpoints', 'bc');
    try { resolveCheckpointDir(dir); return dir; } catch { /* not finished or not an e2cl run */ }
  }
  return null;
}

/** The seed of the E2CL run a checkpoint came from (its tasks are listed with it); 42 = the quick recipe's. */
function runSeed(checkpointDir: string): number {
  for (let d = checkpointDir, i = 0; i < 4; i++, d = dirname(d)) {
    const f = join(d, 'run.json');
    if (existsSync(f)) {
      const seed = (JSON.parse(readFileSync(f, 'utf8')) as { identity?: { seed?: unknown } }).identity?.seed;
      if (Number.isInteger(seed)) return seed as number;
    }
  }
  return 42;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

export const command: Command = {
  name: 'align',
  summary: 'preference-train the E2CL bc checkpoint (dpo, ipo, simpo; fpo vs dpo and simpo; rise vs dpo; muffin vs its start) and report quality and cost over seeds',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      method: { type: 'string' }, from: { type: 'string' }, quick: { type: 'boolean' }, full: { type: 'boolean' }, tiny: { type: 'boolean' }, seeds: { type: 'string' },
      steps: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' }, backend: { type: 'string' },
    }, USAGE);
    noPositionals(args, USAGE);
    exclusive(args, ['quick', 'full', 'tiny'], USAGE);
    const method = methodNamed(stringFlag(args, 'method'));
    const seeds = intFlag(args, 'seeds', 3, 1, 20);
    const base: AlignSizes = boolFlag(args, 'full') ? FULL_ALIGN : boolFlag(args, 'tiny') ? TINY_ALIGN : QUICK_ALIGN;
    const sizes: AlignSizes = { ...base, steps: intFlag(args, 'steps', base.steps, 1, 100000) };
    const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
    const backend = backendFlag(args, BACKENDS);
    const from = stringFlag(args, 'from') ?? newestBcCheckpoint(resolve('runs'));
    if (!from) {
      throw new HearthError('align.checkpoint', 'no E2CL bc checkpoint found under runs/ (hearth align starts from the bc model of `hearth e2cl`)',
        'run `npm start` (hearth e2cl --quick) first, or pass --from CHECKPOINT');
    }
    const resolved = resolveCheckpointDir(from);
    const settings = settingsFor(resolved.dir);
    const out = resolve(stringFlag(args, 'out') ?? join('runs', `align-${method.name}-${timestamp()}`));
    checkOutputDir(out, '--out');
    await initBackend(backend);
    const t0 = Date.now();
    const log = quiet ? () => undefined : (l: string) => process.stderr.write(`${l}\n`);
    log(`${describeCheckpoint(resolved)}\ncompute: ${backendDetail()}`);
    const taskSeed = runSeed(resolved.dir);
    const tasks = await loadSplits('generated', undefined, taskSeed, { train: sizes.trainTasks, seen: 0, unseen: sizes.evalTasks }, settings.maxExpertSteps ?? Infinity);
    const res = await runAlign(method, sizes, {
      checkpoint: resolved.dir, settings: { prompt: settings.prompt, actionTokens: settings.actionTokens, maxSteps: settings.maxSteps },
      tasks, factory: episodeFactory, seed: taskSeed, seeds, out, quiet, log,
    });
    const wall = (Date.now() - t0) / 1000;
    const notes = [
      `Start: ${resolved.dir} (E2CL bc). Compute: ${backendDetail()}. Wall time ${(wall / 60).toFixed(1)} min (${Object.entries(res.timings).map(([k, v]) => `${k} ${v.toFixed(0)}s`).join(', ')}); load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${(await import('node:os')).availableParallelism()} cores.`,
      `Pairs: ${sizes.samples} plans sampled per training task at T=${sizes.temperature} (${res.sampling.tasks} tasks, ${res.sampling.episodes} plans, ${res.sampling.successes} reach the goal), executed; chosen reaches the goal or executes further, rejected fails; a plan pair becomes the step pair where the plans part. ${res.trainPairs} pairs to train on, ${res.heldOutPairs} held out (pairs of ${Math.round(100 * sizes.heldOutShare)}% of the tasks).`,
      `Training: every arm from the same start for ${sizes.steps} AdamW steps of ${sizes.batchPairs} ${method.facets ? 'contexts' : 'pairs'}, lr ${sizes.lr} constant after ${sizes.warmupSteps} warm-up steps, no weight decay, gradient clip 1, no dropout; ${seeds} seeds (the order of the ${method.facets ? 'contexts' : 'pairs'}). Hyper-parameters: ${method.arms.map((a) => `${a.name} ${JSON.stringify(a.loss ?? a.ranking)}`).join('; ')}.`,
      `Evaluation: ${tasks.unseen.length} unseen tasks, greedy decoding, no speculative inference, at most ${settings.maxSteps} steps (as E2CL).`,
      ...(method.facets ? ['Muffin: contexts are the points where the sampled plans of a training task branch; candidates are the distinct next actions there, labelled helpful if some sampled plan through them passes every facet (judged by the simulator: no LLM judge here); gold is the teacher\'s next action from that state. Loss: offset-grouped margin ranking (m 0.01) over the candidates\' mean token probabilities + 1·NLL(gold)/|gold| (spec §C, its code\'s defaults); lr and steps as the other methods (Muffin\'s Noam schedule with 1,200 warm-up steps would not warm up in this many steps).'] : []),
    ];
    const { summaries, claim } = writeAlignReport(out, res, notes);
    if (boolFlag(args, 'json')) {
      process.stdout.write(`${JSON.stringify({ out, method: method.name, seeds, wallSeconds: wall, summaries, claim, sae: res.sae, onlineDpoCost: res.onlineDpoCost })}\n`);
    } else {
      process.stdout.write(`${readFileSync(join(out, 'report.md'), 'utf8')}\nreport: ${join(out, 'report.md')}\n`);
    }
    return 0;
  },
};
