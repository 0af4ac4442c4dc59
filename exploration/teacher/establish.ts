/**
 * Establishing preconditions: each method brings the simulated world to a state in which one
 * action is possible and then executes it, deriving the steps from the action's
 * preconditions (spec/virtualhome-semantics.md §6) as they hold *now*: stand up before
 * walking, walk (opening closed doors on the way) or find before touching, open the closed
 * container an object is in, free a hand, switch an appliance off before opening it, plug it
 * in before switching it on. Every step goes through the executor; a method returns false as
 * soon as one fails (the caller rolls the branch back), so nothing here can claim a step the
 * simulator would refuse.
 */
import {
  closedDoorsBetween, freeHand, isClose, isHolding, isInsideClosed, isRoom, roomOf,
} from '../../env/exec/predicates.ts';
import type { Relation } from '../../env/vocabulary.ts';
import type { PlanningSim } from './sim.ts';

/** What the goal needs kept in hand or moved: objects not to drop when a hand must be freed. */
export interface EstablishContext {
  needed: ReadonlySet<number>;
  /** FACING targets of the goal: bound before sitting down, so that Turn to works seated. */
  facingTargets: readonly number[];
}

const MAX_NESTING = 4;

export class Establisher {
  private depth = 0;

  constructor(readonly sim: PlanningSim, readonly ctx: EstablishContext) {}

  private get g() { return this.sim.graph; }
  private get c() { return this.sim.character; }

  private nested(fn: () => boolean): boolean {
    if (this.depth >= MAX_NESTING) return false;
    this.depth++;
    try { return fn(); } finally { this.depth--; }
  }

  holding(n: number): boolean { return isHolding(this.g, this.c, n); }
  held(): number[] { return [...this.g.out(this.c, 'HOLDS_RH'), ...this.g.out(this.c, 'HOLDS_LH')]; }
  private posed(): boolean { return this.g.hasState(this.c, 'SITTING') || this.g.hasState(this.c, 'LYING'); }

  standUp(): boolean {
    return !this.posed() || this.sim.apply('STANDUP', []);
  }

  /** Bind n (v1's found-first rule) without moving when that is possible. */
  bind(n: number): boolean {
    if (this.sim.isBound(n)) return true;
    if (isClose(this.g, this.c, n) || this.g.hasEdge(n, 'ON', this.c) || this.posed()) {
      if (this.sim.apply('FIND', [n])) return true;
    }
    return this.walkTo(n);
  }

  /** Close to n and n bound. */
  reach(n: number): boolean {
    if (isClose(this.g, this.c, n)) return this.bind(n);
    return this.walkTo(n) && (isClose(this.g, this.c, n) || this.sim.apply('FIND', [n]));
  }

  /** Walk to n, standing up first and opening the closed doors on the way. */
  walkTo(n: number): boolean {
    if (!this.standUp()) return false;
    if (this.sim.apply('WALK', [n])) return true;
    const f = this.sim.lastFailure;
    if (!f || !f.predicate.startsWith('open(')) return false;
    return this.nested(() => {
      for (let tries = 0; tries < 8; tries++) {
        const from = roomOf(this.g, this.c, 'v1');
        const to = roomOf(this.g, n, 'v1');
        if (from === undefined || to === undefined) return false;
        const doors = closedDoorsBetween(this.g, from, to);
        if (!doors || doors.length === 0) break;
        const door = doors[doors.length - 1]; // the nearest one; the list runs from the target back
        if (!(isClose(this.g, this.c, door) && this.sim.isBound(door)) && !this.sim.apply('WALK', [door])) return false;
        if (!this.freeHand(new Set())) return false;
        if (!this.sim.apply('OPEN', [door])) return false;
      }
      return this.sim.apply('WALK', [n]);
    });
  }

  /** A free hand, dropping a held object (one the goal does not need, if possible). */
  freeHand(keep: ReadonlySet<number>): boolean {
    if (freeHand(this.g, this.c) !== undefined) return true;
    const held = this.held().filter((h) => !keep.has(h));
    held.sort((a, b) => Number(this.ctx.needed.has(a)) - Number(this.ctx.needed.has(b)));
    for (const h of held) {
      if (this.bind(h) && this.sim.apply('DROP', [h])) return true;
    }
    return false;
  }

