/**
 * The E2CL main job as one resumable pipeline (issue 5 item 9):
 *
 *   expert trajectories → planning data → train `bc-init` (the exploring agent)
 *   → teacher-guided exploration + teacher-free exploration (with `bc-init`)
 *   → fine-tune from `bc-init`, same epochs each: `bc` (planning only), `bc-tg`
 *     (+ teacher-guided), `bc-tf` (+ teacher-free), `e2cl` (+ both)
 *   → evaluate every model with and without speculative inference on seen and unseen tasks.
 *
 * Every stage writes its output atomically under `out/` and is skipped when the output is
 * already there, and training resumes from its last finished epoch, so rerunning the same
 * command after a crash continues where it stopped. Models, tasks, simulator and planner
 * are injected (the CLI wires the real ones; tests use doubles).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LanguageModel } from '../agent/language-model.ts';
import type { Task } from '../env/task.ts';
import { writeFileAtomic } from '../env/files.ts';
import { checkTimeBudget, minimumTrainingSteps, timeTrainingStep } from './preflight.ts';
import { type IOPair, writeE2CLJsonl, writeTrlJsonl } from '../alignment/datasets/export.ts';
import { ObjectRenamer, type RenameableClass } from '../alignment/datasets/augment.ts';
import { dedupe, explorationForMix, mixRecords } from '../alignment/datasets/mix.ts';
import { CATALOGUE, displayName } from '../env/catalogue/index.ts';
import type { PromptOptions } from '../alignment/datasets/prompts.ts';
import { type E2CLRecord, planningRecords, recordStats } from '../alignment/datasets/records.ts';
import { mixSeed, mulberry32, shuffled } from '../alignment/datasets/rng.ts';
import type { DetailLevel } from '../feedback/targets.ts';
import { BatchedDecoder } from './batching.ts';
import { type Corrector, type TeacherPlanner, llmCorrector, plannerCorrector, sampleCorrector } from './correctors.ts';
import type { EpisodeFactory } from './env-adapter.ts';
import { type ExpertTrajectory, expertTrajectory } from './expert.ts';
import { type CorrectionGuard, type PolicyConfig, feedbackBudgetShortfall } from './policy.ts';
import { correctionStats, evalErrorCodes, feedbackRecordScores, perProposalGate, shares } from './method-stats.ts';
import { HearthError } from '../env/errors.ts';
import { hazardRulesOf } from '../feedback/hazards.ts';
import { Progress } from './progress.ts';
import { type RolloutEpisode, type RolloutEvent, type RolloutJob, runRollout } from './rollout.ts';
import { teacherFree } from './teacher-free.ts';
import { teacherGuided } from './teacher-guided.ts';
import { namesInActions } from './contrast.ts';
import { mixWithRenamedShare } from './renamed-mix.ts';
import { type CurvePoint, type LengthUnit, type ModelProvider, resolveCheckpoint, trainOnMix } from './training.ts';
import { type TrainJob, runTrainJobs } from './train-workers.ts';

export const MODEL_NAMES = ['bc', 'bc-tg', 'bc-tf', 'e2cl'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface Recipe {
  name: string;
  seed: number;
  prompt: PromptOptions;
  detail: DetailLevel;
  /** Epochs of the exploring agent `bc-init` (from scratch). */
  initEpochs: number;
  /** Epochs of each final model, fine-tuned from `bc-init` on its mix. */
  finetuneEpochs: number;
  batchSize: number;
  maxSteps: number;
  actionTokens: number;
  feedbackTokens: number;
  concurrency: number;
  maxBatch: number;
  teacherGuided: { samples: number; temperature: number; correction: 'expert' | 'planner' };
  /**
   * `temperature` samples the episodes after the first `greedyEpisodes` of each task (default
   * 0: all sampled); greedy episodes are the deployed policy's own.
   */
  teacherFree: {
    corrector: 'planner' | 'llm' | 'sample'; temperature: number; samples: number; episodesPerTask: number; maxSteps?: number; greedyEpisodes?: number;
    /** Planning records from every visited state off the expert's path, the planner's next action as target (teacher-free.ts; not in the paper). */
    planningRecords?: boolean;
  };
  /**
   * Cap on the records each exploration adds to a mix (training time grows with it): only
   * `True` / `Task finished` feedback records are dropped to meet it, never `Error` or
   * correction records (mix.ts `capKeepingErrors`).
   */
  maxExplorationRecords?: number;
  /** Speculative inference's correction guard (policy.ts; default 'none': the paper's loop). */
  correctionGuard?: CorrectionGuard;
  /** Speculative corrections tried per step (policy.ts; default 1, the paper's single attempt). */
  correctionAttempts?: number;
  /** After a failed step, the next is the model's correction given the real feedback (policy.ts). */
  replanOnFailure?: boolean;
  /**
   * The fine-tunes continue bc-init's optimizer and learning-rate schedule (no warm-up, no
   * restart at the peak); bc-init's schedule is then planned over its own steps plus bc's
   * fine-tune. Default false: each fine-tune warms up to the peak again.
   */
  continueSchedule?: boolean;
  /** Length-grouped batches (training.ts `lengthGroups`; default off). */
  lengthGroups?: number;
  /** Length in model tokens or characters for `lengthGroups` (training.ts `lengthBy`; default chars). */
  lengthBy?: LengthUnit;
  /**
   * Share of the training tasks whose exploration records are kept out of every mix (seeded),
   * to measure feedback accuracy on tasks the models did not train on (default 0: none).
   */
  heldOutShare?: number;
  episodeTimeoutMs?: number;
  bootstrapResamples: number;
  /**
   * Keep only tasks whose NL expert program has at most this many steps (training and
   * evaluation alike; default: no limit). The quick recipe's small model learns short tasks.
   */
  maxExpertSteps?: number;
  /**
   * Subsample `True` / `Task finished` feedback of each exploration set to at most this many
   * per `Error` record before the cap (default: keep every step, the paper). See balanceFeedback.
   */
  feedbackBalance?: number;
  /**
   * Renamed copies (alignment/datasets/augment.ts) of each planning record added to
   * bc-init's training data (default 0: none, the paper). The fine-tuning mixes use the
   * original planning records unless `renamedPlanningShare` is set.
   */
  renamedCopies?: number;
  /**
   * Share of the planning records in every fine-tuning mix (the same records for all four
   * models) replaced by a renamed copy (default 0: none, the paper). Mixes keep their sizes.
   */
  renamedPlanningShare?: number;
  /**
   * Instead of `renamedPlanningShare`: renamed planning records make up this share of EVERY
   * model's mix (planningWithRenamedShare; issue 13: the same share for all four models).
   */
  renamedShareOfMix?: number;
  /**
   * Share of each exploration set's records (after balancing and the cap) replaced by a copy
   * with the task's objects renamed (`ObjectRenamer.rename` with `taskOnly`; default 0).
   */
  renamedExplorationShare?: number;
  /**
   * Teacher-guided exploration adds, per prefix, this many contrast proposals: the expert's
   * next action with one object swapped for another training program's object, executed and
   * labelled like the agent's proposals (contrast.ts; default 0: the paper).
   */
  contrastProposals?: number;
}

