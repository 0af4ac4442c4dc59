import { describe, expect, it } from 'vitest';
import { Episode } from '../../env/episode.ts';
import { SceneGraph } from '../../env/graph.ts';
import { NL_TEMPLATES, NLGrounder, nlMessages, parseNLAction } from '../../env/nl.ts';
import { Prng } from '../../env/prng.ts';
import { demoHouseScene, demoTask } from '../../env/scenes/demo-house.ts';

const fill = (template: string, names: string[]): string => {
  let i = 0;
  return template.replace(/\{\}/g, () => names[i++]);
};

describe('NL template parser', () => {
  it('has the authors\' 42 actions', () => {
    expect(NL_TEMPLATES).toHaveLength(42);
    expect(new Set(NL_TEMPLATES.map((t) => t.action)).size).toBe(42);
  });

  it.each(NL_TEMPLATES.filter((t) => t.action !== 'RELEASE').map((t) => [t.action, t] as const))(
    '%s: its template parses back to the verb and the slot names', (_name, tp) => {
      const names = ['coffee table', 'kitchen counter'].slice(0, tp.arity);
      const text = fill(tp.template, names);
      for (const variant of [text, text.toUpperCase(), `  Step 4: ${text}  `]) {
        const p = parseNLAction(variant);
        expect(p.matched, variant).toBe(true);
        expect(p.verb).toBe(tp.action);
        expect(p.names).toEqual(names.map((n) => n.replace(/ /g, '_')));
      }
    });

  it('RELEASE can never match its template (0 slots, arity 1): the fallback reads it', () => {
    expect(parseNLAction('release')).toEqual({ verb: 'RELEASE', names: [], matched: false });
    expect(parseNLAction('release cup')).toEqual({ verb: 'RELEASE', names: ['cup'], matched: false });
  });

  it('an ambiguous line matches no template and falls back to the first word', () => {
    // 'put {} on {}' and 'put {} in {}' both match
    const p = parseNLAction('Put cup on table in kitchen');
    expect(p.matched).toBe(false);
    expect(p.verb).toBe('PUT');
    expect(p.names).toEqual(['cup_on_table_in_kitchen']);
  });

  it('fallback: 1, 2, 3 and 4+ words, case kept in names', () => {
    expect(parseNLAction('Dance')).toEqual({ verb: 'DANCE', names: [], matched: false });
    expect(parseNLAction('Fly Kitchen')).toEqual({ verb: 'FLY', names: ['Kitchen'], matched: false });
    expect(parseNLAction('fly to kitchen')).toEqual({ verb: 'FLY', names: ['to', 'kitchen'], matched: false });
    expect(parseNLAction('fly to the kitchen')).toEqual({ verb: 'FLY', names: ['to_the_kitchen'], matched: false });
    expect(parseNLAction('step1: Walk kitchen')).toEqual({ verb: 'WALK', names: ['kitchen'], matched: false });
  });

  it('put on / put X on Y / put back are told apart', () => {
    expect(parseNLAction('Put on clothes pants')).toMatchObject({ verb: 'PUTON', names: ['clothes_pants'] });
    expect(parseNLAction('Put cup on plate')).toMatchObject({ verb: 'PUTBACK', names: ['cup', 'plate'] });
    expect(parseNLAction('Put back cup')).toMatchObject({ verb: 'PUTOBJBACK', names: ['cup'] });
    expect(parseNLAction('Put onion in fridge')).toMatchObject({ verb: 'PUTIN', names: ['onion', 'fridge'] });
    expect(parseNLAction('Take off shoes')).toMatchObject({ verb: 'PUTOFF', names: ['shoes'] });
  });
});

/** A grounder on a fresh demo house graph, plus its episode for steps. */
function episode(seed = 0): Episode {
  return new Episode(demoTask(), { seed });
}

describe('harness-level messages (spec/e2cl.md §1, verbatim)', () => {
  it('unknown object', () => {
    const o = episode().step('Grab spoon');
    expect(o.ok).toBe(false);
    expect(o.failure).toMatchObject({ code: 'unknown_object', message: "spoon isn't available in the environment." });
    expect(o.script).toBeUndefined();
  });

  it('first object of a two-object action not in hand', () => {
    const o = episode().step('Put cup in microwave');
    expect(o.failure).toMatchObject({ code: 'missing_step', message: 'cup not in hand. Robot agent should hold cup firstly.' });
  });

  it('an object put into itself', () => {
    const ep = episode();
    for (const a of ['Walk to kitchen', 'Find cup', 'Grab cup']) expect(ep.step(a).ok, a).toBe(true);
    const o = ep.step('Put cup in cup');
    expect(o.failure?.message).toBe("cup can't be put or pour into itself.");
  });

  it('unknown verb', () => {
    expect(episode().step('Dance').failure).toMatchObject({ code: 'unknown_action', message: "agent doesn't have ability to DANCE" });
    // grounding comes first: the names are grounded before the verb is checked
    expect(episode().step('Fly kitchen').failure?.message).toBe("agent doesn't have ability to FLY");
    expect(episode().step('Fly to kitchen').failure?.message).toBe('to not in hand. Robot agent should hold to firstly.');
  });

  it('wrong number of parameters', () => {
    expect(episode().step('release').failure).toMatchObject({ code: 'wrong_arity', message: 'RELEASE needs 1 parameters. But there are 0 parameters.' });
    expect(episode().step('Walk').failure?.message).toBe('WALK needs 1 parameters. But there are 0 parameters.');
    expect(episode().step('sleep sofa').failure?.message).toBe('SLEEP needs 0 parameters. But there are 1 parameters.');
  });

  it('message helpers are the same text', () => {
    expect(nlMessages.unavailable('x')).toBe("x isn't available in the environment.");
    expect(nlMessages.notInHand('x')).toBe('x not in hand. Robot agent should hold x firstly.');
    expect(nlMessages.itself('x')).toBe("x can't be put or pour into itself.");
    expect(nlMessages.noAbility('FLY')).toBe("agent doesn't have ability to FLY");
    expect(nlMessages.arity('PUTIN', 2, 1)).toBe('PUTIN needs 2 parameters. But there are 1 parameters.');
  });

  it('the fallback still executes a well-formed verb (E2CL: "release cup" works)', () => {
    const ep = episode();
    for (const a of ['Walk to kitchen', 'Find cup', 'Grab cup']) ep.step(a);
    const o = ep.step('release cup');
    expect(o.script).toBe('[RELEASE] <cup> (24)');
    expect(o.ok).toBe(true);
  });
});

