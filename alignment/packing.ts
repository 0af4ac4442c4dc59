/**
 * Sequence packing for training on `{input, output}` pairs: each pair becomes
 * `BOS input output EOS` with loss weight 1 on the output tokens and EOS only; several
 * pairs share one row of the context window (each attends only to itself, positions
 * restart per pair), so no compute is spent on padding except the tail of the longest
 * row of a batch.
 */
import type { Tokenizer } from '../agent/tokenizer.ts';

export interface IOPairLike { input: string; output: string }

export interface Example {
  /** Full token sequence: BOS, input, output, EOS. */
  ids: number[];
  /** weights[t] = loss weight of predicting ids[t + 1] from ids[..t]. length ids.length - 1 */
  weights: number[];
}

/** Encode a pair; sequences longer than ctx + 1 lose the start of their input. */
export function encodeExample(tok: Tokenizer, pair: IOPairLike, ctx: number): Example {
  const prompt = [tok.bos, ...tok.encode(pair.input)];
  const out = [...tok.encode(pair.output), tok.eos];
  let ids = [...prompt, ...out];
  let nPrompt = prompt.length;
  if (ids.length > ctx + 1) {
    const cut = ids.length - (ctx + 1);
    ids = ids.slice(cut);
    nPrompt = Math.max(1, nPrompt - cut);
  }
  const weights = new Array<number>(ids.length - 1);
  for (let t = 0; t + 1 < ids.length; t++) weights[t] = t + 1 >= nPrompt ? 1 : 0;
  return { ids, weights };
}

export interface PackedRow { examples: Example[]; length: number }

/** First-fit packing in the given order into rows of at most `ctx` input positions. */
export function packRows(examples: Example[], ctx: number): PackedRow[] {
  const rows: PackedRow[] = [];
  for (const ex of examples) {
    const n = ex.ids.length - 1;
    const row = rows.find((r) => r.length + n <= ctx);
    if (row) { row.examples.push(ex); row.length += n; } else rows.push({ examples: [ex], length: n });
  }
  return rows;
}

export interface PackedBatch {
  /** (B, T) */
  tokens: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  segments: Int32Array;
  batch: number;
  time: number;
  /** Σ weights: the number of tokens the loss is over. */
  targetTokens: number;
}

/** Lay rows out as a (B, T) batch, T = the longest row; the tail is its own masked segment. */
export function batchRows(rows: PackedRow[], padId: number): PackedBatch {
  const B = rows.length;
  const T = Math.max(1, ...rows.map((r) => r.length));
  const tokens = new Int32Array(B * T).fill(padId);
  const targets = new Int32Array(B * T).fill(padId);
  const weights = new Float32Array(B * T);
  const segments = new Int32Array(B * T).fill(-1);
  let targetTokens = 0;
  rows.forEach((row, b) => {
    let t = b * T;
    row.examples.forEach((ex, s) => {
      for (let i = 0; i + 1 < ex.ids.length; i++, t++) {
        tokens[t] = ex.ids[i];
        targets[t] = ex.ids[i + 1];
        weights[t] = ex.weights[i];
        segments[t] = s;
        targetTokens += ex.weights[i];
      }
    });
  });
  return { tokens, targets, weights, segments, batch: B, time: T, targetTokens };
}
