/**
 * Floor-plan geometry for generated scenes: rooms on a grid of cells (neighbours share a
 * wall, so a door sits on the shared wall), furniture along the walls or in the middle,
 * objects on top of or inside their furniture. Boxes are axis-aligned, metres, y up; the
 * viewer draws them and the generator derives CLOSE edges from their distances.
 */
import type { BoundingBox } from '../graph.ts';
import type { Prng } from '../prng.ts';

export interface Rect { x0: number; z0: number; x1: number; z1: number }

export interface RoomCell { rect: Rect; col: number; row: number }

/** Round to millimetres so that the JSON text is short and stable. */
export const mm = (v: number): number => Math.round(v * 1000) / 1000;

export function box(cx: number, cy: number, cz: number, sx: number, sy: number, sz: number): BoundingBox {
  return { center: [mm(cx), mm(cy), mm(cz)], size: [mm(sx), mm(sy), mm(sz)] };
}

/** Rooms in a grid of `cols` columns; column widths and row depths vary per scene. */
export function roomGrid(count: number, prng: Prng): RoomCell[] {
  const cols = count <= 3 ? count : Math.ceil(count / 2);
  const rows = Math.ceil(count / cols);
  const widths = Array.from({ length: cols }, () => 4.5 + prng.int(5) * 0.5);
  const depths = Array.from({ length: rows }, () => 4 + prng.int(4) * 0.5);
  const cells: RoomCell[] = [];
  for (let i = 0; i < count; i++) {
    const col = i % cols, row = Math.floor(i / cols);
    const x0 = widths.slice(0, col).reduce((a, b) => a + b, 0);
    const z0 = depths.slice(0, row).reduce((a, b) => a + b, 0);
    cells.push({ col, row, rect: { x0, z0, x1: x0 + widths[col], z1: z0 + depths[row] } });
  }
  return cells;
}

/**
 * Pairs of rooms joined by a door: every horizontal neighbour pair in a row, column 0
 * between rows (so the plan is connected), and other vertical pairs at random.
 */
export function doorPairs(cells: readonly RoomCell[], prng: Prng): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < cells.length; i++) {
    for (let j = i + 1; j < cells.length; j++) {
      const a = cells[i], b = cells[j];
      if (a.row === b.row && b.col === a.col + 1) pairs.push([i, j]);
      else if (a.col === b.col && b.row === a.row + 1 && (a.col === 0 || prng.next() < 0.4)) pairs.push([i, j]);
    }
  }
  return pairs;
}

/** The door's box on the wall shared by two grid neighbours. */
export function doorBox(a: RoomCell, b: RoomCell, size: readonly [number, number, number]): BoundingBox {
  if (a.row === b.row) {
    const x = a.rect.x1;
    const z = (Math.max(a.rect.z0, b.rect.z0) + Math.min(a.rect.z1, b.rect.z1)) / 2;
    return box(x, size[1] / 2, z, size[2], size[1], size[0]);
  }
  const z = a.rect.z1;
  const x = (Math.max(a.rect.x0, b.rect.x0) + Math.min(a.rect.x1, b.rect.x1)) / 2;
  return box(x, size[1] / 2, z, size[0], size[1], size[2]);
}

/**
 * Places pieces against the walls, walking the perimeter clockwise from the north-west
 * corner with random gaps; pieces that do not fit wrap around (overlap is harmless here).
 */
export class WallPlacer {
  private t: number;
  private readonly perimeter: number;
  constructor(private readonly rect: Rect, private readonly prng: Prng) {
    this.perimeter = 2 * ((rect.x1 - rect.x0) + (rect.z1 - rect.z0));
    this.t = 0.3 + prng.next() * 0.4;
  }

