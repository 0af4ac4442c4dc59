/**
 * Supervised training of the local model on `{input, output}` pairs (loss on output tokens
 * only, packed rows), with AdamW + warmup/cosine, gradient clipping and accumulation over
 * micro-batches. `Trainer.trainStep` is one optimizer step on the given pairs (what E2CL's
 * training loop calls); `trainModel` runs a whole seeded, checkpointed, resumable run.
 *
 * Determinism: given the seed, the data and the backend, every step's data, dropout masks
 * and update are fixed, and checkpoints hold the optimizer moments and step, so stopping
 * and resuming from a checkpoint ends with the same weights as not stopping.
 */
import { existsSync } from 'node:fs';
import { HearthError } from '../env/errors.ts';
import { Prng } from '../env/prng.ts';
import { readCheckpoint, writeCheckpoint, writeCheckpointFiles } from '../agent/checkpoint.ts';
import { createModel, hashText, loadModel, type LocalModel, type PairBatch } from '../agent/local-model.ts';
import { maskedCrossEntropy } from '../agent/logprob.ts';
import type { ModelConfig } from '../agent/model.ts';
import { tf } from '../agent/tfjs.ts';
import { AdamW, clipByGlobalNorm, type AdamWOptions } from './optim.ts';
import { needsReference, preferenceLossFn, withReferenceLogProbs, type PreferencePair, type PreferenceStepOptions } from './preference.ts';
import { batchRows, encodeExample, packRows, type IOPairLike, type PackedBatch } from './packing.ts';

export interface TrainerOptions extends AdamWOptions {
  /** Max global gradient norm (0 = no clipping). Default 1. */
  gradClip?: number;
  /**
   * Packed rows per forward/backward pass; more rows in a step are accumulated. Default:
   * `defaultMicroBatchRows(config)` (16, fewer where the attention activations would not fit).
   */
  microBatchRows?: number;
  seed: number;
  /** Train only this LoRA adapter (it must exist on the model); null = all base weights. */
  adapter?: string | null;
}

export const DEFAULT_TRAINER: TrainerOptions = {
  lr: 3e-3, minLr: 3e-4, warmupSteps: 20, totalSteps: 1000, weightDecay: 0.1, beta1: 0.9, beta2: 0.95,
  gradClip: 1, seed: 0, adapter: null,
};

/**
 * Attention tensors of shape (B, H, T, T) a training forward pass keeps per layer for the
 * backward pass (scores, masked scores, softmax, dropout mask and output, gradient), a
 * deliberately generous count: the wasm backend aborts the process when its heap is exhausted.
 */
const ATTENTION_TENSORS_KEPT = 6;
/** Attention activations one micro-batch may hold. The wasm heap ends at 4 GiB in all. */
export const MICRO_BATCH_BUDGET_BYTES = 1 << 30;
const WASM_HEAP_BYTES = 4 * (1 << 30);

/** Bytes of attention activations one packed row of `ctx` positions costs in a training pass. */
export function attentionBytesPerRow(c: Pick<ModelConfig, 'layers' | 'heads' | 'ctx'>): number {
  return c.layers * c.heads * c.ctx * c.ctx * 4 * ATTENTION_TENSORS_KEPT;
}

/**
 * Rows per micro-batch when none is given: 16, or as many as fit the budget. Attention memory
 * grows with ctx², so the FULL recipe's model (ctx 1024, 4 layers, 8 heads) trains one row
 * at a time (16 rows aborted the wasm backend); the quick recipe's keeps 16. Accumulation
 * normalises by the whole step's token count, so the step's gradient is the same sum.
 */
export function defaultMicroBatchRows(c: Pick<ModelConfig, 'layers' | 'heads' | 'ctx'>): number {
  return Math.min(16, rowsWithinBudget(c));
}