  /** n not inside a closed container (opening the containers, outermost first). */
  access(n: number, keep: ReadonlySet<number> = new Set()): boolean {
    if (!isInsideClosed(this.g, n)) return true;
    return this.nested(() => {
      for (const x of [...this.g.out(n, 'INSIDE')]) {
        if (isRoom(this.g, x) || !this.g.hasState(x, 'CLOSED')) continue;
        if (!this.access(x, keep) || !this.open(x, keep)) return false;
      }
      return !isInsideClosed(this.g, n);
    });
  }

  open(n: number, keep: ReadonlySet<number> = new Set()): boolean {
    if (this.g.hasState(n, 'OPEN')) return true;
    return this.reach(n) && this.freeHand(keep)
      && (!this.g.hasState(n, 'ON') || this.sim.apply('SWITCHOFF', [n]))
      && this.sim.apply('OPEN', [n]);
  }

  close(n: number): boolean {
    if (this.g.hasState(n, 'CLOSED')) return true;
    return this.reach(n) && this.sim.apply('CLOSE', [n]);
  }

  switchOn(n: number): boolean {
    if (this.g.hasState(n, 'ON')) return true;
    if (!this.reach(n)) return false;
    if (this.g.hasState(n, 'PLUGGED_OUT') && !(this.freeHand(this.ctx.needed) && this.sim.apply('PLUGIN', [n]))) return false;
    return this.sim.apply('SWITCHON', [n]);
  }

  switchOff(n: number): boolean {
    if (this.g.hasState(n, 'OFF')) return true;
    return this.reach(n) && this.sim.apply('SWITCHOFF', [n]);
  }

  plug(n: number, plugIn: boolean): boolean {
    if (this.g.hasState(n, plugIn ? 'PLUGGED_IN' : 'PLUGGED_OUT')) return true;
    return this.reach(n) && this.freeHand(this.ctx.needed) && this.sim.apply(plugIn ? 'PLUGIN' : 'PLUGOUT', [n]);
  }

  clean(n: number): boolean {
    return this.reach(n) && this.sim.apply('WASH', [n]);
  }

  /** Hold n (in whichever hand the executor picks). */
  hold(n: number): boolean {
    if (this.holding(n)) return true;
    const keep = new Set([n]);
    return this.access(n, keep) && this.reach(n) && this.freeHand(keep) && this.sim.apply('GRAB', [n]);
  }

  /** Hold n in a given hand: the executor fills the right hand first. */
  holdIn(n: number, hand: 'HOLDS_RH' | 'HOLDS_LH'): boolean {
    const g = this.g, c = this.c;
    if (g.hasEdge(c, hand, n)) return true;
    if (this.holding(n)) {
      // In the other hand. v1 lets a held object be grabbed again (then both hands hold it);
      // otherwise put it down and take it again.
      const m = this.sim.mark();
      const other = hand === 'HOLDS_RH' ? 'HOLDS_LH' : 'HOLDS_RH';
      const wantedIsFree = hand === 'HOLDS_RH' ? g.out(c, 'HOLDS_RH').size === 0
        : g.out(c, 'HOLDS_RH').size > 0 && g.out(c, 'HOLDS_LH').size === 0;
      if (wantedIsFree && g.hasEdge(c, other, n) && this.bind(n) && this.sim.apply('GRAB', [n]) && g.hasEdge(c, hand, n)) return true;
      this.sim.rollback(m);
      if (!(this.bind(n) && this.sim.apply('DROP', [n]))) return false;
    }
    if (hand === 'HOLDS_RH') {
      for (const x of [...g.out(c, 'HOLDS_RH')]) if (!(this.bind(x) && this.sim.apply('DROP', [x]))) return false;
      return this.hold(n) && g.hasEdge(c, 'HOLDS_RH', n);
    }
    // Left hand: the right one must be busy (the executor fills it first) and the left one free.
    if (g.out(c, 'HOLDS_RH').size === 0 && !this.occupyRightHand(n)) return false;
    for (const x of [...g.out(c, 'HOLDS_LH')]) if (!(this.bind(x) && this.sim.apply('DROP', [x]))) return false;
    return this.hold(n) && g.hasEdge(c, 'HOLDS_LH', n);
  }

