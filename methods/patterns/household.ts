/**
 * Household implicit-pattern suites (spec §G, household mapping): the answer is the next thing
 * the agent does, and it follows a regularity of the house the question never states —
 * the parity of a count, actions that cancel, a goal already true, a preferred object, the room
 * an object came from. Object, room and device names are the simulator's class names.
 */
import type { Prng } from '../../env/prng.ts';
import type { Rule, SuiteDef } from './suite.ts';

const shuffle = <T>(rng: Prng, xs: readonly T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) { const j = rng.int(i + 1); [a[i], a[j]] = [a[j], a[i]]; }
  return a;
};

const ROOMS = ['kitchen', 'bedroom', 'bathroom', 'livingroom'];

// --------------------------------------------------------------- parity of a count

interface Plates { n: number; what: string }
const DISHES = ['plates', 'cups', 'bowls', 'forks'];
const threshold = (t: number, atLeast: string, below: string): Rule<Plates> => ({ name: `${atLeast}-if-at-least-${t}`, answer: (f) => (f.n >= t ? atLeast : below) });

/** "If the number of dirty plates is odd, wash in the sink, else the dishwasher" (the issue's example). */
export const WASH_PARITY: SuiteDef<Plates> = {
  name: 'wash-parity', kind: 'household',
  hiddenRule: 'an odd number of dirty dishes → sink, even → dishwasher',
  hidden: 'odd-sink',
  rules: [
    { name: 'odd-sink', answer: (f) => (f.n % 2 === 1 ? 'sink' : 'dishwasher') },
    { name: 'odd-dishwasher', answer: (f) => (f.n % 2 === 1 ? 'dishwasher' : 'sink') },
    { name: 'always-sink', answer: () => 'sink' },
    { name: 'always-dishwasher', answer: () => 'dishwasher' },
    ...[10, 20, 30].flatMap((t) => [threshold(t, 'dishwasher', 'sink'), threshold(t, 'sink', 'dishwasher')]),
  ],
  draw: (rng) => ({ n: 1 + rng.int(40), what: rng.pick(DISHES) }),
  render: (f) => `${f.n} dirty ${f.what}. wash them in the`,
};

// --------------------------------------------------------------- cancelling actions

interface Actions { steps: Array<{ verb: 'open' | 'close'; obj: string }> }
const OPENABLE = ['fridge', 'cabinet', 'microwave', 'drawer', 'closet', 'dishwasher'];

/** Opened and closed again: the pair cancels, only the object left open matters. */
export const CANCEL: SuiteDef<Actions> = {
  name: 'cancel-pairs', kind: 'household',
  hiddenRule: 'an open followed by a close of the same object cancels: the answer is the one object left open',
  hidden: 'left-open',
  rules: [
    { name: 'left-open', answer: (f) => {
      const open = new Set<string>();
      for (const s of f.steps) { if (s.verb === 'open') open.add(s.obj); else open.delete(s.obj); }
      return [...open][0];
    } },
    { name: 'last-opened', answer: (f) => f.steps.filter((s) => s.verb === 'open').at(-1)!.obj },
    { name: 'first-opened', answer: (f) => f.steps[0].obj },
    { name: 'last-mentioned', answer: (f) => f.steps.at(-1)!.obj },
  ],
  // 1–2 objects opened and closed again, one opened and left open, in an order that keeps every
  // close after its open.
  draw: (rng) => {
    const objs = shuffle(rng, OPENABLE).slice(0, 2 + rng.int(2));
    const [kept, ...cancelled] = objs;
    const steps: Actions['steps'] = [{ verb: 'open', obj: kept }];
    for (const o of cancelled) {
      const at = rng.int(steps.length + 1);
      steps.splice(at, 0, { verb: 'open', obj: o });
      const after = at + 1 + rng.int(steps.length - at);
      steps.splice(after, 0, { verb: 'close', obj: o });
    }
    return { steps };
  },
  render: (f) => `${f.steps.map((s) => `${s.verb} ${s.obj}`).join(', ')}. now open:`,
  extraChoices: (f) => f.steps.map((s) => s.obj),
};

