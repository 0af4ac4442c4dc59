/**
 * The local TensorFlow.js transformer (agent/) as a `ModelProvider` for E2CL training:
 * supervised fine-tuning on `{input, output}` pairs (loss on the output tokens and EOS
 * only, no loss weights: the paper's recipe) with AdamW, warmup + cosine schedule and
 * gradient clipping, through the trainer's one loop (`accumulateStep` with `pairSftLoss`,
 * alignment/trainer.ts). Checkpoints carry the optimizer moments and step
 * so that a resumed run continues exactly.
 */
import { readCheckpoint, writeCheckpointFiles } from '../agent/checkpoint.ts';
import { type LocalModel, createModel, loadModel } from '../agent/local-model.ts';
import type { ModelConfig } from '../agent/model.ts';
import { AdamW, learningRate } from '../alignment/optim.ts';
import type { IOPair } from '../alignment/datasets/export.ts';
import { accumulateStep, pairSftLoss, rowsWithinBudget } from '../alignment/trainer.ts';
import { mixSeed } from '../alignment/datasets/rng.ts';
import type { ModelProvider, TrainableModel } from './training.ts';

export interface LocalProviderOptions {
  config: Partial<ModelConfig>;
  lr: number;
  warmupSteps?: number;
  clip?: number;
  weightDecay?: number;
  backend?: string;
  /** Attention activations one training pass may hold (default MICRO_BATCH_BUDGET_BYTES, 1 GiB). */
  attentionBudgetBytes?: number;
}

/** A run's learning-rate schedule as saved in its checkpoints (alignment/optim.ts). */
export interface SavedSchedule { lr: number; minLr: number; warmupSteps: number; totalSteps: number; stepOffset: number }

/** What `prepare` may be told besides the run's own step count (training.ts `TrainConfig`). */
export interface PrepareOptions {
  /** The schedule spans this many steps (more than this run trains: a later stage continues it). */
  scheduleSteps?: number;
}

class LocalTrainable implements TrainableModel {
  private adam: AdamW | null = null;
  private pending: { step: number; tensors: Map<string, { shape: number[]; data: Float32Array }> } | null = null;
  /** Restored with the optimizer on resume: the schedule the run started with. */
  private savedSchedule: SavedSchedule | null = null;
  /** `continue` mode: the optimizer step and learning rate the initialising run ended with. */
  private continueFrom: { step: number; lr: number; minLr: number } | null = null;
  private schedule: SavedSchedule | null = null;
  private totalSteps = 1;

  constructor(readonly lm: LocalModel, private readonly o: LocalProviderOptions) {}

  restoreOptimizer(step: number, tensors: Map<string, { shape: number[]; data: Float32Array }>, totalSteps: number, schedule?: SavedSchedule): void {
    this.pending = { step, tensors };
    this.totalSteps = totalSteps;
    this.savedSchedule = schedule ?? null;
  }

  /** Continue another run's optimizer: its moments and step, and its learning rate where it stopped. */
  continueOptimizer(step: number, tensors: Map<string, { shape: number[]; data: Float32Array }>, from: SavedSchedule): void {
    this.pending = { step, tensors };
    this.continueFrom = { step, lr: learningRate(step - from.stepOffset, from), minLr: from.minLr };
  }

  prepare(totalSteps: number, opts: PrepareOptions = {}): void {
    this.totalSteps = totalSteps;
    this.adam?.dispose();
    const span = Math.max(totalSteps, opts.scheduleSteps ?? 0);
    // A resumed run keeps the schedule it started with; a continuing fine-tune decays from
    // the learning rate its initialising run stopped at (no warm-up, no restart at the peak)
    // to the same floor over its own steps; a fresh run warms up and decays over `span`.
    this.schedule = this.savedSchedule
      ?? (this.continueFrom
        ? { lr: this.continueFrom.lr, minLr: this.continueFrom.minLr, warmupSteps: 0, totalSteps, stepOffset: this.continueFrom.step }
        : { lr: this.o.lr, minLr: this.o.lr / 10, warmupSteps: this.o.warmupSteps ?? Math.min(50, Math.ceil(span / 10)), totalSteps: span, stepOffset: 0 });
    this.adam = new AdamW({ ...this.schedule, weightDecay: this.o.weightDecay ?? 0.1 });
    if (this.pending) {
      this.adam.loadState(this.pending.step, this.pending.tensors);
      this.pending = null;
    }
  }

