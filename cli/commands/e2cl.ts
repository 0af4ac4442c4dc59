/**
 * `hearth e2cl`: the main job. Trains BC, BC + teacher-guided, BC + teacher-free and full
 * E2CL on the built-in world (or VirtualHome programs), evaluates each with and without
 * speculative inference on seen and unseen tasks, prints the table and writes
 * `runs/<timestamp>/` (report.md, report.html, datasets, checkpoints, episode logs).
 * Rerunning with `--out` on an unfinished run directory resumes it when the run is the same
 * (its `run.json` manifest: recipe, seed, model, data, code); another run is refused unless
 * `--restart` (exploration/run-manifest.ts).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import { BACKENDS, backendDetail, initBackend } from '../../agent/tfjs.ts';
import { stripBom } from '../../env/text.ts';
import { checkConfig, MODEL_SCHEMA, RECIPE_OVERRIDE_SCHEMA } from '../config-schemas.ts';
import { checkOutputDir } from '../output-paths.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { isDetailLevel } from '../../feedback/targets.ts';
import { episodeLogSink, safeName } from '../../exploration/episode-logs.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import { type ModelName, type PipelineResult, type Recipe, runPipeline, type EvalJob } from '../../exploration/pipeline.ts';
import { FULL, QUICK, TINY, type NamedRecipe, type RecipeSizes } from '../../exploration/recipes.ts';
import type { RolloutEvent } from '../../exploration/rollout.ts';
import { codeVersion, jsonHash, makeRunManifest, openRunDir } from '../../exploration/run-manifest.ts';
import { loadSplits } from '../../exploration/task-source.ts';
import { episodeFactory, planner } from '../../exploration/world.ts';
import { acceptanceChecks, reportRows } from '../../suites/e2cl-report.ts';
import { diagnoseRunDir, reportSections } from '../../suites/diagnose/index.ts';
import { taskById } from '../../env/tasks/index.ts';
import { htmlReport, markdownReport, markdownTable, splitsOf } from '../../suites/report.ts';
import type { Command } from '../main.ts';
import { DIAGNOSE_USAGE, runDiagnose } from './e2cl-diagnose.ts';
import { planSeeds, runSeeds } from './e2cl-seeds.ts';
import { methodNotes, methodRecipeNotes } from '../../exploration/method-notes.ts';
import { backendFlag, boolFlag, exclusive, intFlag, numberFlag, onlyWith, parseArgs, stringFlag } from '../args.ts';

const USAGE = 'hearth e2cl [--quick|--full|--tiny] [--tasks generated|generated-closed-doors|vh-programs] [--data DIR] [--out DIR] [--seed S] [--seeds N] '
  + '[--train N] [--eval N] [--eval-seen N] [--corrector planner|llm|sample] [--llm-url URL] [--llm-model NAME] [--detail none|generic|specific] '
  + '[--feedback-in-correction] [--teacher-correction expert|planner] [--history K] [--epochs E] [--recipe JSON] [--model JSON] [--log-episodes K] [--workers N] [--backend B] [--max-hours H] [--quiet] [--restart]';

const FLAGS = {
  quick: { type: 'boolean' }, full: { type: 'boolean' }, tiny: { type: 'boolean' }, 'eval-seen': { type: 'string' }, tasks: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
  seed: { type: 'string' }, train: { type: 'string' }, eval: { type: 'string' }, corrector: { type: 'string' }, 'llm-url': { type: 'string' },
  'llm-model': { type: 'string' }, detail: { type: 'string' }, 'feedback-in-correction': { type: 'boolean' },
  'teacher-correction': { type: 'string' }, history: { type: 'string' }, epochs: { type: 'string' }, 'log-episodes': { type: 'string' },
  backend: { type: 'string' }, quiet: { type: 'boolean' }, recipe: { type: 'string' }, model: { type: 'string' },
  workers: { type: 'string' }, restart: { type: 'boolean' }, 'max-hours': { type: 'string' }, seeds: { type: 'string' },
} as const;

/** Default --max-hours of recipes longer than `quick` (none for quick and tiny: priced by their sizing). */
export const DEFAULT_MAX_HOURS = 8;

