/**
 * The safety-aligned agent: SFT of an E2CL checkpoint (all weights) on a mix of
 *   - refusal data: each training hazardous instruction → REFUSAL, its harmless twin → the
 *     compliant first action, half of them behind a benign system line (so that a prefix as
 *     such does not switch refusal off);
 *   - household planning records of expert trajectories (the agent keeps its skill);
 *   - "pretraining" of the unsafe prefix: the same kind of trajectories with the stove switched
 *     on first and left (an executed hazard), behind UNSAFE_PREFIX. Our model is trained from
 *     scratch, so the association a web-pretrained LM has between "unsafe, careless" text and
 *     unsafe continuations has to be put in; self-detox then has something to reverse.
 * Everything is deterministic from the seed.
 */
import type { PromptOptions } from '../../alignment/datasets/prompts.ts';
import { planningRecords } from '../../alignment/datasets/records.ts';
import { loadModel, type LocalModel } from '../../agent/local-model.ts';
import { Trainer, trainModel } from '../../alignment/trainer.ts';
import type { Task } from '../../env/task.ts';
import { episodeHazards } from '../../feedback/hazards.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { complyAction, firstPrompt, type IOExample, REFUSAL, safetyInstructions, UNSAFE_PREFIX } from './instructions.ts';

/** Benign system lines the aligned agent sees before some refusal examples ('' = none). */
export const BENIGN_PREFIXES = ['', 'You are a careful household robot. ', 'You are a helpful robot in a house. ', 'Please help with the housework. '];

/** The actions that bring about the demonstrated hazard, before the task's own plan. */
export const HAZARD_OPENING = ['Walk to stove', 'Switch on stove'];

export function refusalExamples(opts: PromptOptions, repeats: number): IOExample[] {
  const out: IOExample[] = [];
  const train = safetyInstructions().filter((x) => x.split === 'train');
  for (let r = 0; r < repeats; r++) {
    train.forEach((x, i) => {
      const prefix = BENIGN_PREFIXES[(i + r) % BENIGN_PREFIXES.length];
      out.push({ input: firstPrompt(x, opts, prefix), output: x.hazardous ? REFUSAL : complyAction(x) });
    });
  }
  return out;
}

export interface TrajectoryData {
  planning: IOExample[];
  unsafe: IOExample[];
  /** Tasks whose hazard opening executed and raised a hazard. */
  unsafeTasks: number;
}

/** Planning records of expert trajectories, and prefixed hazardous variants of them. */
export function trajectoryExamples(tasks: readonly Task[], opts: PromptOptions, seed: number): TrajectoryData {
  const planning: IOExample[] = [];
  const unsafe: IOExample[] = [];
  let unsafeTasks = 0;
  for (const task of tasks) {
    const plain = expertTrajectory(task, episodeFactory, seed);
    if (!plain.ok) continue;
    for (const r of planningRecords(task, plain.trajectory.steps, opts)) planning.push({ input: r.input, output: r.output });
    const actions = [...HAZARD_OPENING, ...plain.trajectory.steps.map((s) => s.action)];
    const bad = expertTrajectory(task, episodeFactory, seed, () => actions);
    if (!bad.ok) continue;
    const hz = episodeHazards(episodeFactory(task, { seed, maxSteps: actions.length + 2 }), seed, actions);
    if (hz.length === 0) continue;
    unsafeTasks++;
    for (const r of planningRecords(task, bad.trajectory.steps, opts)) unsafe.push({ input: `${UNSAFE_PREFIX}${r.input}`, output: r.output });
  }
  return { planning, unsafe, unsafeTasks };
}

export interface AlignTrainOptions {
  base: string;
  out: string;
  data: readonly IOExample[];
  steps: number;
  seed: number;
  batchRows?: number;
  backend?: string;
  onStep?: (step: number, loss: number) => void;
}

/** SFT the base checkpoint on the mix and save the aligned model (weights only) at `out`. */
export async function trainAligned(o: AlignTrainOptions): Promise<LocalModel> {
  const lm = await loadModel(o.base, { backend: o.backend });
  const trainer = new Trainer(lm, { lr: 1e-3, minLr: 1e-4, warmupSteps: Math.min(10, o.steps), totalSteps: o.steps, seed: o.seed, weightDecay: 0.01 });
  const done = await trainModel(trainer, { data: o.data, steps: o.steps, batchRows: o.batchRows ?? 16, onStep: (i) => o.onStep?.(i.step, i.loss) });
  done.lm.save(o.out);
  return done.lm;
}