// --------------------------------------------------------------- goal already true

interface Device { obj: string; room: string; on: boolean; goalOn: boolean }
const DEVICES = ['tv', 'lamp', 'radio', 'computer', 'stove', 'light'];
const switchTo = (on: boolean): string => (on ? 'switch on' : 'switch off');

/** The goal already holds at the start: nothing to do. */
export const ALREADY_DONE: SuiteDef<Device> = {
  name: 'already-done', kind: 'household',
  hiddenRule: 'if the goal state already holds, the answer is "done"; otherwise switch to the goal state',
  hidden: 'done-if-true',
  rules: [
    { name: 'done-if-true', answer: (f) => (f.on === f.goalOn ? 'done' : switchTo(f.goalOn)) },
    { name: 'always-act', answer: (f) => switchTo(f.goalOn) },
    { name: 'always-toggle', answer: (f) => switchTo(!f.on) },
    { name: 'always-done', answer: () => 'done' },
  ],
  draw: (rng) => ({ obj: rng.pick(DEVICES), room: rng.pick(ROOMS), on: rng.int(2) === 1, goalOn: rng.int(2) === 1 }),
  render: (f) => `the ${f.obj} in the ${f.room} is ${f.on ? 'on' : 'off'}. goal: ${f.obj} ${f.goalOn ? 'on' : 'off'}. next:`,
};

// --------------------------------------------------------------- hidden object preference

interface Options { options: string[]; drink: string }
const DRINKS = ['juice', 'milk', 'water', 'tea'];
const VESSELS = ['mug', 'cup', 'glass'] as const;
const orders = (xs: readonly string[]): string[][] => (xs.length <= 1 ? [xs.slice()] : xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((o) => [x, ...o])));
const preferring = (order: string[]): Rule<Options> => ({ name: `prefer-${order.join('>')}`, answer: (f) => order.find((o) => f.options.includes(o))! });

/** The household always drinks from a mug if there is one, else a glass, else a cup. */
export const PREFERENCE: SuiteDef<Options> = {
  name: 'preference', kind: 'household',
  hiddenRule: 'the preferred vessel among those offered: mug > glass > cup',
  hidden: 'prefer-mug>glass>cup',
  rules: [
    ...orders(VESSELS).map(preferring),
    { name: 'first-listed', answer: (f) => f.options[0] },
    { name: 'last-listed', answer: (f) => f.options.at(-1)! },
  ],
  draw: (rng) => ({ options: shuffle(rng, VESSELS).slice(0, 2 + rng.int(2)), drink: rng.pick(DRINKS) }),
  render: (f) => `on the table: ${f.options.join(', ')}. pour the ${f.drink} into the`,
};

// --------------------------------------------------------------- which room

interface Sighting { obj: string; first: string; then: string }
const HOME: Record<string, string> = { book: 'bedroom', cup: 'kitchen', towel: 'bathroom', remote: 'livingroom', pillow: 'bedroom', plate: 'kitchen' };

/** Things go back to the room they were first seen in. */
export const ROOM_FIRST: SuiteDef<Sighting> = {
  name: 'room-first', kind: 'household',
  hiddenRule: 'an object is put back in the room where it was first seen',
  hidden: 'first-seen',
  rules: [
    { name: 'first-seen', answer: (f) => f.first },
    { name: 'last-seen', answer: (f) => f.then },
    { name: 'usual-room', answer: (f) => HOME[f.obj] },
    { name: 'alphabetical', answer: (f) => [f.first, f.then].sort()[0] },
  ],
  draw: (rng) => {
    const [first, then] = shuffle(rng, ROOMS).slice(0, 2);
    return { obj: rng.pick(Object.keys(HOME)), first, then };
  },
  render: (f) => `the ${f.obj} was in the ${f.first}, then the ${f.then}. put it back in the`,
};

export const HOUSEHOLD_SUITES = [WASH_PARITY, CANCEL, ALREADY_DONE, PREFERENCE, ROOM_FIRST] as const;