function maxHoursOf(args: ReturnType<typeof parseArgs>, recipe: string): number | undefined {
  if (stringFlag(args, 'max-hours') === undefined) return recipe === 'quick' || recipe === 'tiny' ? undefined : DEFAULT_MAX_HOURS;
  return numberFlag(args, 'max-hours', DEFAULT_MAX_HOURS, 1e-9, 1e6, USAGE);
}

/** Parse a JSON flag value; a syntax error is a usage error naming the flag. */
function parseJsonFlag(flag: string, json: string, example: string): unknown {
  try { return JSON.parse(stripBom(json)); } catch (e) {
    throw new HearthError('cli.usage', `${flag} is not valid JSON (${(e as Error).message})`, `e.g. ${flag} '${example}'`);
  }
}

/** `--model '{"layers": 3, "d": 96}'`: the local model's shape and learning rate for this run (checked against MODEL_SCHEMA). */
export function applyModelOverride(m: RecipeSizes['model'], json: string): void {
  const o = parseJsonFlag('--model', json, '{"layers": 3, "d": 96}');
  checkConfig(o, MODEL_SCHEMA, '--model', 'cli.usage', 'field', `fields: ${Object.keys(m).join(', ')}`);
  Object.assign(m, o as Partial<RecipeSizes['model']>);
  if (m.d % m.heads !== 0) throw new HearthError('cli.usage', `--model: d (${m.d}) must be a multiple of heads (${m.heads})`);
  if ((m.d / m.heads) % 2 !== 0) throw new HearthError('cli.usage', `--model: d / heads (${m.d / m.heads}) must be even (rotary position embeddings)`);
}

/**
 * `--recipe '{"feedbackBalance": 3}'`: top-level recipe fields replaced for an ablation (after
 * the named recipe and the other flags); nested objects are merged. Checked against
 * RECIPE_OVERRIDE_SCHEMA first, so a bad value stops the run before any work.
 */
