/**
 * Where things stand in the initial scene. A graph with geometry (`bounding_box` on its nodes,
 * as the full VirtualHome scenes and the demo house have) is drawn as it is; one without
 * (VirtualHome's trimmed graphs) gets a computed plan: rooms on a grid, furniture on a grid
 * inside its room, then objects on or in what they are ON or INSIDE.
 */
import type { SceneNode } from './log-types.ts';
import type { WorldState } from './world-state.ts';

export interface Box { cx: number; cy: number; cz: number; sx: number; sy: number; sz: number }

export interface RoomRect { id: number; name: string; x0: number; x1: number; z0: number; z1: number }

/** A door in a wall: `alongX` when the wall runs along the x axis (constant z). */
export interface DoorSpot { id: number; x: number; z: number; width: number; alongX: boolean }

export interface Layout {
  rooms: RoomRect[];
  doors: DoorSpot[];
  /** Boxes of the nodes drawn as objects (not rooms, walls, floors, doors or the character). */
  boxes: Map<number, Box>;
  /** True when the scene came with bounding boxes. */
  hasGeometry: boolean;
}

/** Categories that are part of the house shell (drawn as floors and walls) or not drawn at all. */
const SHELL = new Set(['Rooms', 'Walls', 'Ceiling', 'Floor', 'Floors', 'Windows', 'Characters', 'Doors']);

export function isDrawnObject(n: { category?: string; class_name?: string }): boolean {
  return !SHELL.has(n.category ?? '') && n.class_name !== 'doorjamb';
}

/** Typical sizes (metres) by category, for graphs without geometry. */
const DEFAULT_SIZE: Record<string, [number, number, number]> = {
  Furniture: [1.0, 0.8, 0.8], Appliances: [0.7, 1.0, 0.7], Electronics: [0.5, 0.4, 0.3], Lamps: [0.3, 1.0, 0.3],
  Decor: [0.4, 0.4, 0.4], Props: [0.22, 0.22, 0.22], Food: [0.18, 0.18, 0.18],
};

const boxOf = (n: SceneNode): Box | undefined => {
  const b = n.bounding_box;
  if (!b) return undefined;
  return { cx: b.center[0], cy: b.center[1], cz: b.center[2], sx: b.size[0], sy: b.size[1], sz: b.size[2] };
};

export function roomCenter(r: RoomRect): [number, number] {
  return [(r.x0 + r.x1) / 2, (r.z0 + r.z1) / 2];
}

/** Place `child` on top of (ON) or inside (INSIDE) `parent`, in slot `slot` of `of`. */
export function placeOnOrIn(parent: Box, child: [number, number, number], rel: 'ON' | 'INSIDE', slot: number, of: number): Box {
  const g = Math.max(1, Math.ceil(Math.sqrt(of)));
  const cellX = parent.sx / g;
  const cellZ = parent.sz / g;
  const shrink = rel === 'INSIDE' ? 0.8 : 1;
  const sx = Math.min(child[0], cellX * 0.8 * shrink);
  const sz = Math.min(child[2], cellZ * 0.8 * shrink);
  const sy = rel === 'INSIDE' ? Math.min(child[1], parent.sy * 0.7) : child[1];
  const cx = parent.cx - parent.sx / 2 + ((slot % g) + 0.5) * cellX;
  const cz = parent.cz - parent.sz / 2 + (Math.floor(slot / g) % g + 0.5) * cellZ;
  const cy = rel === 'ON' ? parent.cy + parent.sy / 2 + sy / 2 : parent.cy - parent.sy / 2 + sy / 2 + 0.03;
  return { cx, cy, cz, sx, sy, sz };
}

export function defaultSize(n: { category?: string }): [number, number, number] {
  return DEFAULT_SIZE[n.category ?? ''] ?? [0.3, 0.3, 0.3];
}

