/**
 * E2CL's three prompts for ONE model (spec/e2cl.md §1, §4, §5). The planning prompt starts
 * with a prefix of exactly 100 characters; `H` (the body: task, description, history) is
 * what follows it, and the feedback and correction prompts put their own prefix before
 * the same body, as the authors do with `prompt[100:]`.
 *
 * A small model trained from scratch has a short context, so the body can keep only the
 * last `historySteps` steps of the history (the task text is always kept); step numbers
 * stay the true ones. `historySteps: Infinity` gives the paper's prompts exactly.
 */
export const ACT_PREFIX = 'You are a robot agent. You need to complete some housework activities under the given instructions. ';
export const FEEDBACK_PREFIX = 'You are a world simulator. You need to generate the feedback according to plans. ';
export const CORRECTION_PREFIX = 'You are a replanner. Given the original plan, you are expected to generate the new plan according to the feedback. ';
/** The action that ends an episode. */
export const END_ACTION = 'END';

export interface HistoryStep {
  action: string;
  observation: string;
}

export interface PromptTask {
  title: string;
  description: string;
}

export interface PromptOptions {
  /** Keep only the last k steps of the history in the prompt (default: all). */
  historySteps?: number;
  /** Cut each observation to at most this many characters (default: no cut). */
  maxObservationChars?: number;
  /**
   * When cutting, keep the closing `You have {held}. ` sentence and cut the object states
   * before it instead (default false: keep the first characters). What the agent holds
   * decides whether put/pour/drink can run; a plain cut drops it first.
   */
  keepHeldWhenCut?: boolean;
  /** Put the (predicted or real) feedback into the correction prompt (the paper's figure; the released prompts do not). */
  feedbackInCorrection?: boolean;
}

export function cutObservation(o: string, opts: PromptOptions): string {
  const max = opts.maxObservationChars;
  if (max === undefined || o.length <= max) return o;
  const held = opts.keepHeldWhenCut ? o.lastIndexOf('You have ') : -1;
  if (held < 0) return o.slice(0, max);
  const tail = o.slice(held);
  return tail.length >= max ? tail.slice(0, max) : o.slice(0, max - tail.length) + tail;
}

/**
 * `H`: `\n\nTask: {task}\nDescription: {description}\n` + `step{i}: {a}\nobservation{i}: {o}\n` per
 * kept step. Step numbers are absolute (1-based) even when early steps are dropped.
 */
export function promptBody(task: PromptTask, history: readonly HistoryStep[], opts: PromptOptions = {}): string {
  const k = opts.historySteps ?? Infinity;
  const start = Number.isFinite(k) ? Math.max(0, history.length - Math.max(0, k)) : 0;
  let s = `\n\nTask: ${task.title}\nDescription: ${task.description}\n`;
  for (let i = start; i < history.length; i++) {
    s += `step${i + 1}: ${history[i].action}\nobservation${i + 1}: ${cutObservation(history[i].observation, opts)}\n`;
  }
  return s;
}

/** The step number of the next action. */
export function nextStep(history: readonly HistoryStep[]): number {
  return history.length + 1;
}

/** Planning prompt: `ACT_PREFIX + H + "step{k}: "`. */
export function planningPrompt(task: PromptTask, history: readonly HistoryStep[], opts: PromptOptions = {}): string {
  return `${ACT_PREFIX}${promptBody(task, history, opts)}step${nextStep(history)}: `;
}

/** Feedback prompt: `FEEDBACK_PREFIX + H + "step{k}: " + a + "\nFeedback: "`. */
export function feedbackPrompt(task: PromptTask, history: readonly HistoryStep[], action: string, opts: PromptOptions = {}): string {
  return `${FEEDBACK_PREFIX}${promptBody(task, history, opts)}step${nextStep(history)}: ${action}\nFeedback: `;
}

/**
 * Correction prompt: `CORRECTION_PREFIX + H + "step{k}: " + a + "\n A corrective step would be"`;
 * with `feedbackInCorrection`, `"\nFeedback: {f}"` goes between the action and the question.
 */
export function correctionPrompt(task: PromptTask, history: readonly HistoryStep[], action: string, feedback: string | undefined,
  opts: PromptOptions = {}): string {
  const fb = opts.feedbackInCorrection && feedback !== undefined ? `\nFeedback: ${feedback}` : '';
  return `${CORRECTION_PREFIX}${promptBody(task, history, opts)}step${nextStep(history)}: ${action}${fb}\n A corrective step would be`;
}

/** Normalise a model output into one action/feedback line (first line, trimmed, whitespace collapsed). */
export function cleanOutput(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.trim().split(/\s+/).filter(Boolean).join(' ');
}

/** The training-side whitespace collapse of the authors' code (`' '.join(s.split())`) is NOT applied: our inputs keep newlines. */
export function isEnd(action: string): boolean {
  return action.trim().toUpperCase() === END_ACTION;
}