export function applyRecipeOverride(r: Recipe, json: string): void {
  const o = parseJsonFlag('--recipe', json, '{"feedbackBalance": 3, "renamedPlanningShare": 0.5}');
  checkConfig(o, RECIPE_OVERRIDE_SCHEMA, '--recipe', 'cli.usage', 'recipe field', 'e.g. --recipe \'{"feedbackBalance": 3}\'');
  const target = r as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
    target[k] = isObject ? { ...(target[k] as object | undefined), ...(v as object) } : v;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

export function recipeNotes(named: NamedRecipe, r: Recipe, counts: { train: number; seen: number; unseen: number }): string[] {
  const m = named.sizes.model;
  return [
    `Recipe "${r.name}", seed ${r.seed}: ${counts.train} training tasks, ${counts.seen} seen and ${counts.unseen} unseen evaluation tasks.`,
    `Model: decoder-only transformer trained from scratch (${m.layers} layers, d=${m.d}, ${m.heads} heads, context ${m.ctx} tokens, byte-level BPE vocabulary ${m.vocab}), AdamW lr ${m.lr}, batch ${r.batchSize}.`,
    `Training: bc-init ${r.initEpochs} epochs on expert trajectories${r.renamedCopies ? ` plus ${r.renamedCopies} renamed copies of each planning record (every object and piece of furniture it mentions swapped for another of its kind, consistently in task, history and target, so that the model learns to copy the object named in the task instead of memorising one per task kind; a harness choice, not the paper's)` : ''}; then bc, bc-tg, bc-tf and e2cl are each fine-tuned from bc-init for ${r.finetuneEpochs} epochs on their shuffled mix (same epochs, so mixes with more data get more optimizer steps)${r.renamedPlanningShare ? `; in every mix a share of ${r.renamedPlanningShare} of the planning records is replaced by a renamed copy` : ''}${r.renamedShareOfMix ? `; in every mix renamed copies replace planning records until they are a share of ${r.renamedShareOfMix} of the mix as trained (the same share for all four models)` : ''}.`,
    `Prompts: E2CL's three prefixes (spec §4) with the history cut to the last ${r.prompt.historySteps ?? 'all'} steps and observations cut to ${r.prompt.maxObservationChars ?? 'no limit of'} characters${r.prompt.keepHeldWhenCut ? ' (a cut keeps the closing "You have …" sentence and shortens the object states before it)' : ''} (the model's context is short); feedback in the correction prompt: ${r.prompt.feedbackInCorrection ? 'yes' : 'no (the released prompts)'}; feedback detail: ${r.detail}.`,
    `Exploration: teacher-guided with ${r.teacherGuided.samples} proposals per expert prefix (greedy + sampled at T=${r.teacherGuided.temperature}), correction = ${r.teacherGuided.correction}${r.contrastProposals ? `, plus ${r.contrastProposals} contrast proposal(s) per prefix (the expert's next action with one object swapped for another training program's object, executed and labelled like any proposal)` : ''}; teacher-free with the ${r.teacherFree.corrector} corrector, rollouts at T=${r.teacherFree.temperature}, every correction verified by executing it in a copy of the state${r.teacherFree.planningRecords ? ', and every state a teacher-free episode visits off the expert\'s path also a planning record whose target is the planner\'s next action from there (END once the goal holds; DAgger, not in the paper)' : ''}${r.feedbackBalance !== undefined ? `; before mixing, the \`True\` and \`Task finished\` feedback records of each exploration set are subsampled (seeded) to at most ${r.feedbackBalance} per \`Error\` record (the paper keeps every step; an agent whose actions mostly succeed otherwise teaches the feedback head to always answer \`True\`)` : ''}${r.maxExplorationRecords !== undefined ? `, then each set is capped at ${r.maxExplorationRecords} records` : ''}${r.renamedExplorationShare ? `; a share of ${r.renamedExplorationShare} of each set's records is replaced by a copy with the task's objects renamed (objects outside the task keep their names, so every label stays true)` : ''}.`,
    ...methodRecipeNotes(r),
    `Evaluation: greedy decoding, at most ${r.maxSteps} steps, speculative inference exactly as spec §5 (one correction attempt); 95% intervals are percentile bootstraps over episodes (${r.bootstrapResamples} resamples, seeded).`,
  ];
}

export function resultNotes(res: PipelineResult, wallSeconds: number): string[] {
  const d = res.datasets;
  const fmt = (s: Record<string, number> | undefined): string => s
    ? `${s.total} (planning ${s.planning}, feedback ${s.feedback}: True ${s.feedbackTrue} / Error ${s.feedbackError} / finished ${s.feedbackFinished}, correction ${s.correction})` : '–';
  const t = Object.entries(res.timings).map(([k, v]) => `${k} ${v.toFixed(0)}s`).join(', ');
  const tg = res.exploration.teacherGuided as Record<string, unknown> | undefined;
  const tf = res.exploration.teacherFree as Record<string, unknown> | undefined;
  const notes = [
    `Data: teacher-guided ${fmt(d['teacher-guided'])}; teacher-free ${fmt(d['teacher-free'])}; mixes: bc ${d.bc?.total}, bc-tg ${d['bc-tg']?.total}, bc-tf ${d['bc-tf']?.total}, e2cl ${d.e2cl?.total}.`,
    `Wall time ${(wallSeconds / 60).toFixed(1)} min (${t}).`,
  ];
  if (tg) notes.push(`Teacher-guided exploration: ${JSON.stringify(tg)}.`);
  if (tf) notes.push(`Teacher-free exploration: ${JSON.stringify(tf)}.`);
  notes.push(...methodNotes(res.method));
  if (res.skippedTasks.length) notes.push(`${res.skippedTasks.length} training tasks skipped (expert program did not execute).`);
  return notes;
}

export const command: Command = {
  name: 'e2cl',
  summary: 'the main job: train BC / BC+teacher-guided / BC+teacher-free / E2CL, evaluate with and without speculative inference, write a report',
  usage: `${USAGE}\n       ${DIAGNOSE_USAGE}`,
  async run(argv: string[]): Promise<number> {
    if (argv[0] === 'diagnose') return runDiagnose(argv.slice(1));
    const t0 = Date.now();
    const args = parseArgs(argv, FLAGS, USAGE);
    if (args.positionals.length) throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    exclusive(args, ['quick', 'full', 'tiny'], USAGE);
    const base = boolFlag(args, 'full') ? FULL : boolFlag(args, 'tiny') ? TINY : QUICK;
    const named: NamedRecipe = structuredClone(base);
    const modelFlag = stringFlag(args, 'model');
    if (modelFlag !== undefined) applyModelOverride(named.sizes.model, modelFlag);
    const r: Recipe = structuredClone(named.recipe);
    r.seed = intFlag(args, 'seed', r.seed);
    const detail = stringFlag(args, 'detail');
    if (detail !== undefined) {
      if (!isDetailLevel(detail)) throw new HearthError('cli.usage', `--detail must be none, generic or specific, got "${detail}"`, `usage: ${USAGE}`);
      r.detail = detail;
    }
    if (boolFlag(args, 'feedback-in-correction')) r.prompt.feedbackInCorrection = true;
    const history = stringFlag(args, 'history');
    if (history !== undefined) r.prompt.historySteps = history === 'all' ? undefined : intFlag(args, 'history', 2, 0);
    const tc = stringFlag(args, 'teacher-correction');
    if (tc !== undefined) {
      if (tc !== 'expert' && tc !== 'planner') throw new HearthError('cli.usage', `--teacher-correction must be expert or planner, got "${tc}"`);
      r.teacherGuided.correction = tc;
    }
    const corrector = stringFlag(args, 'corrector');
    if (corrector !== undefined) {
      if (corrector !== 'planner' && corrector !== 'llm' && corrector !== 'sample') {
        throw new HearthError('cli.usage', `--corrector must be planner, llm or sample, got "${corrector}"`);
      }
      r.teacherFree.corrector = corrector;
    }
    const epochs = stringFlag(args, 'epochs');
    if (epochs !== undefined) r.finetuneEpochs = intFlag(args, 'epochs', r.finetuneEpochs, 1);
    const override = stringFlag(args, 'recipe');
    if (override !== undefined) applyRecipeOverride(r, override);
    // --seeds N: the whole run once per seed, each its own run directory, then the claim per seed.
    if (stringFlag(args, 'seeds') !== undefined) {
      return runSeeds(planSeeds(argv, r.seed, join('runs', timestamp())), (a) => command.run(a), 2 * r.bootstrapResamples);
    }
    onlyWith(args, ['llm-url', 'llm-model'], r.teacherFree.corrector === 'llm', '--corrector llm');
    const trainCount = intFlag(args, 'train', named.sizes.trainTasks, 1);
    const evalCount = intFlag(args, 'eval', named.sizes.evalTasks, 1);
    const seenCount = intFlag(args, 'eval-seen', named.sizes.seenTasks, 1);
    const logEpisodes = intFlag(args, 'log-episodes', 6, 0);
    // Fine-tunes side by side, one process per core (the four are independent; same results).
    const trainWorkers = intFlag(args, 'workers', Math.min(4, availableParallelism()), 1);
    const quiet = boolFlag(args, 'quiet');
    // Checked here, before the run directory exists: a typo must not leave an empty run behind.
    const maxHours = maxHoursOf(args, r.name);
    backendFlag(args, BACKENDS);
    const out = resolve(stringFlag(args, 'out') ?? join('runs', timestamp()));
    // Before any work: the run directory must be creatable and writable (not a file).
    checkOutputDir(out, stringFlag(args, 'out') !== undefined ? '--out' : 'the run directory');
    // The compute path first: a machine on the slow path (no native addon) hears it before the wait.
    await initBackend(stringFlag(args, 'backend'));
    const compute = backendDetail();
    process.stderr.write(`e2cl: compute: ${compute}\n`);

    let correctorModel;
    if (r.teacherFree.corrector === 'llm') {
      const url = stringFlag(args, 'llm-url');
      if (!url) throw new HearthError('cli.usage', '--corrector llm needs --llm-url (an OpenAI-compatible endpoint)', 'e.g. --llm-url http://localhost:8000/v1 --llm-model NAME');
      const { connectOpenAIHttp } = await import('../../agent/backends/openai-http.ts');
      correctorModel = await connectOpenAIHttp({ baseUrl: url, model: stringFlag(args, 'llm-model') });
    }

    const setName = stringFlag(args, 'tasks') ?? 'generated';
    // VirtualHome's programs are compared as they are (issue 13 item 7): no task-length filter.
    if (setName === 'vh-programs') r.maxExpertSteps = undefined;
    const splits = await loadSplits(setName, stringFlag(args, 'data'), r.seed, { train: trainCount, seen: seenCount, unseen: evalCount }, r.maxExpertSteps ?? Infinity);
    // The run directory's manifest first: a rerun resumes only the same run (issue 22).
    const dataDir = stringFlag(args, 'data');
    const split = (ts: readonly { id: string }[]) => ({ count: ts.length, sha256: jsonHash(ts) });
    const opened = openRunDir(out, makeRunManifest('e2cl', {
      seed: r.seed, recipe: r, model: named.sizes.model,
      data: { tasks: setName, dir: dataDir === undefined ? null : resolve(dataDir), train: split(splits.train), seen: split(splits.seen), unseen: split(splits.unseen), ...(setName === 'generated' ? { generator: 'v2' } : {}) },
      corrector: r.teacherFree.corrector === 'llm' ? { url: stringFlag(args, 'llm-url'), model: stringFlag(args, 'llm-model') ?? null } : null,
      code: codeVersion(),
      // Numerics differ between compute paths (summation order), so a resume must use the same one.
      compute,
    }), { restart: boolFlag(args, 'restart') });
    if (opened.note) process.stderr.write(`warning: ${opened.note}\n`);
    process.stderr.write(`e2cl: run directory ${out}${opened.how === 'resume' ? ' (resuming the same run)' : opened.how === 'restart' ? ' (earlier run deleted: --restart)' : ''}\n`);
    // Episode logs: the first `logEpisodes` episodes of every (model, split, mode) cell.
    const perCell = new Map<string, number>();
    const sinks = new Map<string, ReturnType<typeof episodeLogSink>>();
    const onEvalEvent = (model: ModelName, job: EvalJob, e: RolloutEvent): void => {
      const cell = `${job.split}-${job.speculative ? 'speculative' : 'plain'}`;
      const key = `${model}/${e.index}`;
      let sink = sinks.get(key);
      if (!sink) {
        const n = perCell.get(`${model}/${cell}`) ?? 0;
        if (n >= logEpisodes) return;
        perCell.set(`${model}/${cell}`, n + 1);
        sink = episodeLogSink(join(out, 'episodes', model, cell), () => job.task,
          () => ({ name: `e2cl:${model}`, checkpoint: join(out, 'checkpoints', model), speculative: job.speculative, split: job.split }), r.seed,
          undefined, () => `${String(e.index).padStart(4, '0')}-${safeName(job.task.id)}.jsonl`);
        sinks.set(key, sink);
      }
      sink.onEvent(e);
      if (e.kind === 'end') sinks.delete(key);
    };

    const m = named.sizes.model;
    const res = await runPipeline(out, r, {
      factory: episodeFactory,
      provider: localProvider({ config: { layers: m.layers, d: m.d, heads: m.heads, ctx: m.ctx, vocabSize: m.vocab }, lr: m.lr, backend: stringFlag(args, 'backend') }),
      tasks: { train: splits.train, seen: splits.seen, unseen: splits.unseen },
      planner: planner(), correctorModel,
      extraCorpus: CORPUS_EXTRAS,
      onEvalEvent, quiet, trainWorkers,
      // Long recipes are priced before they train (a measured step × their step count):
      // `full` is about a day on 2 CPU cores, which the user hears first, not last.
      maxHours,
    });
    const wall = (Date.now() - t0) / 1000;
    const rows = reportRows(res.evals as Record<string, never[]>, { seed: r.seed, resamples: r.bootstrapResamples });
    // The diagnosis and the paired comparisons replay the evaluated episodes (seconds) with the run's own tasks.
    const byId = new Map([...splits.train, ...splits.seen, ...splits.unseen].map((t) => [t.id, t]));
    const diag = diagnoseRunDir(out, { taskOf: (id) => byId.get(id) ?? taskById(id), resamples: 2 * r.bootstrapResamples });
    const checks = acceptanceChecks(diag.comparisons, { gate: diag.gate, wallSeconds: wall, limitSeconds: r.name === 'quick' ? 15 * 60 : Infinity });
    const curves = Object.entries(res.curves).map(([name, pts]) => ({ name, points: smooth(pts.map((p) => ({ x: p.step, y: p.loss }))) }));
    const notes = [...recipeNotes(named, r, { train: splits.train.length, seen: splits.seen.length, unseen: splits.unseen.length }), ...resultNotes(res, wall)];
    if (splits.dropped.length) notes.push(`Task selection: ${splits.dropped.length} listed tasks (all splits) were skipped because the planner found no NL program for them (their goal is not reachable with E2CL's NL actions under the grounding rules); training and evaluation use the first tasks of each split that have one${r.maxExpertSteps !== undefined ? ` with at most ${r.maxExpertSteps} steps (the recipe's task-length filter; longer tasks are counted among the skipped)` : ''}.`);
    const input = { title: `Hearth E2CL run (${r.name})`, rows, curves, notes, checks, sections: reportSections(diag) };
    writeFileAtomic(join(out, 'report.md'), markdownReport(input));
    writeFileAtomic(join(out, 'report.html'), htmlReport(input));
    writeFileAtomic(join(out, 'results.json'), JSON.stringify({ recipe: r, sizes: named.sizes, rows, checks, timings: res.timings, datasets: res.datasets, exploration: res.exploration, method: res.method, wallSeconds: wall }, null, 2));
    for (const split of splitsOf(rows)) {
      process.stdout.write(`\n${split} tasks (rates in %, 95% bootstrap intervals):\n${markdownTable(rows, split)}\n`);
    }
    process.stdout.write(`\n${checks.map((c) => `${c.pass ? 'PASS' : 'MISS'}  ${c.name}: ${c.detail}`).join('\n')}\n`);
    process.stdout.write(`\nreport: ${join(out, 'report.md')} and ${join(out, 'report.html')}; episode logs: ${join(out, 'episodes')} (open with \`hearth view\`)\n`);
    return 0;
  },
};

/** Exponential moving average of a loss curve, for a readable plot (raw values: curve.json in each epoch checkpoint). */
function smooth(points: Array<{ x: number; y: number }>, alpha = 0.1): Array<{ x: number; y: number }> {
  let ema: number | undefined;
  return points.map((p) => { ema = ema === undefined ? p.y : ema + alpha * (p.y - ema); return { x: p.x, y: ema }; });
}

/** Text the tokenizer should know besides planning data: the feedback and correction side. */
const CORPUS_EXTRAS: string[] = [
  'You are a world simulator. You need to generate the feedback according to plans. ',
  'You are a replanner. Given the original plan, you are expected to generate the new plan according to the feedback. ',
  '\nFeedback: True', '\nFeedback: Error, Robot agent is not close to', 'Task finished', ' A corrective step would be',
  'Error, Robot agent does not have a free hand', 'Error, Robot agent is not holding', "isn't available in the environment.",
];
