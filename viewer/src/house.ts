/**
 * The house shell: a floor tile per room, low walls around each room with gaps where doors are,
 * and door panels that swing open or shut. Walls are kept low so that the orbit and plan views
 * see into every room. All of it goes into the shared solid batch (no draw calls of its own).
 */
import * as THREE from 'three';
import type { BoxBatch } from './box-batch.ts';
import type { DoorSpot, Layout, RoomRect } from './layout.ts';

const WALL_HEIGHT = 1.0;
const WALL_THICK = 0.08;
const FLOOR_COLORS: Record<string, number> = {
  kitchen: 0xe8dcc2, bathroom: 0xcfe3ea, bedroom: 0xe7d3d8, livingroom: 0xdfe6cf, living_room: 0xdfe6cf,
};

export interface House {
  /** Show a door open or closed. */
  setDoor(id: number, open: boolean): void;
  hasDoor(id: number): boolean;
}

interface Segment { x0: number; z0: number; x1: number; z1: number }

/** The walls of one room side, cut where doors stand in it. */
function sideSegments(a: [number, number], b: [number, number], doors: DoorSpot[]): Segment[] {
  const alongX = a[1] === b[1];
  const fixed = alongX ? a[1] : a[0];
  const lo = Math.min(alongX ? a[0] : a[1], alongX ? b[0] : b[1]);
  const hi = Math.max(alongX ? a[0] : a[1], alongX ? b[0] : b[1]);
  const gaps: [number, number][] = [];
  for (const d of doors) {
    const off = alongX ? Math.abs(d.z - fixed) : Math.abs(d.x - fixed);
    const pos = alongX ? d.x : d.z;
    if (off < 0.4 && pos > lo && pos < hi) gaps.push([pos - d.width / 2, pos + d.width / 2]);
  }
  gaps.sort((p, q) => p[0] - q[0]);
  const out: Segment[] = [];
  let cur = lo;
  for (const [g0, g1] of gaps) {
    if (g0 > cur + 0.05) out.push(alongX ? { x0: cur, z0: fixed, x1: g0, z1: fixed } : { x0: fixed, z0: cur, x1: fixed, z1: g0 });
    cur = Math.max(cur, g1);
  }
  if (hi > cur + 0.05) out.push(alongX ? { x0: cur, z0: fixed, x1: hi, z1: fixed } : { x0: fixed, z0: cur, x1: fixed, z1: hi });
  return out;
}

function roomWalls(r: RoomRect, doors: DoorSpot[]): Segment[] {
  const i = WALL_THICK / 2;
  const x0 = r.x0 + i; const x1 = r.x1 - i; const z0 = r.z0 + i; const z1 = r.z1 - i;
  return [
    ...sideSegments([x0, z0], [x1, z0], doors), ...sideSegments([x0, z1], [x1, z1], doors),
    ...sideSegments([x0, z0], [x0, z1], doors), ...sideSegments([x1, z0], [x1, z1], doors),
  ];
}

/** Slots the house needs in the solid batch. */
export function houseSlots(layout: Layout): number {
  return layout.rooms.length + layout.rooms.reduce((n, r) => n + roomWalls(r, layout.doors).length, 0) + layout.doors.length;
}

export function buildHouse(layout: Layout, solid: BoxBatch): House {
  const m = new THREE.Matrix4();
  const q = new THREE.Quaternion();
  const v = new THREE.Vector3();
  const s = new THREE.Vector3();
  const c = new THREE.Color();

  for (const r of layout.rooms) {
    m.compose(v.set((r.x0 + r.x1) / 2, -0.03, (r.z0 + r.z1) / 2), q.identity(), s.set(r.x1 - r.x0 - 0.02, 0.06, r.z1 - r.z0 - 0.02));
    solid.set(solid.alloc(), m, c.setHex(FLOOR_COLORS[r.name] ?? 0xe4e0d8));
  }
  c.setHex(0xb9b2a6);
  for (const g of layout.rooms.flatMap((r) => roomWalls(r, layout.doors))) {
    const len = Math.hypot(g.x1 - g.x0, g.z1 - g.z0);
    const alongX = g.z0 === g.z1;
    m.compose(v.set((g.x0 + g.x1) / 2, WALL_HEIGHT / 2, (g.z0 + g.z1) / 2), q.identity(),
      s.set(alongX ? len : WALL_THICK, WALL_HEIGHT, alongX ? WALL_THICK : len));
    solid.set(solid.alloc(), m, c);
  }

  // Door panels pivot on one end: the unit box shifted so that x=0 is the hinge, y=0 the floor.
  const hingeOffset = new THREE.Matrix4().makeTranslation(0.5, 0.5, 0);
  const doorSlot = new Map(layout.doors.map((d) => [d.id, solid.alloc()]));
  const open = new THREE.Color(0x8fd18f);
  const shut = new THREE.Color(0x8a5a3b);
  const setDoor = (id: number, isOpen: boolean): void => {
    const k = doorSlot.get(id);
    if (k === undefined) return;
    const d = layout.doors.find((x) => x.id === id)!;
    const base = d.alongX ? 0 : -Math.PI / 2;
    q.setFromAxisAngle(v.set(0, 1, 0), base + (isOpen ? -Math.PI * 0.45 : 0));
    const hx = d.alongX ? d.x - d.width / 2 : d.x;
    const hz = d.alongX ? d.z : d.z - d.width / 2;
    m.compose(v.set(hx, 0, hz), q, s.set(d.width, WALL_HEIGHT * 1.1, 0.05)).multiply(hingeOffset);
    solid.set(k, m, isOpen ? open : shut);
  };
  for (const d of layout.doors) setDoor(d.id, true);
  return { setDoor, hasDoor: (id) => doorSlot.has(id) };
}
