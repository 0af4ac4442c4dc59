/**
 * Actions on objects: state changes (Open/Close, SwitchOn/Off, PlugIn/Out, Wipe/Wash/Rinse/
 * Scrub) and checks without effects (Drink, Read, LookAt/PointAt, Touch, Pour, Type, Watch,
 * Push/Pull/Move, Squeeze, Cut, Eat).
 */
import type { Failure } from '../failure.ts';
import type { State } from '../vocabulary.ts';
import type { ExecCore } from './core.ts';
import { freeHand, holdsAnything, isClose, isFacing, isHolding, isInsideClosed, refHasEdge, roomOf } from './predicates.ts';

const SQUEEZABLE = new Set(['cleaning_solution', 'tooth_paste', 'shampoo', 'food_peanut_butter', 'dish_soap', 'soap',
  'towel', 'rag', 'paper', 'sponge', 'food_lemon', 'check']);
const NONE_ID = "AttributeError: 'NoneType' object has no attribute 'id'";

export function open(ex: ExecCore, n: number, close: boolean): Failure | null {
  const g = ex.graph, c = ex.character;
  const cls = ex.name(n);
  if (!g.hasProperty(n, 'CAN_OPEN') && cls !== 'desk' && cls !== 'window') return ex.affErr(n, 'can not be opened', 'CAN_OPEN');
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (!close && freeHand(g, c) === undefined) return ex.handErr();
  const need: State = close ? 'OPEN' : 'CLOSED';
  const next: State = close ? 'CLOSED' : 'OPEN';
  if (!g.hasState(n, need)) return ex.stateErr(n, need, next);
  if (!close && g.hasState(n, 'ON')) return ex.err('missing_step', `off(${cls})`, `${ex.L(n)} is still on`);
  g.removeState(n, need);
  g.addState(n, next);
  return null;
}

export function switchTo(ex: ExecCore, n: number, on: boolean): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!g.hasProperty(n, 'HAS_SWITCH')) return ex.affErr(n, 'does not have a switch', 'HAS_SWITCH');
  if (!isClose(g, c, n)) return ex.closeErr(n);
  const need: State = on ? 'OFF' : 'ON';
  const next: State = on ? 'ON' : 'OFF';
  if (!g.hasState(n, need)) return ex.stateErr(n, need, next);
  if (on && g.hasState(n, 'PLUGGED_OUT')) return ex.err('missing_step', `plugged_in(${ex.name(n)})`, `${ex.L(n)} is unplugged`);
  g.removeState(n, need);
  g.addState(n, next);
  return null;
}

export function plug(ex: ExecCore, n: number, plugIn: boolean): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!g.hasProperty(n, 'HAS_PLUG')) return ex.affErr(n, 'does not have a plug', 'HAS_PLUG');
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (freeHand(g, c) === undefined) return ex.handErr();
  const need: State = plugIn ? 'PLUGGED_OUT' : 'PLUGGED_IN';
  const next: State = plugIn ? 'PLUGGED_IN' : 'PLUGGED_OUT';
  if (!g.hasState(n, need)) return ex.stateErr(n, need, next);
  // The reference only logs this one and unplugs anyway.
  if (!plugIn && g.hasState(n, 'ON')) ex.log.push(`${ex.L(n)} is still on${ex.where()}`);
  g.removeState(n, need);
  g.addState(n, next);
  return null;
}

export function clean(ex: ExecCore, n: number, wipe: boolean): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (wipe && !holdsAnything(g, c)) {
    return ex.err('missing_step', 'holding_anything(character)', `${ex.L(c)} does not hold anything in hands`);
  }
  g.removeState(n, 'DIRTY');
  g.addState(n, 'CLEAN');
  return null;
}

export function drink(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph;
  if (!g.hasProperty(n, 'DRINKABLE') && !g.hasProperty(n, 'RECIPIENT')) {
    return ex.affErr(n, 'is not drinkable or not recipient', 'DRINKABLE');
  }
  return isHolding(g, ex.character, n) ? null : ex.holdErr(n);
}

export function read(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph;
  if (!g.hasProperty(n, 'READABLE')) return ex.affErr(n, 'is not readable', 'READABLE');
  return isHolding(g, ex.character, n) ? null : ex.holdErr(n);
}

export function lookAt(ex: ExecCore, n: number): Failure | null {
  if (isFacing(ex.graph, ex.character, n)) return null;
  return ex.facingErr(n);
}

export function touch(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph;
  if (!isClose(g, ex.character, n)) return ex.closeErr(n);
  return isInsideClosed(g, n) ? ex.insideErr(n) : null;
}

