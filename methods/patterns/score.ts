/**
 * Closed-set exact-match scoring on the local model: each choice's ` <answer>\n` is scored by its
 * summed log-probability after the prompt, and the model's answer is the best-scoring choice
 * (chance = 1 / number of choices). Prompts too long for the context lose their oldest
 * demonstrations first.
 */
import type { LocalModel } from '../../agent/local-model.ts';
import type { ForwardInput } from '../../agent/model.ts';
import { seqLogProb } from '../../agent/logprob.ts';
import { tf } from '../../agent/tfjs.ts';
import { answerText, promptIds } from './episodes.ts';
import type { Item } from './suite.ts';

export interface Query {
  demos: Item[];
  item: Item;
}

/** The query's prompt ids with as many of its demonstrations (the latest ones) as fit with the longest choice. */
export function fittedPrompt(lm: LocalModel, q: Query): number[] {
  return fitPrompt(lm, q).ids;
}

/** Mean number of demonstrations that fit the context, over the queries (k asked may exceed it). */
export function demosShown(lm: LocalModel, queries: readonly Query[]): number {
  return queries.reduce((a, q) => a + fitPrompt(lm, q).demos, 0) / Math.max(1, queries.length);
}

function fitPrompt(lm: LocalModel, q: Query): { ids: number[]; demos: number } {
  const longest = Math.max(...q.item.choices.map((c) => lm.tokenizer.encode(answerText(c)).length));
  let demos = q.demos;
  let ids = promptIds(lm.tokenizer, demos, q.item.question);
  while (ids.length + longest > lm.config.ctx && demos.length > 0) {
    demos = demos.slice(1);
    ids = promptIds(lm.tokenizer, demos, q.item.question);
  }
  return { ids, demos: demos.length };
}

export interface ChoiceRow { prompt: number[]; answer: number[]; q: number; choice: string }

/** One row per (query, choice): the fitted prompt then the choice's answer ids. */
export function choiceRows(lm: LocalModel, queries: readonly Query[]): ChoiceRow[] {
  return queries.flatMap((q, qi) => {
    const prompt = fittedPrompt(lm, q);
    return q.item.choices.map((c) => ({ prompt, answer: lm.tokenizer.encode(answerText(c)), q: qi, choice: c }));
  });
}

export interface ChoiceBatch { input: ForwardInput & { valid: Uint8Array }; targets: Int32Array; mask: Float32Array }

/** Right-padded (B, T) batch of rows; targets are the next tokens, the mask covers the answer tokens. */
export function choiceBatch(rows: readonly ChoiceRow[], pad: number): ChoiceBatch {
  const T = Math.max(...rows.map((r) => r.prompt.length + r.answer.length - 1));
  const B = rows.length;
  const tokens = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  const valid = new Uint8Array(B * T);
  rows.forEach((r, b) => {
    const ids = [...r.prompt, ...r.answer];
    for (let t = 0; t + 1 < ids.length; t++) {
      tokens[b * T + t] = ids[t];
      targets[b * T + t] = ids[t + 1];
      valid[b * T + t] = 1;
      if (t + 1 >= r.prompt.length) mask[b * T + t] = 1;
    }
  });
  return { input: { tokens, valid, batch: B, time: T }, targets, mask };
}

/** Each query's best choice given per-row scores (rows as `choiceRows` lays them out). */
export function bestChoices(rows: readonly ChoiceRow[], scores: ArrayLike<number>, queries: number): string[] {
  const best = Array.from({ length: queries }, () => ({ choice: '', score: -Infinity }));
  rows.forEach((r, i) => { if (scores[i] > best[r.q].score) best[r.q] = { choice: r.choice, score: scores[i] }; });
  return best.map((b) => b.choice);
}

/** The model's choice for each query (closed set, greedy on summed log-prob). */
export function chooseAnswers(lm: LocalModel, queries: readonly Query[], chunk = 32): string[] {
  const rows = choiceRows(lm, queries);
  const scores = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i += chunk) {
    const b = choiceBatch(rows.slice(i, i + chunk), lm.tokenizer.pad);
    const lp = tf.tidy(() => seqLogProb(lm.model.forward(b.input).logits!, b.targets, b.mask, b.input.batch));
    scores.set(lp.dataSync() as Float32Array, i);
    lp.dispose();
  }
  return bestChoices(rows, scores, queries.length);
}
