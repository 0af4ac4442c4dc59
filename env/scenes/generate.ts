/**
 * The procedural scene generator: a seeded VirtualHome-format graph of 3–8 rooms joined by
 * doors, furnished from the catalogue's room recipes, with small objects ON or INSIDE their
 * usual furniture, default states (some varied: closed doors, open containers, dirty dishes,
 * lights left on, unplugged devices), and a character standing in one room.
 *
 * Edges follow VirtualHome's conventions (spec/virtualhome-semantics.md §2): every object
 * INSIDE its room (first INSIDE edge = the room, which v1's room lookup needs), ON/INSIDE to
 * its host, doors BETWEEN their two rooms, CLOSE (symmetric) between things less than
 * CLOSE_DISTANCE apart in the same room and between an object and its host, FACING from
 * seats to the screens in their room. The character starts CLOSE to nothing, so that the
 * simulator's "loose" close rule does not make everything reachable without walking.
 *
 * Same seed → byte-identical JSON: the only randomness is the seeded Prng, and every
 * collection is iterated in construction order.
 */
import { catalogueClass, objectsOf, type CatalogueClass, type RoomName } from '../catalogue/index.ts';
import { ROOM_RECIPES } from '../catalogue/rooms.ts';
import type { BoundingBox, GraphEdgeJSON, GraphJSON, GraphNodeJSON } from '../graph.ts';
import { Prng } from '../prng.ts';
import type { State } from '../vocabulary.ts';
import {
  besideBox, box, boxGap, centralBox, doorBox, doorPairs, insideBox, onTopBox, roomGrid, WallPlacer, type RoomCell,
} from './layout.ts';

/** Things closer than this (box to box, metres) get CLOSE edges, like Unity's proximity rule. */
export const CLOSE_DISTANCE = 0.5;

export interface SceneOptions {
  /** Number of rooms, 3–8 (default: chosen by the seed). */
  rooms?: number;
}

/** Objects allowed ON seats, so that sitting and lying (capacity counts objects) stay possible. */
const SEAT_ALLOWANCE: Record<string, number> = { sofa: 1, bed: 1 };
const TABLE_LIKE = new Set(['table', 'kitchen_table', 'desk']);

interface Placed {
  id: number;
  cls: CatalogueClass;
  room: number;
  bbox: BoundingBox;
  host?: { id: number; relation: 'ON' | 'INSIDE' };
}

function must(className: string): CatalogueClass {
  const c = catalogueClass(className);
  if (!c) throw new Error(`scene generator: class ${className} is not in the catalogue`);
  return c;
}