export function pour(ex: ExecCore, src: number, dest: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!g.hasProperty(src, 'POURABLE') && !g.hasProperty(src, 'DRINKABLE')) {
    return ex.affErr(src, 'is not pourable or drinkable', 'POURABLE');
  }
  const dcls = ex.name(dest);
  if (!g.hasProperty(dest, 'RECIPIENT') && dcls !== 'hands_both' && dcls !== 'sponge' && dcls !== 'face') {
    return ex.affErr(dest, 'is not recipient', 'RECIPIENT');
  }
  if (!isHolding(g, c, src)) return ex.holdErr(src);
  if (!isClose(g, c, dest)) return ex.closeErr(dest);
  g.addEdge(src, 'INSIDE', dest);
  if (ex.name(src) === 'water') { g.removeEdge(c, 'HOLDS_LH', src); g.removeEdge(c, 'HOLDS_RH', src); }
  return null;
}

export function type(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph;
  if (!isClose(g, ex.character, n)) return ex.closeErr(n);
  if (ex.name(n) === 'keyboard' || g.hasProperty(n, 'HAS_SWITCH')) return null;
  return ex.affErr(n, 'does not have switch', 'HAS_SWITCH');
}

export function watch(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (!g.hasProperty(n, 'LOOKABLE')) return ex.affErr(n, 'not lookable', 'LOOKABLE');
  const charRoom = roomOf(g, c, ex.compat);
  const nodeRoom = roomOf(g, n, ex.compat);
  if (charRoom === undefined) return ex.noCharRoom();
  if (nodeRoom === undefined) {
    return ex.crash('no_room', `room(${ex.name(n)})`, `${ex.L(n)} is in no room`, NONE_ID);
  }
  if (charRoom !== nodeRoom) {
    return ex.err('missing_step', `same_room(character, ${ex.name(n)})`,
      `char room ${ex.L(charRoom)} is not node room ${ex.L(nodeRoom)}`);
  }
  if (!isFacing(g, c, n)) return ex.facingErr(n);
  if (ex.name(n) !== 'computer' && (ex.posture('SITTING') || ex.posture('LYING')) && !refHasEdge(g, c, 'FACING', n)) {
    return ex.err('missing_step', `facing_direct(character, ${ex.name(n)})`, `${ex.L(c)} is not facing ${ex.L(n)} while sitting`);
  }
  // The reference only logs this one and watches anyway.
  if (isInsideClosed(g, n)) ex.log.push(`${ex.L(n)} is inside other closed thing${ex.where()}`);
  return null;
}

export function move(ex: ExecCore, n: number, action: string): Failure | null {
  const g = ex.graph, c = ex.character;
  const cls = ex.name(n);
  const movable = g.hasProperty(n, 'MOVABLE') || action === 'PUSH' || cls === 'button' || cls === 'chair' || cls === 'curtain';
  if (!movable) return ex.affErr(n, 'is not movable', 'MOVABLE');
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (isInsideClosed(g, n)) return ex.insideErr(n);
  return freeHand(g, c) === undefined ? ex.handErr() : null;
}

export function squeeze(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (freeHand(g, c) === undefined) return ex.handErr();
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (!g.hasProperty(n, 'CLOTHES') && !SQUEEZABLE.has(ex.name(n))) return ex.affErr(n, 'is not clothes', 'CLOTHES');
  return null;
}

export function cut(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph, c = ex.character;
  if (freeHand(g, c) === undefined) return ex.handErr();
  if (!isClose(g, c, n)) return ex.closeErr(n);
  if (!g.hasProperty(n, 'EATABLE')) return ex.affErr(n, 'is not eatable', 'EATABLE');
  if (!g.hasProperty(n, 'CUTTABLE')) return ex.affErr(n, 'is not cuttable', 'CUTTABLE');
  for (const rel of ['HOLDS_LH', 'HOLDS_RH'] as const) {
    for (const h of g.out(c, rel)) if (ex.name(h).includes('knife')) return null;
  }
  return ex.err('missing_step', 'holding(character, knife)', `${ex.L(c)} is not holding a knife`);
}

export function eat(ex: ExecCore, n: number): Failure | null {
  const g = ex.graph;
  if (!isClose(g, ex.character, n)) return ex.closeErr(n);
  if (g.hasProperty(n, 'EATABLE')) return null;
  const on = g.in(n, 'ON');
  // The reference also counts n itself when it put n on itself (an ON(n→n) self-loop).
  if (on.size === 0 && !g.hasSelfRelation(n, 'ON')) return ex.affErr(n, 'is not eatable', 'EATABLE');
  for (const x of on) if (g.hasProperty(x, 'EATABLE')) return null;
  return ex.err('affordance', `EATABLE(on ${ex.name(n)})`, `none of object on ${ex.L(n)} is eatable`);
}