/** Rows of `c.ctx` positions (at least 1) whose attention activations fit `budget` bytes. */
export function rowsWithinBudget(c: Pick<ModelConfig, 'layers' | 'heads' | 'ctx'>, budget = MICRO_BATCH_BUDGET_BYTES): number {
  return Math.max(1, Math.floor(budget / attentionBytesPerRow(c)));
}

export interface StepResult {
  loss: number;
  lr: number;
  gradNorm: number;
  /** SFT: Σ loss weights (target tokens) of the step; preference steps: the number of pairs. */
  targetTokens: number;
  /** Wall time of the step (forward, backward, update). */
  seconds?: number;
  /**
   * Tensor bytes alive at the end of the largest micro-batch's forward pass (weights, optimizer
   * moments and the activations kept for the backward pass): the step's peak, to within the
   * backward pass's transient gradients. `tf.memory().numBytes`, so comparable on one backend.
   */
  peakBytes?: number;
  /** What the loss reported, summed over micro-batches (preference steps: TRL's rewards/* means). */
  metrics?: Record<string, number>;
}

/** What a loss function is told about the micro-batch it is computing. */
export interface LossContext {
  lm: LocalModel;
  /** The optimizer step being taken (1-based). */
  step: number;
  /** Index of the micro-batch within the step. */
  micro: number;
  /** Dropout seed for a training-mode forward pass of this micro-batch (fixed by seed, step, micro). */
  dropoutSeed: number;
}

/**
 * A loss over one micro-batch: a scalar to minimise (normalised over the whole step), or the
 * scalar plus metrics (summed over micro-batches). Runs inside `tf.variableGrads`.
 */
export type LossFn<B> = (batch: B, ctx: LossContext) => tf.Scalar | { loss: tf.Scalar; metrics?: Record<string, number> };

export interface AccumulateStepOptions<B> {
  lm: LocalModel;
  /** The trainable parameters by name (all base weights, or one adapter's). */
  vars: Map<string, tf.Variable>;
  optimizer: AdamW;
  /** Max global gradient norm (0 = no clipping). */
  gradClip: number;
  batches: readonly B[];
  lossFn: LossFn<B>;
  /** Dropout seed of micro-batch `mi` of this step. */
  dropoutSeed: (mi: number) => number;
}

/**
 * One optimizer step of any loss over micro-batches: gradients of `vars` accumulated over
 * the micro-batches (in order), clipped by global norm, applied by `optimizer`. The loop
 * `Trainer` and E2CL's local provider (exploration/local-provider.ts) share.
 */
export function accumulateStep<B>(o: AccumulateStepOptions<B>): StepResult {
  const t0 = performance.now();
  const { vars } = o;
  const byVarName = new Map<string, string>();
  for (const [k, v] of vars) byVarName.set(v.name, k);
  const varList = [...vars.values()];
  let acc: Map<string, tf.Tensor> | null = null;
  let loss = 0;
  let metrics: Record<string, number> | undefined;
  let peakBytes = 0;
  const step = o.optimizer.step + 1;
  o.batches.forEach((b, mi) => {
    const ctx: LossContext = { lm: o.lm, step, micro: mi, dropoutSeed: o.dropoutSeed(mi) };
    const { value, grads } = tf.variableGrads(() => {
      const out = o.lossFn(b, ctx);
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
      if (out instanceof tf.Tensor) return out;
      if (out.metrics) {
        metrics ??= {};
        for (const [k, x] of Object.entries(out.metrics)) metrics[k] = (metrics[k] ?? 0) + x;
      }
      return out.loss;
    }, varList);
    loss += value.dataSync()[0];
    value.dispose();
    if (!acc) {
      acc = new Map();
      for (const [vn, g] of Object.entries(grads)) acc.set(byVarName.get(vn)!, g);
    } else {
      for (const [vn, g] of Object.entries(grads)) {
        const k = byVarName.get(vn)!;
        const prev = acc.get(k)!;
        acc.set(k, tf.add(prev, g));
        prev.dispose();
        g.dispose();
      }
    }
  });
  if (!acc) return { loss: 0, lr: 0, gradNorm: 0, targetTokens: 0 };
  const grads = acc as unknown as Map<string, tf.Tensor>;
  const gradNorm = clipByGlobalNorm(grads, o.gradClip);
  const lr = o.optimizer.apply(vars, grads);
  for (const g of grads.values()) if (!g.isDisposed) g.dispose();
  o.lm.meta.step = o.optimizer.step;
  const result: StepResult = { loss, lr, gradNorm, targetTokens: 0, seconds: (performance.now() - t0) / 1000, peakBytes };
  if (metrics) result.metrics = metrics;
  return result;
}

