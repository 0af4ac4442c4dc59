import { describe, expect, it } from 'vitest';
import { Prng } from '../../env/prng.ts';
import { CANCEL, WASH_PARITY } from '../../methods/patterns/household.ts';
import { buildSuite, drawIn, ruleScores, splitOf, type SuiteDef } from '../../methods/patterns/suite.ts';
import { SUITES } from '../../methods/patterns/suites.ts';

describe('implicit-pattern suites', () => {
  it('are generated deterministically from the seed', () => {
    for (const def of SUITES) {
      const a = buildSuite(def, 7, 40, 'test');
      expect(buildSuite(def, 7, 40, 'test')).toEqual(a);
      expect(buildSuite(def, 8, 40, 'test').items, def.name).not.toEqual(a.items);
    }
  });

  it('each hidden rule is the only candidate rule that scores 100%', () => {
    for (const def of SUITES) {
      for (const split of ['test', 'train'] as const) {
        for (let seed = 0; seed < 20; seed++) {
          // The smallest suite that can tell every rule apart: witnesses must be forced in.
          const suite = buildSuite(def, seed, def.rules.length - 1, split);
          const scores = ruleScores(suite);
          expect(Object.keys(scores).sort()).toEqual(def.rules.map((r) => r.name).sort());
          for (const [name, acc] of Object.entries(scores)) {
            if (name === def.hidden) expect(acc, `${def.name} seed ${seed}`).toBe(1);
            else expect(acc, `${def.name}: rule ${name} (seed ${seed})`).toBeLessThan(1);
          }
        }
      }
    }
  });

  it('every item offers at least two choices, among them its answer and every rule\'s answer', () => {
    for (const def of SUITES) {
      const s = buildSuite(def, 3, 200);
      for (const it of s.items) expect(it.choices.length, `${def.name}: ${it.question}`).toBeGreaterThanOrEqual(2);
      s.items.forEach((it, i) => {
        expect(it.choices).toContain(it.answer);
        for (const a of Object.values(s.ruleAnswers[i])) expect(it.choices).toContain(a);
      });
    }
  });

  it('answers are computed by the rule, not stored: parity and cancelling pairs checked by hand', () => {
    const p = buildSuite(WASH_PARITY, 1, 30);
    for (const it of p.items) {
      const n = Number(/^(\d+) dirty/.exec(it.question)![1]);
      expect(it.answer).toBe(n % 2 ? 'sink' : 'dishwasher');
    }
    const c = buildSuite(CANCEL, 1, 30);
    for (const it of c.items) {
      const steps = it.question.replace(/\. now open:$/, '').split(', ').map((s) => s.split(' '));
      const open = steps.filter(([v]) => v === 'open').map(([, o]) => o).filter((o) => !steps.some(([v, x]) => v === 'close' && x === o));
      expect(open).toEqual([it.answer]);
    }
  });

  it('test and train questions never overlap', () => {
    for (const def of SUITES) {
      const test = new Set(buildSuite(def, 1, 60, 'test').items.map((i) => i.question));
      const train = buildSuite(def, 1, 60, 'train').items.map((i) => i.question);
      expect(train.filter((q) => test.has(q)), def.name).toEqual([]);
      for (const q of test) expect(splitOf(q)).toBe('test');
    }
  });

  it('a rule that no question tells apart from the hidden one is an error, not a silent 100%', () => {
    const twin: SuiteDef<{ n: number }> = {
      name: 'twin', kind: 'household', hiddenRule: 'parity', hidden: 'odd',
      rules: [{ name: 'odd', answer: (f) => (f.n % 2 ? 'a' : 'b') }, { name: 'same', answer: (f) => (f.n % 2 === 1 ? 'a' : 'b') }],
      draw: (rng) => ({ n: rng.int(9) }), render: (f) => `n ${f.n}`,
    };
    expect(() => buildSuite(twin, 0, 5)).toThrow(/no item tells rule same/);
    expect(() => buildSuite(WASH_PARITY, 0, 3)).toThrow(/needs at least 9 items/);
    const oneAnswer: SuiteDef<{ n: number }> = { ...twin, rules: [{ name: 'odd', answer: () => 'a' }, { name: 'same', answer: (f) => (f.n === 3 ? 'b' : 'a') }] };
    expect(() => buildSuite(oneAnswer, 0, 5)).toThrow(/has one possible answer/);
    expect(() => drawIn({ ...twin, render: () => 'x' }, new Prng(0), splitOf('x') === 'test' ? 'train' : 'test')).toThrow(/no (test|train) question/);
  });
});