  place(size: readonly [number, number, number]): BoundingBox {
    const { x0, z0, x1, z1 } = this.rect;
    const w = x1 - x0, d = z1 - z0;
    const [sw, sh, sd] = size;
    const ends = [w, w + d, 2 * w + d, 2 * w + 2 * d];
    let t = this.t % this.perimeter;
    let seg = ends.findIndex((e) => t < e);
    if (t + sw > ends[seg]) { t = ends[seg] % this.perimeter; seg = (seg + 1) % 4; }
    const s = t - (seg === 0 ? 0 : ends[seg - 1]) + sw / 2;
    this.t = t + sw + 0.25 + this.prng.next() * 0.5;
    switch (seg) {
      case 0: return box(x0 + s, sh / 2, z0 + sd / 2, sw, sh, sd);
      case 1: return box(x1 - sd / 2, sh / 2, z0 + s, sd, sh, sw);
      case 2: return box(x1 - s, sh / 2, z1 - sd / 2, sw, sh, sd);
      default: return box(x0 + sd / 2, sh / 2, z1 - s, sd, sh, sw);
    }
  }
}

/** A piece in the middle of the room, jittered a little. */
export function centralBox(rect: Rect, size: readonly [number, number, number], prng: Prng): BoundingBox {
  const cx = (rect.x0 + rect.x1) / 2 + (prng.next() - 0.5) * 0.6;
  const cz = (rect.z0 + rect.z1) / 2 + (prng.next() - 0.5) * 0.6;
  return box(cx, size[1] / 2, cz, size[0], size[1], size[2]);
}

/** A seat beside a table-like piece: one of its four sides, chosen by `slot`. */
export function besideBox(host: BoundingBox, size: readonly [number, number, number], slot: number): BoundingBox {
  const [hx, , hz] = host.center;
  const [hw, , hd] = host.size;
  const off = [[0, -(hd / 2 + size[2] / 2 + 0.1)], [0, hd / 2 + size[2] / 2 + 0.1],
    [-(hw / 2 + size[0] / 2 + 0.1), 0], [hw / 2 + size[0] / 2 + 0.1, 0]][slot % 4];
  const spread = Math.floor(slot / 4) * 0.6;
  return box(hx + off[0] + (off[0] === 0 ? spread : 0), size[1] / 2, hz + off[1] + (off[1] === 0 ? spread : 0),
    size[0], size[1], size[2]);
}

/** An object resting on top of its host, somewhere on the host's top face. */
export function onTopBox(host: BoundingBox, size: readonly [number, number, number], prng: Prng): BoundingBox {
  const [hx, hy, hz] = host.center;
  const [hw, hh, hd] = host.size;
  const fx = Math.max(0, hw - size[0]) * 0.8, fz = Math.max(0, hd - size[2]) * 0.8;
  return box(hx + (prng.next() - 0.5) * fx, hy + hh / 2 + size[1] / 2, hz + (prng.next() - 0.5) * fz,
    size[0], size[1], size[2]);
}

/** An object inside its host, on the host's lower half. */
export function insideBox(host: BoundingBox, size: readonly [number, number, number], prng: Prng): BoundingBox {
  const [hx, hy, hz] = host.center;
  const [hw, hh, hd] = host.size;
  const fx = Math.max(0, hw - size[0]) * 0.6, fz = Math.max(0, hd - size[2]) * 0.6;
  const y = Math.min(hy - hh / 2 + size[1] / 2 + 0.05 + prng.next() * hh * 0.4, hy + hh / 2 - size[1] / 2);
  return box(hx + (prng.next() - 0.5) * fx, y, hz + (prng.next() - 0.5) * fz, size[0], size[1], size[2]);
}

/** Euclidean distance between two boxes (0 when they touch or overlap). */
export function boxGap(a: BoundingBox, b: BoundingBox): number {
  let sum = 0;
  for (let k = 0; k < 3; k++) {
    const d = Math.abs(a.center[k] - b.center[k]) - (a.size[k] + b.size[k]) / 2;
    if (d > 0) sum += d * d;
  }
  return Math.sqrt(sum);
}