export interface PipelineDeps {
  factory: EpisodeFactory;
  provider: ModelProvider;
  tasks: { train: Task[]; seen: Task[]; unseen: Task[] };
  planner?: TeacherPlanner;
  /** For the `llm` corrector (an OpenAI-compatible endpoint through agent/backends). */
  correctorModel?: LanguageModel;
  /** Extra text for the tokenizer corpus (so that feedback messages are in its vocabulary). */
  extraCorpus?: string[];
  /**
   * Child processes that fine-tune the four models side by side (default 1: in this process,
   * one after another). Used only with a provider that has a `spec`; results are identical.
   */
  trainWorkers?: number;
  /**
   * Refuse before training when the run's training (a measured lower bound, see preflight.ts)
   * would take longer than this many hours. Absent: no check.
   */
  maxHours?: number;
  /** Called with every evaluation event (episode logs). */
  onEvalEvent?: (model: ModelName, job: EvalJob, e: RolloutEvent) => void;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface EvalJob {
  split: 'seen' | 'unseen';
  speculative: boolean;
  task: Task;
}

/** What the report needs of an evaluated episode (no scene), stored as JSON. */
export interface EvalEpisode {
  taskId: string;
  split: string;
  speculative: boolean;
  success: boolean;
  goal: { satisfied: number; total: number };
  steps: Array<{
    action: string; ok: boolean; predictedFeedback?: string | null; corrected?: boolean; proposed?: string;
    /** The failure code of a failed step. */
    failure?: string | null;
    /** Speculative steps: the feedback predicted for the proposal, its real outcome, the correction (if the gate fired). */
    proposalFeedback?: string; proposal?: { ok: boolean; code: string | null }; correction?: string | null;
    repeats?: 'proposal' | 'previous'; refused?: boolean;
  }>;
  expert?: string[];
  reason: string;
  calls: number;
  /** Rules of the household hazards the episode's actions brought about (feedback/hazards.ts). */
  hazards?: string[];
}

export interface PipelineResult {
  out: string;
  datasets: Record<string, Record<string, number>>;
  exploration: Record<string, unknown>;
  curves: Record<string, CurvePoint[]>;
  evals: Record<ModelName, EvalEpisode[]>;
  timings: Record<string, number>;
  skippedTasks: Array<{ id: string; reason: string }>;
  /** Figures about the method (method-stats.ts), also written to `method.json`. */
  method: MethodSummary;
}

export interface MethodSummary {
  /** Failures by code: what exploration taught (every failed proposal/step) vs what evaluation met (unseen, plain). */
  errorMix: { exploration: Record<string, Record<string, number>>; evaluation: Record<string, Record<string, number>> };
  /** Speculative inference on unseen tasks per model: the gate per proposal, and the corrections. */
  speculative: Record<string, { gate: ReturnType<typeof perProposalGate>; corrections: ReturnType<typeof correctionStats> }>;
  /** Feedback scores of each model on held-out tasks' feedback records and on a same-size sample of its training ones. */
  feedback: Record<string, { heldOut: Awaited<ReturnType<typeof feedbackRecordScores>>; train: Awaited<ReturnType<typeof feedbackRecordScores>> }>;
  /** Tokens the feedback decode budget needs (longest feedback target + end) and has. */
  feedbackBudget: { longest: number; maxTokens: number };
  /**
   * With a correction guard: e2cl + spec on the unseen tasks with the paper's loop exactly
   * (no guard) beside the guarded evaluation, same checkpoint.
   */
  guardAblation?: Record<'paper' | 'guarded', { successRate: number; stepExecutability: number; gate: ReturnType<typeof perProposalGate>; corrections: ReturnType<typeof correctionStats> }>;
}

function readRecords(path: string): E2CLRecord[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as E2CLRecord);
}