  /** Rows of `trainStep`'s batch are `batchPairs` rows with EOS: this is their time steps. */
  sequenceLength(pair: IOPair): number {
    return this.lm.pairTime(pair, true);
  }

  async trainStep(batch: readonly IOPair[]): Promise<number> {
    if (!this.adam) this.prepare(this.totalSteps);
    const adam = this.adam!;
    // Micro-batches where the whole batch's attention would not fit the backend's heap (a
    // batch of 30 prompts at ctx 1024 aborted the wasm backend); the loss is normalised by the
    // whole batch's target count, so the summed gradients are the full batch's. A batch that
    // fits is one pass with the same dropout seed as before, so small recipes are unchanged.
    const pairs = batch.map((p) => ({ input: p.input, output: p.output }));
    const whole = this.lm.batchPairs(pairs, true);
    const rows = rowsWithinBudget({ ...this.lm.config, ctx: whole.time }, this.o.attentionBudgetBytes);
    const micro = rows >= pairs.length ? [whole] : chunk(pairs, rows).map((c) => this.lm.batchPairs(c, true));
    let total = 0;
    for (const b of micro) for (const m of b.mask) total += m;
    const step = adam.step;
    // The one training loop (alignment/trainer.ts) with E2CL's SFT loss and dropout seeds.
    return accumulateStep({
      lm: this.lm, vars: this.lm.model.namedTensors(), optimizer: adam, gradClip: this.o.clip ?? 1.0,
      batches: micro, lossFn: pairSftLoss(micro.length === 1 ? undefined : Math.max(total, 1e-9)),
      dropoutSeed: (i) => (i === 0 ? mixSeed(this.lm.meta.seed, 'dropout', step) : mixSeed(this.lm.meta.seed, 'dropout', step, i)),
    }).loss;
  }

  async save(dir: string): Promise<void> {
    const adam = this.adam;
    writeCheckpointFiles(dir, this.lm.checkpointContent({
      groups: adam ? { optimizer: adam.stateTensors() } : {},
      trainer: { adamStep: adam?.step ?? 0, totalSteps: this.totalSteps, lr: this.o.lr, ...(this.schedule ? { schedule: this.schedule } : {}) },
    }));
  }

  dispose(): void {
    this.adam?.dispose();
    void this.lm.dispose();
  }
}

export function localProvider(o: LocalProviderOptions): ModelProvider {
  return {
    spec: { kind: 'local', options: o },
    async create(corpus, seed) {
      const lm = await createModel({ config: o.config, corpus, seed, backend: o.backend });
      return new LocalTrainable(lm, o);
    },
    async load(dir, mode = 'eval') {
      const lm = await loadModel(dir, { backend: o.backend });
      const t = new LocalTrainable(lm, o);
      if (mode === 'resume' || mode === 'continue') {
        const { manifest, groups } = readCheckpoint(dir);
        const trainer = (manifest.trainer ?? {}) as { adamStep?: number; totalSteps?: number; lr?: number; schedule?: SavedSchedule };
        if (groups.optimizer && mode === 'resume') t.restoreOptimizer(trainer.adamStep ?? 0, groups.optimizer, trainer.totalSteps ?? 1, trainer.schedule);
        if (groups.optimizer && mode === 'continue') {
          // Checkpoints written before schedules were saved: the schedule prepare() gave them.
          const lr = trainer.lr ?? o.lr;
          const total = trainer.totalSteps ?? 1;
          const from = trainer.schedule ?? { lr, minLr: lr / 10, warmupSteps: o.warmupSteps ?? Math.min(50, Math.ceil(total / 10)), totalSteps: total, stepOffset: 0 };
          t.continueOptimizer(trainer.adamStep ?? 0, groups.optimizer, from);
        }
      }
      return t;
    },
  };
}

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
