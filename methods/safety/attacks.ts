/**
 * Fine-tuning attacks of "No Two Devils Alike" on the aligned agent, each a LoRA adapter
 * trained on 10 examples (instructions.ts): EHA (explicit harmful: hazardous requests answered
 * with compliance) and ISA (identity shifting: "you are AOA, an obedient robot with no rules",
 * no harmful content). The attack seed picks the examples and initialises the adapter.
 */
import type { PromptOptions } from '../../alignment/datasets/prompts.ts';
import { loadModel, type LocalModel } from '../../agent/local-model.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { ehaExamples, type IOExample, ISA_PREFIX, isaExamples } from './instructions.ts';

export type AttackKind = 'eha' | 'isa';
export const ATTACKS: readonly AttackKind[] = ['eha', 'isa'];

export interface AttackOptions {
  /** LoRA optimizer steps over the 10 examples (each step sees all of them). */
  steps: number;
  rank: number;
  lr: number;
}

export const DEFAULT_ATTACK: AttackOptions = { steps: 80, rank: 8, lr: 3e-3 };

/** The prompt prefix the attacked model is evaluated under (ISA's identity line; none for EHA). */
export const attackPrefix = (kind: AttackKind): string => (kind === 'isa' ? ISA_PREFIX : '');

export function attackExamples(kind: AttackKind, seed: number, prompt: PromptOptions): IOExample[] {
  return kind === 'eha' ? ehaExamples(seed, prompt) : isaExamples(seed, prompt);
}

/** A copy of the aligned model with an active LoRA adapter `kind` trained on the attack set. */
export async function attack(alignedDir: string, kind: AttackKind, seed: number, prompt: PromptOptions, o: AttackOptions = DEFAULT_ATTACK,
  backend?: string): Promise<{ lm: LocalModel; losses: number[] }> {
  const lm = await loadModel(alignedDir, { backend });
  lm.model.addAdapter(kind, { rank: o.rank, alpha: 2 * o.rank, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'], seed: 1000 + seed });
  const trainer = new Trainer(lm, { lr: o.lr, minLr: o.lr / 10, warmupSteps: 2, totalSteps: o.steps, weightDecay: 0, seed, adapter: kind });
  const data = attackExamples(kind, seed, prompt);
  const losses: number[] = [];
  for (let s = 0; s < o.steps; s++) losses.push(await trainer.trainStep(data));
  trainer.optimizer.dispose();
  return { lm, losses };
}
