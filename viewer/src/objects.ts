/**
 * Furniture and objects as instanced boxes (one draw call for a whole VirtualHome scene), with
 * their states made visible: a lid on every openable object that lies flat when CLOSED and
 * stands up when OPEN, a glow shell around what is ON, and a brown tint on what is DIRTY.
 * `update(id, box)` redraws one object in place; nothing is rebuilt when the step changes.
 */
import * as THREE from 'three';
import { shadedBoxGeometry, shadedMaterial } from './shaded-box.ts';
import type { Box } from './layout.ts';
import type { WorldNode } from './world-state.ts';

const CATEGORY_COLORS: Record<string, number> = {
  Furniture: 0xa0785a, Appliances: 0xbfc7cf, Electronics: 0x4d5b6b, Lamps: 0xe9d27a, Decor: 0xb08fc7,
  Props: 0x5aa0c8, Food: 0xe0894f,
};
const DIRTY = new THREE.Color(0x6b4a1f);
const GLOW = 0xffd54a;

export interface ObjectsView {
  group: THREE.Group;
  /** The instanced mesh of the bodies (hover picking), and which node each instance is. */
  bodies: THREE.InstancedMesh;
  idAt(instance: number): number | undefined;
  update(node: WorldNode, box: Box | null): void;
  has(id: number): boolean;
}

export function buildObjects(nodes: WorldNode[]): ObjectsView {
  const group = new THREE.Group();
  group.name = 'objects';
  const unit = shadedBoxGeometry();
  const n = Math.max(1, nodes.length);
  const bodies = new THREE.InstancedMesh(unit, shadedMaterial(), n);
  bodies.name = 'bodies';
  bodies.count = nodes.length;
  // The lid's hinge is its back edge: geometry shifted so that z=0 is the hinge.
  const lidGeometry = unit.clone().translate(0, 0.5, -0.5);
  const openable = nodes.filter((x) => x.properties.has('CAN_OPEN'));
  const lids = new THREE.InstancedMesh(lidGeometry, shadedMaterial(0x39424e), Math.max(1, openable.length));
  lids.name = 'lids';
  lids.count = openable.length;
  const switchable = nodes.filter((x) => x.properties.has('HAS_SWITCH') || x.states.has('ON') || x.states.has('OFF'));
  const glow = new THREE.InstancedMesh(unit, new THREE.MeshBasicMaterial({
    color: GLOW, transparent: true, opacity: 0.35, depthWrite: false, blending: THREE.AdditiveBlending,
  }), Math.max(1, switchable.length));
  glow.name = 'glow';
  glow.count = switchable.length;
  group.add(bodies, lids, glow);

  const index = new Map(nodes.map((x, k) => [x.id, k]));
  const lidIndex = new Map(openable.map((x, k) => [x.id, k]));
  const glowIndex = new Map(switchable.map((x, k) => [x.id, k]));
  const ids = nodes.map((x) => x.id);
  const m = new THREE.Matrix4();
  const q = new THREE.Quaternion();
  const v = new THREE.Vector3();
  const s = new THREE.Vector3();
  const c = new THREE.Color();
  const hidden = new THREE.Matrix4().makeScale(0, 0, 0);
  const xAxis = new THREE.Vector3(1, 0, 0);

  const update = (node: WorldNode, box: Box | null): void => {
    const k = index.get(node.id);
    if (k === undefined) return;
    if (!box) {
      bodies.setMatrixAt(k, hidden);
    } else {
      m.compose(v.set(box.cx, box.cy, box.cz), q.identity(), s.set(box.sx, box.sy, box.sz));
      bodies.setMatrixAt(k, m);
    }
    c.setHex(CATEGORY_COLORS[node.category] ?? 0x9a9a9a);
    if (node.states.has('ON')) c.offsetHSL(0, 0.1, 0.15);
    if (node.states.has('DIRTY')) c.lerp(DIRTY, 0.65);
    bodies.setColorAt(k, c);
    bodies.instanceMatrix.needsUpdate = true;
    bodies.instanceColor!.needsUpdate = true;

    const li = lidIndex.get(node.id);
    if (li !== undefined) {
      if (!box) lids.setMatrixAt(li, hidden);
      else {
        const isOpen = node.states.has('OPEN');
        q.setFromAxisAngle(xAxis, isOpen ? Math.PI * 0.55 : 0);
        m.compose(v.set(box.cx, box.cy + box.sy / 2, box.cz + box.sz / 2), q, s.set(box.sx * 1.04, 0.04, box.sz * 1.04));
        lids.setMatrixAt(li, m);
      }
      lids.instanceMatrix.needsUpdate = true;
    }
    const gi = glowIndex.get(node.id);
    if (gi !== undefined) {
      if (!box || !node.states.has('ON')) glow.setMatrixAt(gi, hidden);
      else {
        m.compose(v.set(box.cx, box.cy, box.cz), q.identity(), s.set(box.sx + 0.16, box.sy + 0.16, box.sz + 0.16));
        glow.setMatrixAt(gi, m);
      }
      glow.instanceMatrix.needsUpdate = true;
    }
  };
  return { group, bodies, idAt: (i) => ids[i], update, has: (id) => index.has(id) };
}
