/**
 * Batched decoding: many independent prompts share each forward pass. Prompts are
 * left-padded to one length (padding is masked out and not counted in positions), each
 * row has its own KV cache slice, finished rows are dropped from the batch, and each row
 * samples with its own seeded PRNG (so a prompt's output does not depend on its batch).
 */
import { Prng } from '../env/prng.ts';
import { sampleToken } from './sampling.ts';
import { FastCache, FastEngine } from './fast-infer.ts';
import { engineFor, PrefixStore } from './prefix-cache.ts';
import { KVCache, type Transformer } from './model.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { GenerateOptions } from './language-model.ts';
import { tf } from './tfjs.ts';

export interface DecodeOptions extends GenerateOptions {
  /** Rows per forward pass (prompts beyond it run in further batches). */
  maxBatch?: number;
  /** 'fast' (default): the plain-array engine; 'tfjs': the tfjs forward pass with a KVCache. */
  engine?: 'fast' | 'tfjs';
  /**
   * Fast engine: start each prompt from the stored rows of the longest prompt prefix seen
   * before with the same weights (default true; see prefix-cache.ts).
   */
  reusePrefixes?: boolean;
  /** A custom decoding session (e.g. steered forward passes, methods/safety/detox.ts); overrides `engine`. */
  stepper?: () => Stepper;
}

/** One batched decoding session: prefill ragged prompts, then one token per active row per step. */
export interface Stepper {
  /** Logits after each prompt, (B, V); rows will grow by at most `maxNew` tokens. */
  prefill(prompts: number[][], maxNew: number): Float32Array;
  /** Feed one token per active row; logits (rows, V). */
  step(tokens: number[]): Float32Array;
  /** Keep only these batch positions. */
  select(keep: number[]): void;
  dispose(): void;
}

class FastStepper implements Stepper {
  private engine: FastEngine;
  private prefixes: PrefixStore | null;
  private cache!: FastCache;
  constructor(model: Transformer, reusePrefixes: boolean) {
    const slot = engineFor(model);
    this.engine = slot.engine;
    this.prefixes = reusePrefixes ? slot.prefixes : null;
  }
  prefill(prompts: number[][], maxNew: number): Float32Array {
    // Rows never outgrow their prompt + maxNew: a cache that long, not the whole context
    // (allocating and zeroing rows × ctx × D per layer was a tenth of a rollout's time).
    // generateChunk is synchronous and done with this cache before the next one: reuse memory.
    this.cache = this.engine.newCache(prompts.length, Math.max(...prompts.map((p) => p.length)) + maxNew, true);
    if (!this.prefixes) return this.engine.forward(prompts, this.cache);
    // Rows start from the longest stored prefix of their prompt and prefill only the rest.
    const rest = prompts.map((ids, r) => ids.slice(this.prefixes!.restore(ids, this.cache, r)));
    const logits = this.engine.forward(rest, this.cache);
    prompts.forEach((ids, r) => this.prefixes!.save(ids, this.cache, r));
    return logits;
  }
  step(tokens: number[]): Float32Array { return this.engine.forward(tokens.map((t) => [t]), this.cache); }
  select(keep: number[]): void { this.cache = this.cache.select(keep); }
  dispose(): void { /* the engine is shared across calls (engineFor) */ }
}

/** The tfjs path: prompts left-padded to one length (padding masked, not counted in positions). */
class TfjsStepper implements Stepper {
  private cache: KVCache | null = null;
  constructor(private readonly model: Transformer, private readonly pad: number) {}
  prefill(prompts: number[][]): Float32Array {
    const B = prompts.length;
    const T = Math.max(...prompts.map((e) => e.length));
    const tokens = new Int32Array(B * T).fill(this.pad);
    const valid = new Uint8Array(B * T);
    prompts.forEach((ids, b) => {
      const off = b * T + (T - ids.length);
      tokens.set(ids, off);
      valid.fill(1, off, off + ids.length);
    });
    const cache = new KVCache(B);
    this.cache = cache;
    return this.run(() => this.model.forward({ tokens, batch: B, time: T, valid, cache, logits: 'last' }).logits!);
  }
  step(tokens: number[]): Float32Array {
    const cache = this.cache!;
    return this.run(() => this.model.forward({ tokens: Int32Array.from(tokens), batch: tokens.length, time: 1, cache, logits: 'last' }).logits!);
  }
  select(keep: number[]): void {
    const smaller = this.cache!.select(keep);
    this.cache!.dispose();
    this.cache = smaller;
  }
  dispose(): void { this.cache?.dispose(); }
  private run(f: () => tf.Tensor): Float32Array {
    const t = tf.tidy(f);
    const d = t.dataSync() as Float32Array;
    t.dispose();
    return d;
  }
}

