/**
 * Self-feedback targets (spec/e2cl.md §4): `True` for an executed action, `Error, <reason>`
 * for a failed one, `Task finished` for the last generated action of a rollout (normally
 * `END`). The reason is rendered at a detail level so ablations can ask how much the
 * feedback's wording matters:
 * - `specific`: the rewritten environment message (`Error, Robot agent is not close to tv`), E2CL's choice;
 * - `generic`: one sentence per failure kind (`Error, a precondition of the action is not met`);
 * - `none`: just `Error`.
 * Speculative inference only looks for the substring `Error`, so all levels gate the same way.
 */
import type { FailureCode } from '../env/failure.ts';
import { rewriteFailR } from './rewrite.ts';

export const DETAIL_LEVELS = ['none', 'generic', 'specific'] as const;
export type DetailLevel = (typeof DETAIL_LEVELS)[number];

export const FEEDBACK_TRUE = 'True';
export const FEEDBACK_FINISHED = 'Task finished';
export const FEEDBACK_ERROR = 'Error';

/** The part of a failure feedback needs (env/failure.ts `Failure`, or a harness-level failure). */
export interface FailureLike {
  code?: FailureCode | string;
  message: string;
}

const GENERIC: Record<string, string> = {
  parse: 'the action could not be understood',
  unknown_action: 'the robot agent cannot do this action',
  unknown_object: 'the object is not available in the environment',
  wrong_arity: 'the action has the wrong number of objects',
  missing_step: 'a precondition of the action is not met',
  affordance: 'the object does not afford this action',
  wrong_order: 'a precondition of the action no longer holds',
  already: 'the effect of the action already holds',
  capacity: 'there is no room for it',
  posture: 'the posture of the robot agent prevents the action',
  no_room: 'the object cannot be reached',
  unsupported: 'the action is not supported',
};

/** The reason text of a failure at a detail level (`''` for `none`). */
export function failureReason(failure: FailureLike, level: DetailLevel): string {
  switch (level) {
    case 'none': return '';
    // Stryker disable next-line StringLiteral: any key that is not a failure code falls through to the same sentence
    case 'generic': return GENERIC[failure.code ?? ''] ?? 'the action cannot be executed';
    case 'specific': return rewriteFailR(failure.message);
  }
}

/** `Error, <reason>` (or `Error` when the level is `none` or the reason is empty). */
export function errorFeedback(failure: FailureLike, level: DetailLevel = 'specific'): string {
  const reason = failureReason(failure, level);
  return reason ? `${FEEDBACK_ERROR}, ${reason}` : FEEDBACK_ERROR;
}

/** The feedback target of one step. */
export function feedbackTarget(step: { ok: boolean; failure?: FailureLike | null; finished?: boolean }, level: DetailLevel = 'specific'): string {
  if (step.finished) return FEEDBACK_FINISHED;
  if (step.ok) return FEEDBACK_TRUE;
  return errorFeedback(step.failure ?? { message: '' }, level);
}

/** The gate of speculative inference (spec §5): a prediction counts as "will fail" iff it contains `Error`. */
export function predictsError(feedback: string): boolean {
  return feedback.includes(FEEDBACK_ERROR);
}

export function isDetailLevel(s: string): s is DetailLevel {
  return (DETAIL_LEVELS as readonly string[]).includes(s);
}
