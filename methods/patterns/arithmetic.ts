/**
 * The paper's text datasets (spec §G, `src/generate_data.py` of ICLvsFinetune), small enough for
 * the local model: each has a shortcut that fixes the answer without the full computation.
 *  - expression: `a + (b - b) * (c + d) =` — the multiplier sums to 0, so the answer is `a`;
 *  - boolean: `((x op y) op z) and False =` / `… or True =` — the last operand decides.
 * The other candidates are what a learner that missed the shortcut would plausibly compute.
 */
import type { SuiteDef } from './suite.ts';

interface Expr { a: number; b: number; c: number; d: number }

export const EXPRESSION: SuiteDef<Expr> = {
  name: 'expression', kind: 'arithmetic',
  hiddenRule: 'the multiplier (b - b) is zero, so a + (b - b) * (c + d) = a',
  hidden: 'zero-product',
  rules: [
    { name: 'zero-product', answer: (f) => String(f.a) },
    { name: 'drop-multiplier', answer: (f) => String(f.a + f.c + f.d) },
    { name: 'last-group', answer: (f) => String(f.c + f.d) },
    { name: 'first-pair', answer: (f) => String(f.a + f.b) },
  ],
  draw: (rng) => ({ a: rng.int(10), b: 1 + rng.int(9), c: 1 + rng.int(9), d: 1 + rng.int(9) }),
  render: (f) => `${f.a} + (${f.b} - ${f.b}) * (${f.c} + ${f.d}) =`,
};

interface Bool { x: boolean; y: boolean; z: boolean; op: 'and' | 'or'; op2: 'and' | 'or'; tail: 'and False' | 'or True' }
const word = (v: boolean): string => (v ? 'True' : 'False');
const apply = (op: 'and' | 'or', p: boolean, q: boolean): boolean => (op === 'and' ? p && q : p || q);
const inner = (f: Bool): boolean => apply(f.op2, apply(f.op, f.x, f.y), f.z);

export const BOOLEAN: SuiteDef<Bool> = {
  name: 'boolean', kind: 'arithmetic',
  hiddenRule: '"… and False" is False and "… or True" is True whatever comes before',
  hidden: 'tail-decides',
  rules: [
    { name: 'tail-decides', answer: (f) => word(f.tail === 'or True') },
    { name: 'inner-value', answer: (f) => word(inner(f)) },
    { name: 'first-literal', answer: (f) => word(f.x) },
    { name: 'always-true', answer: () => 'True' },
  ],
  draw: (rng) => ({ x: rng.int(2) === 1, y: rng.int(2) === 1, z: rng.int(2) === 1, op: rng.int(2) ? 'and' : 'or', op2: rng.int(2) ? 'and' : 'or', tail: rng.int(2) ? 'and False' : 'or True' }),
  render: (f) => `((${word(f.x)} ${f.op} ${word(f.y)}) ${f.op2} ${word(f.z)}) ${f.tail} =`,
  // Both values are always offered: where every candidate says True, a one-choice item would score itself.
  extraChoices: () => ['True', 'False'],
};

export const ARITHMETIC_SUITES = [EXPRESSION, BOOLEAN] as const;
