/**
 * Implicit-pattern suites (spec §G): question generators whose answer follows a rule the prompt
 * never states. Each suite lists candidate rules — the hidden one and the plausible others an
 * agent might follow instead (constant answers, thresholds, first/last item, another order) —
 * and a suite is built so that every other candidate disagrees with the hidden rule on at least
 * one item: following the hidden rule is the only way to score 100%.
 *
 * The candidate rules do three jobs: the uniqueness check, the answer choices of an item (the
 * distinct answers of all candidates, so scoring is a closed-set exact match), and the
 * meta-training distribution of the base model (an episode follows one candidate drawn at
 * random, so in-context demonstrations are what tells the model which one holds).
 */
import { HearthError } from '../../env/errors.ts';
import { Prng } from '../../env/prng.ts';

export interface Rule<F> {
  name: string;
  answer(facts: F): string;
}

export interface SuiteDef<F = unknown> {
  name: string;
  kind: 'household' | 'arithmetic';
  /** The hidden rule, in words (for the report; never in a prompt). */
  hiddenRule: string;
  /** Name of the hidden rule among `rules`. */
  hidden: string;
  rules: Array<Rule<F>>;
  draw(rng: Prng): F;
  render(facts: F): string;
  /** Extra answer choices beyond the candidates' answers (e.g. every object mentioned). */
  extraChoices?(facts: F): string[];
}

/** One question with its answer under a rule and the closed set of choices it is scored over. */
export interface Item {
  question: string;
  answer: string;
  /** Distinct, sorted; contains `answer`. */
  choices: string[];
}

export interface BuiltSuite {
  name: string;
  seed: number;
  items: Item[];
  /** Per item, each candidate rule's answer (rule name → answer): what an agent following it would say. */
  ruleAnswers: Array<Record<string, string>>;
}

export function ruleNamed<F>(def: SuiteDef<F>, name: string): Rule<F> {
  const r = def.rules.find((x) => x.name === name);
  if (!r) throw new Error(`suite ${def.name} has no rule ${name}`);
  return r;
}

/** The closed set an item is scored over; fewer than two choices would make any answer right (a suite bug). */
export function choicesOf<F>(def: SuiteDef<F>, f: F): string[] {
  const choices = [...new Set([...def.rules.map((r) => r.answer(f)), ...(def.extraChoices?.(f) ?? [])])].sort();
  if (choices.length < 2) throw new Error(`suite ${def.name}: "${def.render(f)}" has one possible answer; give extraChoices`);
  return choices;
}

/** An item of `def` under `rule` (default: the hidden one). */
export function itemOf<F>(def: SuiteDef<F>, f: F, rule: Rule<F> = ruleNamed(def, def.hidden)): Item {
  return { question: def.render(f), answer: rule.answer(f), choices: choicesOf(def, f) };
}

/** Max extra draws spent looking for an item that tells a rule apart from the hidden one. */
const WITNESS_TRIES = 2000;

/**
 * Questions are split by a hash of their text: a third are test questions, never shown as a
 * demonstration or a fine-tuning example, so both learners are scored on questions they have
 * not seen (what is measured is the rule, not a memorised answer).
 */
export type Split = 'test' | 'train' | 'all';

export function splitOf(question: string): 'test' | 'train' {
  let h = 0x811c9dc5;
  for (let i = 0; i < question.length; i++) { h ^= question.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h % 3 === 0 ? 'test' : 'train';
}

/** A draw of `def` whose question is in `split` (rejection sampling; every suite has both splits). */
export function drawIn<F>(def: SuiteDef<F>, rng: Prng, split: Split): F {
  for (let t = 0; t < WITNESS_TRIES; t++) {
    const f = def.draw(rng);
    if (split === 'all' || splitOf(def.render(f)) === split) return f;
  }
  throw new Error(`suite ${def.name}: no ${split} question in ${WITNESS_TRIES} draws`);
}

/**
 * `n` items of the hidden rule, seeded. Items are drawn at random; then, for every candidate
 * rule that agrees with the hidden one on all of them, an item where they differ (a witness)
 * replaces a drawn one (never one that is itself a witness). A rule that no item tells apart is
 * a bug in the suite's definition (thrown). `split` restricts the questions (see `splitOf`).
 */
export function buildSuite<F>(def: SuiteDef<F>, seed: number, n: number, split: Split = 'all'): BuiltSuite {
  const others = def.rules.filter((r) => r.name !== def.hidden);
  if (n < others.length) throw new HearthError('patterns.suite', `suite ${def.name} needs at least ${others.length} items to tell its ${others.length + 1} rules apart, got ${n}`, `ask for ${others.length} or more items`);
  const hidden = ruleNamed(def, def.hidden);
  const rng = new Prng(seed);
  const facts: F[] = Array.from({ length: n }, () => drawIn(def, rng, split));
  const pinned = new Set<number>();
  for (const r of others) {
    const differs = (f: F) => r.answer(f) !== hidden.answer(f);
    if (facts.some(differs)) {
      pinned.add(facts.findIndex(differs));
      continue;
    }
    let witness: F | null = null;
    for (let t = 0; t < WITNESS_TRIES && !witness; t++) { const f = drawIn(def, rng, split); if (differs(f)) witness = f; }
    if (!witness) throw new Error(`suite ${def.name}: no item tells rule ${r.name} from the hidden rule ${def.hidden}`);
    // Replace an item nobody relies on (its index is deterministic given the seed).
    const free = facts.map((_, i) => i).filter((i) => !pinned.has(i));
    const slot = free[rng.int(free.length)];
    facts[slot] = witness;
    pinned.add(slot);
  }
  return {
    name: def.name, seed,
    items: facts.map((f) => itemOf(def, f, hidden)),
    ruleAnswers: facts.map((f) => Object.fromEntries(def.rules.map((r) => [r.name, r.answer(f)]))),
  };
}

/** Exact-match accuracy of an agent's answers on a built suite. */
export function accuracy(suite: BuiltSuite, answers: readonly string[]): number {
  if (answers.length !== suite.items.length) throw new Error(`${answers.length} answers for ${suite.items.length} items`);
  return suite.items.filter((it, i) => it.answer === answers[i]).length / Math.max(1, suite.items.length);
}

/** Accuracy of an agent that follows each candidate rule (rule name → accuracy). */
export function ruleScores(suite: BuiltSuite): Record<string, number> {
  const names = Object.keys(suite.ruleAnswers[0] ?? {});
  return Object.fromEntries(names.map((name) => [name, accuracy(suite, suite.ruleAnswers.map((a) => a[name]))]));
}
