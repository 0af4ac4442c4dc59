/**
 * Training on the shuffled E2CL mix with one checkpoint per epoch, resumable after a
 * crash: each finished epoch is written to `<dir>/epoch-<e>` (in a temp directory renamed
 * into place, so a directory that exists is complete), together with the loss curve so
 * far. On start the latest complete epoch is loaded (weights, optimizer state, step) and
 * training continues with the next epoch; an epoch's data order depends only on (seed,
 * epoch), so a run killed mid-epoch and rerun ends with the same weights as one that never
 * stopped (given a deterministic model backend).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCheckpointDir } from '../agent/checkpoint.ts';
import type { LanguageModel } from '../agent/language-model.ts';
import { HearthError } from '../env/errors.ts';
import { writeDirAtomicAsync, writeFileAtomic, writeFileDurable } from '../env/files.ts';
import type { IOPair } from '../alignment/datasets/export.ts';
import { mixSeed, mulberry32, shuffled } from '../alignment/datasets/rng.ts';
import type { Progress } from './progress.ts';
import type { ProviderSpec } from './train-workers.ts';

/** What training needs from the local model (agent/ + alignment/ trainer, adapted). */
export interface TrainableModel {
  readonly lm: LanguageModel;
  /**
   * Called once before the first step of a training run with the run's total optimizer
   * steps (for the learning-rate schedule) and, for a stage that a later one continues,
   * the span of the whole schedule. A model loaded to resume keeps its optimizer state and
   * schedule; a `continue` model keeps the initialising run's optimizer and decays from its
   * last learning rate; a fresh or `init` model starts a new optimizer.
   */
  prepare?(totalSteps: number, opts?: { scheduleSteps?: number }): void;
  /**
   * The time steps a record occupies in a training batch (its tokens as trained on, cut to the
   * context); a batch costs its row count times its longest row. Absent: lengths in characters.
   */
  sequenceLength?(pair: IOPair): number;
  /** One optimizer step on a batch; returns the mean token cross-entropy of the batch. */
  trainStep(batch: readonly IOPair[]): Promise<number>;
  /** Write weights, optimizer state and step count into `dir` (which exists and is empty). */
  save(dir: string): Promise<void>;
  dispose?(): void;
}

export interface ModelProvider {
  /** How a child process rebuilds this provider (train-workers.ts); absent: in-process only. */
  readonly spec?: ProviderSpec;
  /** A fresh model (its tokenizer built from `corpus`), initialised from `seed`. */
  create(corpus: readonly string[], seed: number): Promise<TrainableModel>;
  /**
   * A model saved by `save`: `resume` restores the optimizer state too (same run), `init`
   * takes the weights only (a new run starting from them), `continue` takes the weights and
   * the optimizer (a new run continuing that run's schedule: no warm-up, no restart at the
   * peak learning rate), `eval` is for generation.
   */
  load(dir: string, mode?: 'resume' | 'init' | 'continue' | 'eval'): Promise<TrainableModel>;
}

export interface CurvePoint {
  step: number;
  epoch: number;
  loss: number;
}

export interface TrainConfig {
  provider: ModelProvider;
  records: readonly IOPair[];
  /** Start from scratch (tokenizer corpus given) or from another checkpoint directory. */
  init: { kind: 'scratch'; corpus: readonly string[] } | { kind: 'checkpoint'; dir: string; continueSchedule?: boolean };
  epochs: number;
  batchSize: number;
  seed: number;
  /** The model's checkpoint directory (`runs/<ts>/checkpoints/<name>`). */
  dir: string;
  progress?: Pick<Progress, 'tick'>;
  /** Stop after this many optimizer steps in this process (tests simulate a crash with it). */
  stopAfterSteps?: number;
  /**
   * The learning-rate schedule spans this many optimizer steps (default: this run's): a stage
   * that a later run continues (`bc-init`, whose fine-tunes load it with `continueSchedule`)
   * ends part-way down the decay instead of at its floor.
   */
  scheduleSteps?: number;
  /**
   * Batches of records of similar length (default: off, plain shuffled batches): each epoch's
   * shuffled order is cut into groups of this many batches, each group sorted by length and
   * cut into batches, and the batches shuffled. A batch is padded to its longest record, so
   * this pads far less (same records per epoch, same batch size; see `batchesOf`).
   */
  lengthGroups?: number;
  /**
   * What "length" means for `lengthGroups`: `chars` (default; input + output characters, the
   * older stand-in) or `tokens` (the model's own `sequenceLength`, the padding it really
   * pays). Only which records share a batch changes: same records per epoch, same batch size.
   */
  lengthBy?: LengthUnit;
}

export type LengthUnit = 'chars' | 'tokens';

export interface TrainResult {
  model: TrainableModel;
  finalDir: string;
  curve: CurvePoint[];
  resumedFromEpoch: number;
  stepsThisRun: number;
  /** True when `stopAfterSteps` cut the run short. */
  interrupted: boolean;
}

const EPOCH_RE = /^epoch-(\d+)$/;

export function completedEpochs(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => EPOCH_RE.exec(n)).filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1])).sort((a, b) => a - b);
}

export function epochDir(dir: string, epoch: number): string { return join(dir, `epoch-${epoch}`); }

/** The final checkpoint of a model directory, or `dir` itself when it is one (agent/checkpoint.ts's resolver). */
export function resolveCheckpoint(dir: string): string {
  return resolveCheckpointDir(dir).dir;
}

