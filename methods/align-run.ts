/**
 * One `hearth align` run: from the E2CL `bc` checkpoint, preference pairs sampled and executed
 * on the training tasks (methods/household-pairs.ts), an SAE on the residual stream when the
 * method needs one, then every arm of the method trained for the same steps on the same pairs
 * from the same start, once per seed, and each trained model evaluated on unseen tasks (greedy,
 * as E2CL evaluates) and on held-out pairs. Seeds change the order of the pairs in the batches
 * (no dropout in preference training, so that is the only randomness of a run).
 */
import { join } from 'node:path';
import type { SparseAutoencoder } from '../agent/interp/sae.ts';
import { loadModel, type LocalModel } from '../agent/local-model.ts';
import { tf } from '../agent/tfjs.ts';
import type { Task } from '../env/task.ts';
import { writeFileAtomic } from '../env/files.ts';
import { HearthError } from '../env/errors.ts';
import { writeTrlPreferenceJsonl } from '../alignment/datasets/export.ts';
import type { PromptOptions } from '../alignment/datasets/prompts.ts';
import { planningRecords } from '../alignment/datasets/records.ts';
import { mixSeed, mulberry32, shuffled } from '../alignment/datasets/rng.ts';
import { defaultReduce, needsReference, withReferenceLogProbs, type PreferencePair, type PreferenceStepOptions } from '../alignment/preference.ts';
import { rankingLossFn, type RankingExample } from '../alignment/ranking.ts';
import { collectActivations, trainSae } from '../alignment/sae-train.ts';
import { defaultMicroBatchRows, Trainer, type StepResult } from '../alignment/trainer.ts';
import type { EpisodeFactory } from '../exploration/env-adapter.ts';
import { expertTrajectory } from '../exploration/expert.ts';
import { evaluateJobs, type EvalEpisode } from '../exploration/pipeline.ts';
import { Progress } from '../exploration/progress.ts';
import { fpoLossFn, withFpoReference, type FpoPair } from './fpo/fpo-loss.ts';
import { householdPairs, type HouseholdPair, type SamplingStats } from './household-pairs.ts';
import { facetRates, judgePlan, type FacetVerdict } from './muffin/facets.ts';
import { contextStats, muffinContexts, teacherGold, type MuffinContext } from './muffin/contexts.ts';
import type { AlignMethod, Arm } from './registry.ts';
import { editWeights, subtleErrorPairs, type EditedPair } from './rise/edits.ts';

export interface AlignSizes {
  trainTasks: number;
  evalTasks: number;
  /** Plans sampled per training task. */
  samples: number;
  temperature: number;
  /** Optimizer steps per arm and seed, pairs per step. */
  steps: number;
  batchPairs: number;
  lr: number;
  warmupSteps: number;
  /** Share of the training tasks whose pairs are held out (the pair-accuracy metric). */
  heldOutShare: number;
  sae: { features: number; k: number; steps: number; batch: number; lr: number };
}

export const QUICK_ALIGN: AlignSizes = {
  trainTasks: 300, evalTasks: 200, samples: 4, temperature: 1, steps: 30, batchPairs: 16, lr: 3e-4, warmupSteps: 3, heldOutShare: 0.2,
  sae: { features: 512, k: 32, steps: 400, batch: 512, lr: 2e-3 },
};

/** For tests and smoke runs: a few tasks, a few steps. */
export const TINY_ALIGN: AlignSizes = {
  ...QUICK_ALIGN, trainTasks: 24, evalTasks: 8, steps: 3, batchPairs: 4,
  sae: { features: 64, k: 8, steps: 25, batch: 256, lr: 2e-3 },
};

export const FULL_ALIGN: AlignSizes = {
  ...QUICK_ALIGN, trainTasks: 600, evalTasks: 300, samples: 8, steps: 150,
  sae: { features: 1024, k: 32, steps: 2000, batch: 1024, lr: 1e-3 },
};

/** How the checkpoint was prompted in E2CL (its e2cl.json). */
export interface AlignSettings {
  prompt: PromptOptions;
  actionTokens: number;
  maxSteps: number;
}

