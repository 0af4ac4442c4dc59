/**
 * Prompts, training sequences and closed-set scoring for the implicit-pattern experiment.
 *
 * A prompt is k demonstrations then the query, one `Q: … / A: …` pair per line:
 *   Q: 7 dirty cups. wash them in the\nA: sink\nQ: 12 dirty plates. wash them in the\nA:
 * the answer continues with ` <answer>\n`. Token ids are built segment by segment (each segment
 * starts on a pre-tokeniser boundary), so training, scoring and circuit runs see the same ids.
 *
 * Meta-training episodes (the base model's in-context ability, issue item 3): each follows one
 * candidate rule of one suite drawn at random, with 0..kMax demonstrations, and the loss is on
 * every answer, so the answer after j demonstrations is a j-shot prediction. A share of episodes
 * is the pattern-free control: answers are random labels and queries repeat a demonstration, so
 * the only way to answer is to read the context.
 */
import type { Tokenizer } from '../../agent/tokenizer.ts';
import type { Example } from '../../alignment/packing.ts';
import { Prng } from '../../env/prng.ts';
import { drawIn, itemOf, type Item, type Split, type SuiteDef } from './suite.ts';

export const questionText = (q: string): string => `Q: ${q}\nA:`;
export const answerText = (a: string): string => ` ${a}\n`;

/** The prompt as text (for HTTP models): demonstrations then the query. */
export function promptText(demos: readonly Item[], query: string): string {
  return demos.map((d) => questionText(d.question) + answerText(d.answer)).join('') + questionText(query);
}

/** BOS + the prompt's ids, and the ids of each demonstration answer's span (for training). */
export function promptIds(tok: Tokenizer, demos: readonly Item[], query: string): number[] {
  const ids = [tok.bos];
  for (const d of demos) ids.push(...tok.encode(questionText(d.question)), ...tok.encode(answerText(d.answer)));
  ids.push(...tok.encode(questionText(query)));
  return ids;
}

/** One sequence whose answers all carry loss: every item after the ones before it. */
export function episodeExample(tok: Tokenizer, items: readonly Item[]): Example {
  const ids = [tok.bos];
  const weights: number[] = [];
  for (const it of items) {
    const q = tok.encode(questionText(it.question));
    const a = tok.encode(answerText(it.answer));
    // weights[t] = weight of predicting ids[t+1] (BOS is never predicted): 0 on the question, 1 on the answer and its newline.
    for (let i = 0; i < q.length; i++) weights.push(0);
    for (let i = 0; i < a.length; i++) weights.push(1);
    ids.push(...q, ...a);
  }
  return { ids, weights };
}

/** `n` items of one rule of `def` (train-split questions, seeded). */
export function ruleItems(def: SuiteDef, rule: string, rng: Prng, n: number, split: Split = 'train'): Item[] {
  const r = def.rules.find((x) => x.name === rule)!;
  return Array.from({ length: n }, () => itemOf(def, drawIn(def, rng, split), r));
}

/**
 * Pattern-free control: the items' answers replaced by random labels from their choices; every
 * query after the first repeats an earlier question with its label, so the context holds the answer.
 */
export function controlItems(def: SuiteDef, rng: Prng, n: number, split: Split = 'train'): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const fresh = itemOf(def, drawIn(def, rng, split));
    const repeat = i > 0 && rng.int(2) === 1;
    out.push(repeat ? out[rng.int(out.length)] : { ...fresh, answer: fresh.choices[rng.int(fresh.choices.length)] });
  }
  return out;
}

export interface MetaOptions {
  /** Most demonstrations before the last item of an episode. */
  kMax: number;
  /** Share of episodes that are the pattern-free control. */
  controlShare: number;
  /** Tokens an episode may take (the model's context). */
  ctx: number;
}

/** Meta-training sequences over `suites`, seeded; episodes are cut to fit the context. */
export function metaExamples(tok: Tokenizer, suites: readonly SuiteDef[], seed: number, n: number, o: MetaOptions): Example[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const def = rng.pick(suites);
    const len = 1 + rng.int(o.kMax + 1);
    const items = rng.next() < o.controlShare ? controlItems(def, rng, len) : ruleItems(def, rng.pick(def.rules).name, rng, len);
    let ex = episodeExample(tok, items);
    for (let m = items.length - 1; ex.ids.length > o.ctx + 1 && m >= 1; m--) ex = episodeExample(tok, items.slice(0, m));
    return ex;
  });
}

/** Fine-tuning examples: one item each, zero-shot format (loss on the answer). */
export function fineTuneExamples(tok: Tokenizer, items: readonly Item[]): Example[] {
  return items.map((it) => episodeExample(tok, [it]));
}
