/**
 * Goal regression: for one goal predicate, the actions that make it true (and their
 * instances), each as a macro that establishes that action's preconditions first
 * (establish.ts). When no action can achieve a predicate the answer says why, in terms a
 * person can check (`<cup> (12) is not grabbable`), which is how "unreachable" is reported.
 *
 * Achievers (spec/virtualhome-semantics.md §6):
 *   OPEN/CLOSED → Open/Close · ON/OFF → SwitchOn/Off (plug in first) · PLUGGED_* → PlugIn/Out
 *   CLEAN → Wash · SITTING/LYING → Sit/Lie on a seat/bed · not SITTING/LYING → StandUp
 *   HOLDS_RH/LH(c, x) → Grab with that hand · INSIDE(c, room) → Walk · CLOSE(c, x) → Walk
 *   FACING(c, x) → TurnTo · ON(c, x) → Sit/Lie · ON(x, c) → PutOn (clothes)
 *   ON(a, b) → PutBack · INSIDE(a, room) → carry + Drop · INSIDE(a, b) → PutIn or Pour
 *   CLOSE(a, b) → put one on the other · not HOLDS → Drop · not ON/INSIDE/CLOSE(a, _) → Grab a
 * Nothing makes an object DIRTY, takes the character off a seat edge (StandUp keeps ON), or
 * makes one object FACE another: those are unreachable unless they already hold.
 */
import { describePredicate, holds, type GoalPredicate, type NodeRef } from '../../env/goal.ts';
import type { SceneGraph } from '../../env/graph.ts';
import { isRoom } from '../../env/exec/predicates.ts';
import type { State } from '../../env/vocabulary.ts';
import type { Establisher } from './establish.ts';

export interface Macro {
  /** e.g. `put <cup> (3) in <fridge> (9)`. */
  label: string;
  run(est: Establisher): boolean;
}

export interface Regression {
  macros: Macro[];
  /** Why there is no achiever, when `macros` is empty. */
  reason?: string;
}

/** Ordering tiers: relations between objects first, the character's posture last (sitting down ends walking). */
export function tier(p: GoalPredicate, character: number, g: SceneGraph): number {
  const isChar = (r: NodeRef) => (typeof r === 'number' ? r === character : r.class === 'character');
  if (p.kind === 'state') {
    if (isChar(p.node)) return 4;
    return 1;
  }
  if (p.relation === 'HOLDS_RH' || p.relation === 'HOLDS_LH') return 2;
  if (isChar(p.from)) {
    if (p.relation === 'INSIDE' || p.relation === 'CLOSE') return 3;
    return 4;
  }
  if (isChar(p.to)) return p.relation === 'CLOSE' ? 3 : 0;
  void g;
  return 0;
}

export function refIds(g: SceneGraph, ref: NodeRef): number[] {
  if (typeof ref === 'number') return g.has(ref) ? [ref] : [];
  return [...g.byClassName(ref.class)];
}

const OPPOSITE: Partial<Record<State, State>> = {
  OPEN: 'CLOSED', CLOSED: 'OPEN', ON: 'OFF', OFF: 'ON', PLUGGED_IN: 'PLUGGED_OUT', PLUGGED_OUT: 'PLUGGED_IN', DIRTY: 'CLEAN',
};

export interface RegressOptions {
  /** Instances to try first for class references (e.g. the episode's NL bindings). */
  preferred?: ReadonlySet<number>;
  /** At most this many instances per class reference. */
  maxInstances?: number;
  /** Seats the goal names (ON(character, x)): SITTING/LYING are achieved on those. */
  seats?: readonly number[];
}

/**
 * Rank instances of a class reference: preferred (bound) ones, then those already close to
 * the character or in its room; the ones that cannot work at all are left to the caller.
 */
function rank(g: SceneGraph, ids: number[], character: number, opts: RegressOptions): number[] {
  const charRooms = g.out(character, 'INSIDE');
  const score = (id: number): number => {
    let s = 0;
    if (opts.preferred?.has(id)) s -= 100;
    if (g.hasEdge(character, 'HOLDS_RH', id) || g.hasEdge(character, 'HOLDS_LH', id)) s -= 50;
    if (g.hasEdge(character, 'CLOSE', id)) s -= 10;
    for (const r of g.out(id, 'INSIDE')) if (charRooms.has(r)) { s -= 5; break; }
    return s;
  };
  return ids.map((id, i) => ({ id, s: score(id), i })).sort((a, b) => a.s - b.s || a.i - b.i).map((x) => x.id);
}

const L = (g: SceneGraph, id: number) => g.label(id);

