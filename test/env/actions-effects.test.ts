/**
 * Action effects as exact graph deltas, in both compat modes (issue 24). Where v1 and master
 * differ (Walk's CLOSE edges, Grab's edge clearing, the character's posture bookkeeping), both
 * deltas are pinned, so neither mode can silently take the other's behaviour.
 */
import { describe, expect, it } from 'vitest';
import type { SceneGraph } from '../../env/graph.ts';
import { attempt, C, close2, expectOk, ID } from './action-scene.ts';

const MODES = ['v1', 'master'] as const;
const closeTo = (...ids: number[]) => (g: SceneGraph) => { for (const x of ids) g.addClose(C, x); };
const holds = (rh?: number, lh?: number) => (g: SceneGraph) => {
  if (rh !== undefined) g.addEdge(C, 'HOLDS_RH', rh);
  if (lh !== undefined) g.addEdge(C, 'HOLDS_LH', lh);
};
const all = (...fs: Array<(g: SceneGraph) => void>) => (g: SceneGraph) => { for (const f of fs) f(g); };
const face = close2(C, ID.face); // Walk makes the character close to every body part

describe('Walk / Run', () => {
  it('to an object: CLOSE to it and the body parts; master also to the surface it is on', () => {
    expectOk(attempt('[Walk] <plate> (22)'), [...close2(C, ID.plate), ...face]);
    expectOk(attempt('[Walk] <plate> (22)', { compat: 'master' }), [...close2(C, ID.plate), ...face, ...close2(C, ID.table)]);
    expectOk(attempt('[Run] <plate> (22)', { compat: 'master' }), [...close2(C, ID.plate), ...face, ...close2(C, ID.table)]);
  });
  it('to a surface: v1 also CLOSE to everything on it, master not', () => {
    const onTable = [ID.plate, ID.book, ID.apple].flatMap((x) => close2(C, x));
    expectOk(attempt('[Walk] <table> (23)'), [...close2(C, ID.table), ...face, ...onTable]);
    expectOk(attempt('[Walk] <table> (23)', { compat: 'master' }), [...close2(C, ID.table), ...face]);
  });
  it('to a container: master also CLOSE to what is inside it, v1 not', () => {
    expectOk(attempt('[Walk] <fridge> (20)'), [...close2(C, ID.fridge), ...face]);
    expectOk(attempt('[Walk] <fridge> (20)', { compat: 'master' }), [...close2(C, ID.fridge), ...face, ...close2(C, ID.milk)]);
  });
  it('to something inside a container: CLOSE to the container too', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Walk] <milk> (26)', { compat }), [...close2(C, ID.milk), ...close2(C, ID.fridge), ...face]);
    }
  });
  it('to another room: INSIDE moves; v1 adds CLOSE to the room and the body parts, master only moves', () => {
    const moved = [`-${C} INSIDE 1`, `+${C} INSIDE 2`];
    expectOk(attempt('[Walk] <livingroom> (2)'), [...moved, ...close2(C, ID.livingroom), ...face]);
    expectOk(attempt('[Walk] <livingroom> (2)', { compat: 'master' }), moved);
  });
  it('clears the character\'s old CLOSE and FACING edges both ways', () => {
    const setup = (g: SceneGraph) => { g.addClose(C, ID.rock); g.addEdge(C, 'FACING', ID.tv); g.addEdge(ID.person, 'FACING', C); };
    for (const compat of MODES) {
      expectOk(attempt('[Walk] <cup> (35)', { compat, setup }),
        [...close2(C, ID.rock, '-'), `-${C} FACING ${ID.tv}`, `-${ID.person} FACING ${C}`, ...close2(C, ID.cup), ...face]);
    }
  });
  it('held objects move with the character but land in its old room (the reference bug)', () => {
    const setup = all(holds(ID.cup), (g) => { g.addClose(ID.cup, ID.rock); g.addEdge(ID.cup, 'FACING', ID.tv); });
    const common = [`-${C} INSIDE 1`, `+${C} INSIDE 2`, ...close2(ID.cup, ID.rock, '-'), `-${ID.cup} FACING ${ID.tv}`, ...close2(C, ID.cup)];
    // cup INSIDE kitchen is removed and added back: no net change.
    expectOk(attempt('[Walk] <tv> (21)', { setup }), [...common, ...close2(C, ID.tv), ...face]);
    expectOk(attempt('[Walk] <tv> (21)', { setup, compat: 'master' }), [...common, ...close2(C, ID.tv), ...face]);
    const lh = all(holds(undefined, ID.cup));
    expectOk(attempt('[Walk] <tv> (21)', { setup: lh }), [`-${C} INSIDE 1`, `+${C} INSIDE 2`, ...close2(C, ID.cup), ...close2(C, ID.tv), ...face]);
  });
  it('v1 binds the name it walked to', () => {
    const a = attempt('[Walk] <dish> (22)', { bind: false });
    expect(a.ex.isBound('dish', 22)).toBe(true);
    expect(a.ex.isBound('plate', 22)).toBe(false);
    const f = attempt('[Walk] <tv> (21)', { bind: false, setup: (g) => { g.addState(C, 'SITTING'); } });
    expect(f.ex.isBound('tv', 21)).toBe(false);
  });
  it('through an open door to a room the door connects', () => {
    expectOk(attempt('[Walk] <door> (5)', { setup: (g) => { g.removeState(ID.door, 'OPEN'); g.addState(ID.door, 'CLOSED'); } }),
      [...close2(C, ID.door), ...face]);
  });
});

