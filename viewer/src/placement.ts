/**
 * Where a node is at the current step. An object still resting where the scene put it keeps
 * its initial box; one that was moved (put on or in something else) is placed on or in its new
 * support; one that is held follows the character (the caller asks `holder` first). Also where
 * the character stands to act on a target.
 */
import { type Box, type Layout, type RoomRect, placeOnOrIn, roomCenter } from './layout.ts';
import type { WorldState } from './world-state.ts';

export class Placer {
  private readonly initialSupport = new Map<number, string>();
  private readonly roomById: Map<number, RoomRect>;

  constructor(private readonly world: WorldState, private readonly layout: Layout) {
    for (const id of layout.boxes.keys()) this.initialSupport.set(id, this.supportKey(id));
    this.roomById = new Map(layout.rooms.map((r) => [r.id, r]));
  }

  private supportKey(id: number): string {
    const s = this.world.supportOf(id);
    return s ? `${s.rel}:${s.to}` : `room:${this.world.roomOf(id) ?? ''}`;
  }

  /** The node's box now (held objects: where they were last put; the caller draws them in hand). */
  boxOf(id: number, depth = 0): Box | undefined {
    const initial = this.layout.boxes.get(id);
    if (!initial) return undefined;
    if (depth > 8) return initial;
    const sup = this.world.supportOf(id);
    if (this.supportKey(id) === this.initialSupport.get(id)) {
      // Still where the scene put it: it moves only if what it rests on moved (by the same offset).
      const p0 = sup ? this.layout.boxes.get(sup.to) : undefined;
      if (!sup || !p0) return initial;
      const p = this.boxOf(sup.to, depth + 1)!;
      if (p === p0) return initial;
      return { ...initial, cx: initial.cx + p.cx - p0.cx, cy: initial.cy + p.cy - p0.cy, cz: initial.cz + p.cz - p0.cz };
    }
    const size: [number, number, number] = [initial.sx, initial.sy, initial.sz];
    if (sup) {
      const parent = this.boxOf(sup.to, depth + 1);
      if (parent) {
        const siblings = [...this.world.in(sup.to, sup.rel)].sort((a, b) => a - b);
        const slot = Math.max(0, siblings.indexOf(id));
        return placeOnOrIn(parent, size, sup.rel, slot, Math.max(1, siblings.length));
      }
    }
    const room = this.roomById.get(this.world.roomOf(id) ?? -1);
    if (!room) return initial;
    const [x, z] = roomCenter(room);
    const k = ((id * 2654435761) % 997) / 997;
    return { ...initial, cx: x + (k - 0.5), cy: initial.sy / 2, cz: z + (((k * 7) % 1) - 0.5) };
  }

  room(id: number): RoomRect | undefined {
    return this.roomById.get(id);
  }

  /**
   * Where the character stands to act on `target`: beside the target's box, on the side
   * facing its room's centre; a room's centre for a room.
   */
  standPoint(target: number): [number, number] | undefined {
    const room = this.roomById.get(target);
    if (room) return roomCenter(room);
    const b = this.boxOf(target);
    if (!b) return undefined;
    const r = this.roomById.get(this.world.roomOf(target) ?? -1);
    const [rx, rz] = r ? roomCenter(r) : [b.cx, b.cz + 1];
    let dx = rx - b.cx;
    let dz = rz - b.cz;
    const len = Math.hypot(dx, dz);
    if (len < 1e-3) { dx = 0; dz = 1; } else { dx /= len; dz /= len; }
    const reach = Math.max(b.sx, b.sz) / 2 + 0.35;
    let x = b.cx + dx * reach;
    let z = b.cz + dz * reach;
    if (r) {
      x = Math.min(r.x1 - 0.25, Math.max(r.x0 + 0.25, x));
      z = Math.min(r.z1 - 0.25, Math.max(r.z0 + 0.25, z));
    }
    return [x, z];
  }
}