export function regress(g: SceneGraph, p: GoalPredicate, character: number, opts: RegressOptions = {}): Regression {
  const max = opts.maxInstances ?? 3;
  const text = describePredicate(g, p);
  if (p.kind === 'state') {
    const ids = refIds(g, p.node);
    if (ids.length === 0) return { macros: [], reason: `${text}: ${missing(p.node)}` };
    if (p.negated) {
      // Every instance must lose the state (a class reference means "none of them").
      const violating = ids.filter((id) => g.hasState(id, p.state));
      const per: Macro[] = [];
      for (const id of violating) {
        const r = stateAchiever(g, id, p.state, true, character);
        if (r.macros.length === 0) return { macros: [], reason: `${text}: ${r.reason}` };
        per.push(r.macros[0]);
      }
      return { macros: [{ label: per.map((m) => m.label).join(', '), run: (e) => per.every((m) => m.run(e)) }] };
    }
    const macros: Macro[] = [];
    let reason = '';
    for (const id of rank(g, ids, character, opts)) {
      const r = stateAchiever(g, id, p.state, false, character, opts);
      if (r.macros.length) macros.push(...r.macros); else reason ||= r.reason ?? '';
      if (macros.length >= max) break;
    }
    return macros.length ? { macros } : { macros: [], reason: `${text}: ${reason}` };
  }

  const froms = refIds(g, p.from);
  const tos = refIds(g, p.to);
  if (froms.length === 0) return { macros: [], reason: `${text}: ${missing(p.from)}` };
  if (tos.length === 0) return { macros: [], reason: `${text}: ${missing(p.to)}` };

  if (p.negated) {
    const pairs: Array<[number, number]> = [];
    for (const f of froms) for (const t of tos) if (g.hasEdge(f, p.relation, t)) pairs.push([f, t]);
    const per: Macro[] = [];
    for (const [f, t] of pairs) {
      const r = negEdgeAchiever(g, f, p.relation, t, character);
      if (r.macros.length === 0) return { macros: [], reason: `${text}: ${r.reason}` };
      per.push(r.macros[0]);
    }
    return { macros: [{ label: per.map((m) => m.label).join(', '), run: (e) => per.every((m) => m.run(e)) }] };
  }

  const macros: Macro[] = [];
  let reason = '';
  const rf = rank(g, froms, character, opts).slice(0, max);
  const rt = rank(g, tos, character, opts).slice(0, max);
  outer: for (const f of rf) {
    for (const t of rt) {
      if (f === t) continue;
      const r = edgeAchiever(g, f, p.relation, t, character);
      if (r.macros.length) macros.push(...r.macros); else reason ||= r.reason ?? '';
      if (macros.length >= max) break outer;
    }
  }
  return macros.length ? { macros } : { macros: [], reason: `${text}: ${reason || 'no pair of distinct nodes'}` };
}

function missing(ref: NodeRef): string {
  return typeof ref === 'number' ? `there is no node ${ref} in the scene` : `there is no <${ref.class}> in the scene`;
}

const CAN_OPEN_CLASSES = new Set(['desk', 'window']);