/**
 * SFT as a `LossFn`: a training-mode forward pass (dropout) over a packed batch, masked token
 * cross-entropy normalised by `normaliser` (the whole step's target tokens, so micro-batch
 * gradients add up to the full batch's).
 */
export function sftLoss(normaliser: number): LossFn<PackedBatch> {
  return (b, ctx) => {
    const { logits } = ctx.lm.model.forward({
      tokens: b.tokens, batch: b.batch, time: b.time, segments: b.segments, train: true, dropoutSeed: ctx.dropoutSeed,
    });
    return maskedCrossEntropy(logits!, b.targets, b.weights, normaliser);
  };
}

export class Trainer {
  readonly optimizer: AdamW;
  readonly options: TrainerOptions;

  constructor(readonly lm: LocalModel, options: Partial<TrainerOptions> = {}) {
    this.options = { ...DEFAULT_TRAINER, ...options };
    const rows = this.options.microBatchRows;
    if (rows !== undefined && rows * attentionBytesPerRow(lm.config) > WASM_HEAP_BYTES * 0.75) {
      throw new HearthError('config.trainer',
        `microBatchRows ${rows} at ctx ${lm.config.ctx} needs ~${(rows * attentionBytesPerRow(lm.config) / 2 ** 30).toFixed(1)} GiB of attention activations, more than the backend's heap`,
        `use microBatchRows ≤ ${defaultMicroBatchRows(lm.config)} (or leave it unset)`);
    }
    this.optimizer = new AdamW(this.options);
    if (this.options.adapter) this.lm.model.setAdapter(this.options.adapter);
  }

  get step(): number { return this.optimizer.step; }

  private trainable(): Map<string, tf.Variable> {
    const m = this.lm.model;
    if (!this.options.adapter) return new Map(m.params);
    const out = new Map<string, tf.Variable>();
    for (const [name, v] of m.namedTensors()) if (name.startsWith(`lora.${this.options.adapter}.`)) out.set(name, v);
    return out;
  }

  /** One optimizer step on these pairs (packed, accumulated); returns the mean token cross-entropy. */
  async trainStep(pairs: readonly IOPairLike[]): Promise<number> {
    const ctx = this.lm.config.ctx;
    const rows = packRows(pairs.map((p) => encodeExample(this.lm.tokenizer, p, ctx)), ctx);
    return this.stepOnRows(rows).loss;
  }

  /** One optimizer step over packed rows, in micro-batches of `microBatchRows`. */
  stepOnRows(rows: ReturnType<typeof packRows>): StepResult {
    const micro = this.options.microBatchRows ?? defaultMicroBatchRows(this.lm.config);
    const batches: PackedBatch[] = [];
    for (let i = 0; i < rows.length; i += micro) batches.push(batchRows(rows.slice(i, i + micro), this.lm.tokenizer.pad));
    const total = batches.reduce((a, b) => a + b.targetTokens, 0);
    if (total === 0) return { loss: 0, lr: 0, gradNorm: 0, targetTokens: 0 };
    return { ...this.stepWith(batches, sftLoss(total)), targetTokens: total };
  }