describe('grounding', () => {
  const CUPS = [35, 24]; // living-room cup, kitchen cup (scene order)

  it('(3) seeded choice when nothing binds or is near: same seed, same id; seeds cover both cups', () => {
    const chosen = new Map<number, number>();
    for (let seed = 0; seed < 40; seed++) {
      const a = new NLGrounder(SceneGraph.fromJSON(demoHouseScene()), 100, { seed }).ground('Grab cup');
      const b = new NLGrounder(SceneGraph.fromJSON(demoHouseScene()), 100, { seed }).ground('Grab cup');
      expect(a.ok && b.ok).toBe(true);
      if (!a.ok || !b.ok) continue;
      expect(b.line.args[0].id).toBe(a.line.args[0].id);
      chosen.set(seed, a.line.args[0].id);
    }
    expect(new Set(chosen.values())).toEqual(new Set(CUPS));
  });

  it('(2) an instance related to the last interacted object wins over the seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const ep = episode(seed);
      ep.step('Walk to kitchen'); // last object: kitchen; cup 24 is INSIDE it
      expect(ep.step('Find cup').script).toBe('[FIND] <cup> (24)');
    }
  });

  it('(2) an instance close to the agent wins over the seed', () => {
    for (const near of CUPS) {
      for (let seed = 0; seed < 20; seed++) {
        const g = SceneGraph.fromJSON(demoHouseScene());
        g.addClose(100, near);
        const r = new NLGrounder(g, 100, { seed }).ground('Grab cup');
        expect(r.ok && r.line.args[0].id).toBe(near);
      }
    }
  });

  it('(2) the last object\'s neighbours win over the agent\'s', () => {
    const g = SceneGraph.fromJSON(demoHouseScene());
    g.addClose(100, 35);
    const grounder = new NLGrounder(g, 100, { seed: 0 });
    grounder.ground('Walk to kitchen_table'); // last object: the kitchen table, CLOSE to cup 24
    const r = grounder.ground('Grab cup');
    expect(r.ok && r.line.args[0].id).toBe(24);
  });

  it('(1) a name stays bound for the episode, even when another instance is nearer', () => {
    const ep = episode();
    ep.step('Walk to coffee table');
    expect(ep.step('Find cup').script).toBe('[FIND] <cup> (35)');
    ep.step('Walk to kitchen');
    const o = ep.step('Grab cup');
    expect(o.script).toBe('[GRAB] <cup> (35)');
    expect(o.ok).toBe(false);
  });

  it('reset forgets the bindings', () => {
    const ep = episode();
    ep.step('Walk to coffee table');
    ep.step('Find cup');
    ep.reset(0);
    ep.step('Walk to kitchen');
    expect(ep.step('Find cup').script).toBe('[FIND] <cup> (24)');
  });

  it('names must equal a class name exactly (spaces → underscores, no synonyms)', () => {
    const ep = episode();
    expect(ep.step('Walk to living room').script).toBe('[WALK] <living_room> (1)');
    expect(ep.step('Walk to livingroom').failure?.message).toBe("livingroom isn't available in the environment.");
    expect(ep.step('Walk to television').failure?.message).toBe("television isn't available in the environment.");
  });

  it('initial bindings (object_id_dict) are honoured', () => {
    const g = new NLGrounder(SceneGraph.fromJSON(demoHouseScene()), 100, { seed: 3, bindings: { cup: 24 } });
    const r = g.ground('Grab cup');
    expect(r.ok && r.line.args[0].id).toBe(24);
  });
});

describe('grounding state', () => {
  it('exposes bindings, last object and PRNG draws, and a Prng with the same seed predicts the draws', () => {
    const ep = new Episode(demoTask(), { seed: 21 });
    expect(ep.groundingState()).toMatchObject({ seed: 21, draws: 0, lastObject: undefined });
    const o = ep.step('Grab cup'); // two cups, nothing near: one draw
    const st = ep.groundingState();
    expect(st.draws).toBe(1);
    expect(o.script).toBe(`[GRAB] <cup> (${st.bindings.get('cup')})`);
    expect(st.lastObject).toBe(st.bindings.get('cup'));
    expect([35, 24][new Prng(21).int(2)]).toBe(st.bindings.get('cup'));
    ep.step('Walk to kitchen'); // one kitchen: no draw
    expect(ep.groundingState().draws).toBe(1);
  });
});