export interface AlignDeps {
  checkpoint: string;
  settings: AlignSettings;
  tasks: { train: Task[]; unseen: Task[] };
  factory: EpisodeFactory;
  seed: number;
  seeds: number;
  out: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface SeedRun {
  seed: number;
  /** Per step; `rank`: Muffin's ranking term (its `loss/rank`), whose share of the loss the report gives. */
  curve: Array<{ step: number; loss: number; margin: number; accuracy: number; rank?: number }>;
  secondsPerStep: number;
  peakBytes: number;
  episodes: EvalEpisode[];
  /** Per held-out pair: mean log-prob of the chosen completion minus the rejected one's. */
  pairMargins: number[];
  /** The same on held-out subtle-error pairs of unseen tasks (RISE). */
  subtleMargins?: number[];
  /** Muffin: the facets of every evaluation episode (same order as `episodes`). */
  verdicts?: FacetVerdict[];
}

export interface ArmResult { arm: Arm; runs: SeedRun[] }

export interface AlignResult {
  method: AlignMethod;
  sizes: AlignSizes;
  sampling: SamplingStats;
  trainPairs: number;
  heldOutPairs: number;
  sae?: { hook: string; features: number; k: number; heldOut: { fvu: number; l0: number; deadFraction: number; rows: number }; train: { fvu: number; l0: number; deadFraction: number; rows: number }; seconds: number };
  start: { episodes: EvalEpisode[]; pairMargins: number[]; subtleMargins?: number[]; verdicts?: FacetVerdict[] };
  /** Muffin: its contexts, and the facet rates of the sampled training plans and of the unseen tasks' expert plans. */
  muffin?: { train: ReturnType<typeof contextStats>; heldOutContexts: number; sampled: ReturnType<typeof facetRates> & { plans: number }; expert: ReturnType<typeof facetRates> & { plans: number } };
  /** RISE: subtle-error pairs built for training and held out, by edit kind. */
  subtle?: { train: number; heldOut: number; kinds: Record<string, number> };
  arms: ArmResult[];
  /** DPO with the reference model in memory (scored every step), a few steps: its cost only. */
  onlineDpoCost?: { secondsPerStep: number; peakBytes: number; steps: number };
  timings: Record<string, number>;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };

/** Per pair: the model's mean log-prob of the chosen completion (with EOS) minus the rejected one's. */
export function pairMargins(lm: LocalModel, pairs: readonly PreferencePair[]): number[] {
  const c = lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.chosen })), { average: 'mean', includeEos: true });
  const r = lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.rejected })), { average: 'mean', includeEos: true });
  return c.map((x, i) => x - r[i]);
}

/** Tasks split by a seeded shuffle: pairs of the first `share` of them are held out. */
function splitByTask(pairs: readonly HouseholdPair[], share: number, seed: number): { train: HouseholdPair[]; heldOut: HouseholdPair[] } {
  const ids = shuffled([...new Set(pairs.map((p) => p.taskId))], mulberry32(mixSeed(seed, 'held-out')));
  const held = new Set(ids.slice(0, Math.round(ids.length * share)));
  return { train: pairs.filter((p) => !held.has(p.taskId)), heldOut: pairs.filter((p) => held.has(p.taskId)) };
}