  /**
   * One optimizer step of a preference loss (DPO, IPO, SimPO, ORPO, ...) on these pairs, in
   * micro-batches of ⌈microBatchRows / 2⌉ pairs (each pair is two sequences). Reference
   * log-probs come from the pairs (offline, `withReferenceLogProbs`) or `options.reference`.
   */
  preferenceStep(pairs: readonly PreferencePair[], options: PreferenceStepOptions): StepResult {
    if (pairs.length === 0) return { loss: 0, lr: 0, gradNorm: 0, targetTokens: 0 };
    const micro = Math.max(1, Math.floor((this.options.microBatchRows ?? defaultMicroBatchRows(this.lm.config)) / 2));
    const batches: PreferencePair[][] = [];
    // An in-memory reference is scored here, outside the gradient tape, as if it were offline.
    const { reference, ...lossOptions } = options;
    const data = reference && needsReference(options) ? withReferenceLogProbs(reference, pairs, options) : pairs;
    for (let i = 0; i < data.length; i += micro) batches.push(data.slice(i, i + micro));
    return { ...this.stepWith(batches, preferenceLossFn(pairs.length, lossOptions)), targetTokens: pairs.length };
  }

  /**
   * One optimizer step of any loss: `lossFn` maps each micro-batch to a scalar (already
   * normalised so that the micro-batches' losses add up to the step's loss); the gradients
   * are accumulated, clipped by global norm and applied by AdamW to the trainable
   * parameters. Metrics a loss reports are summed over the micro-batches likewise.
   */
  stepWith<B>(batches: readonly B[], lossFn: LossFn<B>): StepResult {
    const seed = this.options.seed;
    const step = this.optimizer.step + 1;
    return accumulateStep({
      lm: this.lm, vars: this.trainable(), optimizer: this.optimizer, gradClip: this.options.gradClip ?? 1, batches, lossFn,
      dropoutSeed: (mi) => (seed * 1000003 + step * 131 + mi) >>> 0,
    });
  }

  private content(extra: Record<string, unknown> = {}) {
    return this.lm.checkpointContent({
      groups: { optimizer: this.optimizer.stateTensors() },
      trainer: { options: this.options, optimizerStep: this.optimizer.step, ...extra },
    });
  }

  /** Write model + optimizer state into an existing (empty) directory. */
  async save(dir: string): Promise<void> { writeCheckpointFiles(dir, this.content()); }

  /** Write model + optimizer state atomically at `dir`. */
  saveCheckpoint(dir: string, extra: Record<string, unknown> = {}): void { writeCheckpoint(dir, this.content(extra)); }

  /** A model and its trainer from scratch: tokenizer trained on `corpus`. */
  static async create(opts: { corpus: Iterable<string>; seed: number; config?: Partial<ModelConfig>; trainer?: Partial<TrainerOptions>; backend?: string }): Promise<Trainer> {
    const lm = await createModel({ corpus: opts.corpus, seed: opts.seed, config: opts.config, backend: opts.backend });
    return new Trainer(lm, { ...opts.trainer, seed: opts.seed });
  }

  /** Resume a trainer (model, optimizer moments, step, options) from a checkpoint. */
  static async load(dir: string, opts: { backend?: string; trainer?: Partial<TrainerOptions> } = {}): Promise<Trainer> {
    const lm = await loadModel(dir, { backend: opts.backend });
    const { manifest, groups } = readCheckpoint(dir);
    const saved = (manifest.trainer?.options ?? {}) as Partial<TrainerOptions>;
    const t = new Trainer(lm, { ...saved, ...opts.trainer });
    if (groups.optimizer) t.optimizer.loadState(Number(manifest.trainer?.optimizerStep ?? manifest.step), groups.optimizer);
    return t;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.lm.model.dispose();
  }
}

/**
 * `{create, load}` for training loops that own their batching and checkpoint layout (E2CL's
 * `ModelProvider`): `create(corpus, seed)` trains a tokenizer on the corpus and initialises
 * a model; `load(dir)` resumes model + optimizer from `Trainer.save`/`saveCheckpoint`.
 */