describe('Find, TurnTo', () => {
  it('plain find: FACING cleared, CLOSE to the object', () => {
    const setup = all(closeTo(ID.rock), (g) => { g.addClose(ID.rock, ID.cup); g.addEdge(C, 'FACING', ID.tv); });
    for (const compat of MODES) expectOk(attempt('[Find] <cup> (35)', { compat, setup }), [`-${C} FACING ${ID.tv}`, ...close2(C, ID.cup)]);
  });
  it('find a body part or something on the character without walking', () => {
    expectOk(attempt('[Find] <face> (11)', { compat: 'master', setup: closeTo(ID.face) }), []);
    const on = (g: SceneGraph) => { g.addEdge(ID.shirt, 'ON', C); g.addClose(C, ID.shirt); };
    expectOk(attempt('[Find] <shirt> (28)', { compat: 'master', setup: on }), []);
  });
  it('v1: a far find walks (Walk\'s effects) and binds', () => {
    const a = attempt('[Find] <plate> (22)', { bind: false });
    expectOk(a, [...close2(C, ID.plate), ...face]);
    expect(a.ex.isBound('plate', 22)).toBe(true);
  });
  it('turn to replaces the FACING edges', () => {
    const setup = (g: SceneGraph) => { g.addEdge(C, 'FACING', ID.painting); g.addEdge(C, 'FACING', ID.sofa); };
    for (const compat of MODES) {
      expectOk(attempt('[TurnTo] <tv> (21)', { compat, setup }), [`-${C} FACING ${ID.painting}`, `-${C} FACING ${ID.sofa}`, `+${C} FACING ${ID.tv}`]);
    }
  });
});

