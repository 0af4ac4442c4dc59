/**
 * Furniture and objects as boxes in one shared batch (one draw call for a whole VirtualHome
 * scene), with their states made visible: a lid on every openable object that lies flat when
 * CLOSED and stands up when OPEN, a glow shell around what is ON, and a brown tint on what is
 * DIRTY. `update(id, box)` redraws one object in place; nothing is rebuilt when the step changes.
 */
import * as THREE from 'three';
import type { BoxBatch } from './box-batch.ts';
import type { Box } from './layout.ts';
import type { WorldNode } from './world-state.ts';

const CATEGORY_COLORS: Record<string, number> = {
  Furniture: 0xa0785a, Appliances: 0xbfc7cf, Electronics: 0x4d5b6b, Lamps: 0xe9d27a, Decor: 0xb08fc7,
  Props: 0x5aa0c8, Food: 0xe0894f,
};
const DIRTY = new THREE.Color(0x6b4a1f);
const LID = new THREE.Color(0x39424e);
export const GLOW_COLOR = 0xffd54a;

export interface ObjectsView {
  /** The node drawn in a slot of the solid batch (hover picking). */
  idAtSlot(slot: number): number | undefined;
  update(node: WorldNode, box: Box | null): void;
  has(id: number): boolean;
}

/** Slots needed in the solid batch and the glow batch for these nodes. */
export function objectSlots(nodes: WorldNode[]): { solid: number; glow: number } {
  return {
    solid: nodes.length + nodes.filter(isOpenable).length,
    glow: nodes.filter(isSwitchable).length,
  };
}

const isOpenable = (x: WorldNode): boolean => x.properties.has('CAN_OPEN');
const isSwitchable = (x: WorldNode): boolean => x.properties.has('HAS_SWITCH') || x.states.has('ON') || x.states.has('OFF');

export function buildObjects(nodes: WorldNode[], solid: BoxBatch, glow: BoxBatch): ObjectsView {
  const body = new Map<number, number>();
  const lid = new Map<number, number>();
  const halo = new Map<number, number>();
  const bySlot = new Map<number, number>();
  for (const x of nodes) {
    const s = solid.alloc();
    body.set(x.id, s);
    bySlot.set(s, x.id);
    if (isOpenable(x)) lid.set(x.id, solid.alloc());
    if (isSwitchable(x)) halo.set(x.id, glow.alloc());
  }
  const m = new THREE.Matrix4();
  const hinge = new THREE.Matrix4();
  const q = new THREE.Quaternion();
  const v = new THREE.Vector3();
  const s = new THREE.Vector3();
  const c = new THREE.Color();
  const white = new THREE.Color(1, 1, 1);
  const xAxis = new THREE.Vector3(1, 0, 0);
  // The lid's hinge is its back edge: the unit box shifted so that z=0 is the hinge, y=0 its underside.
  const lidOffset = new THREE.Matrix4().makeTranslation(0, 0.5, -0.5);

  const update = (node: WorldNode, box: Box | null): void => {
    const k = body.get(node.id);
    if (k === undefined) return;
    if (!box) solid.hide(k);
    else {
      c.setHex(CATEGORY_COLORS[node.category] ?? 0x9a9a9a);
      if (node.states.has('ON')) c.offsetHSL(0, 0.1, 0.15);
      if (node.states.has('DIRTY')) c.lerp(DIRTY, 0.65);
      solid.set(k, m.compose(v.set(box.cx, box.cy, box.cz), q.identity(), s.set(box.sx, box.sy, box.sz)), c);
    }
    const li = lid.get(node.id);
    if (li !== undefined) {
      if (!box) solid.hide(li);
      else {
        q.setFromAxisAngle(xAxis, node.states.has('OPEN') ? Math.PI * 0.55 : 0);
        hinge.compose(v.set(box.cx, box.cy + box.sy / 2, box.cz + box.sz / 2), q, s.set(box.sx * 1.04, 0.04, box.sz * 1.04));
        solid.set(li, hinge.multiply(lidOffset), LID);
      }
    }
    const gi = halo.get(node.id);
    if (gi !== undefined) {
      if (!box || !node.states.has('ON')) glow.hide(gi);
      else glow.set(gi, m.compose(v.set(box.cx, box.cy, box.cz), q.identity(), s.set(box.sx + 0.16, box.sy + 0.16, box.sz + 0.16)), white);
    }
  };
  return { idAtSlot: (slot) => bySlot.get(slot), update, has: (id) => body.has(id) };
}
