/**
 * Labels on hover: the object under the pointer is named (`<class> (id)`) with its states, in a
 * tooltip beside the pointer. Picking is one raycast against the instanced bodies, at most once
 * per animation frame.
 */
import * as THREE from 'three';
import type { ObjectsView } from './objects.ts';
import type { WorldState } from './world-state.ts';

export function installHover(canvas: HTMLCanvasElement, camera: THREE.Camera, objects: ObjectsView, world: WorldState, tip: HTMLElement): void {
  const ray = new THREE.Raycaster();
  const ndc = new THREE.Vector2();
  let pending: { x: number; y: number } | null = null;
  const pick = (): void => {
    const p = pending;
    pending = null;
    if (!p) return;
    const r = canvas.getBoundingClientRect();
    ndc.set(((p.x - r.left) / r.width) * 2 - 1, -((p.y - r.top) / r.height) * 2 + 1);
    ray.setFromCamera(ndc, camera);
    const hit = ray.intersectObject(objects.bodies, false)[0];
    const id = hit?.instanceId !== undefined ? objects.idAt(hit.instanceId) : undefined;
    const node = id !== undefined ? world.nodes.get(id) : undefined;
    if (!node) { tip.hidden = true; return; }
    const states = [...node.states].join(', ');
    tip.textContent = `${node.className} (${node.id})${states ? ` · ${states}` : ''}`;
    tip.style.left = `${p.x - r.left + 14}px`;
    tip.style.top = `${p.y - r.top + 10}px`;
    tip.hidden = false;
  };
  canvas.addEventListener('pointermove', (e) => {
    if (!pending) requestAnimationFrame(pick);
    pending = { x: e.clientX, y: e.clientY };
  });
  canvas.addEventListener('pointerleave', () => { pending = null; tip.hidden = true; });
}
