/**
 * VirtualHome's action enum (`scripts.Action`): 44 members plus the alias LOOKAT_MEDIUM → LOOKAT.
 * Each entry keeps the reference's humanized name, its arity, and the property lists of the
 * enum's third field (which the executor ignores; LID-style action-space enumeration uses
 * them, so they are copied verbatim, including PUTOFF's `CLOHES` and CUT's `CUTABLE` typos).
 */

export type ActionName =
  | 'CLOSE' | 'DRINK' | 'FIND' | 'WALK' | 'GRAB' | 'LOOKAT' | 'LOOKAT_SHORT' | 'LOOKAT_LONG'
  | 'OPEN' | 'POINTAT' | 'PUTBACK' | 'PUTIN' | 'PUTOBJBACK' | 'RUN' | 'SIT' | 'STANDUP'
  | 'SWITCHOFF' | 'SWITCHON' | 'TOUCH' | 'TURNTO' | 'WATCH' | 'WIPE' | 'PUTON' | 'PUTOFF'
  | 'GREET' | 'DROP' | 'READ' | 'LIE' | 'POUR' | 'TYPE' | 'PUSH' | 'PULL' | 'MOVE' | 'WASH'
  | 'RINSE' | 'SCRUB' | 'SQUEEZE' | 'PLUGIN' | 'PLUGOUT' | 'CUT' | 'EAT' | 'SLEEP' | 'WAKEUP'
  | 'RELEASE';

export interface ActionSpec {
  /** The enum member name, as printed in reference messages (`[SWITCHON]`). */
  name: ActionName;
  /** The humanized name of the enum value (`Switch on`). */
  human: string;
  /** Number of `<name> (id)` arguments. */
  arity: 0 | 1 | 2;
  /** Per-argument property lists from the enum (any-of), verbatim. */
  properties: string[][];
}

const spec = (name: ActionName, human: string, arity: 0 | 1 | 2, properties: string[][] = []): ActionSpec =>
  ({ name, human, arity, properties });

/** In the enum's declaration order. */
export const ACTION_LIST: readonly ActionSpec[] = [
  spec('CLOSE', 'Close', 1, [['CAN_OPEN']]),
  spec('DRINK', 'Drink', 1, [['DRINKABLE', 'RECIPIENT']]),
  spec('FIND', 'Find', 1, [[]]),
  spec('WALK', 'Walk', 1, [[]]),
  spec('GRAB', 'Grab', 1, [['GRABBABLE']]),
  spec('LOOKAT', 'Look at', 1, [[]]),
  spec('LOOKAT_SHORT', 'Look at short', 1, [[]]),
  spec('LOOKAT_LONG', 'Look at long', 1, [[]]),
  spec('OPEN', 'Open', 1, [['CAN_OPEN']]),
  spec('POINTAT', 'Point at', 1, [[]]),
  spec('PUTBACK', 'Put', 2, [['GRABBABLE'], []]),
  spec('PUTIN', 'Put in', 2, [['GRABBABLE'], ['CAN_OPEN']]),
  spec('PUTOBJBACK', 'Put back', 1, [[]]),
  spec('RUN', 'Run', 1, [[]]),
  spec('SIT', 'Sit', 1, [['SITTABLE']]),
  spec('STANDUP', 'Stand up', 0),
  spec('SWITCHOFF', 'Switch off', 1, [['HAS_SWITCH']]),
  spec('SWITCHON', 'Switch on', 1, [['HAS_SWITCH']]),
  spec('TOUCH', 'Touch', 1, [[]]),
  spec('TURNTO', 'Turn to', 1, [[]]),
  spec('WATCH', 'Watch', 1, [[]]),
  spec('WIPE', 'Wipe', 1, [[]]),
  spec('PUTON', 'PutOn', 1, [['CLOTHES']]),
  spec('PUTOFF', 'PutOff', 1, [['CLOHES']]),
  spec('GREET', 'Greet', 1, [['PERSON']]),
  spec('DROP', 'Drop', 1, [[]]),
  spec('READ', 'Read', 1, [['READABLE']]),
  spec('LIE', 'Lie', 1, [['LIEABLE']]),
  spec('POUR', 'Pour', 2, [['POURABLE', 'DRINKABLE'], ['RECIPIENT']]),
  spec('TYPE', 'Type', 1, [['HAS_SWITCH']]),
  spec('PUSH', 'Push', 1, [['MOVABLE']]),
  spec('PULL', 'Pull', 1, [['MOVABLE']]),
  spec('MOVE', 'Move', 1, [['MOVABLE']]),
  spec('WASH', 'Wash', 1, [[]]),
  spec('RINSE', 'Rinse', 1, [[]]),
  spec('SCRUB', 'Scrub', 1, [[]]),
  spec('SQUEEZE', 'Squeeze', 1, [['CLOTHES']]),
  spec('PLUGIN', 'PlugIn', 1, [['HAS_PLUG']]),
  spec('PLUGOUT', 'PlugOut', 1, [['HAS_PLUG']]),
  spec('CUT', 'Cut', 1, [['EATABLE', 'CUTABLE']]),
  spec('EAT', 'Eat', 1, [['EATABLE']]),
  spec('SLEEP', 'Sleep', 0),
  spec('WAKEUP', 'WakeUp', 0),
  spec('RELEASE', 'Release', 1, [[]]),
];

/** Aliases of the enum (Python `LOOKAT_MEDIUM = LOOKAT` makes a second name for one member). */
export const ACTION_ALIASES: Readonly<Record<string, ActionName>> = { LOOKAT_MEDIUM: 'LOOKAT' };

/** Enum name (or alias) → spec. Keys are upper case. */
export const ACTIONS: ReadonlyMap<string, ActionSpec> = (() => {
  const m = new Map<string, ActionSpec>();
  for (const a of ACTION_LIST) m.set(a.name, a);
  for (const [alias, target] of Object.entries(ACTION_ALIASES)) m.set(alias, m.get(target)!);
  return m;
})();

/** The spec for an upper-case verb or alias, or undefined when the enum has no such member. */
export function actionSpec(verb: string): ActionSpec | undefined {
  return ACTIONS.get(verb);
}

/** Actions without an executor in the reference (they raise ExecutionException). */
export const UNEXECUTABLE_ACTIONS: ReadonlySet<ActionName> = new Set(['LOOKAT_SHORT', 'LOOKAT_LONG']);