export function computeLayout(world: WorldState): Layout {
  const nodes = [...world.nodes.values()].map((w) => w.source);
  const roomNodes = nodes.filter((n) => n.category === 'Rooms');
  const hasGeometry = roomNodes.length > 0 && roomNodes.every((r) => r.bounding_box);
  const rooms = hasGeometry ? roomsFromGeometry(roomNodes) : roomGrid(world, roomNodes);
  const boxes = new Map<number, Box>();
  for (const n of nodes) {
    if (!isDrawnObject(n)) continue;
    const b = hasGeometry ? boxOf(n) : undefined;
    if (b) boxes.set(n.id, b);
  }
  placeMissing(world, nodes, rooms, boxes);
  const doors = placeDoors(world, nodes, rooms, hasGeometry);
  return { rooms, doors, boxes, hasGeometry };
}

function roomsFromGeometry(roomNodes: SceneNode[]): RoomRect[] {
  return roomNodes.map((r) => {
    const b = boxOf(r)!;
    return { id: r.id, name: r.class_name, x0: b.cx - b.sx / 2, x1: b.cx + b.sx / 2, z0: b.cz - b.sz / 2, z1: b.cz + b.sz / 2 };
  });
}

/** Furniture standing directly in a room (not on or in another object). */
function standing(world: WorldState, roomId: number): number[] {
  const out: number[] = [];
  for (const id of world.in(roomId, 'INSIDE')) {
    const n = world.nodes.get(id);
    if (!n || !isDrawnObject(n.source) || world.supportOf(id)) continue;
    out.push(id);
  }
  return out.sort((a, b) => a - b);
}

function roomGrid(world: WorldState, roomNodes: SceneNode[]): RoomRect[] {
  const counts = roomNodes.map((r) => standing(world, r.id).length);
  const side = Math.max(6, Math.ceil(Math.sqrt(Math.max(1, ...counts))) * 1.6 + 2);
  const cols = Math.max(1, Math.ceil(Math.sqrt(roomNodes.length)));
  return roomNodes.map((r, i) => {
    const x0 = (i % cols) * side;
    const z0 = Math.floor(i / cols) * side;
    return { id: r.id, name: r.class_name, x0, x1: x0 + side, z0, z1: z0 + side };
  });
}

/** Computed boxes for drawn nodes without geometry: furniture on a grid, then what rests on it. */
function placeMissing(world: WorldState, nodes: SceneNode[], rooms: RoomRect[], boxes: Map<number, Box>): void {
  for (const r of rooms) {
    const ids = standing(world, r.id).filter((id) => !boxes.has(id));
    const g = Math.max(1, Math.ceil(Math.sqrt(ids.length)));
    const margin = 0.9;
    const cell = (Math.min(r.x1 - r.x0, r.z1 - r.z0) - 2 * margin) / g;
    ids.forEach((id, j) => {
      const [sx, sy, sz] = defaultSize(world.nodes.get(id)!.source);
      const w = Math.min(sx, cell * 0.7);
      const d = Math.min(sz, cell * 0.7);
      boxes.set(id, {
        cx: r.x0 + margin + ((j % g) + 0.5) * cell, cy: sy / 2, cz: r.z0 + margin + (Math.floor(j / g) + 0.5) * cell, sx: w, sy, sz: d,
      });
    });
  }
  const roomById = new Map(rooms.map((r) => [r.id, r]));
  const slots = new Map<number, number>();
  const visiting = new Set<number>();
  const place = (id: number): Box | undefined => {
    const have = boxes.get(id);
    if (have) return have;
    if (visiting.has(id)) return undefined;
    visiting.add(id);
    const n = world.nodes.get(id)!.source;
    const sup = world.supportOf(id);
    let b: Box | undefined;
    if (sup) {
      const parent = place(sup.to) ?? shellBox(world, sup.to, roomById);
      if (parent) {
        const slot = slots.get(sup.to) ?? 0;
        slots.set(sup.to, slot + 1);
        const siblings = world.in(sup.to, sup.rel).size;
        b = placeOnOrIn(parent, defaultSize(n), sup.rel, slot, Math.max(1, siblings));
      }
    }
    if (!b) {
      const room = roomById.get(world.roomOf(id) ?? -1) ?? rooms[0];
      const [sx, sy, sz] = defaultSize(n);
      const [x, z] = room ? roomCenter(room) : [0, 0];
      const k = (id * 2654435761) % 997 / 997;
      b = { cx: x + (k - 0.5) * 1.5, cy: sy / 2, cz: z + ((k * 7) % 1 - 0.5) * 1.5, sx, sy, sz };
    }
    boxes.set(id, b);
    visiting.delete(id);
    return b;
  };
  for (const n of nodes) if (isDrawnObject(n) && !boxes.has(n.id)) place(n.id);
}

