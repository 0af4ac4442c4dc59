/**
 * A time check before an E2CL run trains anything: one training step of the recipe's own
 * model on a batch of its own planning records is timed, and the run's training is priced
 * from it. The price is a lower bound (bc-init, then each of the four fine-tunes on the
 * planning share of its mix; exploration records only add steps), so a refusal is never
 * wrong about a run being too long. Why: the `full` recipe's bc-init alone is 10,014 steps of
 * a 4-layer ctx-1024 model; on 2 CPU cores that is about a day, which a user must be told
 * before the day starts, not after.
 */
import { HearthError } from '../env/errors.ts';
import type { IOPair } from '../alignment/datasets/export.ts';
import type { ModelProvider } from './training.ts';

export interface TrainingEstimate {
  /** Optimizer steps counted (a lower bound of the run's). */
  steps: number;
  /** Measured seconds of one step (median of the timed steps after a warm-up step). */
  secondsPerStep: number;
  /** steps × secondsPerStep / 3600. */
  hours: number;
}

/** Steps of training a run will take at least: bc-init plus four fine-tunes of the planning records. */
export function minimumTrainingSteps(o: { initRecords: number; planningRecords: number; batchSize: number; initEpochs: number; finetuneEpochs: number }): number {
  const steps = (records: number, epochs: number) => epochs * Math.ceil(records / o.batchSize);
  return steps(o.initRecords, o.initEpochs) + 4 * steps(o.planningRecords, o.finetuneEpochs);
}

/**
 * Time `timedSteps` training steps (after one warm-up step) of a fresh model from `provider`
 * on batches of `batchSize` records spread evenly over `records` (so their lengths are the
 * data's, not the first few's). The model is thrown away.
 */
export async function timeTrainingStep(provider: ModelProvider, corpus: readonly string[], records: readonly IOPair[],
  batchSize: number, seed: number, timedSteps = 1): Promise<number> {
  const model = await provider.create(corpus, seed);
  try {
    model.prepare?.(timedSteps + 1);
    const stride = Math.max(1, Math.floor(records.length / batchSize));
    const batch = Array.from({ length: Math.min(batchSize, records.length) }, (_, i) => records[(i * stride) % records.length]);
    await model.trainStep(batch);
    const times: number[] = [];
    for (let i = 0; i < timedSteps; i++) {
      const t0 = performance.now();
      await model.trainStep(batch);
      times.push((performance.now() - t0) / 1000);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    model.dispose?.();
  }
}

/** Refuse (before any training) when the estimate exceeds the budget; the error says by how much and what to do. */
export function checkTimeBudget(recipe: string, est: TrainingEstimate, budgetHours: number): void {
  if (est.hours <= budgetHours) return;
  throw new HearthError('run.too_long',
    `the '${recipe}' recipe needs at least ${est.hours.toFixed(1)} h of training on this machine ` +
    `(${est.steps.toLocaleString('en-US')} optimizer steps × ${est.secondsPerStep.toFixed(2)} s measured), more than --max-hours ${budgetHours}`,
    `pass --max-hours ${Math.ceil(est.hours * 1.5)} to run it anyway, use --quick (about 15 minutes), or train on a machine with a GPU (npm install @tensorflow/tfjs-node-gpu, --backend tensorflow)`);
}