function stateAchiever(g: SceneGraph, n: number, state: State, negated: boolean, character: number,
  opts: RegressOptions = {}): Regression {
  const node = g.node(n);
  const none = (why: string): Regression => ({ macros: [], reason: why });
  const want: State | 'STAND' | undefined = negated
    ? (state === 'SITTING' || state === 'LYING' ? 'STAND' : OPPOSITE[state])
    : state;
  if (want === undefined) {
    return none(negated && state === 'CLEAN' ? `no action makes ${L(g, n)} dirty` : `no action removes ${state} from ${L(g, n)}`);
  }
  const m = (label: string, run: (e: Establisher) => boolean): Regression => ({ macros: [{ label, run }] });
  switch (want) {
    case 'STAND':
      return m('stand up', (e) => e.standUp());
    case 'OPEN': case 'CLOSED': {
      if (!node.properties.has('CAN_OPEN') && !CAN_OPEN_CLASSES.has(node.className)) return none(`${L(g, n)} can not be opened`);
      if (!node.states.has('OPEN') && !node.states.has('CLOSED')) return none(`${L(g, n)} is neither open nor closed`);
      return want === 'OPEN' ? m(`open ${L(g, n)}`, (e) => e.open(n)) : m(`close ${L(g, n)}`, (e) => e.close(n));
    }
    case 'ON': case 'OFF': {
      if (n === character) return none(`the character has no switch`);
      if (!node.properties.has('HAS_SWITCH')) return none(`${L(g, n)} does not have a switch`);
      if (!node.states.has('ON') && !node.states.has('OFF')) return none(`${L(g, n)} is neither on nor off`);
      if (want === 'ON' && node.states.has('PLUGGED_OUT') && !node.properties.has('HAS_PLUG')) {
        return none(`${L(g, n)} is unplugged and has no plug`);
      }
      return want === 'ON' ? m(`switch on ${L(g, n)}`, (e) => e.switchOn(n)) : m(`switch off ${L(g, n)}`, (e) => e.switchOff(n));
    }
    case 'PLUGGED_IN': case 'PLUGGED_OUT': {
      if (!node.properties.has('HAS_PLUG')) return none(`${L(g, n)} does not have a plug`);
      if (!node.states.has('PLUGGED_IN') && !node.states.has('PLUGGED_OUT')) return none(`${L(g, n)} is neither plugged in nor out`);
      return m(`plug ${want === 'PLUGGED_IN' ? 'in' : 'out'} ${L(g, n)}`, (e) => e.plug(n, want === 'PLUGGED_IN'));
    }
    case 'CLEAN':
      if (n === character) return none('no action cleans the character');
      return m(`wash ${L(g, n)}`, (e) => e.clean(n));
    case 'DIRTY':
      return none(`no action makes ${L(g, n)} dirty`);
    case 'SITTING': case 'LYING': {
      if (n !== character) return none(`${L(g, n)} is not the character`);
      const prop = want === 'SITTING' ? 'SITTABLE' : 'LIEABLE';
      // The goal's own seats first; others after them, because StandUp leaves the ON edge, so a
      // seat the character has left still counts against its capacity (then SITTING can only
      // be had elsewhere, while ON(character, seat) keeps holding).
      const named = (opts.seats ?? []).filter((s) => g.hasProperty(s, prop));
      const others: number[] = [];
      for (const s of g.nodes()) if (s.properties.has(prop) && !named.includes(s.id)) others.push(s.id);
      if (named.length + others.length === 0) return none(`nothing in the scene is ${prop.toLowerCase()}`);
      const ranked = [...named, ...rank(g, others, character, opts)].slice(0, Math.max(opts.maxInstances ?? 3, named.length + 1));
      return { macros: ranked.map((s) => ({ label: `${want === 'SITTING' ? 'sit' : 'lie'} on ${L(g, s)}`, run: (e: Establisher) => e.sit(s, want === 'LYING') })) };
    }
    default:
      return none(`no action sets ${want}`);
  }
}

function grabbable(g: SceneGraph, n: number): boolean {
  const cls = g.node(n).className;
  return g.hasProperty(n, 'GRABBABLE') || cls === 'water' || cls === 'child';
}

function edgeAchiever(g: SceneGraph, f: number, rel: string, t: number, character: number): Regression {
  const none = (why: string): Regression => ({ macros: [], reason: why });
  const one = (label: string, run: (e: Establisher) => boolean): Regression => ({ macros: [{ label, run }] });
  if (f === character) {
    switch (rel) {
      case 'HOLDS_RH': case 'HOLDS_LH':
        if (!grabbable(g, t)) return none(`${L(g, t)} is not grabbable`);
        return one(`grab ${L(g, t)} (${rel === 'HOLDS_RH' ? 'right' : 'left'} hand)`, (e) => e.holdIn(t, rel));
      case 'INSIDE':
        if (!isRoom(g, t)) return none(`the character can only be inside a room, not ${L(g, t)}`);
        return one(`walk to ${L(g, t)}`, (e) => e.goToRoom(t));
      case 'CLOSE':
        return one(`walk to ${L(g, t)}`, (e) => e.reach(t));
      case 'FACING':
        return one(`turn to ${L(g, t)}`, (e) => e.turnTo(t));
      case 'ON': {
        const sit = g.hasProperty(t, 'SITTABLE'), lie = g.hasProperty(t, 'LIEABLE');
        if (!sit && !lie) return none(`${L(g, t)} is neither sittable nor lieable`);
        const macros = [];
        if (sit) macros.push({ label: `sit on ${L(g, t)}`, run: (e: Establisher) => e.sit(t, false) });
        if (lie) macros.push({ label: `lie on ${L(g, t)}`, run: (e: Establisher) => e.sit(t, true) });
        return { macros };
      }
      default:
        return none(`no action puts the character in relation ${rel} to ${L(g, t)}`);
    }
  }
  if (t === character) {
    if (rel === 'CLOSE') return one(`walk to ${L(g, f)}`, (e) => e.reach(f));
    if (rel === 'ON') {
      if (!g.hasProperty(f, 'CLOTHES')) return none(`${L(g, f)} is not clothes`);
      if (!grabbable(g, f)) return none(`${L(g, f)} is not grabbable`);
      return one(`put on ${L(g, f)}`, (e) => e.putOn(f));
    }
    return none(`no action puts ${L(g, f)} in relation ${rel} to the character`);
  }
  switch (rel) {
    case 'ON':
      if (!grabbable(g, f)) return none(`${L(g, f)} is not grabbable`);
      return one(`put ${L(g, f)} on ${L(g, t)}`, (e) => e.put(f, t, 'ON'));
    case 'INSIDE': {
      if (!grabbable(g, f)) return none(`${L(g, f)} is not grabbable`);
      if (isRoom(g, t)) return one(`carry ${L(g, f)} into ${L(g, t)}`, (e) => e.carryInto(f, t));
      const macros: Macro[] = [{ label: `put ${L(g, f)} in ${L(g, t)}`, run: (e) => e.put(f, t, 'INSIDE') }];
      if ((g.hasProperty(f, 'POURABLE') || g.hasProperty(f, 'DRINKABLE')) && g.hasProperty(t, 'RECIPIENT')) {
        macros.push({ label: `pour ${L(g, f)} into ${L(g, t)}`, run: (e) => e.pour(f, t) });
      }
      return { macros };
    }
    case 'CLOSE': {
      const macros: Macro[] = [];
      if (grabbable(g, f)) macros.push({ label: `put ${L(g, f)} on ${L(g, t)}`, run: (e) => e.put(f, t, 'ON') });
      if (grabbable(g, t)) macros.push({ label: `put ${L(g, t)} on ${L(g, f)}`, run: (e) => e.put(t, f, 'ON') });
      return macros.length ? { macros } : none(`neither ${L(g, f)} nor ${L(g, t)} is grabbable`);
    }
    default:
      return none(`no action creates ${rel} between two objects`);
  }
}

