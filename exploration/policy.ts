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
 *
 * Two more options, off by default and not in the paper (issue 13; measured in
 * docs/main-job.md): `correctionAttempts` tries several corrections per step, and
 * `replanOnFailure` decides the step after an executed failure from the correction prompt with
 * the environment's real feedback (`replanAfterFailure`, called by the rollout). One
 * diagnostic, `oracleGate`, puts the simulator in the feedback head's place
 * (`oracleGatedAction`) to measure what the corrections are worth with a perfect gate.
 */
import type { GenerateOptions } from '../agent/language-model.ts';
import {
  type HistoryStep, type PromptOptions, type PromptTask, cleanOutput, correctionPrompt, feedbackPrompt, isEnd, planningPrompt,
} from '../alignment/datasets/prompts.ts';
import { type DetailLevel, predictsError } from '../feedback/targets.ts';

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
  /** Decided by `replanAfterFailure`. */
  replanned?: boolean;
}

export interface PolicyConfig {
  prompt: PromptOptions;
  /** Options for action and correction outputs. */
  actionOptions: GenerateOptions;
  /** Options for feedback outputs: long enough for the whole feedback text (the correction prompt holds it). */
  feedbackOptions: GenerateOptions;
  /** Default 'none' (the paper's loop exactly). */
  correctionGuard?: CorrectionGuard;
  /**
   * Corrections tried per step when the proposal is predicted to fail (default 1: the paper's
   * single attempt). Attempt 1 is greedy; later ones are sampled at T = 0.7 with a seed fixed
   * by the step and the attempt, so a run is reproducible. A correction that repeats the
   * proposal or the previous action (under `no-repeat`), or one already tried, is skipped
   * without asking its feedback. The first whose predicted feedback has no `Error` is used;
   * if none, the proposal is executed, as in the paper.
   */
  correctionAttempts?: number;
  /**
   * After an executed step fails, decide the next step with the correction prompt and the
   * environment's real feedback, as teacher-free correction records are built, instead of the
   * planning prompt (`replanAfterFailure`). Absent: the paper's loop.
   */
  replanOnFailure?: boolean;
  /**
   * A diagnostic, not a method: speculative inference with the simulator as the feedback head
   * (`oracleGatedAction`). It bounds what a perfect feedback head could give this checkpoint's
   * corrections.
   */
  oracleGate?: boolean;
  /** Detail level of the real feedback texts that `replanOnFailure` and `oracleGate` show the model (default 'specific'). */
  feedbackDetail?: DetailLevel;
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
  const attempts = Math.max(1, cfg.correctionAttempts ?? 1);
  // One attempt is the paper's loop; with several (not in the paper) the trace records the last correction considered.
  const cp = correctionPrompt(task, history, a, f, cfg.prompt);
  const tried = new Set<string>();
  let calls = 2;
  let last: SpeculativeTrace = { proposed: a, predictedFeedback: f, correction: null, correctionFeedback: null, used: false };
  for (let j = 0; j < attempts; j++) {
    const c = cleanOutput(await decode(cp, j === 0 ? cfg.actionOptions : sampledCorrection(cfg, history, j)));
    calls++;
    if (tried.has(c)) continue;
    tried.add(c);
    const repeats = correctionRepeats(c, a, history);
    if (repeats && cfg.correctionGuard === 'no-repeat') {
      last = { proposed: a, predictedFeedback: f, correction: c, correctionFeedback: null, used: false, repeats, refused: true };
      continue;
    }
    const f2 = cleanOutput(await decode(feedbackPrompt(task, history, c, cfg.prompt), cfg.feedbackOptions));
    calls++;
    const used = !predictsError(f2);
    last = { proposed: a, predictedFeedback: f, correction: c, correctionFeedback: f2, used, ...(repeats ? { repeats } : {}) };
    if (used) return { ...plan, action: c, calls, predictedFeedback: f2, speculative: last };
  }
  return { ...plan, calls, predictedFeedback: f, speculative: last };
}

/** What the simulator says of an action tried in a copy of the current state. */
export type TryAction = (action: string) => { ok: boolean; feedback: string };

/**
 * The ceiling of speculative inference for a checkpoint (`oracleGate`): the proposal is tried
 * in a copy of the state instead of asking the model's feedback head; if it fails, up to
 * `correctionAttempts` corrections (greedy, then seeded samples) are decoded from the
 * correction prompt with the real feedback, and the first that executes is used; if none does,
 * the proposal runs. Every gate decision is right and no correction that fails is used, so
 * what remains between this and plain planning is what the corrections themselves are worth.
 */
export async function oracleGatedAction(task: PromptTask, history: readonly HistoryStep[], decode: Decode, cfg: PolicyConfig, tryAction: TryAction): Promise<Decision> {
  const plan = await planAction(task, history, decode, cfg);
  const a = plan.action;
  if (isEnd(a)) return plan;
  const fa = tryAction(a);
  if (fa.ok) return { ...plan, predictedFeedback: fa.feedback, speculative: { proposed: a, predictedFeedback: fa.feedback, correction: null, correctionFeedback: null, used: false } };
  const cp = correctionPrompt(task, history, a, fa.feedback, cfg.prompt);
  let calls = 1;
  let last: SpeculativeTrace = { proposed: a, predictedFeedback: fa.feedback, correction: null, correctionFeedback: null, used: false };
  const tried = new Set<string>([a]);
  for (let j = 0; j < Math.max(1, cfg.correctionAttempts ?? 1); j++) {
    const c = cleanOutput(await decode(cp, j === 0 ? cfg.actionOptions : sampledCorrection(cfg, history, j)));
    calls++;
    if (tried.has(c) || isEnd(c)) continue;
    tried.add(c);
    const fc = tryAction(c);
    last = { proposed: a, predictedFeedback: fa.feedback, correction: c, correctionFeedback: fc.feedback, used: fc.ok };
    if (fc.ok) return { ...plan, action: c, calls, predictedFeedback: fc.feedback, speculative: last };
  }
  return { ...plan, calls, predictedFeedback: fa.feedback, speculative: last };
}

/** Temperature of correction attempts after the first (low: near the greedy answer, not garbled). */
const CORRECTION_SAMPLE_TEMPERATURE = 0.7;

/** Decode options of correction attempt j ≥ 1: sampled, seeded by the step and the attempt. */
function sampledCorrection(cfg: PolicyConfig, history: readonly HistoryStep[], j: number): GenerateOptions {
  return { ...cfg.actionOptions, temperature: CORRECTION_SAMPLE_TEMPERATURE, seed: 7919 * (history.length + 1) + j };
}

/**
 * The step after a failed one, decided from the real feedback: the correction prompt over the
 * history before the failure, the failed action and its feedback `fb`.
 */
export async function replanAfterFailure(task: PromptTask, history: readonly HistoryStep[], fb: string, decode: Decode, cfg: PolicyConfig): Promise<Decision> {
  const prompt = correctionPrompt(task, history.slice(0, -1), history[history.length - 1].action, fb, cfg.prompt);
  const output = await decode(prompt, cfg.actionOptions);
  return { action: cleanOutput(output), prompt, output, calls: 1, replanned: true };
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
