/**
 * Subgoal templates over a generated scene: every way the scene offers to put a thing in or
 * on something, switch, open or close something, wash or wipe something dirty, sit, lie, or
 * watch a screen. Each candidate carries its goal predicates (node ids of this scene), its
 * natural-language phrases, and what it touches, so that combinations can avoid conflicts.
 *
 * Candidates are chosen only where VirtualHome v1's rules allow a solution: moved things are
 * GRABBABLE objects, every container that is closed can be opened (CAN_OPEN), switchable
 * things that open are off (v1 cannot open a thing that is ON), seats have room left.
 */
import { catalogueClass, displayName } from '../../catalogue/index.ts';
import type { CatalogueClass } from '../../catalogue/index.ts';
import { holds, type GoalPredicate } from '../../goal.ts';
import type { SceneGraph } from '../../graph.ts';

export const TEMPLATES = ['put_in', 'put_on', 'switch_on', 'switch_off', 'open', 'close', 'wash', 'sit', 'lie', 'watch'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface Subgoal {
  template: TemplateName;
  /** The template applied to this object class: the unit held out for the unseen split. */
  combo: string;
  goal: GoalPredicate[];
  /**
   * Its text, built on demand (most candidates are never chosen): `short` is the imperative
   * for titles (`put the cup in the dishwasher`), `long` a sentence with where things are.
   */
  text(): { short: string; long: string };
  /** Nodes whose states the subgoal sets (at most one subgoal per node). */
  stateNodes: number[];
  /** The object it moves, if any. */
  moves?: number;
  /** Whether it sets the character's posture (sit/lie: at most one per task). */
  posture: boolean;
  /**
   * Facing a screen (watch) or closing a door. At most one of each per task, and no closed
   * door with a posture: v1's walk puts the character in the door's own room and refuses
   * to pass closed doors, so "close door A and door B" or "close the door, then lie on the
   * bed behind it" can have no solution; TurnTo keeps a single FACING edge.
   */
  exclusive?: 'facing' | 'door_close';
  /** Needs something opened first (a closed container or destination): sampled more often. */
  needsOpening: boolean;
}

/** Where things of a kind are tidied to, beyond the catalogue's usual places. */
function extraDestinations(cls: CatalogueClass): { inside: string[]; on: string[] } {
  const p = cls.properties;
  const inside: string[] = [];
  if (p.includes('CLOTHES') && cls.washable) inside.push('washing_machine', 'basket_for_clothes');
  if (cls.washable && p.includes('RECIPIENT') && cls.rooms.includes('kitchen')) inside.push('dishwasher', 'sink');
  if (p.includes('EATABLE') || p.includes('DRINKABLE')) inside.push('fridge');
  const on = ['table', 'kitchen_table', 'coffee_table', 'desk', 'kitchen_counter'];
  return { inside, on };
}

const roomText = (className: string) => className.replace(/_/g, ' ');

export class SceneFacts {
  readonly character: number;
  constructor(readonly graph: SceneGraph) {
    const c = graph.character();
    if (c === undefined) throw new Error('generated scene has no character');
    this.character = c;
  }

  room(id: number): number | undefined {
    for (const x of this.graph.out(id, 'INSIDE')) if (this.graph.get(x)?.category === 'Rooms') return x;
    return undefined;
  }

  /** The non-room thing an object is ON or INSIDE. */
  host(id: number): { id: number; relation: 'ON' | 'INSIDE' } | undefined {
    for (const x of this.graph.out(id, 'ON')) return { id: x, relation: 'ON' };
    for (const x of this.graph.out(id, 'INSIDE')) if (this.graph.get(x)?.category !== 'Rooms') return { id: x, relation: 'INSIDE' };
    return undefined;
  }

  /** `kitchen`, or `bedroom (4)` when the house has two bedrooms. */
  roomName(r: number): string {
    const cls = this.graph.node(r).className;
    return `${roomText(cls)}${this.graph.byClassName(cls).length > 1 ? ` (${r})` : ''}`;
  }

  cls(id: number): CatalogueClass | undefined { return catalogueClass(this.graph.node(id).className); }
  name(id: number): string { return displayName(this.graph.node(id).className); }
  unique(id: number): boolean { return this.graph.byClassName(this.graph.node(id).className).length === 1; }

  /**
   * `the cup`; `the chair in the dining room` when the class is not unique; the room gets its
   * id when the house has two of its kind (`bedroom (4)`), and the thing its id when the named
   * room still holds several (`the kitchen counter in the kitchen (47)`).
   */
  the(id: number): string {
    const r = this.room(id);
    if (this.unique(id) || r === undefined) return `the ${this.name(id)}`;
    const roomClass = this.graph.node(r).className;
    const roomIsUnique = this.graph.byClassName(roomClass).length === 1;
    const sameNamedRoom = this.graph.byClassName(this.graph.node(id).className).filter((x) => {
      const xr = this.room(x);
      return xr !== undefined && (roomIsUnique ? this.graph.node(xr).className === roomClass : xr === r);
    }).length;
    return `the ${this.name(id)} in the ${this.roomName(r)}${sameNamedRoom > 1 ? ` (${id})` : ''}`;
  }

  /** `(it is inside the kitchen cabinet in the kitchen)`. */
  where(id: number): string {
    const h = this.host(id), r = this.room(id);
    const roomPart = r === undefined ? '' : ` in the ${this.roomName(r)}`;
    if (!h) return `it is${roomPart}`;
    return `it is ${h.relation === 'ON' ? 'on' : 'inside'} the ${this.name(h.id)}${roomPart}`;
  }

  insideClosed(id: number): boolean {
    for (const x of this.graph.out(id, 'INSIDE')) if (this.graph.hasState(x, 'CLOSED') && this.graph.get(x)?.category !== 'Rooms') return true;
    return false;
  }
}

/** Every candidate subgoal of the scene whose predicates are all false initially. */
export function enumerateSubgoals(f: SceneFacts): Subgoal[] {
  const g = f.graph;
  const out: Subgoal[] = [];
  const push = (s: Subgoal) => { if (s.goal.every((p) => !holds(g, p))) out.push(s); };
  const c = f.character;
  const ids = [...g.ids()];
  const objects = ids.filter((id) => {
    const cls = f.cls(id);
    return cls?.kind === 'object' && cls.properties.includes('GRABBABLE');
  });

  // put in / put on
  for (const o of objects) {
    const cls = f.cls(o)!;
    const host = f.host(o);
    const extra = extraDestinations(cls);
    const insideClasses = new Set([...cls.places.filter((p) => p.relation === 'INSIDE').map((p) => p.furniture), ...extra.inside]);
    const onClasses = new Set([...cls.places.filter((p) => p.relation === 'ON').map((p) => p.furniture), ...extra.on]);
    const closedNow = f.insideClosed(o);
    for (const className of insideClasses) {
      for (const d of g.byClassName(className)) {
        if (host?.id === d) continue;
        const dc = f.cls(d);
        if (!dc || dc.kind === 'object' && dc.properties.includes('GRABBABLE')) continue;
        if (!g.hasProperty(d, 'CONTAINERS') && !g.hasProperty(d, 'RECIPIENT')) continue;
        push({
          template: 'put_in', combo: `put_in:${cls.className}`,
          goal: [{ kind: 'edge', from: o, relation: 'INSIDE', to: d }],
          text: () => ({ short: `put the ${f.name(o)} in ${f.the(d)}`, long: `Put the ${f.name(o)} (${f.where(o)}) in ${f.the(d)}.` }),
          stateNodes: [], moves: o, posture: false,
          needsOpening: closedNow || g.hasState(d, 'CLOSED'),
        });
      }
    }
    for (const className of onClasses) {
      for (const d of g.byClassName(className)) {
        if (host?.id === d || !g.hasProperty(d, 'SURFACES')) continue;
        if (g.hasProperty(d, 'SITTABLE') || g.hasProperty(d, 'LIEABLE')) continue;
        const dc = f.cls(d);
        if (!dc || dc.kind !== 'furniture') continue;
        push({
          template: 'put_on', combo: `put_on:${cls.className}`,
          goal: [{ kind: 'edge', from: o, relation: 'ON', to: d }],
          text: () => ({ short: `put the ${f.name(o)} on ${f.the(d)}`, long: `Put the ${f.name(o)} (${f.where(o)}) on ${f.the(d)}.` }),
          stateNodes: [], moves: o, posture: false, needsOpening: closedNow,
        });
      }
    }
  }

  for (const id of ids) {
    const node = g.node(id);
    const cls = f.cls(id);
    if (!cls || cls.kind === 'room' || cls.kind === 'character') continue;
    const props = node.properties;
    const isDoor = cls.kind === 'door';
    const doorText = () => {
      const rooms = [...g.out(id, 'BETWEEN')].map((r) => f.roomName(r));
      return `the door between the ${rooms[0]} and the ${rooms[1]}`;
    };
    let labelText: string | undefined;
    const label = () => (labelText ??= isDoor ? doorText() : f.the(id));
    if (props.has('HAS_SWITCH') && node.states.has('OFF') && !(props.has('CAN_OPEN') && node.states.has('OPEN'))) {
      const unplugged = node.states.has('PLUGGED_OUT');
      push({
        template: 'switch_on', combo: `switch_on:${cls.className}`,
        goal: [{ kind: 'state', node: id, state: 'ON' }],
        text: () => ({ short: `turn on ${label()}`, long: `Turn on ${label()}${unplugged ? ' (it is unplugged)' : ''}.` }),
        stateNodes: [id], posture: false, needsOpening: unplugged,
      });
    }
    if (props.has('HAS_SWITCH') && node.states.has('ON')) {
      push({
        template: 'switch_off', combo: `switch_off:${cls.className}`,
        goal: [{ kind: 'state', node: id, state: 'OFF' }],
        text: () => ({ short: `turn off ${label()}`, long: `Turn off ${label()}.` }),
        stateNodes: [id], posture: false, needsOpening: false,
      });
    }
    if (props.has('CAN_OPEN') && node.states.has('CLOSED') && !node.states.has('ON')) {
      push({
        template: 'open', combo: `open:${cls.className}`,
        goal: [{ kind: 'state', node: id, state: 'OPEN' }],
        text: () => ({ short: `open ${label()}`, long: `Open ${label()}.` }),
        stateNodes: [id], posture: false, needsOpening: false,
      });
    }
    if (props.has('CAN_OPEN') && node.states.has('OPEN')) {
      push({
        template: 'close', combo: `close:${cls.className}`,
        goal: [{ kind: 'state', node: id, state: 'CLOSED' }],
        text: () => ({ short: `close ${label()}`, long: `Close ${label()}.` }),
        stateNodes: [id], posture: false, needsOpening: false, exclusive: isDoor ? 'door_close' : undefined,
      });
    }
    if (cls.washable && node.states.has('DIRTY')) {
      const wipe = cls.kind === 'furniture';
      const verb = wipe ? 'wipe' : 'wash';
      push({
        template: 'wash', combo: `wash:${cls.className}`,
        goal: [{ kind: 'state', node: id, state: 'CLEAN' }],
        text: () => ({ short: `${verb} ${label()}`, long: wipe ? `Wipe ${label()} clean.` : `Wash ${label()} (${f.where(id)}).` }),
        stateNodes: [id], posture: false, needsOpening: f.insideClosed(id),
      });
    }
    if (props.has('SITTABLE') && cls.kind === 'furniture') {
      push({
        template: 'sit', combo: `sit:${cls.className}`,
        goal: [{ kind: 'edge', from: c, relation: 'ON', to: id }, { kind: 'state', node: c, state: 'SITTING' }],
        text: () => ({ short: `sit on ${label()}`, long: `Sit down on ${label()}.` }),
        stateNodes: [c], posture: true, needsOpening: false,
      });
    }
    if (props.has('LIEABLE') && cls.kind === 'furniture') {
      push({
        template: 'lie', combo: `lie:${cls.className}`,
        goal: [{ kind: 'edge', from: c, relation: 'ON', to: id }, { kind: 'state', node: c, state: 'LYING' }],
        text: () => ({ short: `lie down on ${label()}`, long: `Lie down on ${label()}.` }),
        stateNodes: [c], posture: true, needsOpening: false,
      });
    }
    if (props.has('LOOKABLE') && !props.has('GRABBABLE') && props.has('HAS_SWITCH')) {
      const goal: GoalPredicate[] = [{ kind: 'edge', from: c, relation: 'FACING', to: id }];
      if (!node.states.has('ON')) goal.unshift({ kind: 'state', node: id, state: 'ON' });
      push({
        template: 'watch', combo: `watch:${cls.className}`, goal,
        text: () => ({ short: `watch ${label()}`, long: `Watch ${label()}: it should be on and you should be facing it.` }),
        stateNodes: [id], posture: false, needsOpening: node.states.has('PLUGGED_OUT'), exclusive: 'facing',
      });
    }
  }
  return out;
}

/** Whether a subgoal can join a set without contradicting it. */
export function compatible(chosen: readonly Subgoal[], s: Subgoal): boolean {
  for (const x of chosen) {
    if (x.posture && s.posture) return false;
    if (x.exclusive !== undefined && x.exclusive === s.exclusive) return false;
    if ((x.posture && s.exclusive === 'door_close') || (s.posture && x.exclusive === 'door_close')) return false;
    if (x.moves !== undefined && x.moves === s.moves) return false;
    // Two subgoals setting states of one node (open + close, switch on + watch) conflict.
    if (x.stateNodes.some((n) => s.stateNodes.includes(n))) return false;
    if (s.moves !== undefined && x.stateNodes.includes(s.moves)) return false;
    if (x.moves !== undefined && s.stateNodes.includes(x.moves)) return false;
  }
  return true;
}