describe('Sit, Lie, StandUp', () => {
  it('sit: ON the seat, FACING what it faces, SITTING', () => {
    const setup = all(closeTo(ID.sofa), (g) => { g.addEdge(ID.sofa, 'FACING', ID.tv); });
    for (const compat of MODES) {
      expectOk(attempt('[Sit] <sofa> (24)', { compat, setup }), [`+${C} ON ${ID.sofa}`, `+${C} FACING ${ID.tv}`, `${C}: +SITTING`]);
    }
  });
  it('sit while lying: LYING goes', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Sit] <sofa> (24)', { compat, setup: all(closeTo(ID.sofa), (g) => { g.addState(C, 'LYING'); }) }),
        [`+${C} ON ${ID.sofa}`, `${C}: -LYING`, `${C}: +SITTING`]);
    }
  });
  it('lie: ON, LYING; SITTING goes', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Lie] <bed> (34)', { compat, setup: closeTo(ID.bed) }), [`+${C} ON ${ID.bed}`, `${C}: +LYING`]);
      expectOk(attempt('[Lie] <bed> (34)', { compat, setup: all(closeTo(ID.bed), (g) => { g.addState(C, 'SITTING'); }) }),
        [`+${C} ON ${ID.bed}`, `${C}: -SITTING`, `${C}: +LYING`]);
    }
  });
  it('stand up: posture states go, the ON edge stays', () => {
    for (const compat of MODES) {
      expectOk(attempt('[StandUp]', { compat, setup: (g) => { g.addState(C, 'SITTING'); g.addEdge(C, 'ON', ID.sofa); } }), [`${C}: -SITTING`]);
      expectOk(attempt('[StandUp]', { compat, setup: (g) => { g.addState(C, 'LYING'); } }), [`${C}: -LYING`]);
    }
  });
  it('master reads posture from the initial graph and rewrites the character from it', () => {
    // Sit then Lie: master's Lie starts from the initial (standing) character, so SITTING is lost
    // by the copy, not by Lie's own removal; the delta is the same as v1's.
    for (const compat of MODES) {
      const a = attempt('[Lie] <sofa> (24)', { compat, setup: closeTo(ID.sofa, ID.chair), before: ['[Sit] <chair> (25)'] });
      expectOk(a, [`+${C} ON ${ID.sofa}`, `${C}: -SITTING`, `${C}: +LYING`]);
    }
    // Master: after Sit, StandUp still sees the initial standing character.
    expect(attempt('[StandUp]', { compat: 'master', setup: closeTo(ID.chair), before: ['[Sit] <chair> (25)'] }).r.ok).toBe(false);
    expectOk(attempt('[StandUp]', { setup: closeTo(ID.chair), before: ['[Sit] <chair> (25)'] }), [`${C}: -SITTING`]);
    // Master, initially sitting: Sit again is refused even after standing up in the episode.
    const m = attempt('[Sit] <sofa> (24)', { compat: 'master', setup: all(closeTo(ID.sofa), (g) => { g.addState(C, 'SITTING'); }), before: ['[StandUp]'] });
    expect(m.r.failure?.code).toBe('already');
    expectOk(attempt('[Sit] <sofa> (24)', { setup: all(closeTo(ID.sofa), (g) => { g.addState(C, 'SITTING'); }), before: ['[StandUp]'] }),
      [`+${C} ON ${ID.sofa}`, `${C}: +SITTING`]);
    // Master, initially lying, stood up: Lie on the sofa restores the initial states first.
    const l = attempt('[Sit] <sofa> (24)', { compat: 'master', setup: all(closeTo(ID.sofa), (g) => { g.addState(C, 'LYING'); }), before: ['[StandUp]'] });
    expectOk(l, [`+${C} ON ${ID.sofa}`, `${C}: +SITTING`]);
  });
});