function readCurve(dir: string): CurvePoint[] {
  const f = join(dir, 'curve.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as CurvePoint[]) : [];
}

export function epochOrder<T>(records: readonly T[], seed: number, epoch: number): T[] {
  return shuffled(records, mulberry32(mixSeed(seed, 'epoch', epoch)));
}

/**
 * An epoch's batches: the seeded shuffle (`epochOrder`) cut into batches of `batchSize`; with
 * `lengthGroups` = G, every run of G·batchSize shuffled records is sorted by `lengthOf`
 * (default: input + output characters, a stand-in for tokens) before it is cut, and the
 * batches are then shuffled again (seeded by the epoch), so that no batch order follows
 * length. The records of an epoch and the batch size are the same either way (HF's
 * `group_by_length` idea).
 */
export function batchesOf<T extends IOPair>(records: readonly T[], batchSize: number, seed: number, epoch: number, lengthGroups?: number,
  lengthOf: (r: T) => number = charLength): T[][] {
  const order = epochOrder(records, seed, epoch);
  const cut = (xs: readonly T[]): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < xs.length; i += batchSize) out.push(xs.slice(i, i + batchSize));
    return out;
  };
  if (!lengthGroups || lengthGroups <= 1) return cut(order);
  const size = lengthOf;
  const batches: T[][] = [];
  const group = lengthGroups * batchSize;
  for (let i = 0; i < order.length; i += group) {
    batches.push(...cut(order.slice(i, i + group).map((r, j) => ({ r, j })).sort((a, b) => size(a.r) - size(b.r) || a.j - b.j).map((x) => x.r)));
  }
  return shuffled(batches, mulberry32(mixSeed(seed, 'length-groups', epoch)));
}

const charLength = (r: IOPair): number => r.input.length + r.output.length;

/** `cfg.lengthBy`'s measure for `batchesOf`, each record measured once per run. */
function lengthMeasure(cfg: TrainConfig, model: TrainableModel): ((r: IOPair) => number) | undefined {
  if ((cfg.lengthBy ?? 'chars') === 'chars') return undefined;
  const measure = model.sequenceLength?.bind(model);
  if (!measure) {
    throw new HearthError('train.length-by', 'lengthBy "tokens" needs a model that reports its sequence lengths, and this provider\'s does not',
      'use lengthBy "chars" (or drop lengthGroups) with this provider');
  }
  const lengths = new Map<IOPair, number>();
  return (r) => {
    let n = lengths.get(r);
    if (n === undefined) { n = measure(r); lengths.set(r, n); }
    return n;
  };
}

export async function trainOnMix(cfg: TrainConfig): Promise<TrainResult> {
  mkdirSync(cfg.dir, { recursive: true });
  const done = completedEpochs(cfg.dir);
  const last = done.length ? done[done.length - 1] : 0;
  let model: TrainableModel;
  let curve: CurvePoint[];
  if (last > 0) {
    model = await cfg.provider.load(epochDir(cfg.dir, last), 'resume');
    curve = readCurve(epochDir(cfg.dir, last));
  } else {
    model = cfg.init.kind === 'scratch'
      ? await cfg.provider.create(cfg.init.corpus, cfg.seed)
      : await cfg.provider.load(resolveCheckpoint(cfg.init.dir), cfg.init.continueSchedule ? 'continue' : 'init');
    curve = [];
  }
  model.prepare?.(cfg.epochs * Math.ceil(cfg.records.length / cfg.batchSize), cfg.scheduleSteps !== undefined ? { scheduleSteps: cfg.scheduleSteps } : undefined);
  const lengthOf = lengthMeasure(cfg, model);
  let step = curve.length ? curve[curve.length - 1].step : 0;
  let stepsThisRun = 0;
  cfg.progress?.tick(last * Math.ceil(cfg.records.length / cfg.batchSize));
  for (let epoch = last + 1; epoch <= cfg.epochs; epoch++) {
    for (const batch of batchesOf(cfg.records, cfg.batchSize, cfg.seed, epoch, cfg.lengthGroups, lengthOf)) {
      if (cfg.stopAfterSteps !== undefined && stepsThisRun >= cfg.stopAfterSteps) {
        return { model, finalDir: '', curve, resumedFromEpoch: last, stepsThisRun, interrupted: true };
      }
      const loss = await model.trainStep(batch);
      step++;
      stepsThisRun++;
      curve.push({ step, epoch, loss });
      cfg.progress?.tick(1, `loss ${loss.toFixed(3)}`);
    }
    await writeDirAtomicAsync(epochDir(cfg.dir, epoch), async (tmp) => {
      await model.save(tmp);
      writeFileDurable(join(tmp, 'curve.json'), JSON.stringify(curve), { what: 'loss curve' });
    }, { what: 'checkpoint' });
  }
  writeFileAtomic(join(cfg.dir, 'final.json'), JSON.stringify({ epoch: cfg.epochs }), { what: 'checkpoint' });
  return { model, finalDir: epochDir(cfg.dir, cfg.epochs), curve, resumedFromEpoch: last, stepsThisRun, interrupted: false };
}

/**
 * A content hash of a checkpoint directory: every file's relative path and bytes, sorted,
 * except the loss curve and JSON keys that record wall-clock time.
 */
export function checkpointHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) { walk(p, r); continue; }
      if (name === 'curve.json') continue;
      let bytes: Buffer | string = readFileSync(p);
      if (name.endsWith('.json')) {
        try {
          bytes = JSON.stringify(JSON.parse(bytes.toString('utf8'), (k, v) => (/^(createdAt|savedAt|time|wallMs|elapsedMs|date)$/.test(k) ? undefined : v)));
        } catch { /* not JSON after all: hash the bytes */ }
      }
      h.update(r);
      h.update('\0');
      h.update(bytes);
      h.update('\0');
    }
  };
  walk(dir, '');
  return h.digest('hex');
}
