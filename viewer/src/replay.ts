/**
 * Ties an episode to the 3D scene: builds the house, the objects and the character once, then
 * moves between steps by applying or un-applying the diffs crossed and redrawing only the
 * nodes they touched (and what rests on those).
 */
import * as THREE from 'three';
import { BoxBatch } from './box-batch.ts';
import { buildCharacter, type CharacterView } from './character.ts';
import { characterMoves } from './character-path.ts';
import { buildHouse, type House, houseSlots } from './house.ts';
import { computeLayout, isDrawnObject, type Layout, roomCenter } from './layout.ts';
import type { LogHeader, LogStep } from './log-types.ts';
import { buildObjects, GLOW_COLOR, objectSlots, type ObjectsView } from './objects.ts';
import { shadedMaterial } from './shaded-box.ts';
import { Placer } from './placement.ts';
import type { Stage } from './stage.ts';
import { WorldState } from './world-state.ts';

const HELD_SIZE = 0.22;

export class Replay {
  readonly world: WorldState;
  readonly layout: Layout;
  readonly objects: ObjectsView;
  readonly house: House;
  readonly character: CharacterView;
  /** Every box of the house and the objects (one draw call), and the glow shells (another). */
  readonly solid: BoxBatch;
  readonly glow: BoxBatch;
  private readonly placer: Placer;
  private readonly moves: { mover: Int32Array; target: Int32Array };
  private readonly start: [number, number];
  private held: number[] = [];
  /** Number of steps applied (0 = the initial scene). */
  current = 0;

  constructor(header: LogHeader, readonly steps: LogStep[], private readonly stage: Stage) {
    this.world = new WorldState(header.scene);
    this.layout = computeLayout(this.world);
    this.placer = new Placer(this.world, this.layout);
    const drawn = [...this.world.nodes.values()].filter((n) => isDrawnObject(n.source) && this.layout.boxes.has(n.id));
    const slots = objectSlots(drawn);
    this.solid = new BoxBatch(houseSlots(this.layout) + slots.solid, shadedMaterial());
    this.glow = new BoxBatch(slots.glow, new THREE.MeshBasicMaterial({
      color: GLOW_COLOR, transparent: true, opacity: 0.35, depthWrite: false, blending: THREE.AdditiveBlending,
    }));
    this.house = buildHouse(this.layout, this.solid);
    this.objects = buildObjects(drawn, this.solid, this.glow);
    this.character = buildCharacter();
    stage.scene.add(this.solid.mesh, this.glow.mesh, this.character.group);
    this.moves = characterMoves(steps, this.world.characterId, (id) => this.world.isRoom(id));
    this.start = this.initialPosition();
    this.character.moveTo(this.start[0], this.start[1], 0);
    this.refresh(new Set(drawn.map((n) => n.id).concat(this.layout.doors.map((d) => d.id))));
    this.placeCharacter(0);
    stage.frame(this.bounds());
  }

  private initialPosition(): [number, number] {
    const id = this.world.characterId;
    const b = id !== undefined ? this.world.nodes.get(id)?.source.bounding_box : undefined;
    if (b) return [b.center[0], b.center[2]];
    const room = this.placer.room(id !== undefined ? this.world.roomOf(id) ?? -1 : -1) ?? this.layout.rooms[0];
    return room ? roomCenter(room) : [0, 0];
  }

  bounds(): { x0: number; x1: number; z0: number; z1: number } {
    const r = this.layout.rooms;
    if (r.length === 0) return { x0: -5, x1: 5, z0: -5, z1: 5 };
    return {
      x0: Math.min(...r.map((x) => x.x0)), x1: Math.max(...r.map((x) => x.x1)),
      z0: Math.min(...r.map((x) => x.z0)), z1: Math.max(...r.map((x) => x.z1)),
    };
  }

  /** Go to step k (0..steps.length); the character walks there over `walkSeconds`. */
  seek(k: number, walkSeconds = 0): void {
    k = Math.max(0, Math.min(this.steps.length, Math.trunc(k)));
    if (k === this.current) return;
    const touched = new Set<number>();
    while (this.current < k) this.world.apply(this.steps[this.current++].diff, touched);
    while (this.current > k) this.world.unapply(this.steps[--this.current].diff, touched);
    for (const id of this.held) touched.add(id);
    this.refresh(this.withDependents(touched));
    this.placeCharacter(walkSeconds);
  }

  /** Nodes resting on or in touched nodes move with them. */
  private withDependents(touched: Set<number>): Set<number> {
    const out = new Set<number>();
    const visit = (id: number, depth: number): void => {
      if (out.has(id) || depth > 8) return;
      out.add(id);
      if (this.world.isRoom(id)) return;
      for (const rel of ['ON', 'INSIDE']) for (const c of this.world.in(id, rel)) visit(c, depth + 1);
    };
    for (const id of touched) visit(id, 0);
    return out;
  }

  private refresh(ids: Set<number>): void {
    const cid = this.world.characterId;
    for (const id of ids) {
      const node = this.world.nodes.get(id);
      if (!node) continue;
      if (this.house.hasDoor(id)) this.house.setDoor(id, !node.states.has('CLOSED'));
      if (!this.objects.has(id)) continue;
      if (cid !== undefined && this.world.holder(id) === cid) continue; // drawn in hand below
      this.objects.update(node, this.placer.boxOf(id) ?? null);
    }
    if (cid !== undefined) {
      this.held = [...this.world.out(cid, 'HOLDS_RH'), ...this.world.out(cid, 'HOLDS_LH')];
      this.character.setSitting(this.world.nodes.get(cid)?.states.has('SITTING') ?? false);
    }
    this.drawHeld();
    this.stage.invalidate();
  }

  private placeCharacter(walkSeconds: number): void {
    const target = this.moves.target[this.current];
    const p = target >= 0 ? this.placer.standPoint(target) ?? this.start : this.start;
    this.character.moveTo(p[0], p[1], walkSeconds);
    this.drawHeld();
    this.stage.invalidate();
  }

  private drawHeld(): void {
    const cid = this.world.characterId;
    if (cid === undefined) return;
    for (const id of this.held) {
      const node = this.world.nodes.get(id);
      if (!node) continue;
      const [x, y, z] = this.character.handPosition(this.world.out(cid, 'HOLDS_RH').has(id) ? 0 : 1);
      this.objects.update(node, { cx: x, cy: y, cz: z, sx: HELD_SIZE, sy: HELD_SIZE, sz: HELD_SIZE });
    }
  }

  /** Advance the character's walk and upload changed boxes; true while it moves. */
  tick(dt: number): boolean {
    const moving = this.character.tick(dt);
    if (moving) this.drawHeld();
    if (this.solid.flush() || this.glow.flush() || moving) this.stage.invalidate();
    return moving;
  }

  /** The step (index into steps, 1-based t) whose action last moved the character. */
  moverAt(k: number): number {
    return this.moves.mover[k];
  }
}