describe('Grab', () => {
  it('from a surface: ON cleared, held in the right hand, CLOSE to the origin, grab record', () => {
    for (const compat of MODES) {
      const a = attempt('[Grab] <plate> (22)', { compat, setup: closeTo(ID.plate) });
      expectOk(a, [`-${ID.plate} ON ${ID.table}`, `+${C} HOLDS_RH ${ID.plate}`, ...close2(C, ID.table)]);
      expect(a.ex.grabOrigin(ID.plate)).toEqual({ dest: ID.table, rel: 'ON' });
    }
  });
  it('the left hand when the right is busy', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Grab] <plate> (22)', { compat, setup: all(closeTo(ID.plate), holds(ID.cup)) }),
        [`-${ID.plate} ON ${ID.table}`, `+${C} HOLDS_LH ${ID.plate}`, ...close2(C, ID.table)]);
    }
  });
  it('from inside an open container: the origin is the container', () => {
    const setup = all(closeTo(ID.cup), (g) => { g.addEdge(ID.cup, 'INSIDE', ID.cabinet); });
    for (const compat of MODES) {
      const a = attempt('[Grab] <cup> (35)', { compat, setup });
      expectOk(a, [`-${ID.cup} INSIDE ${ID.cabinet}`, `+${C} HOLDS_RH ${ID.cup}`, ...close2(C, ID.cabinet)]);
      expect(a.ex.grabOrigin(ID.cup)).toEqual({ dest: ID.cabinet, rel: 'INSIDE' });
    }
  });
  it('CLOSE edges of the object are cleared; a CLOSE origin is recorded', () => {
    const setup = (g: SceneGraph) => { g.addClose(C, ID.rock); g.addClose(ID.rock, ID.cup); g.addClose(ID.cup, ID.box); };
    for (const compat of MODES) {
      const a = attempt('[Grab] <cup> (35)', { compat, setup });
      expectOk(a, [...close2(ID.cup, ID.rock, '-'), ...close2(ID.cup, ID.box, '-'), ...close2(C, ID.cup), `+${C} HOLDS_RH ${ID.cup}`,
        ...close2(C, a.ex.grabOrigin(ID.cup)!.dest)]);
      expect(a.ex.grabOrigin(ID.cup)?.rel).toBe('CLOSE');
      expect([ID.rock, ID.box]).toContain(a.ex.grabOrigin(ID.cup)?.dest);
    }
  });
  it('an object with no origin gets no grab record', () => {
    for (const compat of MODES) {
      const a = attempt('[Grab] <cup> (35)', { compat, setup: (g) => { g.addEdge(C, 'CLOSE', ID.cup); } });
      expectOk(a, [`+${ID.cup} CLOSE ${C}`, `+${C} HOLDS_RH ${ID.cup}`]);
      expect(a.ex.grabOrigin(ID.cup)).toBeUndefined();
    }
  });
  it('master also clears HOLDS edges to the object; v1 keeps them (grabbing a held object again)', () => {
    const setup = all(closeTo(ID.cup), holds(ID.cup));
    expectOk(attempt('[Grab] <cup> (35)', { setup }), [`+${C} HOLDS_LH ${ID.cup}`]);
    expectOk(attempt('[Grab] <cup> (35)', { setup, compat: 'master' }), [`-${C} HOLDS_RH ${ID.cup}`, `+${C} HOLDS_LH ${ID.cup}`]);
  });
  it('the held object is put INSIDE the character\'s room (master: through the INSIDE chain)', () => {
    // The character is INSIDE a box that is INSIDE the kitchen: v1 finds no room, master does.
    const setup = all(closeTo(ID.cup), (g) => { g.removeEdge(C, 'INSIDE', ID.kitchen); g.addEdge(C, 'INSIDE', ID.box); g.removeEdge(ID.cup, 'INSIDE', ID.kitchen); });
    expect(attempt('[Grab] <cup> (35)', { setup }).r.failure?.code).toBe('no_room');
    expectOk(attempt('[Grab] <cup> (35)', { setup, compat: 'master' }), [`+${C} HOLDS_RH ${ID.cup}`, `+${ID.cup} INSIDE ${ID.kitchen}`]);
  });
});

