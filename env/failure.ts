/**
 * Typed failures (spec/virtualhome-semantics.md §7). Every failed step yields one; the
 * `message` is the reference simulator's text for the step so that conformance checks and
 * E2CL's feedback targets are built from the same string.
 */
export const FAILURE_CODES = [
  'parse',          // the line or NL action could not be parsed
  'unknown_action', // a verb the simulator does not know
  'unknown_object', // an id or name that is not in the scene (hallucination)
  'wrong_arity',    // wrong number of arguments for the verb
  'missing_step',   // an unmet precondition the agent could have established (not close, not holding, door closed, not found first, ...)
  'affordance',     // the object lacks the property the action needs
  'wrong_order',    // a precondition that held earlier in the episode but no longer does
  'already',        // the effect already holds (open an open fridge)
  'capacity',       // too many things on a seat or surface
  'posture',        // sitting/lying/standing prevents or is required
  'no_room',        // the target or the character has no room (the reference fails silently or asserts)
  'unsupported',    // an action the reference has no executor for (LOOKAT_SHORT/LONG) or crashes on (master)
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export interface Failure {
  code: FailureCode;
  /** The action's enum name (`SWITCHON`), or the verb as written when unknown. */
  action: string;
  /** The arguments as node ids where known (grounded), else as written. */
  args: Array<number | string>;
  /** The precondition that failed, e.g. `close(character, tv)`, `free_hand`, `state(fridge, CLOSED)`. */
  predicate: string;
  /**
   * This step's message in the reference's text, e.g.
   * `<character> (65) is not close to <tv> (410) when executing "[SWITCHON] <tv> (410) [1]"`.
   */
  message: string;
}