export async function runAlign(method: AlignMethod, sizes: AlignSizes, deps: AlignDeps): Promise<AlignResult> {
  const log = deps.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t0 = Date.now();
    const v = await f();
    timings[name] = (timings[name] ?? 0) + (Date.now() - t0) / 1000;
    return v;
  };
  const { settings, factory } = deps;
  const start = await loadModel(deps.checkpoint);
  const evalRecipe = { prompt: settings.prompt, actionTokens: settings.actionTokens, feedbackTokens: 4, maxSteps: settings.maxSteps, seed: deps.seed, concurrency: 64, maxBatch: 64 };
  const evaluate = (lm: LocalModel, label: string): Promise<EvalEpisode[]> =>
    evaluateJobs(lm, deps.tasks.unseen.map((task) => ({ split: 'unseen' as const, speculative: false, task })), evalRecipe, factory, label, deps.quiet);

  // 1. Pairs from sampled, executed plans of the training tasks.
  const sampled = await timed('pairs', () => householdPairs(start, deps.tasks.train, factory, {
    samples: sizes.samples, temperature: sizes.temperature, seed: deps.seed, maxSteps: settings.maxSteps, actionTokens: settings.actionTokens,
    prompt: settings.prompt, quiet: deps.quiet,
  }));
  const { train, heldOut } = splitByTask(sampled.pairs, sizes.heldOutShare, deps.seed);
  log(`align: ${sampled.stats.episodes} sampled plans (${sampled.stats.successes} reach the goal) → ${sampled.pairs.length} pairs from ${sampled.stats.tasksWithPairs} tasks; ${train.length} to train on, ${heldOut.length} held out`);
  if (train.length === 0) {
    throw new HearthError('align.pairs', `no preference pairs from ${deps.checkpoint}: in every training task all ${sizes.samples} sampled plans had the same outcome`,
      'start from a model whose sampled plans differ in outcome (the bc model of `hearth e2cl --quick`), or sample more plans per task');
  }

  // 1a. Muffin: every sampled plan judged by facets; contexts where the plans of a task branch,
  // from the tasks not held out, with the teacher's action as gold.
  let muffinTrain: MuffinContext[] = [];
  let muffin: AlignResult['muffin'];
  const judge = (task: Task, e: { steps: ReadonlyArray<{ action: string }> }): FacetVerdict => judgePlan(factory, task, deps.seed, e.steps.map((s) => s.action));
  if (method.facets) {
    await timed('facets', () => {
      const heldTasks = new Set(heldOut.map((p) => p.taskId));
      const gold = teacherGold(factory, deps.seed, settings.maxSteps);
      const verdicts: FacetVerdict[] = [];
      let heldOutContexts = 0;
      deps.tasks.train.forEach((task, t) => {
        const plans = sampled.samples.map((k) => k[t]);
        const vs = plans.map((e) => judge(task, e));
        verdicts.push(...vs);
        if (heldTasks.has(task.id)) { heldOutContexts += muffinContexts(task, plans, vs, { prompt: settings.prompt, gold: () => null }).length; return; }
        muffinTrain.push(...muffinContexts(task, plans, vs, { prompt: settings.prompt, gold }));
      });
      const experts = deps.tasks.unseen.flatMap((task) => (task.expertNL?.length ? [judgePlan(factory, task, deps.seed, task.expertNL)] : []));
      muffin = { train: contextStats(muffinTrain), heldOutContexts, sampled: { ...facetRates(verdicts), plans: verdicts.length }, expert: { ...facetRates(experts), plans: experts.length } };
      log(`align: facets of ${verdicts.length} sampled plans: ${(100 * muffin.sampled.unhelpful).toFixed(1)}% unhelpful; ${muffin.train.contexts} contexts to train on (${muffin.train.mixed} with helpful and unhelpful candidates, ${muffin.train.withGold} with gold), ${heldOutContexts} from held-out tasks left out`);
    });
    if (muffinTrain.length === 0) {
      throw new HearthError('align.contexts', `no Muffin contexts from ${deps.checkpoint}: the ${sizes.samples} sampled plans of every training task are the same`,
        'start from a model whose sampled plans differ (the bc model of `hearth e2cl --quick`), or sample more plans per task');
    }
  }

  // 1b. RISE: verified subtle-error pairs from the expert plans of the training tasks not held
  // out (to train on) and of the unseen tasks (the held-out metric every arm is scored on).
  let riseTrain: PreferencePair[] = [];
  let riseHeld: EditedPair[] = [];
  let subtle: AlignResult['subtle'];
  if (method.subtleErrors) {
    await timed('rise-edits', () => {
      const heldTasks = new Set(heldOut.map((p) => p.taskId));
      const trajectories = (ts: readonly Task[]) => ts.flatMap((t) => { const r = expertTrajectory(t, factory, deps.seed); return r.ok ? [r.trajectory] : []; });
      const edited = subtleErrorPairs(trajectories(deps.tasks.train.filter((t) => !heldTasks.has(t.id))), factory, { seed: deps.seed, prompt: settings.prompt });
      riseHeld = subtleErrorPairs(trajectories(deps.tasks.unseen), factory, { seed: mixSeed(deps.seed, 'held'), prompt: settings.prompt });
      const tok = start.tokenizer;
      riseTrain = edited.map((p) => {
        const w = editWeights([...tok.encode(p.chosen), tok.eos], [...tok.encode(p.rejected), tok.eos], 2);
        return { ...p, chosenWeights: w.a, rejectedWeights: w.b };
      });
      const kinds: Record<string, number> = {};
      for (const p of edited) kinds[p.edit] = (kinds[p.edit] ?? 0) + 1;
      subtle = { train: edited.length, heldOut: riseHeld.length, kinds };
      log(`align: ${edited.length} subtle-error pairs to train on (${JSON.stringify(kinds)}), ${riseHeld.length} from unseen tasks held out`);
    });
  }
  /**
   * An arm's training data: RISE mixes half sampled and half subtle-error pairs, same count as the
   * sampled set; Muffin's arms take the contexts (without the ranking term, only the first
   * candidate is kept: the others would be scored for nothing).
   */
  const armData = (arm: Arm): PreferencePair[] | MuffinContext[] => {
    if (arm.ranking) return arm.ranking.rankWeight === 0 ? muffinTrain.map((c) => ({ ...c, candidates: c.candidates.slice(0, 1), labels: c.labels.slice(0, 1) })) : muffinTrain;
    if (arm.data !== 'rise') return train;
    const rng = mulberry32(mixSeed(deps.seed, 'rise-mix'));
    const edits = shuffled(riseTrain, rng).slice(0, Math.floor(train.length / 2));
    return shuffled([...shuffled(train, rng).slice(0, train.length - edits.length), ...edits], rng);
  };

  // 2. The SAE on the residual stream of the last block (FPO's layer), from expert planning prompts.
  let sae: SparseAutoencoder | undefined;
  let saeInfo: AlignResult['sae'];
  if (method.needsSae) {
    await timed('sae', () => {
      const t0 = Date.now();
      const hook = `blocks.${start.config.layers - 1}.hook_resid_post`;
      const texts = deps.tasks.train.flatMap((task) => {
        const r = expertTrajectory(task, factory, deps.seed);
        return r.ok ? planningRecords(task, r.trajectory.steps, settings.prompt).map((x) => ({ input: x.input, output: x.output })) : [];
      });
      const cut = Math.floor(texts.length * 0.8);
      const rows = collectActivations(start, texts.slice(0, cut), { hook });
      const heldRows = collectActivations(start, texts.slice(cut), { hook });
      const progress = new Progress('train SAE', sizes.sae.steps, deps.quiet);
      const r = trainSae(rows, { ...sizes.sae, hook, seed: deps.seed, onStep: () => progress.tick(25) });
      sae = r.sae;
      saeInfo = { hook, features: sizes.sae.features, k: sizes.sae.k, heldOut: sae.metrics(heldRows), train: sae.metrics(rows), seconds: 0 };
      saeInfo.seconds = (Date.now() - t0) / 1000;
      rows.dispose();
      heldRows.dispose();
      sae.save(join(deps.out, 'sae'), { heldOut: saeInfo.heldOut, train: saeInfo.train, checkpoint: deps.checkpoint, curve: r.curve });
      log(`align: SAE ${hook} F=${sizes.sae.features} k=${sizes.sae.k}: held-out FVU ${saeInfo.heldOut.fvu.toFixed(4)}, L0 ${saeInfo.heldOut.l0.toFixed(1)}, dead ${(100 * saeInfo.heldOut.deadFraction).toFixed(1)}% (${saeInfo.heldOut.rows} rows)`);
    });
  }

  // 3. Offline references (once) and the datasets beside the report.
  const refs = new Map<string, PreferencePair[] | MuffinContext[]>();
  for (const arm of method.arms) {
    if (arm.ranking) { refs.set(arm.name, armData(arm)); continue; }
    const pairs = armData(arm) as PreferencePair[];
    if (arm.loss.kind === 'fpo') refs.set(arm.name, await timed('reference', () => withFpoReference(start, sae!, pairs)));
    else if (needsReference(arm.loss)) refs.set(arm.name, await timed('reference', () => withReferenceLogProbs(start, pairs, arm.loss)));
    else refs.set(arm.name, pairs);
  }
  const dpoRefs = (refs.get('dpo') ?? (method.arms[0].loss?.kind === 'sigmoid' ? refs.get(method.arms[0].name) : undefined)) as PreferencePair[] | undefined;
  writeTrlPreferenceJsonl(join(deps.out, 'datasets', 'pairs.train.jsonl'), dpoRefs ?? train);
  if (method.facets) writeFileAtomic(join(deps.out, 'datasets', 'muffin.train.jsonl'), muffinTrain.map((c) => JSON.stringify(c)).join('\n') + '\n');
  writeTrlPreferenceJsonl(join(deps.out, 'datasets', 'pairs.heldout.jsonl'), heldOut);
  if (method.subtleErrors) {
    writeTrlPreferenceJsonl(join(deps.out, 'datasets', 'subtle.train.jsonl'), riseTrain);
    writeTrlPreferenceJsonl(join(deps.out, 'datasets', 'subtle.heldout.jsonl'), riseHeld);
  }
  writeFileAtomic(join(deps.out, 'datasets', 'pairs.meta.json'), JSON.stringify({ stats: sampled.stats, train: train.map((p) => [p.taskId, p.step]), heldOut: heldOut.map((p) => [p.taskId, p.step]) }));

  // 4. The starting model: the baseline every arm is compared with.
  const verdictsOf = (eps: readonly EvalEpisode[]): { verdicts?: FacetVerdict[] } => (method.facets ? { verdicts: eps.map((e, i) => judge(deps.tasks.unseen[i], e)) } : {});
  const startResult = await timed('eval', async () => {
    const episodes = await evaluate(start, 'eval bc (start)');
    return { episodes, pairMargins: pairMargins(start, heldOut), ...(method.subtleErrors ? { subtleMargins: pairMargins(start, riseHeld) } : {}), ...verdictsOf(episodes) };
  });
  // Freed before training, so that no arm's peak memory counts a second model.
  start.model.dispose();

  // 5. Every arm × seed from the same start; seeds outer, so that a change in the machine's load
  // falls on all arms alike (the machine is shared).
  const runsByArm = new Map<string, SeedRun[]>(method.arms.map((a) => [a.name, []]));
  for (let s = 0; s < deps.seeds; s++) {
    for (const arm of method.arms) {
      // Peak memory is counted from here: the arm's model, AdamW moments and activations (and
      // FPO's SAE, added below), not tensors other arms or the evaluator left alive.
      const baseBytes = tf.memory().numBytes;
      const lm = await loadModel(deps.checkpoint);
      const trainer = new Trainer(lm, { seed: s, lr: sizes.lr, minLr: sizes.lr, warmupSteps: sizes.warmupSteps, totalSteps: sizes.steps, schedule: 'constant', weightDecay: 0, gradClip: 1 });
      const data: Array<PreferencePair | MuffinContext> = refs.get(arm.name)!;
      const rng = mulberry32(mixSeed(deps.seed, 'order', s));
      let order = shuffled(data, rng);
      let cursor = 0;
      const results: StepResult[] = [];
      const curve: SeedRun['curve'] = [];
      const progress = new Progress(`train ${arm.name} seed ${s}`, sizes.steps, deps.quiet);
      await timed(`train:${arm.name}`, () => {
        for (let step = 1; step <= sizes.steps; step++) {
          if (cursor + sizes.batchPairs > order.length) { order = shuffled(data, rng); cursor = 0; }
          const batch = order.slice(cursor, cursor + sizes.batchPairs);
          cursor += sizes.batchPairs;
          const r = arm.ranking
            ? trainer.stepWith(microBatches(batch as RankingExample[], trainer, 1 + Math.max(...(batch as RankingExample[]).map((c) => c.candidates.length))), rankingLossFn(batch.length, arm.ranking))
            : arm.loss.kind === 'fpo'
              ? trainer.stepWith(microBatches(batch as FpoPair[], trainer, 2), fpoLossFn(batch.length, sae!, arm.loss))
              : trainer.preferenceStep(batch as PreferencePair[], { ...arm.loss, reduce: defaultReduce(arm.loss) } as PreferenceStepOptions);
          results.push(r);
          curve.push({ step, loss: r.loss, margin: r.metrics?.['rewards/margins'] ?? NaN, accuracy: r.metrics?.['rewards/accuracies'] ?? r.metrics?.['ranking/top1'] ?? NaN,
            ...(arm.ranking ? { rank: r.metrics?.['loss/rank'] ?? NaN } : {}) });
          progress.tick(1, `loss ${r.loss.toFixed(3)}`);
        }
      });
      // The first step also pays for kernel warm-up: s/step is the median over the steps.
      const secondsPerStep = median(results.map((r) => r.seconds ?? NaN));
      const saeBytes = arm.loss?.kind === 'fpo' && sae ? [...sae.variables().values()].reduce((a, v) => a + v.size * 4, 0) : 0;
      const peakBytes = Math.max(...results.map((r) => r.peakBytes ?? 0)) - baseBytes + saeBytes;
      lm.save(join(deps.out, 'checkpoints', `${arm.name}-seed${s}`));
      const episodes = await timed('eval', () => evaluate(lm, `eval ${arm.name} seed ${s}`));
      runsByArm.get(arm.name)!.push({ seed: s, curve, secondsPerStep, peakBytes, episodes, pairMargins: pairMargins(lm, heldOut),
        ...(method.subtleErrors ? { subtleMargins: pairMargins(lm, riseHeld) } : {}), ...verdictsOf(episodes) });
      trainer.dispose();
    }
  }
  const arms: ArmResult[] = method.arms.map((arm) => ({ arm, runs: runsByArm.get(arm.name)! }));

  // 6. DPO's cost with the reference model in memory (what FPO's offline reference avoids).
  let onlineDpoCost: AlignResult['onlineDpoCost'];
  if (method.arms.some((a) => a.loss?.kind === 'fpo')) {
    await timed('cost:dpo-online', async () => {
      const baseBytes = tf.memory().numBytes;
      const lm = await loadModel(deps.checkpoint);
      const reference = await loadModel(deps.checkpoint);
      const trainer = new Trainer(lm, { seed: 0, lr: sizes.lr, warmupSteps: sizes.warmupSteps, totalSteps: sizes.steps, schedule: 'constant', weightDecay: 0 });
      const steps = Math.min(5, sizes.steps);
      const rs: StepResult[] = [];
      for (let i = 0; i < steps; i++) {
        const batch = train.slice((i * sizes.batchPairs) % train.length).concat(train).slice(0, sizes.batchPairs);
        const t0 = performance.now();
        const r = trainer.preferenceStep(batch, { kind: 'sigmoid', beta: 0.1, reference });
        rs.push({ ...r, seconds: (performance.now() - t0) / 1000 }); // reference scoring included
      }
      onlineDpoCost = { secondsPerStep: median(rs.map((r) => r.seconds!)), peakBytes: Math.max(...rs.map((r) => r.peakBytes ?? 0)) - baseBytes, steps };
      trainer.dispose();
      reference.model.dispose();
    });
  }
  sae?.dispose();
  return {
    method, sizes, sampling: sampled.stats, subtle, muffin, trainPairs: train.length, heldOutPairs: heldOut.length, sae: saeInfo,
    start: startResult, arms, onlineDpoCost, timings,
  };
}

/** Micro-batches of items that take `rowsPerItem` model rows each (FPO pairs 2, like `preferenceStep`; Muffin contexts K + gold). */
function microBatches<T>(items: T[], trainer: Trainer, rowsPerItem: number): T[][] {
  const rows = trainer.options.microBatchRows ?? defaultMicroBatchRows(trainer.lm.config);
  const per = Math.max(1, Math.floor(rows / rowsPerItem));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += per) out.push(items.slice(i, i + per));
  return out;
}