  /**
   * Take something into the right hand so that the next grab lands in the left one: an object
   * the goal needs, else a grabbable thing near `n` or near the character.
   */
  private occupyRightHand(n: number): boolean {
    const g = this.g, c = this.c;
    const seen = new Set<number>([n]);
    const options: number[] = [];
    const add = (x: number) => {
      if (seen.has(x)) return;
      seen.add(x);
      if (g.hasProperty(x, 'GRABBABLE') && !isInsideClosed(g, x)) options.push(x);
    };
    for (const x of this.ctx.needed) add(x);
    for (const x of g.in(n, 'CLOSE')) add(x);
    for (const x of g.out(c, 'CLOSE')) add(x);
    for (const y of g.in(n, 'CLOSE')) for (const x of g.in(y, 'CLOSE')) add(x); // things near n's neighbours
    for (const r of g.out(n, 'INSIDE')) if (isRoom(g, r)) for (const x of g.in(r, 'INSIDE')) add(x); // n's room
    for (const x of options.slice(0, 4)) {
      const m = this.sim.mark();
      if (this.hold(x) && g.hasEdge(c, 'HOLDS_RH', x)) return true;
      this.sim.rollback(m);
    }
    return false;
  }

  /**
   * Move a held object's INSIDE edge away from `room`: walking with it re-files it under the
   * room the walk started in (the reference's bug), so walk once to another room and once more
   * within it. Walking with it also clears its CLOSE and FACING edges.
   */
  relocate(a: number, awayFrom: number | undefined): boolean {
    if (!this.hold(a)) return false;
    const g = this.g, c = this.c;
    if (awayFrom !== undefined && g.hasEdge(c, 'INSIDE', awayFrom)) {
      let moved = false;
      for (const r of g.nodes()) {
        if (r.category !== 'Rooms' || r.id === awayFrom) continue;
        const m = this.sim.mark();
        if (this.walkTo(r.id)) { moved = true; break; }
        this.sim.rollback(m);
      }
      if (!moved) return false;
    }
    const room = roomOf(g, c, 'v1');
    return room !== undefined && this.walkTo(room);
  }

  /** Put a on (ON) or in (INSIDE) b. */
  put(a: number, b: number, rel: Extract<Relation, 'ON' | 'INSIDE'>): boolean {
    if (!this.hold(a)) return false;
    const keep = new Set([a]);
    if (rel === 'INSIDE' && this.g.hasProperty(b, 'CAN_OPEN') && !this.g.hasState(b, 'OPEN')) {
      if (!this.access(b, keep) || !this.open(b, keep)) return false;
    }
    return this.reach(b) && this.bind(a) && this.sim.apply(rel === 'ON' ? 'PUTBACK' : 'PUTIN', [a, b]);
  }

  pour(a: number, b: number): boolean {
    return this.hold(a) && this.reach(b) && this.bind(a) && this.sim.apply('POUR', [a, b]);
  }

  /** Carry a into a room and leave it there (Drop records INSIDE(a → the room)). */
  carryInto(a: number, room: number): boolean {
    return this.hold(a) && this.walkTo(room) && this.bind(a) && this.sim.apply('DROP', [a]);
  }

  drop(a: number): boolean {
    if (!this.holding(a)) return true;
    return this.bind(a) && this.sim.apply('DROP', [a]);
  }

  goToRoom(room: number): boolean {
    return this.walkTo(room);
  }

  sit(n: number, lie: boolean): boolean {
    const g = this.g, c = this.c;
    const posture = lie ? 'LYING' : 'SITTING';
    if (g.hasEdge(c, 'ON', n) && g.hasState(c, posture)) return true;
    for (const t of this.ctx.facingTargets) if (!this.sim.isBound(t) && !this.bind(t)) return false;
    // Sit needs "not sitting", Lie "not lying"; the other posture can be changed in place.
    if (g.hasState(c, posture) && !this.sim.apply('STANDUP', [])) return false;
    if (!isClose(g, c, n) && !this.walkTo(n)) return false;
    if (!this.bind(n)) return false;
    // Sitting adds FACING to what the seat faces and keeps the rest: turn now to a goal target
    // the seat does not face (Turn to replaces every FACING edge, so only one can be kept).
    if (!lie) {
      const turn = this.ctx.facingTargets.find((t) => !g.hasEdge(n, 'FACING', t) && !g.hasEdge(c, 'FACING', t));
      if (turn !== undefined && !this.sim.apply('TURNTO', [turn])) return false;
    }
    return this.sim.apply(lie ? 'LIE' : 'SIT', [n]);
  }

  turnTo(n: number): boolean {
    return this.bind(n) && this.sim.apply('TURNTO', [n]);
  }

  putOn(n: number): boolean {
    return this.hold(n) && this.bind(n) && this.sim.apply('PUTON', [n]);
  }

  takeOff(n: number): boolean {
    return this.bind(n) && this.sim.apply('PUTOFF', [n]);
  }
}