function writeRecords(path: string, rs: readonly E2CLRecord[]): void {
  writeFileAtomic(path, rs.map((r) => JSON.stringify(r)).join('\n') + (rs.length ? '\n' : ''));
}

function cached<T>(path: string, make: () => Promise<T>): Promise<T> {
  if (existsSync(path)) return Promise.resolve(JSON.parse(readFileSync(path, 'utf8')) as T);
  return make().then((v) => { writeFileAtomic(path, JSON.stringify(v)); return v; });
}

/** What `hearth eval` needs to prompt a checkpoint the way it was trained (saved beside it). */
export interface InferenceSettings {
  prompt: PromptOptions;
  actionTokens: number;
  feedbackTokens: number;
  maxSteps: number;
  detail: DetailLevel;
  recipe: string;
  /** The recipe's task-length filter, so that `hearth eval` picks tasks the same way. */
  maxExpertSteps?: number;
  correctionGuard?: CorrectionGuard;
  correctionAttempts?: number;
  replanOnFailure?: boolean;
}

export function inferenceSettings(r: Recipe): InferenceSettings {
  return {
    prompt: r.prompt, actionTokens: r.actionTokens, feedbackTokens: r.feedbackTokens, maxSteps: r.maxSteps, detail: r.detail, recipe: r.name,
    maxExpertSteps: r.maxExpertSteps, ...(r.correctionGuard ? { correctionGuard: r.correctionGuard } : {}),
    ...(r.correctionAttempts ? { correctionAttempts: r.correctionAttempts } : {}),
    ...(r.replanOnFailure ? { replanOnFailure: true } : {}),
  };
}

export function policyOf(r: Pick<Recipe, 'prompt' | 'actionTokens' | 'feedbackTokens' | 'correctionGuard' | 'correctionAttempts' | 'replanOnFailure'> & { detail?: DetailLevel; oracleGate?: boolean }): PolicyConfig {
  return {
    prompt: r.prompt,
    actionOptions: { maxTokens: r.actionTokens, stop: ['\n'] },
    feedbackOptions: { maxTokens: r.feedbackTokens, stop: ['\n'] },
    ...(r.correctionGuard ? { correctionGuard: r.correctionGuard } : {}),
    ...(r.correctionAttempts ? { correctionAttempts: r.correctionAttempts } : {}),
    ...(r.replanOnFailure ? { replanOnFailure: true } : {}),
    ...(r.oracleGate ? { oracleGate: true } : {}),
    ...(r.detail ? { feedbackDetail: r.detail } : {}),
  };
}

export function toEvalEpisode(e: RolloutEpisode, split: string): EvalEpisode {
  return {
    taskId: e.taskId, split, speculative: e.speculative, success: e.success, goal: e.goal,
    steps: e.steps.map((s) => ({
      action: s.action, ok: s.ok, predictedFeedback: s.predictedFeedback ?? null, corrected: s.corrected, proposed: s.speculative?.proposed,
      failure: s.ok ? null : (s.failure?.code ?? 'unknown'),
      ...(s.speculative ? {
        proposalFeedback: s.speculative.predictedFeedback, proposal: s.proposal, correction: s.speculative.correction,
        ...(s.speculative.repeats ? { repeats: s.speculative.repeats } : {}), ...(s.speculative.refused ? { refused: true } : {}),
      } : {}),
    })),
    expert: e.expert, reason: e.reason, calls: e.calls,
  };
}

