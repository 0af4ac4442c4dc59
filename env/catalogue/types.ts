/**
 * The shape of the object catalogue: Hearth's own household data, used by the scene
 * generator and the task templates. Class names are VirtualHome script names, so programs
 * written against the built-in world read the same on VirtualHome graphs.
 */
import { isProperty, isState, type Property, type State } from '../vocabulary.ts';

/** Room classes, as VirtualHome scripts name them. */
export const ROOM_NAMES = ['kitchen', 'living_room', 'bedroom', 'bathroom', 'home_office', 'dining_room'] as const;
export type RoomName = (typeof ROOM_NAMES)[number];

/**
 * - `room`: a room node (category Rooms).
 * - `door`: a door between two rooms.
 * - `furniture`: stands on the floor of a room, hosts objects.
 * - `object`: sits ON or INSIDE a piece of furniture (appliances on counters included).
 * - `character`: the agent.
 */
export type ClassKind = 'room' | 'door' | 'furniture' | 'object' | 'character';

/** Where an object is usually found: ON or INSIDE a furniture class. */
export interface Placement {
  relation: 'ON' | 'INSIDE';
  furniture: string;
}

export interface CatalogueClass {
  className: string;
  /** VirtualHome's node category (Rooms, Furniture, Appliances, Electronics, Props, Food, ...). */
  category: string;
  kind: ClassKind;
  properties: readonly Property[];
  /** States a fresh instance has (CLOSED for things that open, OFF + PLUGGED_IN for appliances, ...). */
  states: readonly State[];
  /** Whether the thing can get dirty and be washed or wiped clean. */
  washable: boolean;
  /** Rooms it is usually found in. */
  rooms: readonly RoomName[];
  /** For objects: the furniture it is usually on or inside (first = most usual). */
  places: readonly Placement[];
  /** Size in metres [x, y (up), z], for bounding boxes the viewer draws. */
  size: readonly [number, number, number];
}

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

function properties(className: string, s: string): Property[] {
  return words(s).map((w) => {
    if (!isProperty(w)) throw new Error(`catalogue: ${className} has unknown property ${w}`);
    return w;
  });
}

function states(className: string, s: string): State[] {
  return words(s).map((w) => {
    if (!isState(w)) throw new Error(`catalogue: ${className} has unknown state ${w}`);
    return w;
  });
}

function rooms(className: string, s: string): RoomName[] {
  return words(s).map((w) => {
    if (!(ROOM_NAMES as readonly string[]).includes(w)) throw new Error(`catalogue: ${className} has unknown room ${w}`);
    return w as RoomName;
  });
}

/** Default states implied by properties: things that open start closed, switches off, plugs in. */
function impliedStates(props: readonly Property[], explicit: readonly State[]): State[] {
  const out = [...explicit];
  const add = (s: State, unless: State) => { if (!out.includes(s) && !out.includes(unless)) out.push(s); };
  if (props.includes('CAN_OPEN')) add('CLOSED', 'OPEN');
  if (props.includes('HAS_SWITCH')) add('OFF', 'ON');
  if (props.includes('HAS_PLUG')) add('PLUGGED_IN', 'PLUGGED_OUT');
  return out;
}

type Size = [number, number, number];

/** A piece of furniture: `furniture('fridge', 'Appliances', 'CAN_OPEN ...', '', [0.8, 1.8, 0.7], 'kitchen')`. */
export function furniture(className: string, category: string, props: string, extraStates: string, size: Size,
  roomList: string, washable = false): CatalogueClass {
  const p = properties(className, props);
  return {
    className, category, kind: 'furniture', properties: p,
    states: impliedStates(p, washable ? ['CLEAN', ...states(className, extraStates)] : states(className, extraStates)),
    washable, rooms: rooms(className, roomList), places: [], size,
  };
}

/**
 * An object: `places` is `on:kitchen_counter in:fridge ...`. Washable objects start CLEAN
 * (the generator dirties some so that washing tasks exist).
 */
export function object(className: string, category: string, props: string, size: Size, roomList: string,
  placeList: string, options: { washable?: boolean; states?: string } = {}): CatalogueClass {
  const p = properties(className, props);
  const places = words(placeList).map((w): Placement => {
    const m = /^(on|in):([a-z_]+)$/.exec(w);
    if (!m) throw new Error(`catalogue: ${className} has a bad place ${w}`);
    return { relation: m[1] === 'on' ? 'ON' : 'INSIDE', furniture: m[2] };
  });
  const washable = options.washable ?? false;
  const base = states(className, options.states ?? '');
  return {
    className, category, kind: 'object', properties: p,
    states: impliedStates(p, washable ? ['CLEAN', ...base] : base),
    washable, rooms: rooms(className, roomList), places, size,
  };
}