/** Room kinds for a house: a kitchen and a living room always, then the others, then extras. */
function roomKinds(count: number, prng: Prng): RoomName[] {
  const rest: RoomName[] = ['bedroom', 'bathroom', 'home_office', 'dining_room'];
  for (let i = rest.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  const kinds: RoomName[] = (['kitchen', 'living_room', ...rest] as RoomName[]).slice(0, count);
  const extras: RoomName[] = ['bedroom', 'bathroom'];
  while (kinds.length < count) kinds.push(extras[(kinds.length - 6) % 2]);
  // Shuffle positions so the kitchen is not always in the corner.
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = prng.int(i + 1);
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  return kinds;
}

/** Default states with the scene's variations. */
function initialStates(cls: CatalogueClass, prng: Prng): State[] {
  const s = new Set<State>(cls.states);
  const swap = (from: State, to: State) => { s.delete(from); s.add(to); };
  const props = cls.properties;
  if (cls.kind === 'door') {
    if (prng.next() < 0.35) swap('OPEN', 'CLOSED');
    return [...s];
  }
  if (props.includes('CAN_OPEN') && s.has('CLOSED') && prng.next() < 0.15) swap('CLOSED', 'OPEN');
  if (cls.washable && prng.next() < 0.2) swap('CLEAN', 'DIRTY');
  // Things that open never start switched on: v1 refuses to open a thing that is ON.
  if (props.includes('HAS_SWITCH') && !props.includes('CAN_OPEN') && s.has('OFF') && prng.next() < 0.25) swap('OFF', 'ON');
  if (props.includes('HAS_PLUG') && props.includes('HAS_SWITCH') && s.has('OFF') && prng.next() < 0.1) {
    swap('PLUGGED_IN', 'PLUGGED_OUT');
  }
  return [...s];
}

export function generateScene(seed: number, options: SceneOptions = {}): GraphJSON {
  const prng = new Prng(seed);
  const roomCount = options.rooms ?? 3 + prng.int(6);
  if (!Number.isInteger(roomCount) || roomCount < 3 || roomCount > 8) {
    throw new Error(`scene generator: rooms must be an integer in 3..8, got ${roomCount}`);
  }
  const kinds = roomKinds(roomCount, prng);
  const cells = roomGrid(roomCount, prng);
  const nodes: GraphNodeJSON[] = [];
  const edges: GraphEdgeJSON[] = [];
  let nextId = 1;
  const node = (cls: CatalogueClass, states: State[], bbox: BoundingBox): number => {
    const id = nextId++;
    nodes.push({ id, class_name: cls.className, category: cls.category, properties: [...cls.properties], states,
      bounding_box: bbox });
    return id;
  };
  const edge = (from_id: number, relation_type: string, to_id: number) => { edges.push({ from_id, relation_type, to_id }); };

  // Rooms.
  const roomIds = kinds.map((k, i) => {
    const r = cells[i].rect;
    return node(must(k), [], box((r.x0 + r.x1) / 2, 1.5, (r.z0 + r.z1) / 2, r.x1 - r.x0, 3, r.z1 - r.z0));
  });

  // Doors on shared walls, INSIDE the first of their rooms, BETWEEN both.
  const doorCls = must('door');
  for (const [a, b] of doorPairs(cells, prng)) {
    const id = node(doorCls, initialStates(doorCls, prng), doorBox(cells[a], cells[b], doorCls.size));
    edge(id, 'INSIDE', roomIds[a]);
    edge(id, 'BETWEEN', roomIds[a]);
    edge(id, 'BETWEEN', roomIds[b]);
  }

  // Furniture, fixtures and loose objects, room by room.
  const usedObjectClasses = new Set<string>();
  const placedByRoom: Placed[][] = [];
  kinds.forEach((kind, ri) => {
    placedByRoom.push(furnishRoom(kind, ri, cells[ri], prng, node, usedObjectClasses));
  });

  for (const placed of placedByRoom) {
    for (const p of placed) {
      edge(p.id, 'INSIDE', roomIds[p.room]);
      if (p.host) edge(p.id, p.host.relation, p.host.id);
    }
  }
  // CLOSE: host pairs and near pairs within a room, each pair once, both directions.
  for (const placed of placedByRoom) {
    for (let i = 0; i < placed.length; i++) {
      for (let j = i + 1; j < placed.length; j++) {
        const a = placed[i], b = placed[j];
        const hosted = a.host?.id === b.id || b.host?.id === a.id;
        if (hosted || boxGap(a.bbox, b.bbox) < CLOSE_DISTANCE) {
          edge(a.id, 'CLOSE', b.id);
          edge(b.id, 'CLOSE', a.id);
        }
      }
    }
  }
  // FACING: seats toward the screens of their room.
  for (const placed of placedByRoom) {
    const screens = placed.filter((p) => p.cls.properties.includes('LOOKABLE') && !p.cls.properties.includes('GRABBABLE'));
    for (const seat of placed) {
      if (!seat.cls.properties.includes('SITTABLE') && !seat.cls.properties.includes('LIEABLE')) continue;
      for (const s of screens) edge(seat.id, 'FACING', s.id);
    }
  }

  // The character, in a random room, close to nothing.
  const startRoom = prng.int(roomCount);
  const r = cells[startRoom].rect;
  const charCls = must('character');
  const cx = (r.x0 + r.x1) / 2 + 0.8, cz = (r.z0 + r.z1) / 2 + 0.8;
  const charId = node(charCls, [], box(cx, charCls.size[1] / 2, cz, ...charCls.size));
  edge(charId, 'INSIDE', roomIds[startRoom]);
  return { nodes, edges };
}

type NodeMaker = (cls: CatalogueClass, states: State[], bbox: BoundingBox) => number;

function furnishRoom(kind: RoomName, roomIndex: number, cell: RoomCell, prng: Prng,
  node: NodeMaker, usedObjectClasses: Set<string>): Placed[] {
  const recipe = ROOM_RECIPES[kind];
  const walls = new WallPlacer(cell.rect, prng);
  const placed: Placed[] = [];
  const furnitureOf = (className: string) => placed.filter((p) => p.cls.className === className && !p.host);
  const onCount = new Map<number, number>();

  for (const slot of recipe.furniture) {
    if (slot.p < 1 && prng.next() >= slot.p) continue;
    const cls = must(slot.className);
    const count = slot.count ?? 1;
    for (let k = 0; k < count; k++) {
      let bbox: BoundingBox;
      const table = placed.find((p) => TABLE_LIKE.has(p.cls.className));
      if (slot.central) bbox = centralBox(cell.rect, cls.size, prng);
      else if (cls.className === 'chair' && table) bbox = besideBox(table.bbox, cls.size, k);
      else if (cls.className === 'light') {
        const rr = cell.rect;
        bbox = box((rr.x0 + rr.x1) / 2, 2.85, (rr.z0 + rr.z1) / 2, ...cls.size);
      } else bbox = walls.place(cls.size);
      placed.push({ id: node(cls, initialStates(cls, prng), bbox), cls, room: roomIndex, bbox });
    }
  }

  const hostAccepts = (host: Placed, relation: 'ON' | 'INSIDE'): boolean => {
    if (relation === 'INSIDE') return host.cls.properties.includes('CONTAINERS') || host.cls.properties.includes('RECIPIENT');
    const seat = host.cls.properties.includes('SITTABLE') || host.cls.properties.includes('LIEABLE');
    if (!seat) return true;
    return (onCount.get(host.id) ?? 0) < (SEAT_ALLOWANCE[host.cls.className] ?? 0);
  };
  const put = (cls: CatalogueClass, host: Placed, relation: 'ON' | 'INSIDE') => {
    const bbox = relation === 'ON' ? onTopBox(host.bbox, cls.size, prng) : insideBox(host.bbox, cls.size, prng);
    const id = node(cls, initialStates(cls, prng), bbox);
    if (relation === 'ON') onCount.set(host.id, (onCount.get(host.id) ?? 0) + 1);
    placed.push({ id, cls, room: roomIndex, bbox, host: { id: host.id, relation } });
  };

  for (const fx of recipe.fixtures) {
    if (fx.p < 1 && prng.next() >= fx.p) continue;
    const hosts = furnitureOf(fx.on);
    if (hosts.length === 0) continue;
    put(must(fx.className), prng.pick(hosts), 'ON');
    usedObjectClasses.add(fx.className);
  }

  // Loose objects: classes not yet in the house, with a usual place that this room has.
  const [lo, hi] = recipe.objects;
  const want = lo + prng.int(hi - lo + 1);
  const candidates = objectCandidates(kind).filter((c) => !usedObjectClasses.has(c.className));
  for (let n = 0; n < want && candidates.length > 0;) {
    const cls = candidates.splice(prng.int(candidates.length), 1)[0];
    const options: Array<{ host: Placed; relation: 'ON' | 'INSIDE'; weight: number }> = [];
    cls.places.forEach((pl, i) => {
      for (const h of furnitureOf(pl.furniture)) {
        if (hostAccepts(h, pl.relation)) options.push({ host: h, relation: pl.relation, weight: i === 0 ? 3 : 1 });
      }
    });
    if (options.length === 0) continue;
    let t = prng.next() * options.reduce((a, o) => a + o.weight, 0);
    const choice = options.find((o) => (t -= o.weight) < 0) ?? options[options.length - 1];
    put(cls, choice.host, choice.relation);
    usedObjectClasses.add(cls.className);
    n++;
  }
  return placed;
}

const candidateCache = new Map<RoomName, CatalogueClass[]>();
/** Catalogue objects usual in a room, minus the room's fixtures (placed separately). */
function objectCandidates(kind: RoomName): CatalogueClass[] {
  let list = candidateCache.get(kind);
  if (!list) {
    const fixtures = new Set(ROOM_RECIPES[kind].fixtures.map((f) => f.className));
    list = objectsOf(kind).filter((c) => !fixtures.has(c.className));
    candidateCache.set(kind, list);
  }
  return [...list];
}