export function localModelProvider(opts: { config?: Partial<ModelConfig>; trainer?: Partial<TrainerOptions>; backend?: string } = {}) {
  return {
    create: (corpus: readonly string[], seed: number) => Trainer.create({ corpus, seed, config: opts.config, trainer: opts.trainer, backend: opts.backend }),
    load: (dir: string) => Trainer.load(dir, { backend: opts.backend, trainer: opts.trainer }),
  };
}

/**
 * SFT over right-padded `{input, output}` pair batches (`LocalModel.batchPairs`): E2CL's
 * recipe (loss on the output tokens and EOS, no weights). `normaliser` undefined = the
 * micro-batch's own target count (a step of one micro-batch).
 *
 * Only the positions that carry loss are unembedded: the (N, D) residual is gathered to
 * the M rows with mask 1 before the final norm and the (D, V) head, so the head's product,
 * softmax and their gradients run on M rows instead of N (in E2CL's mixes ~6% of the
 * positions are output tokens). The loss is the same function (masked rows add 0 to it and
 * to every gradient); only float rounding differs (test/e2cl/sft-targets.test.ts).
 */
export function pairSftLoss(normaliser?: number): LossFn<PairBatch> {
  return (b, ctx) => {
    const rows: number[] = [];
    for (let i = 0; i < b.mask.length; i++) if (b.mask[i] > 0) rows.push(i);
    const forward = { tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, train: true, dropoutSeed: ctx.dropoutSeed };
    if (rows.length === 0) return maskedCrossEntropy(ctx.lm.model.forward({ ...forward, logits: 'all' }).logits!, b.targets, b.mask, normaliser);
    const { hidden } = ctx.lm.model.forward({ ...forward, logits: 'none' }); // (N, D)
    const idx = Int32Array.from(rows);
    const logits = ctx.lm.model.unembed(tf.gather(hidden, tf.tensor1d(idx, 'int32')) as tf.Tensor2D); // (M, V)
    return maskedCrossEntropy(logits, Int32Array.from(rows, (i) => b.targets[i]), Float32Array.from(rows, (i) => b.mask[i]), normaliser);
  };
}

export interface TrainRunOptions {
  data: readonly IOPairLike[];
  /** Total optimizer steps of the run (across resumes). */
  steps: number;
  /** Packed rows per optimizer step. */
  batchRows: number;
  /** Checkpoint directory: resumed from if it exists, written every `checkpointEvery` steps and at the end. */
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Stop (as if killed) after this many steps in this call. */
  stopAfterSteps?: number;
  onStep?(info: StepResult & { step: number; tokensPerSecond: number }): void;
}

export function dataHash(data: readonly IOPairLike[]): string {
  return hashText(data.map((d) => JSON.stringify([d.input, d.output])));
}

/**
 * Packed rows of epoch `epoch`: the pairs shuffled by (seed, epoch), then packed. A step's
 * batch depends only on (seed, data, step), which is what makes resuming exact.
 */
export function epochRows(data: readonly IOPairLike[], trainer: Trainer, epoch: number): ReturnType<typeof packRows> {
  const rng = new Prng((trainer.options.seed * 2654435761 + epoch * 40503) >>> 0);
  const order = data.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const ctx = trainer.lm.config.ctx;
  return packRows(order.map((i) => encodeExample(trainer.lm.tokenizer, data[i], ctx)), ctx);
}

/**
 * What differs between the checkpoint in `dir` and the run `trainer` was built for: model shape
 * (every ModelConfig field), seed, learning rate and warm-up, as `name: saved → asked` lines.
 * Resuming loads the saved model and optimizer settings, so a difference would otherwise be
 * ignored without a word. Empty: resumable. (`--steps` may grow: that is what resuming is for.)
 */