describe('Put, Drop, PutOn, PutOff', () => {
  // Close to the table through the rock (loose rule), so Put's CLOSE edges are new.
  const nearTable = (g: SceneGraph) => { g.addEdge(C, 'CLOSE', ID.rock); g.addEdge(ID.rock, 'CLOSE', ID.table); };
  it('put back: HOLDS cleared, CLOSE to the surface, ON', () => {
    for (const compat of MODES) {
      expectOk(attempt('[PutBack] <cup> (35) <table> (23)', { compat, setup: all(holds(ID.cup), nearTable) }),
        [`-${C} HOLDS_RH ${ID.cup}`, ...close2(C, ID.table), ...close2(ID.cup, ID.table), `+${ID.cup} ON ${ID.table}`]);
      expectOk(attempt('[PutBack] <cup> (35) <table> (23)', { compat, setup: all(holds(undefined, ID.cup), nearTable) }),
        [`-${C} HOLDS_LH ${ID.cup}`, ...close2(C, ID.table), ...close2(ID.cup, ID.table), `+${ID.cup} ON ${ID.table}`]);
    }
  });
  it('put in: INSIDE', () => {
    for (const compat of MODES) {
      expectOk(attempt('[PutIn] <cup> (35) <cabinet> (44)', { compat, setup: all(holds(ID.cup), closeTo(ID.cabinet)) }),
        [`-${C} HOLDS_RH ${ID.cup}`, ...close2(ID.cup, ID.cabinet), `+${ID.cup} INSIDE ${ID.cabinet}`]);
    }
  });
  it('put obj back returns the object to its origin and clears the record', () => {
    for (const compat of MODES) {
      const a = attempt('[PutObjBack] <plate> (22)', { compat, before: ['[Walk] <plate> (22)', '[Grab] <plate> (22)'] });
      expectOk(a, [`-${C} HOLDS_RH ${ID.plate}`, ...close2(ID.plate, ID.table), `+${ID.plate} ON ${ID.table}`]);
      expect(a.ex.grabOrigin(ID.plate)).toBeUndefined();
    }
  });
  it('put back clears the grab record too', () => {
    for (const compat of MODES) {
      const a = attempt('[PutBack] <plate> (22) <table> (23)', { compat, before: ['[Walk] <plate> (22)', '[Grab] <plate> (22)'] });
      expect(a.r.ok).toBe(true);
      expect(a.ex.grabOrigin(ID.plate)).toBeUndefined();
    }
  });
  it('drop: HOLDS cleared, INSIDE the character\'s room, record cleared', () => {
    const setup = all(holds(ID.cup), (g) => { g.removeEdge(ID.cup, 'INSIDE', ID.kitchen); });
    for (const compat of MODES) {
      expectOk(attempt('[Drop] <cup> (35)', { compat, setup }), [`-${C} HOLDS_RH ${ID.cup}`, `+${ID.cup} INSIDE ${ID.kitchen}`]);
      expectOk(attempt('[Release] <cup> (35)', { compat, setup: all(holds(undefined, ID.cup), (g) => { g.removeEdge(ID.cup, 'INSIDE', ID.kitchen); }) }),
        [`-${C} HOLDS_LH ${ID.cup}`, `+${ID.cup} INSIDE ${ID.kitchen}`]);
      const a = attempt('[Drop] <plate> (22)', { compat, before: ['[Walk] <plate> (22)', '[Grab] <plate> (22)'] });
      expectOk(a, [`-${C} HOLDS_RH ${ID.plate}`]);
      expect(a.ex.grabOrigin(ID.plate)).toBeUndefined();
    }
  });
  it('put on: ON the character, HOLDS cleared', () => {
    for (const compat of MODES) {
      expectOk(attempt('[PutOn] <shirt> (28)', { compat, setup: holds(ID.shirt) }), [`+${ID.shirt} ON ${C}`, `-${C} HOLDS_RH ${ID.shirt}`]);
      expectOk(attempt('[PutOn] <shirt> (28)', { compat, setup: holds(undefined, ID.shirt) }), [`+${ID.shirt} ON ${C}`, `-${C} HOLDS_LH ${ID.shirt}`]);
    }
  });
  it('put off (v1): the ON edge goes', () => {
    expectOk(attempt('[PutOff] <shirt> (28)', { setup: (g) => { g.addEdge(ID.shirt, 'ON', C); } }), [`-${ID.shirt} ON ${C}`]);
  });
});