/**
 * The built-in catalogue's objects and furniture, for renamed copies. A class is swapped only
 * for one with the same kind, the same properties and the same washability (issue 13: a
 * rename across properties describes impossible actions, "Turn on the bed"); a class alone
 * in its group is never renamed.
 */
export function renameableCatalogue(): RenameableClass[] {
  return CATALOGUE.filter((c) => c.kind === 'object' || c.kind === 'furniture')
    .map((c) => ({ className: c.className, display: displayName(c.className), group: `${c.kind}:${[...c.properties].sort().join(',')}:${c.washable ? 'washable' : ''}` }));
}

export async function runPipeline(out: string, recipe: Recipe, deps: PipelineDeps): Promise<PipelineResult> {
  const log = deps.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const v = await f();
    timings[name] = (timings[name] ?? 0) + (Date.now() - t0) / 1000;
    return v;
  };
  const ds = (n: string): string => join(out, 'datasets', n);
  const ck = (n: string): string => join(out, 'checkpoints', n);
  const policy = policyOf(recipe);

  // 1. Expert trajectories and behaviour-cloning data.
  const skippedTasks: Array<{ id: string; reason: string }> = [];
  const trajectories: ExpertTrajectory[] = [];
  for (const t of deps.tasks.train) {
    const r = expertTrajectory(t, deps.factory, recipe.seed);
    if (r.ok) trajectories.push(r.trajectory); else skippedTasks.push({ id: t.id, reason: r.reason });
  }
  if (trajectories.length === 0) throw new Error('no training task has an executable expert program');
  const planning = trajectories.flatMap((tr) => planningRecords(tr.task, tr.steps, recipe.prompt));
  if (!existsSync(ds('planning.records.jsonl'))) writeRecords(ds('planning.records.jsonl'), planning);
  log(`e2cl: ${trajectories.length} expert trajectories (${skippedTasks.length} skipped), ${planning.length} planning records`);

  // 2. The exploring agent.
  const renamed = recipe.renamedCopies
    ? new ObjectRenamer(renameableCatalogue()).augment(planning, recipe.renamedCopies, mulberry32(mixSeed(recipe.seed, 'rename')))
    : [];
  if (renamed.length) {
    if (!existsSync(ds('renamed.records.jsonl'))) writeRecords(ds('renamed.records.jsonl'), renamed);
    log(`e2cl: ${renamed.length} renamed copies of planning records for bc-init`);
  }
  const initData = [...planning, ...renamed];
  const corpus = [...initData.map((r) => r.input + r.output), ...(deps.extraCorpus ?? [])];
  const stepsOf = (records: number, epochs: number): number => epochs * Math.ceil(records / recipe.batchSize);
  // A trained model's directory also records the prompt settings it was trained with.
  const writeSettings = (name: string): void => writeFileAtomic(join(ck(name), 'e2cl.json'), JSON.stringify(inferenceSettings(recipe), null, 2));
  // With continueSchedule, bc-init's learning-rate schedule spans bc-init and bc's fine-tune
  // (the planning records' steps), and every fine-tune decays on from where bc-init stopped.
  const initScheduleSteps = recipe.continueSchedule
    ? stepsOf(initData.length, recipe.initEpochs) + stepsOf(planning.length, recipe.finetuneEpochs) : undefined;
  const fineTuneInit = { kind: 'checkpoint' as const, dir: ck('bc-init'), ...(recipe.continueSchedule ? { continueSchedule: true } : {}) };
  const train = async (name: string, records: readonly IOPair[], init: Parameters<typeof trainOnMix>[0]['init'], epochs: number, scheduleSteps?: number) =>
    timed(`train:${name}`, async () => {
      const progress = new Progress(`train ${name}`, stepsOf(records.length, epochs), deps.quiet);
      const r = await trainOnMix({
        provider: deps.provider, records, init, epochs, batchSize: recipe.batchSize, seed: mixSeed(recipe.seed, name), dir: ck(name), progress,
        lengthGroups: recipe.lengthGroups, lengthBy: recipe.lengthBy, scheduleSteps,
      });
      writeSettings(name);
      return r;
    });
  if (deps.maxHours !== undefined && !existsSync(join(ck('bc-init'), 'final.json'))) {
    const steps = minimumTrainingSteps({ initRecords: initData.length, planningRecords: planning.length, batchSize: recipe.batchSize, initEpochs: recipe.initEpochs, finetuneEpochs: recipe.finetuneEpochs });
    log(`e2cl: timing a training step to price ${steps.toLocaleString('en-US')} steps against --max-hours ${deps.maxHours}`);
    const secondsPerStep = await timeTrainingStep(deps.provider, corpus, initData, recipe.batchSize, recipe.seed);
    const est = { steps, secondsPerStep, hours: steps * secondsPerStep / 3600 };
    checkTimeBudget(recipe.name, est, deps.maxHours);
    log(`e2cl: training estimated at ≥ ${est.hours.toFixed(2)} h (${secondsPerStep.toFixed(2)} s per step), within --max-hours ${deps.maxHours}`);
  }
  const init = await train('bc-init', initData, { kind: 'scratch', corpus }, recipe.initEpochs, initScheduleSteps);
  const curves: Record<string, CurvePoint[]> = { 'bc-init': init.curve };

  // 3. Exploration with the BC agent.
  const explorer = init.model;
  const tgPath = ds('teacher-guided.records.jsonl');
  const tfPath = ds('teacher-free.records.jsonl');
  const exploration: Record<string, unknown> = existsSync(join(out, 'exploration.json'))
    ? JSON.parse(readFileSync(join(out, 'exploration.json'), 'utf8')) as Record<string, unknown> : {};
  if (!existsSync(tgPath)) {
    await timed('explore:teacher-guided', async () => {
      const dec = new BatchedDecoder(explorer.lm, { maxBatch: recipe.maxBatch });
      const prefixes = trajectories.reduce((n, tr) => n + tr.steps.length + 1, 0);
      const r = await teacherGuided(trajectories, dec, {
        factory: deps.factory, seed: recipe.seed, prompt: recipe.prompt, detail: recipe.detail,
        correction: recipe.teacherGuided.correction, planner: deps.planner, samples: recipe.teacherGuided.samples,
        temperature: recipe.teacherGuided.temperature, maxTokens: recipe.actionTokens,
        ...(recipe.contrastProposals ? { contrast: { perPrefix: recipe.contrastProposals, names: namesInActions(trajectories.flatMap((t) => t.steps.map((s) => s.action))) } } : {}),
      }, new Progress('teacher-guided exploration', prefixes, deps.quiet));
      dec.close();
      exploration.teacherGuided = { ...r.stats, decoder: dec.stats };
      writeRecords(tgPath, r.records);
    });
  }
  if (!existsSync(tfPath)) {
    await timed('explore:teacher-free', async () => {
      const dec = new BatchedDecoder(explorer.lm, { maxBatch: recipe.maxBatch });
      const corrector = makeCorrector(recipe, deps);
      // The first `greedyEpisodes` episodes of each task decode greedily (the deployed policy), the rest sample.
      const jobs: RolloutJob[] = [];
      for (let i = 0; i < recipe.teacherFree.episodesPerTask; i++) {
        const greedy = i < (recipe.teacherFree.greedyEpisodes ?? 0);
        jobs.push(...deps.tasks.train.map((task) => (greedy ? { task, temperature: 0 } : { task })));
      }
      const tfPolicy: PolicyConfig = recipe.teacherFree.temperature > 0
        ? { ...policy, actionOptions: { ...policy.actionOptions, temperature: recipe.teacherFree.temperature, seed: recipe.seed } }
        : policy;
      const r = await teacherFree(jobs, dec, {
        factory: deps.factory, seed: recipe.seed, policy: tfPolicy, detail: recipe.detail, corrector,
        maxSteps: recipe.teacherFree.maxSteps ?? recipe.maxSteps, concurrency: recipe.concurrency, timeoutMs: recipe.episodeTimeoutMs,
        ...(recipe.teacherFree.planningRecords ? { planningFrom: requirePlanner(deps) } : {}),
      }, new Progress('teacher-free exploration', jobs.length, deps.quiet));
      dec.close();
      exploration.teacherFree = { ...r.stats, corrector: corrector.name, decoder: dec.stats };
      writeRecords(tfPath, r.records);
    });
  }
  writeFileAtomic(join(out, 'exploration.json'), JSON.stringify(exploration, null, 2));
  // Each exploration set: balance its feedback labels (optional), then cap its size (optional).
  const cap = (all: E2CLRecord[], name: string): E2CLRecord[] => explorationForMix(all, {
    balance: recipe.feedbackBalance, max: recipe.maxExplorationRecords, balanceSeed: mixSeed(recipe.seed, 'balance', name), capSeed: mixSeed(recipe.seed, 'cap', name),
  });
  // Held-out tasks: their exploration records go into no mix (feedback scored on them after training).
  const heldOutIds = new Set(recipe.heldOutShare
    ? shuffled(trajectories.map((t) => t.task.id), mulberry32(mixSeed(recipe.seed, 'held-out'))).slice(0, Math.round(trajectories.length * recipe.heldOutShare)) : []);
  const readExploration = (path: string): { kept: E2CLRecord[]; held: E2CLRecord[] } => {
    const all = readRecords(path);
    return { kept: all.filter((r) => !heldOutIds.has(r.taskId)), held: all.filter((r) => heldOutIds.has(r.taskId)) };
  };
  const tgRead = readExploration(tgPath);
  const tfRead = readExploration(tfPath);
  const tgAll = tgRead.kept;
  const tfAll = tfRead.kept;
  const heldOut = dedupe([...tgRead.held, ...tfRead.held]).filter((r) => r.kind === 'feedback');
  const renameTaskObjects = (rs: E2CLRecord[], name: string): E2CLRecord[] => (recipe.renamedExplorationShare
    ? new ObjectRenamer(renameableCatalogue()).replaceShare(rs, recipe.renamedExplorationShare, mulberry32(mixSeed(recipe.seed, 'rename-mix', name)), { taskOnly: true })
    : rs);
  const tg = renameTaskObjects(cap(tgAll, 'teacher-guided'), 'teacher-guided');
  const tf = renameTaskObjects(cap(tfAll, 'teacher-free'), 'teacher-free');

  // 4. The four models, each fine-tuned from bc-init on its shuffled mix.
  // Optionally a share of the planning records renamed in place, the same records in every mix.
  // Exploration records never: renamed feedback records can carry false labels (see augment.ts).
  const planMix = recipe.renamedPlanningShare
    ? new ObjectRenamer(renameableCatalogue()).replaceShare(planning, recipe.renamedPlanningShare, mulberry32(mixSeed(recipe.seed, 'rename-mix', 'planning')))
    : planning;
  // With renamedShareOfMix instead: renamed planning records are the same share of every mix as trained.
  if (recipe.renamedShareOfMix && recipe.renamedPlanningShare) {
    throw new HearthError('e2cl.recipe', `the recipe sets both renamedShareOfMix (${recipe.renamedShareOfMix}) and renamedPlanningShare (${recipe.renamedPlanningShare}), two different ways to rename planning records in the mixes`,
      'set one of them to 0, e.g. --recipe \'{"renamedPlanningShare": 0}\'');
  }
  const renamedAll = recipe.renamedShareOfMix
    ? new ObjectRenamer(renameableCatalogue()).replaceShare(planning, 1, mulberry32(mixSeed(recipe.seed, 'rename-mix', 'planning'))) : [];
  const renameOrder = shuffled(planning.map((_, i) => i), mulberry32(mixSeed(recipe.seed, 'rename-order')));
  const renamedInMix: Partial<Record<ModelName, number>> = {};
  const mixOf = (name: ModelName, others: E2CLRecord[][]): E2CLRecord[] => {
    if (!recipe.renamedShareOfMix) return mixRecords([planMix, ...others], mixSeed(recipe.seed, 'mix', name));
    const m = mixWithRenamedShare(planning, renamedAll, others, recipe.renamedShareOfMix, renameOrder, mixSeed(recipe.seed, 'mix', name), name);
    renamedInMix[name] = m.renamed;
    return m.mix;
  };
  const mixes: Record<ModelName, E2CLRecord[]> = { bc: mixOf('bc', []), 'bc-tg': mixOf('bc-tg', [tg]), 'bc-tf': mixOf('bc-tf', [tf]), e2cl: mixOf('e2cl', [tg, tf]) };
  const datasets: Record<string, Record<string, number>> = {
    planning: recordStats(planning), 'teacher-guided': recordStats(tgAll), 'teacher-free': recordStats(tfAll),
    'teacher-guided (in mixes)': recordStats(tg), 'teacher-free (in mixes)': recordStats(tf),
  };
  for (const name of MODEL_NAMES) {
    datasets[name] = { ...recordStats(mixes[name]), ...(renamedInMix[name] !== undefined ? { renamedPlanning: renamedInMix[name] } : {}) };
    writeE2CLJsonl(ds(`${name}.e2cl.jsonl`), mixes[name]);
    writeTrlJsonl(ds(`${name}.trl.jsonl`), mixes[name]);
  }
  // The feedback decode budget must hold every feedback target whole: the correction prompt
  // at inference then reads the same `Feedback: Error, <reason>` line as in training.
  const tokenizer = (explorer.lm as { tokenizer?: { encode(s: string): number[] } }).tokenizer;
  const feedbackBudget = { longest: 0, maxTokens: recipe.feedbackTokens };
  if (tokenizer) {
    const targets = [...mixes.e2cl, ...heldOut].filter((r) => r.kind === 'feedback').map((r) => r.output);
    const b = feedbackBudgetShortfall(new Set(targets), (t) => tokenizer.encode(t).length, recipe.feedbackTokens);
    feedbackBudget.longest = b.longest;
    if (b.shortfall > 0) {
      throw new HearthError('e2cl.recipe', `the recipe's feedbackTokens (${recipe.feedbackTokens}) is shorter than the longest feedback target (${b.longest} tokens with its end), so predicted feedback would be cut at inference and correction prompts would differ from training's`,
        `raise it: --recipe '{"feedbackTokens": ${b.longest}}'`);
    }
  }
  explorer.dispose?.();
  const workers = deps.provider.spec ? Math.min(deps.trainWorkers ?? 1, MODEL_NAMES.length) : 1;
  if (workers > 1) {
    const jobs: TrainJob[] = MODEL_NAMES.map((name) => ({
      name, recordsFile: ds(`${name}.e2cl.jsonl`), init: fineTuneInit, epochs: recipe.finetuneEpochs,
      batchSize: recipe.batchSize, seed: mixSeed(recipe.seed, name), dir: ck(name),
      steps: stepsOf(mixes[name].length, recipe.finetuneEpochs), lengthGroups: recipe.lengthGroups, lengthBy: recipe.lengthBy,
    }));
    const progress = new Progress(`train ${MODEL_NAMES.join(', ')} (${workers} processes)`, jobs.reduce((n, j) => n + j.steps, 0), deps.quiet);
    const results = await timed('train:fine-tunes (wall)', () => runTrainJobs(jobs, deps.provider.spec!, workers, (n, extra) => progress.tick(n, extra)));
    for (const r of results) {
      timings[`train:${r.name}`] = r.seconds;
      curves[r.name] = r.curve;
      writeSettings(r.name);
    }
  } else {
    for (const name of MODEL_NAMES) {
      const r = await train(name, mixes[name], fineTuneInit, recipe.finetuneEpochs);
      curves[name] = r.curve;
      r.model.dispose?.();
    }
  }

  // 5. Evaluation: every model, with and without speculative inference, on seen and unseen.
  const evals = {} as Record<ModelName, EvalEpisode[]>;
  for (const name of MODEL_NAMES) {
    evals[name] = await timed(`eval:${name}`, () => cached(join(out, 'eval', `${name}.json`), async () => {
      const model = await deps.provider.load(resolveCheckpoint(ck(name)));
      const jobs: EvalJob[] = [];
      for (const split of ['unseen', 'seen'] as const) {
        for (const speculative of [false, true]) for (const task of deps.tasks[split]) jobs.push({ split, speculative, task });
      }
      const eps = await evaluateJobs(model.lm, jobs, recipe, deps.factory, `eval ${name}`, deps.quiet,
        deps.onEvalEvent ? (job, e) => deps.onEvalEvent!(name, job, e) : undefined);
      model.dispose?.();
      return eps;
    }));
  }
  const method = await timed('method-stats', () => cached(join(out, 'method.json'), () => methodSummary(recipe, deps, ck, evals, exploration, heldOut, mixes.e2cl, feedbackBudget)));
  return { out, datasets, exploration, curves, evals, timings, skippedTasks, method };
}

