/**
 * Self-detoxification by toxification reversal (Leong et al. 2023, spec methods.md §I) on the
 * local model, with no fine-tuning. At every decoding step there are two forward passes:
 *   read:  [posPrefix + x, negPrefix + x] with their own KV caches; at every layer and head the
 *          attention output before the output projection at the last position (attn.hook_z),
 *          δ = v_neg − v_pos (the toxification direction); n = v at the negative prefix's last
 *          token (taken once, at prefill);
 *   write: the agent's own prompt (targetPrefix + x), with each head's last-position value
 *          v ← v − s·(1 + ‖δ‖)^ne · (1 + ReLU(cos(n, v)))^nse · δ, then rescaled so the norm
 *          over heads × dims equals the pre-edit norm (ne 0.4, nse 0.6, s 1: the paper's code).
 * Decoding itself (sampling, stops, context budget, finished rows) is agent/decode.ts's; this
 * file supplies the steered `Stepper`. With `steer: false` it is a plain tfjs decoder on the
 * same code path, so steered and unsteered agents differ only by the edit.
 */
import { generateBatch, promptIds, type Stepper } from '../../agent/decode.ts';
import type { GenerateOptions, LanguageModel } from '../../agent/language-model.ts';
import type { LocalModel } from '../../agent/local-model.ts';
import { KVCache, type Transformer } from '../../agent/model.ts';
import { leftPadded } from '../../agent/interp/run.ts';
import { tf } from '../../agent/tfjs.ts';

export interface DetoxConfig {
  /** Put before every prompt the agent is given ('' = none; UNSAFE_PREFIX = the attacked agent). */
  targetPrefix: string;
  /** Steer (two passes per token) or decode plainly. */
  steer: boolean;
  negPrefix: string;
  posPrefix: string;
  ne: number;
  nse: number;
  /** Multiplier s of the edit (1 in the paper). */
  strength: number;
  renorm: boolean;
}

export const DETOX_DEFAULTS = { posPrefix: '', ne: 0.4, nse: 0.6, strength: 1, renorm: true } as const;
/**
 * `hearth safety detox`'s strength: half the paper's. At 1 the steered agent lost 6.5 points of
 * success [−10.1, −3.1] on harmless tasks (400 unseen tasks, seed 0); at 0.5 it lost 4.0 there
 * and 1.5 [−4.4, 1.2] on 400 fresh tasks (seed 7), with the hazards still cut by 96% (docs/safety.md).
 */
export const HOUSEHOLD_DETOX_STRENGTH = 0.5;

/** Per layer: the last position's per-head values of a batch, rows × (H·hd). */
type LastValues = Float32Array[];

/** The edit of one row's values v (H·hd) at one layer, in place: see the file header. */
export function reverseEdit(v: Float32Array, delta: Float32Array, n: Float32Array, heads: number, cfg: Pick<DetoxConfig, 'ne' | 'nse' | 'strength' | 'renorm'>): void {
  const hd = v.length / heads;
  let before = 0;
  for (const x of v) before += x * x;
  for (let h = 0; h < heads; h++) {
    let dn = 0; let vv = 0; let nn = 0; let nv = 0;
    for (let j = h * hd; j < (h + 1) * hd; j++) { dn += delta[j] ** 2; vv += v[j] ** 2; nn += n[j] ** 2; nv += n[j] * v[j]; }
    const cos = nn > 0 && vv > 0 ? nv / Math.sqrt(nn * vv) : 0;
    const scale = cfg.strength * (1 + Math.sqrt(dn)) ** cfg.ne * (1 + Math.max(0, cos)) ** cfg.nse;
    for (let j = h * hd; j < (h + 1) * hd; j++) v[j] -= scale * delta[j];
  }
  if (cfg.renorm) {
    let after = 0;
    for (const x of v) after += x * x;
    const r = after > 0 ? Math.sqrt(before / after) : 1;
    for (let j = 0; j < v.length; j++) v[j] *= r;
  }
}

class SteeringStepper implements Stepper {
  private read: KVCache | null = null;
  private write: KVCache | null = null;
  /** n per layer for each active row (H·hd each). */
  private nvec: Float32Array[][] = [];
  private rows = 0;

  constructor(private readonly model: Transformer, private readonly pad: number, private readonly pos: number[][], private readonly neg: number[][],
    private readonly negPrefixTokens: number, private readonly cfg: DetoxConfig) {}

  /** Forward the read rows; per layer, each row's last-position values (and, at prefill, n). */
  private readPass(input: ReturnType<typeof leftPadded>, negEnd?: number[]): LastValues[] {
    const { layers, d: D } = this.model.config;
    const last: LastValues[] = Array.from({ length: layers }, () => []);
    const T = input.time;
    tf.tidy(() => {
      this.model.forward({ ...input, cache: this.read!, logits: 'none', hooks: {
        heads: (l, z) => {
          const data = z.dataSync() as Float32Array; // (2n, T, H, hd)
          for (let b = 0; b < input.batch; b++) last[l].push(data.slice((b * T + T - 1) * D, (b * T + T) * D));
          if (negEnd) this.nvec[l] = negEnd.map((t, i) => data.slice(((this.rows + i) * T + t) * D, ((this.rows + i) * T + t + 1) * D));
        },
      } });
    });
    return last;
  }

