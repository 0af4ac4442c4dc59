/**
 * VirtualHome's closed vocabularies (spec/virtualhome-semantics.md §2). The reference maps
 * property and state strings onto enums and raises KeyError on anything else; we keep
 * the same sets so that graphs move between Hearth and VirtualHome unchanged.
 */
export const PROPERTIES = [
  'SURFACES', 'GRABBABLE', 'SITTABLE', 'LIEABLE', 'HANGABLE', 'DRINKABLE', 'EATABLE',
  'RECIPIENT', 'CUTTABLE', 'POURABLE', 'CAN_OPEN', 'HAS_SWITCH', 'READABLE', 'LOOKABLE',
  'CONTAINERS', 'CLOTHES', 'PERSON', 'BODY_PART', 'COVER_OBJECT', 'HAS_PLUG', 'HAS_PAPER',
  'MOVABLE', 'CREAM',
] as const;
export type Property = (typeof PROPERTIES)[number];

export const STATES = [
  'CLOSED', 'OPEN', 'ON', 'OFF', 'SITTING', 'DIRTY', 'CLEAN', 'LYING', 'PLUGGED_IN', 'PLUGGED_OUT',
] as const;
export type State = (typeof STATES)[number];

export const RELATIONS = [
  'ON', 'INSIDE', 'BETWEEN', 'CLOSE', 'FACING', 'HOLDS_RH', 'HOLDS_LH', 'SITTING',
] as const;
export type Relation = (typeof RELATIONS)[number];

const propertySet: ReadonlySet<string> = new Set(PROPERTIES);
const stateSet: ReadonlySet<string> = new Set(STATES);
const relationSet: ReadonlySet<string> = new Set(RELATIONS);

export const isProperty = (s: string): s is Property => propertySet.has(s);
export const isState = (s: string): s is State => stateSet.has(s);
export const isRelation = (s: string): s is Relation => relationSet.has(s);