/** Token ids of a prompt as the model sees it: BOS then the text. */
export function promptIds(tok: Tokenizer, prompt: string): number[] {
  return [tok.bos, ...tok.encode(prompt)];
}


function rowSeed(seed: number, row: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (row + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

interface Row {
  index: number;
  ids: number[];
  rng: Prng;
  /** Constrained decoding: indices into the allowed sequences still consistent with ids. */
  candidates?: number[];
  done: boolean;
  text?: string;
}

export function generateBatch(model: Transformer, tok: Tokenizer, prompts: string[], opts: DecodeOptions): string[] {
  const maxBatch = opts.maxBatch ?? 64;
  const out: string[] = [];
  for (let i = 0; i < prompts.length; i += maxBatch) {
    out.push(...generateChunk(model, tok, prompts.slice(i, i + maxBatch), i, opts));
  }
  return out;
}

function generateChunk(model: Transformer, tok: Tokenizer, prompts: string[], first: number, opts: DecodeOptions): string[] {
  const { ctx } = model.config;
  const temperature = opts.temperature ?? 0;
  const topP = opts.topP ?? 1;
  const seed = opts.seed ?? 0;
  const allowedSeqs = opts.allowed?.map((s) => [...tok.encode(s), tok.eos]);
  const maxNew = allowedSeqs ? Math.max(...allowedSeqs.map((s) => s.length)) : opts.maxTokens;
  const budget = Math.max(1, ctx - Math.min(maxNew, ctx - 1));
  const encoded = prompts.map((p) => {
    const ids = promptIds(tok, p);
    return ids.length > budget ? ids.slice(ids.length - budget) : ids; // keep the prompt's end
  });
  const rows: Row[] = prompts.map((_, b) => ({
    index: b, ids: [], rng: new Prng(rowSeed(seed, first + b)),
    candidates: allowedSeqs ? allowedSeqs.map((_, k) => k) : undefined, done: false,
  }));
  if (allowedSeqs && allowedSeqs.length === 0) return prompts.map(() => '');

  const stepper: Stepper = opts.stepper ? opts.stepper() : opts.engine === 'tfjs' ? new TfjsStepper(model, tok.pad) : new FastStepper(model, opts.reusePrefixes ?? true);
  let data = stepper.prefill(encoded, maxNew);
  let active = rows.map((_, b) => b); // row indices, in batch order
  const V = model.config.vocabSize;
  try {
    while (active.length > 0) {
      const next: number[] = [];
      const still: number[] = [];
      active.forEach((r, k) => {
        const row = rows[r];
        const rowLogits = data.slice(k * V, (k + 1) * V);
        // Never emit ids the tokenizer does not have (the embedding table may be larger), nor PAD/BOS.
        rowLogits.fill(-Infinity, tok.vocabSize);
        rowLogits[tok.pad] = -Infinity;
        rowLogits[tok.bos] = -Infinity;
        let allowed: Set<number> | undefined;
        if (row.candidates) allowed = new Set(row.candidates.map((c) => allowedSeqs![c][row.ids.length]));
        const t = sampleToken(rowLogits, temperature, topP, row.rng, allowed);
        if (row.candidates) row.candidates = row.candidates.filter((c) => allowedSeqs![c][row.ids.length] === t);
        if (t === tok.eos) { row.done = true; return; }
        row.ids.push(t);
        if (opts.stop?.length && !row.candidates) {
          const text = tok.decode(row.ids);
          let cut = -1;
          for (const st of opts.stop) {
            const at = st ? text.indexOf(st) : -1;
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
          }
          if (cut >= 0) { row.done = true; row.text = text.slice(0, cut); return; }
        }
        const used = encoded[r].length + row.ids.length;
        if ((!row.candidates && row.ids.length >= opts.maxTokens) || used >= ctx) { row.done = true; return; }
        next.push(t);
        still.push(r);
      });
      if (still.length === 0) break;
      if (still.length !== active.length) {
        stepper.select(still.map((r) => active.indexOf(r)));
        active = still;
      }
      data = stepper.step(next);
    }
  } finally {
    stepper.dispose();
  }
  return rows.map((row) => {
    if (row.candidates) {
      // Constrained: the chosen allowed string (the candidates all equal the ids + EOS).
      const hit = row.candidates.find((c) => allowedSeqs![c].length === row.ids.length + 1);
      return hit !== undefined ? opts.allowed![hit] : tok.decode(row.ids);
    }
    return row.text ?? tok.decode(row.ids);
  });
}
