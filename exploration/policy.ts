/**
 * The agent's decision at one step: plain planning (one model call) or E2CL's speculative
 * inference (spec/e2cl.md §5, exactly): propose `a`, predict its feedback `f`; if `f`
 * contains "Error", ask for one correction `c` and predict its feedback `f2`; use `c` only if
 * `f2` does not contain "Error", else keep `a`. One attempt per step, never a loop.
 *
 * The correction prompt is built from the predicted feedback `f` decoded in full (the
 * recipe's `feedbackTokens` must hold the longest feedback target: `feedbackBudgetShortfall`),
 * so with `feedbackInCorrection` it is the same text as a training correction record's.
 *
 * `correctionGuard: 'no-repeat'` (not in the paper) refuses a correction that repeats the
 * proposal it replaces or the action executed just before: the audit of issue 13 found 54 of
 * 78 corrections repeating the walk just made, which spends a step and gains nothing. A
 * refused correction is not used (`a` is executed, as when `f2` predicts an error) and its
 * feedback is not asked for.
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
  /** The correction repeats the proposal or the previous executed action (whether or not it was refused). */
  repeats?: 'proposal' | 'previous';
  /** The correction guard refused it (then `correctionFeedback` is null). */
  refused?: boolean;
}

export type CorrectionGuard = 'none' | 'no-repeat';

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
  /** Options for feedback outputs: long enough for the whole feedback text (the correction prompt holds it). */
  feedbackOptions: GenerateOptions;
  /** Default 'none' (the paper's loop exactly). */
  correctionGuard?: CorrectionGuard;
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
  const repeats = correctionRepeats(c, a, history);
  if (repeats && cfg.correctionGuard === 'no-repeat') {
    return {
      ...plan, calls: 3, predictedFeedback: f,
      speculative: { proposed: a, predictedFeedback: f, correction: c, correctionFeedback: null, used: false, repeats, refused: true },
    };
  }
  const f2 = cleanOutput(await decode(feedbackPrompt(task, history, c, cfg.prompt), cfg.feedbackOptions));
  const used = !predictsError(f2);
  return {
    ...plan,
    action: used ? c : a,
    calls: 4,
    predictedFeedback: used ? f2 : f,
    speculative: { proposed: a, predictedFeedback: f, correction: c, correctionFeedback: f2, used, ...(repeats ? { repeats } : {}) },
  };
}

/** Whether a correction repeats the proposal it replaces or the action executed just before. */
export function correctionRepeats(correction: string, proposal: string, history: readonly HistoryStep[]): 'proposal' | 'previous' | undefined {
  if (correction === proposal) return 'proposal';
  if (history.length && correction === history[history.length - 1].action) return 'previous';
  return undefined;
}

/**
 * Tokens by which the feedback decode budget falls short of the longest feedback target
 * (plus its end-of-sequence token), 0 when every target fits. A shorter budget cuts
 * `Error, <reason>` at inference while training correction prompts hold it whole (issue 13:
 * a 4-token cap left exactly `Error`; the tiny recipe's 3 tokens never even reached it).
 */
export function feedbackBudgetShortfall(targets: Iterable<string>, countTokens: (s: string) => number, maxTokens: number): { longest: number; shortfall: number } {
  let longest = 0;
  for (const t of targets) longest = Math.max(longest, countTokens(t) + 1);
  return { longest, shortfall: Math.max(0, longest - maxTokens) };
}