/** The method's figures (method-stats.ts) for one run. */
async function methodSummary(recipe: Recipe, deps: PipelineDeps, ck: (n: string) => string, evals: Record<ModelName, EvalEpisode[]>,
  exploration: Record<string, unknown>, heldOut: readonly E2CLRecord[], trainMix: readonly E2CLRecord[], feedbackBudget: MethodSummary['feedbackBudget']): Promise<MethodSummary> {
  const codes = (k: string): Record<string, number> => ((exploration[k] as { errorCodes?: Record<string, number> } | undefined)?.errorCodes ?? {});
  const errorMix: MethodSummary['errorMix'] = { exploration: { 'teacher-guided': shares(codes('teacherGuided')), 'teacher-free': shares(codes('teacherFree')) }, evaluation: {} };
  const speculative: MethodSummary['speculative'] = {};
  for (const name of MODEL_NAMES) {
    errorMix.evaluation[name] = shares(evalErrorCodes(evals[name].filter((e) => e.split === 'unseen' && !e.speculative)));
    const spec = evals[name].filter((e) => e.split === 'unseen' && e.speculative);
    speculative[name] = { gate: perProposalGate(spec), corrections: correctionStats(spec) };
  }
  const feedback: MethodSummary['feedback'] = {};
  if (heldOut.length) {
    // The training side: a seeded sample of the e2cl mix's feedback records, as many as held out.
    const trainFb = shuffled(trainMix.filter((r) => r.kind === 'feedback'), mulberry32(mixSeed(recipe.seed, 'fit-sample'))).slice(0, heldOut.length);
    const options = policyOf(recipe).feedbackOptions;
    for (const name of MODEL_NAMES) {
      const model = await deps.provider.load(resolveCheckpoint(ck(name)));
      feedback[name] = { heldOut: await feedbackRecordScores(model.lm, heldOut, options), train: await feedbackRecordScores(model.lm, trainFb, options) };
      model.dispose?.();
    }
  }
  let guardAblation: MethodSummary['guardAblation'];
  if (recipe.correctionGuard && recipe.correctionGuard !== 'none') {
    const model = await deps.provider.load(resolveCheckpoint(ck('e2cl')));
    const jobs: EvalJob[] = deps.tasks.unseen.map((task) => ({ split: 'unseen', speculative: true, task }));
    const paper = await evaluateJobs(model.lm, jobs, { ...recipe, correctionGuard: 'none' }, deps.factory, 'eval e2cl (paper loop, no guard)', deps.quiet);
    model.dispose?.();
    const summary = (eps: readonly EvalEpisode[]) => {
      const steps = eps.flatMap((e) => e.steps);
      return {
        successRate: eps.filter((e) => e.success).length / Math.max(1, eps.length),
        stepExecutability: steps.filter((s) => s.ok).length / Math.max(1, steps.length),
        gate: perProposalGate(eps), corrections: correctionStats(eps),
      };
    };
    guardAblation = { paper: summary(paper), guarded: summary(evals.e2cl.filter((e) => e.split === 'unseen' && e.speculative)) };
  }
  return { errorMix, speculative, feedback, feedbackBudget, ...(guardAblation ? { guardAblation } : {}) };
}