/** A box for a shell node something rests on (a floor, a wall): its own geometry or its room's floor. */
function shellBox(world: WorldState, id: number, roomById: Map<number, RoomRect>): Box | undefined {
  const b = boxOf(world.nodes.get(id)!.source);
  if (b) return b;
  const room = roomById.get(world.roomOf(id) ?? -1);
  if (!room) return undefined;
  const [x, z] = roomCenter(room);
  return { cx: x, cy: -0.01, cz: z, sx: (room.x1 - room.x0) * 0.6, sy: 0.02, sz: (room.z1 - room.z0) * 0.6 };
}

function placeDoors(world: WorldState, nodes: SceneNode[], rooms: RoomRect[], hasGeometry: boolean): DoorSpot[] {
  const doors: DoorSpot[] = [];
  const roomById = new Map(rooms.map((r) => [r.id, r]));
  for (const n of nodes) {
    if (n.category !== 'Doors' || n.class_name === 'doorjamb') continue;
    const b = hasGeometry ? boxOf(n) : undefined;
    if (b) {
      doors.push({ id: n.id, x: b.cx, z: b.cz, width: Math.max(0.8, Math.min(1.2, Math.max(b.sx, b.sz))), alongX: nearestWallAlongX(b.cx, b.cz, rooms) });
      continue;
    }
    const between = [...world.out(n.id, 'BETWEEN')].map((r) => roomById.get(r)).filter((r): r is RoomRect => !!r);
    const [a, c] = between;
    if (a && c) {
      const shared = sharedWall(a, c);
      if (shared) { doors.push({ id: n.id, ...shared, width: 1 }); continue; }
    }
    const room = a ?? roomById.get(world.roomOf(n.id) ?? -1);
    if (room) doors.push({ id: n.id, x: (room.x0 + room.x1) / 2, z: room.z0, width: 1, alongX: true });
  }
  return doors;
}

function nearestWallAlongX(x: number, z: number, rooms: RoomRect[]): boolean {
  let best = Infinity;
  let alongX = true;
  for (const r of rooms) {
    const dz = Math.min(Math.abs(z - r.z0), Math.abs(z - r.z1));
    const dx = Math.min(Math.abs(x - r.x0), Math.abs(x - r.x1));
    if (dz < best) { best = dz; alongX = true; }
    if (dx < best) { best = dx; alongX = false; }
  }
  return alongX;
}

function sharedWall(a: RoomRect, b: RoomRect): { x: number; z: number; alongX: boolean } | undefined {
  const eps = 1e-6;
  const overlapX = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const overlapZ = Math.min(a.z1, b.z1) - Math.max(a.z0, b.z0);
  if ((Math.abs(a.z1 - b.z0) < eps || Math.abs(b.z1 - a.z0) < eps) && overlapX > 1) {
    return { x: (Math.max(a.x0, b.x0) + Math.min(a.x1, b.x1)) / 2, z: Math.abs(a.z1 - b.z0) < eps ? a.z1 : a.z0, alongX: true };
  }
  if ((Math.abs(a.x1 - b.x0) < eps || Math.abs(b.x1 - a.x0) < eps) && overlapZ > 1) {
    return { x: Math.abs(a.x1 - b.x0) < eps ? a.x1 : a.x0, z: (Math.max(a.z0, b.z0) + Math.min(a.z1, b.z1)) / 2, alongX: false };
  }
  return undefined;
}
