/**
 * Result types of the executor, and how each reference check maps onto a typed failure code.
 *
 * | reference check (message template)                          | code          |
 * |-------------------------------------------------------------|---------------|
 * | `<x> (id) cannot be found` (v1: not bound by Walk/Run/Find)  | missing_step  |
 * | same, id not in the graph                                    | unknown_object|
 * | Walk/Find to an id not in the graph (reference crashes)      | unknown_object|
 * | `{c} is not close to {n}`, `does not face`, `is not holding`, | missing_step  |
 * |   `does not have a free hand`, `is inside other closed thing`,|               |
 * |   `is not open or is not openable`, `is still on`,            |               |
 * |   `is unplugged`, `not grabbed`, `does not hold anything`,    |               |
 * |   `is not holding a knife`, `is not on {c}`, `Door(s) ...`,    |               |
 * |   `char room {} is not node room {}`, `is not facing ... while sitting` | missing_step |
 * | `is not grabbable/sittable/lieable/person/readable/clothes/   | affordance    |
 * |   movable/eatable/cuttable/recipient`, `can not be opened`,   |               |
 * |   `does not have a switch/plug`, `does not have switch`,      |               |
 * |   `not lookable`, `is not drinkable or not recipient`,        |               |
 * |   `is not pourable or drinkable`, `none of object on {} is eatable` |         |
 * | `{n} is not off/on/closed/open/plugged_in/plugged_out`:       |               |
 * |   the opposite state holds (switch on an ON tv)               | already       |
 * |   the node has neither state                                  | affordance    |
 * | `{n} already grabbed` (master), Sit while sitting, Lie while   | already       |
 * |   lying, StandUp while standing (`is not sitting`)            |               |
 * | `Too many things on {}`                                      | capacity      |
 * | Walk while sitting/lying (`is sitting`), Sleep/WakeUp standing| posture       |
 * | Walk to a node with no room (reference: silent), a character  | no_room       |
 * |   with no room (reference: AssertionError), `No path between` |               |
 * | LOOKAT_SHORT/LONG (no executor), master's TypeErrors          | unsupported   |
 *
 * `wrong_order` replaces `missing_step` for not close / not holding / not facing / not open
 * when that precondition held earlier in the executor's episode (its edge or state was removed
 * since the executor started), e.g. putting back a plate after walking away from the table.
 */
import type { Failure } from '../failure.ts';

export interface StepResult {
  ok: boolean;
  failure?: Failure;
  /**
   * Reference messages logged by a step that still succeeded (Watch of something inside a
   * closed container, PlugOut while on, master's PutObjBack). They are part of
   * `accumulatedMessage()` like in the reference.
   */
  warnings?: string[];
  /**
   * Where the reference raises instead of reporting, the exception it raises
   * (`TypeError: JoinedExecutor.execute() takes 5 positional arguments but 7 were given`).
   */
  exception?: string;
}

export interface ScriptResult {
  executable: boolean;
  /** 1-based script index of the failing line, or null. */
  failedLine: number | null;
  failure?: Failure;
  exception?: string;
}

export const STEP_OK: StepResult = Object.freeze({ ok: true }) as StepResult;