  /** Forward the target rows, editing each layer's last-position values; logits (rows, V). */
  private writePass(input: ReturnType<typeof leftPadded>, deltas: LastValues[] | null): Float32Array {
    const { heads: H, d: D } = this.model.config;
    const n = this.rows;
    const T = input.time;
    const logits = tf.tidy(() => this.model.forward({ ...input, cache: this.write!, logits: 'last', hooks: deltas ? {
      heads: (l, z) => {
        const data = (z.dataSync() as Float32Array).slice(); // (n, T, H, hd)
        for (let b = 0; b < n; b++) {
          const v = data.subarray((b * T + T - 1) * D, (b * T + T) * D);
          reverseEdit(v, deltas[l][b], this.nvec[l][b], H, this.cfg);
        }
        return tf.tensor(data, z.shape);
      },
    } : undefined }).logits!);
    const out = logits.dataSync() as Float32Array;
    logits.dispose();
    return out;
  }

  private deltas(last: LastValues[]): LastValues[] {
    return last.map((rows) => Array.from({ length: this.rows }, (_, b) => {
      const d = rows[this.rows + b].slice();
      const p = rows[b];
      for (let j = 0; j < d.length; j++) d[j] -= p[j];
      return d;
    }));
  }

  prefill(prompts: number[][], maxNew: number): Float32Array {
    this.rows = prompts.length;
    this.write = new KVCache(this.rows);
    let deltas: LastValues[] | null = null;
    if (this.cfg.steer) {
      // The read rows keep their ends within the context, as decode.ts keeps the target's.
      const keep = Math.max(1, this.model.config.ctx - Math.min(maxNew, this.model.config.ctx - 1));
      const budget = (ids: number[]) => ids.slice(Math.max(0, ids.length - keep));
      const pos = this.pos.map(budget);
      const neg = this.neg.map(budget);
      const input = leftPadded([...pos, ...neg], this.pad);
      this.read = new KVCache(2 * this.rows);
      // The negative prefix's last token in each neg row (its left padding counted).
      const negEnd = neg.map((ids) => input.time - ids.length + Math.min(ids.length, this.negPrefixTokens) - 1);
      deltas = this.deltas(this.readPass(input, negEnd));
    }
    return this.writePass(leftPadded(prompts, this.pad), deltas);
  }

  step(tokens: number[]): Float32Array {
    const one = (ts: number[]) => ({ tokens: Int32Array.from(ts), batch: ts.length, time: 1 });
    const deltas = this.cfg.steer ? this.deltas(this.readPass(one([...tokens, ...tokens]))) : null;
    return this.writePass(one(tokens), deltas);
  }

  select(keep: number[]): void {
    const w = this.write!.select(keep);
    this.write!.dispose();
    this.write = w;
    if (this.read) {
      const r = this.read.select([...keep, ...keep.map((k) => k + this.rows)]);
      this.read.dispose();
      this.read = r;
      this.nvec = this.nvec.map((rows) => keep.map((k) => rows[k]));
    }
    this.rows = keep.length;
  }

  dispose(): void {
    this.read?.dispose();
    this.write?.dispose();
  }
}

/** The local model as a `LanguageModel` whose prompts get `targetPrefix` and whose decoding is (optionally) steered. */
export class DetoxModel implements LanguageModel {
  readonly name: string;
  readonly backend: string;

  constructor(readonly lm: LocalModel, readonly cfg: DetoxConfig) {
    this.name = `${lm.name}${cfg.targetPrefix ? '+prefix' : ''}${cfg.steer ? '+detox' : ''}`;
    this.backend = lm.backend;
  }

  async generate(prompts: string[], options: GenerateOptions): Promise<string[]> {
    const tok = this.lm.tokenizer;
    const targets = prompts.map((p) => `${this.cfg.targetPrefix}${p}`);
    const pos = prompts.map((p) => promptIds(tok, `${this.cfg.posPrefix}${p}`));
    const neg = prompts.map((p) => promptIds(tok, `${this.cfg.negPrefix}${p}`));
    const negPrefixTokens = 1 + tok.encode(this.cfg.negPrefix).length;
    // One chunk (maxBatch ≥ prompts), so the stepper's rows are the prompts in order.
    return generateBatch(this.lm.model, tok, targets, {
      ...options, maxBatch: Math.max(1, prompts.length),
      stepper: () => new SteeringStepper(this.lm.model, tok.pad, pos, neg, negPrefixTokens, this.cfg),
    });
  }
}