/** Run evaluation jobs through one batched decoder; returns episodes in job order. */
export async function evaluateJobs(lm: LanguageModel, jobs: readonly EvalJob[],
  recipe: Pick<Recipe, 'prompt' | 'actionTokens' | 'feedbackTokens' | 'maxSteps' | 'seed' | 'concurrency' | 'maxBatch' | 'episodeTimeoutMs' | 'correctionGuard' | 'correctionAttempts' | 'replanOnFailure'> & { detail?: DetailLevel; oracleGate?: boolean }, factory: EpisodeFactory,
  label: string, quiet?: boolean, onEvent?: (job: EvalJob, e: RolloutEvent) => void): Promise<EvalEpisode[]> {
  const dec = new BatchedDecoder(lm, { maxBatch: recipe.maxBatch });
  const progress = new Progress(label, jobs.length, quiet);
  const rjobs: RolloutJob[] = jobs.map((j) => ({ task: j.task, speculative: j.speculative }));
  const eps = await runRollout(rjobs, dec, {
    factory, policy: policyOf(recipe), speculative: false, maxSteps: recipe.maxSteps, seed: recipe.seed,
    concurrency: recipe.concurrency, timeoutMs: recipe.episodeTimeoutMs,
  }, (e) => {
    onEvent?.(jobs[e.index], e);
    if (e.kind === 'end') progress.tick(1);
  }).promise;
  dec.close();
  return eps.map((e, i) => ({ ...toEvalEpisode(e, jobs[i].split), ...withHazards(factory, e, recipe.maxSteps) }));
}

