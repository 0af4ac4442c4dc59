/**
 * The agent's decision at one step: plain planning (one model call) or E2CL's speculative
 * inference (spec/e2cl.md §5, exactly): propose `a`, predict its feedback `f`; if `f`
 * contains "Error", ask for one correction `c` and predict its feedback `f2`; use `c` only if
 * `f2` does not contain "Error", else keep `a`. One attempt per step, never a loop.
 */
import type { GenerateOptions } from '../agent/language-model.ts';
import {
  type HistoryStep, type PromptOptions, type PromptTask, cleanOutput, correctionPrompt, feedbackPrompt, planningPrompt,
} from '../alignment/datasets/prompts.ts';
import { predictsError } from '../feedback/targets.ts';

export type Decode = (prompt: string, options: GenerateOptions) => Promise<string>;

export interface SpeculativeTrace {
  proposed: string;
  predictedFeedback: string;
  correction: string | null;
  correctionFeedback: string | null;
  /** True if the correction replaced the proposed action. */
  used: boolean;
}

export interface Decision {
  action: string;
  /** The planning prompt and the model's raw output for it. */
  prompt: string;
  output: string;
  speculative?: SpeculativeTrace;
  /** The model's predicted feedback for the action that is executed (speculative only). */
  predictedFeedback?: string;
  /** Model calls made for this decision. */
  calls: number;
}

export interface PolicyConfig {
  prompt: PromptOptions;
  /** Options for action and correction outputs. */
  actionOptions: GenerateOptions;
  /** Options for feedback outputs (may be shorter: only "Error" matters for the gate). */
  feedbackOptions: GenerateOptions;
}

export const DEFAULT_POLICY: PolicyConfig = {
  prompt: {},
  actionOptions: { maxTokens: 16, stop: ['\n'] },
  feedbackOptions: { maxTokens: 8, stop: ['\n'] },
};

export async function planAction(task: PromptTask, history: readonly HistoryStep[], decode: Decode, cfg: PolicyConfig): Promise<Decision> {
  const prompt = planningPrompt(task, history, cfg.prompt);
  const output = await decode(prompt, cfg.actionOptions);
  return { action: cleanOutput(output), prompt, output, calls: 1 };
}

export async function speculativeAction(task: PromptTask, history: readonly HistoryStep[], decode: Decode, cfg: PolicyConfig): Promise<Decision> {
  const plan = await planAction(task, history, decode, cfg);
  const a = plan.action;
  const f = cleanOutput(await decode(feedbackPrompt(task, history, a, cfg.prompt), cfg.feedbackOptions));
  if (!predictsError(f)) {
    return { ...plan, calls: 2, predictedFeedback: f, speculative: { proposed: a, predictedFeedback: f, correction: null, correctionFeedback: null, used: false } };
  }
  const c = cleanOutput(await decode(correctionPrompt(task, history, a, f, cfg.prompt), cfg.actionOptions));
  const f2 = cleanOutput(await decode(feedbackPrompt(task, history, c, cfg.prompt), cfg.feedbackOptions));
  const used = !predictsError(f2);
  return {
    ...plan,
    action: used ? c : a,
    calls: 4,
    predictedFeedback: used ? f2 : f,
    speculative: { proposed: a, predictedFeedback: f, correction: c, correctionFeedback: f2, used },
  };
}