function negEdgeAchiever(g: SceneGraph, f: number, rel: string, t: number, character: number): Regression {
  const none = (why: string): Regression => ({ macros: [], reason: why });
  const one = (label: string, run: (e: Establisher) => boolean): Regression => ({ macros: [{ label, run }] });
  if (f === character) {
    switch (rel) {
      case 'HOLDS_RH': case 'HOLDS_LH':
        return one(`drop ${L(g, t)}`, (e) => e.drop(t));
      case 'FACING':
        return one(`turn away from ${L(g, t)}`, (e) => {
          // Turning to anything else replaces every FACING edge; take a room-mate that is bound or close.
          for (const x of g.out(character, 'CLOSE')) if (x !== t && !g.hasEdge(character, 'FACING', x) && e.turnTo(x)) return true;
          return false;
        });
      case 'CLOSE': case 'INSIDE':
        return one(`walk away from ${L(g, t)}`, (e) => {
          for (const r of g.nodes()) {
            if (r.category !== 'Rooms' || r.id === t || g.hasEdge(character, 'INSIDE', r.id)) continue;
            if (e.goToRoom(r.id)) return true;
          }
          return false;
        });
      default:
        return none(`no action removes ${rel} from the character to ${L(g, t)}`);
    }
  }
  if (t === character && rel === 'CLOSE') return negEdgeAchiever(g, character, 'CLOSE', f, character);
  if (t === character && rel === 'ON') return one(`take off ${L(g, f)}`, (e) => e.takeOff(f));
  if (rel === 'ON' || rel === 'INSIDE' || rel === 'CLOSE') {
    // Grab clears the object's ON/INSIDE/CLOSE edges (then re-adds INSIDE(object → the character's room)).
    const movers = [f, t].filter((x) => grabbable(g, x) && !(rel !== 'CLOSE' && x === t));
    if (rel === 'INSIDE' && isRoom(g, t)) {
      if (!grabbable(g, f)) return none(`${L(g, f)} is not grabbable, so it stays in ${L(g, t)}`);
      return one(`carry ${L(g, f)} out of ${L(g, t)}`, (e) => e.relocate(f, t));
    }
    if (movers.length === 0) return none(`${L(g, f)} is not grabbable`);
    return { macros: movers.map((x) => ({ label: `grab ${L(g, x)}`, run: (e: Establisher) => e.hold(x) })) };
  }
  if (rel === 'FACING') {
    // Walking while holding an object clears its FACING edges (both directions).
    const movers = [f, t].filter((x) => grabbable(g, x));
    if (movers.length === 0) return none(`neither ${L(g, f)} nor ${L(g, t)} can be moved`);
    return { macros: movers.map((x) => ({ label: `carry ${L(g, x)} away`, run: (e: Establisher) => e.relocate(x, undefined) })) };
  }
  return none(`no action removes ${rel} between ${L(g, f)} and ${L(g, t)}`);
}

/** The unsatisfied predicates, in goal order. */
export function unsatisfied(g: SceneGraph, goal: readonly GoalPredicate[]): GoalPredicate[] {
  return goal.filter((p) => !holds(g, p));
}