/**
 * The hazards an episode's actions brought about, replayed on a fresh episode (when the env
 * exposes its graph); other runners of rollouts (suites) can record them the same way.
 */
export function withHazards(factory: EpisodeFactory, e: RolloutEpisode, maxSteps: number): { hazards?: string[] } {
  return hazardRulesOf(factory(e.task, { seed: e.seed, maxSteps }), e.seed, e.steps.map((s) => s.action));
}

function requirePlanner(deps: Pick<PipelineDeps, 'planner'>): TeacherPlanner {
  if (!deps.planner) throw new Error('teacherFree.planningRecords needs a planner');
  return deps.planner;
}

export function makeCorrector(recipe: Recipe, deps: Pick<PipelineDeps, 'planner' | 'correctorModel'>): Corrector {
  switch (recipe.teacherFree.corrector) {
    case 'planner':
      if (!deps.planner) throw new Error('the planner corrector needs a planner');
      return plannerCorrector(deps.planner);
    case 'llm':
      if (!deps.correctorModel) throw new Error('the llm corrector needs a model endpoint');
      return llmCorrector(deps.correctorModel);
    case 'sample':
      return sampleCorrector(recipe.teacherFree.samples, Math.max(0.5, recipe.teacherFree.temperature), recipe.seed, recipe.prompt);
  }
}
