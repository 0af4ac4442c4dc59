export { rewriteFailR, rewriteFailRaw, isSimulatorMessage } from './rewrite.ts';
export {
  DETAIL_LEVELS, type DetailLevel, FEEDBACK_TRUE, FEEDBACK_FINISHED, FEEDBACK_ERROR, type FailureLike,
  failureReason, errorFeedback, feedbackTarget, predictsError, isDetailLevel,
} from './targets.ts';