describe('state changes', () => {
  it('open / close', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Open] <fridge> (20)', { compat, setup: all(closeTo(ID.fridge), holds(ID.cup)) }), ['20: -CLOSED', '20: +OPEN']);
      expectOk(attempt('[Close] <cabinet> (44)', { compat, setup: closeTo(ID.cabinet) }), ['44: -OPEN', '44: +CLOSED']);
    }
  });
  it('switch on / off', () => {
    for (const compat of MODES) {
      expectOk(attempt('[SwitchOn] <tv> (21)', { compat, setup: closeTo(ID.tv) }), ['21: -OFF', '21: +ON']);
      expectOk(attempt('[SwitchOff] <tv> (21)', { compat, setup: all(closeTo(ID.tv), (g) => { g.removeState(ID.tv, 'OFF'); g.addState(ID.tv, 'ON'); }) }), ['21: -ON', '21: +OFF']);
    }
  });
  it('plug in / out', () => {
    for (const compat of MODES) {
      expectOk(attempt('[PlugIn] <lamp> (32)', { compat, setup: closeTo(ID.lamp) }), ['32: -PLUGGED_OUT', '32: +PLUGGED_IN']);
      const a = attempt('[PlugOut] <tv> (21)', { compat, setup: closeTo(ID.tv) });
      expectOk(a, ['21: -PLUGGED_IN', '21: +PLUGGED_OUT']);
      expect(a.r.warnings).toBeUndefined();
    }
  });
  it('wipe, wash, rinse, scrub: DIRTY → CLEAN', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Wipe] <cup> (35)', { compat, setup: all(closeTo(ID.cup), holds(ID.towel)) }), ['35: -DIRTY', '35: +CLEAN']);
      for (const verb of ['Wash', 'Rinse', 'Scrub']) {
        expectOk(attempt(`[${verb}] <cup> (35)`, { compat, setup: closeTo(ID.cup) }), ['35: -DIRTY', '35: +CLEAN']);
      }
    }
  });
  it('pour: INSIDE the destination; water also leaves the hand', () => {
    for (const compat of MODES) {
      expectOk(attempt('[Pour] <milk> (26) <cup> (35)', { compat, setup: all(holds(ID.milk), closeTo(ID.cup)) }), [`+${ID.milk} INSIDE ${ID.cup}`]);
      const a = attempt('[Pour] <water> (39) <cup> (35)', { compat, json: (j) => { j.nodes.find((n) => n.id === ID.water)!.properties.push('POURABLE'); },
        setup: all(holds(ID.water), closeTo(ID.cup)) });
      expectOk(a, [`+${ID.water} INSIDE ${ID.cup}`, `-${C} HOLDS_RH ${ID.water}`]);
      const b = attempt('[Pour] <water> (39) <cup> (35)', { compat, json: (j) => { j.nodes.find((n) => n.id === ID.water)!.properties.push('DRINKABLE'); },
        setup: all(holds(undefined, ID.water), closeTo(ID.cup)) });
      expectOk(b, [`+${ID.water} INSIDE ${ID.cup}`, `-${C} HOLDS_LH ${ID.water}`]);
    }
  });
});

describe('checks without effects leave the graph as it was', () => {
  const cases: Array<[string, (g: SceneGraph) => void]> = [
    ['[Drink] <milk> (26)', holds(ID.milk)],
    ['[Read] <book> (27)', holds(ID.book)],
    ['[LookAt] <tv> (21)', (g) => { g.addEdge(C, 'FACING', ID.tv); }],
    ['[PointAt] <tv> (21)', (g) => { g.addEdge(C, 'FACING', ID.tv); }],
    ['[Touch] <cup> (35)', closeTo(ID.cup)],
    ['[Type] <keyboard> (41)', closeTo(ID.keyboard)],
    ['[Move] <box> (33)', closeTo(ID.box)],
    ['[Push] <box> (33)', closeTo(ID.box)],
    ['[Squeeze] <towel> (31)', closeTo(ID.towel)],
    ['[Cut] <apple> (30)', all(closeTo(ID.apple), holds(ID.knife))],
    ['[Eat] <apple> (30)', closeTo(ID.apple)],
    ['[Greet] <person> (42)', () => {}],
    ['[Sleep]', (g) => { g.addState(C, 'LYING'); }],
    ['[WakeUp]', (g) => { g.addState(C, 'SITTING'); }],
  ];
  for (const [line, setup] of cases) {
    for (const compat of MODES) {
      it(`${compat}: ${line}`, () => {
        const a = attempt(line, { compat, setup });
        expectOk(a, []);
        expect(a.unchanged).toBe(true);
        expect(a.r.warnings).toBeUndefined();
      });
    }
  }
});
