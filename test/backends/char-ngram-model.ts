/**
 * A small but real language model for the backend tests: a character n-gram model (backing
 * off to the longest context seen) with add-α smoothing over printable ASCII, counted from a corpus. Its log-probs are exact
 * (so chain-rule sums over pieces must match to float precision), greedy decoding is
 * deterministic, sampling uses a seeded PRNG per prompt, stop strings and constrained
 * decoding behave as the `LanguageModel` contract says. `calls` counts model calls so tests
 * can prove that a replay did not reach the model; `delayMs` makes each call take time so
 * tests can see concurrent requests merge, and `gate` holds every call until a test opens it.
 */
import { Prng } from '../../env/prng.ts';
import type { GenerateOptions, LanguageModel } from '../../agent/language-model.ts';

const ALPHABET = ['\n', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
const START = '\u0002';

export class CharNgramModel implements LanguageModel {
  readonly name = 'test:char-ngram';
  readonly backend = 'test';
  readonly calls = { generate: 0, logProbs: 0, prompts: 0 };
  delayMs = 0;
  /** When set, every call waits for it: tests hold the model busy while requests queue up. */
  gate?: Promise<void>;
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(corpus: string[], private readonly order = 16, private readonly alpha = 0.01) {
    for (const text of corpus) {
      const padded = START.repeat(order - 1) + text;
      for (let i = order - 1; i < padded.length; i++) {
        // Every context length from 0 to order-1, for backing off from unseen contexts.
        for (let k = 0; k < order; k++) {
          const ctx = padded.slice(i - k, i);
          let row = this.counts.get(ctx);
          if (!row) this.counts.set(ctx, (row = new Map()));
          row.set(padded[i], (row.get(padded[i]) ?? 0) + 1);
        }
      }
    }
  }

  /** log P(c | the text so far). */
  charLogProb(history: string, c: string): number {
    return this.nextLogProbs(history)(c);
  }

  /** The next-character distribution after `history`, as a log-prob lookup. */
  private nextLogProbs(history: string): (c: string) => number {
    const row = this.counts.get(this.context(history));
    let total = 0;
    if (row) for (const n of row.values()) total += n;
    const denominator = total + this.alpha * ALPHABET.length;
    return (c) => Math.log(((row?.get(c) ?? 0) + this.alpha) / denominator);
  }

  async generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    this.calls.generate++;
    this.calls.prompts += prompts.length;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    await this.gate;
    if (options.allowed) {
      const out: string[] = [];
      for (const p of prompts) {
        const scores = options.allowed.map((a) => this.score(p, a));
        out.push(options.allowed[scores.indexOf(Math.max(...scores))]);
      }
      return out;
    }
    return prompts.map((p) => this.decode(p, options));
  }

  async logProbs(prompts: string[], continuations: string[]): Promise<number[]> {
    this.calls.logProbs++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return prompts.map((p, i) => this.score(p, continuations[i]));
  }

  private score(prompt: string, continuation: string): number {
    let sum = 0;
    for (let i = 0; i < continuation.length; i++) sum += this.charLogProb(prompt + continuation.slice(0, i), continuation[i]);
    return sum;
  }

  private decode(prompt: string, options: GenerateOptions): string {
    const t = options.temperature ?? 0;
    const rng = new Prng(options.seed ?? 0);
    let out = '';
    for (let step = 0; step < options.maxTokens; step++) {
      const next = this.nextLogProbs(prompt + out);
      const lps = ALPHABET.map(next);
      let pick = 0;
      if (t <= 0) {
        for (let i = 1; i < lps.length; i++) if (lps[i] > lps[pick]) pick = i;
      } else {
        const w = lps.map((l) => Math.exp(l / t));
        let r = rng.next() * w.reduce((a, b) => a + b, 0);
        pick = w.length - 1;
        for (let i = 0; i < w.length; i++) { r -= w[i]; if (r < 0) { pick = i; break; } }
      }
      out += ALPHABET[pick];
      const stopAt = firstStop(out, options.stop);
      if (stopAt >= 0) return out.slice(0, stopAt);
    }
    return out;
  }

  /** The longest suffix of the history (at most order-1 chars) seen in the corpus. */
  private context(history: string): string {
    const padded = START.repeat(this.order - 1) + history;
    for (let k = this.order - 1; k > 0; k--) {
      const ctx = padded.slice(padded.length - k);
      if (this.counts.has(ctx)) return ctx;
    }
    return '';
  }
}

function firstStop(text: string, stop: string[] | undefined): number {
  let cut = -1;
  for (const s of stop ?? []) {
    const at = s === '' ? -1 : text.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  return cut;
}

/** Lines the test model learns: an observation/action format like the agent's. */
export const ACTION_CORPUS = [
  'Task: put the apple in the fridge\nAction: Walk to kitchen\n',
  'Task: put the apple in the fridge\nAction: Grab apple\n',
  'Task: turn on the tv\nAction: Walk to living room\n',
  'Task: turn on the tv\nAction: Switch on tv\n',
  'Task: read a book\nAction: Walk to bedroom\n',
];
