/**
 * The character: a capsule with a head and a facing marker, walking (eased) from where it was
 * to where the current step leaves it. Held objects are drawn at its hands by the caller, from
 * `handPosition`.
 */
import * as THREE from 'three';

export interface CharacterView {
  group: THREE.Group;
  /** Start walking to (x, z) over `seconds` (0 = jump there). */
  moveTo(x: number, z: number, seconds: number): void;
  /** Advance the walk; returns true while still moving. */
  tick(dt: number): boolean;
  position(): [number, number];
  handPosition(hand: 0 | 1): [number, number, number];
  setSitting(sitting: boolean): void;
}

export function buildCharacter(): CharacterView {
  const group = new THREE.Group();
  group.name = 'character';
  const skin = new THREE.MeshLambertMaterial({ color: 0xe05a47 });
  const body = new THREE.Mesh(new THREE.CylinderGeometry(0.2, 0.24, 1.1, 12), skin);
  body.position.y = 0.55;
  const head = new THREE.Mesh(new THREE.SphereGeometry(0.17, 12, 8), new THREE.MeshLambertMaterial({ color: 0xf2c7a5 }));
  head.position.y = 1.3;
  const nose = new THREE.Mesh(new THREE.BoxGeometry(0.08, 0.08, 0.16), skin);
  nose.position.set(0, 1.3, 0.17);
  group.add(body, head, nose);

  let from: [number, number] = [0, 0];
  let to: [number, number] = [0, 0];
  let t = 1;
  let duration = 0;
  let yaw = 0;
  let sitting = false;

  const apply = (): void => {
    const e = t >= 1 ? 1 : t * t * (3 - 2 * t);
    group.position.set(from[0] + (to[0] - from[0]) * e, sitting ? -0.35 : 0, from[1] + (to[1] - from[1]) * e);
    group.rotation.y = yaw;
  };
  return {
    group,
    moveTo(x, z, seconds) {
      const cur = this.position();
      from = cur;
      to = [x, z];
      const dx = x - cur[0];
      const dz = z - cur[1];
      if (Math.hypot(dx, dz) > 1e-3) yaw = Math.atan2(dx, dz);
      duration = seconds;
      t = seconds > 0 ? 0 : 1;
      apply();
    },
    tick(dt) {
      if (t >= 1) return false;
      t = Math.min(1, t + dt / Math.max(1e-3, duration));
      apply();
      return t < 1;
    },
    position: () => [group.position.x, group.position.z],
    handPosition(hand) {
      const side = hand === 0 ? -1 : 1;
      const c = Math.cos(yaw);
      const sn = Math.sin(yaw);
      // Hands sit in front of the body, to its right (0) or left (1).
      const lx = side * 0.3;
      const lz = 0.22;
      return [group.position.x + lx * c + lz * sn, group.position.y + 0.8, group.position.z - lx * sn + lz * c];
    },
    setSitting(s) { sitting = s; apply(); },
  };
}