export function resumeDifferences(dir: string, trainer: Trainer): string[] {
  const { manifest } = readCheckpoint(dir);
  const saved = (manifest.trainer?.options ?? {}) as Partial<TrainerOptions>;
  const diffs: string[] = [];
  const cmp = (name: string, was: unknown, now: unknown): void => {
    if (was !== undefined && JSON.stringify(was) !== JSON.stringify(now)) diffs.push(`${name}: ${JSON.stringify(was)} → ${JSON.stringify(now)}`);
  };
  const cfg = trainer.lm.config;
  for (const k of Object.keys(cfg).sort() as Array<keyof ModelConfig>) cmp(k, manifest.config[k], cfg[k]);
  cmp('seed', saved.seed ?? manifest.seed, trainer.options.seed);
  cmp('lr', saved.lr, trainer.options.lr);
  cmp('warmupSteps', saved.warmupSteps, trainer.options.warmupSteps);
  return diffs;
}

/** Refuse to resume `dir` with a different model or settings (HearthError naming the differences and the fix). */
export function assertResumable(dir: string, trainer: Trainer, data?: readonly IOPairLike[]): void {
  if (data) {
    const { manifest } = readCheckpoint(dir);
    if (manifest.dataHash && manifest.dataHash !== dataHash(data)) {
      throw new HearthError('train.resume', `checkpoint ${dir} was trained on different data`, 'use a new checkpoint directory or the same data file');
    }
  }
  const diffs = resumeDifferences(dir, trainer);
  if (diffs.length) {
    throw new HearthError('train.resume', `checkpoint ${dir} holds a run with different settings (saved → asked): ${diffs.join('; ')}`,
      'repeat the original settings to resume it, or pass another --checkpoint DIR to start a new run');
  }
}

/** Run (or resume) training to `steps` optimizer steps. */
export async function trainModel(trainer: Trainer, run: TrainRunOptions): Promise<Trainer> {
  const hash = dataHash(run.data);
  if (run.data.length === 0) throw new HearthError('train.data', 'the training data is empty', 'pass a JSONL file with at least one {input, output} record');
  if (run.checkpointDir && existsSync(run.checkpointDir)) {
    const { manifest } = readCheckpoint(run.checkpointDir);
    if (manifest.dataHash && manifest.dataHash !== hash) {
      throw new HearthError('train.resume', `checkpoint ${run.checkpointDir} was trained on different data`, 'use a new checkpoint directory or the same data file');
    }
    assertResumable(run.checkpointDir, trainer);
    trainer.lm.model.dispose();
    trainer = await Trainer.load(run.checkpointDir, { backend: trainer.lm.backend });
  }
  trainer.lm.meta.dataHash = hash;
  let epoch = 0;
  let rows = epochRows(run.data, trainer, epoch);
  let cursor = 0;
  // Skip the batches already trained on (the step count says how many).
  for (let s = 0; s < trainer.step; s++) {
    if (cursor >= rows.length) { epoch++; rows = epochRows(run.data, trainer, epoch); cursor = 0; }
    cursor += run.batchRows;
  }
  let done = 0;
  while (trainer.step < run.steps) {
    if (run.stopAfterSteps !== undefined && done >= run.stopAfterSteps) return trainer;
    if (cursor >= rows.length) { epoch++; rows = epochRows(run.data, trainer, epoch); cursor = 0; }
    const t0 = performance.now();
    const r = trainer.stepOnRows(rows.slice(cursor, cursor + run.batchRows));
    const secs = (performance.now() - t0) / 1000;
    const inputTokens = rows.slice(cursor, cursor + run.batchRows).reduce((a, x) => a + x.length, 0);
    cursor += run.batchRows;
    done++;
    run.onStep?.({ ...r, step: trainer.step, tokensPerSecond: inputTokens / secs });
    if (run.checkpointDir && run.checkpointEvery && trainer.step % run.checkpointEvery === 0) trainer.saveCheckpoint(run.checkpointDir);
  }
  if (run.checkpointDir) trainer.saveCheckpoint(run.checkpointDir);
  return trainer;
}
