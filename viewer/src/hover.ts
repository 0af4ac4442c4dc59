/**
 * Labels on hover: the object under the pointer is named (`<class> (id)`) with its states, in a
 * tooltip beside the pointer. Picking is one raycast against the box batch, at most once
 * per animation frame; walls and floors do not hide what stands behind them.
 */
import * as THREE from 'three';
import type { BoxBatch } from './box-batch.ts';
import type { ObjectsView } from './objects.ts';
import type { WorldState } from './world-state.ts';

export function installHover(canvas: HTMLCanvasElement, camera: THREE.Camera, solid: BoxBatch, objects: ObjectsView, world: WorldState, tip: HTMLElement): void {
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
    // The nearest hit that is an object (walls and floors are in the same batch, with no node).
    let id: number | undefined;
    for (const hit of ray.intersectObject(solid.mesh, false)) {
      id = hit.faceIndex != null ? objects.idAtSlot(solid.slotOfFace(hit.faceIndex)) : undefined;
      if (id !== undefined) break;
    }
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
