/**
 * A TopK sparse autoencoder (Gao et al. 2024, "Scaling and evaluating sparse autoencoders")
 * over activation rows of one hook site, e.g. the residual stream `blocks.{L}.hook_resid_post`.
 *
 *   encode: c = TopK_k(ReLU((x/s − b_dec) W_enc + b_enc))        x (N, D) → c (N, F)
 *   decode: x̂ = s · (c W_dec + b_dec)                            c (N, F) → x̂ (N, D)
 *
 * `s` is a fixed input scale (chosen from data so that E‖x/s‖² = D) that keeps learning rates
 * independent of the model's activation norms; every metric is reported in the original units.
 * The TopK is a custom-gradient op: the value is ReLU(pre) on the k largest entries of a row and
 * 0 elsewhere, the gradient passes through the kept entries only (the selection is constant).
 * Knows nothing of tasks or training: agent/interp holds tools over any local model; the loop
 * that trains it is alignment/sae-train.ts.
 */
import { HearthError } from '../../env/errors.ts';
import { readText } from '../../env/text.ts';
import { writeDirAtomic, writeFileDurable } from '../../env/files.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../tfjs.ts';

export interface SaeConfig {
  /** Input width D. */
  d: number;
  /** Dictionary size F. */
  features: number;
  /** Active features per row (TopK); L0 ≤ k. */
  k: number;
  /** The hook site it reads, e.g. `blocks.1.hook_resid_post`. */
  hook: string;
}

/** Row-wise TopK of ReLU(pre), gradient through the kept entries: (N, F) → (N, F). */
export function topkRelu(pre: tf.Tensor2D, k: number): tf.Tensor2D {
  const op = tf.customGrad(((x: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    const [N, F] = x.shape;
    const kk = Math.min(k, F);
    // The k-th largest value per row is the threshold; ties at it are kept (rare in float32).
    const { values } = tf.topk(x, kk);
    const thresh = tf.slice(values, [0, kk - 1], [N, 1]);
    const mask = tf.cast(tf.logicalAnd(tf.greaterEqual(x, thresh), tf.greater(x, 0)), 'float32');
    save([mask]);
    return { value: tf.mul(x, mask), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0])] };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D) => tf.Tensor2D;
  return op(pre);
}

export interface SaeMetrics {
  /** Fraction of variance unexplained: Σ‖x − x̂‖² / Σ‖x − x̄‖² over the rows. */
  fvu: number;
  /** Mean number of non-zero features per row. */
  l0: number;
  /** Share of features that fired on none of the rows. */
  deadFraction: number;
  rows: number;
}

export class SparseAutoencoder {
  readonly wEnc: tf.Variable; // (D, F)
  readonly bEnc: tf.Variable; // (F)
  readonly wDec: tf.Variable; // (F, D)
  readonly bDec: tf.Variable; // (D), in scaled units
  /** Input scale s (see the file comment). */
  scale: number;

  /** Random unit-norm decoder rows, encoder = decoderᵀ (Gao et al.'s init), biases 0, scale 1. */
  constructor(readonly config: SaeConfig, seed: number) {
    const { d, features: F, k } = config;
    if (!(Number.isInteger(d) && d > 0 && Number.isInteger(F) && F > 0 && Number.isInteger(k) && k > 0 && k <= F)) {
      throw new HearthError('interp.sae', `invalid SAE config d=${d}, features=${F}, k=${k}`, 'use positive integers with k ≤ features');
    }
    const dec = tf.tidy(() => {
      const w = tf.randomNormal([F, d], 0, 1, 'float32', seed >>> 0);
      return tf.div(w, tf.norm(w, 'euclidean', 1, true));
    });
    this.wDec = tf.variable(dec, true);
    this.wEnc = tf.variable(tf.transpose(dec), true);
    dec.dispose();
    this.bEnc = tf.variable(tf.zeros([F]), true);
    this.bDec = tf.variable(tf.zeros([d]), true);
    this.scale = 1;
  }

  variables(): Map<string, tf.Variable> {
    return new Map([['wEnc', this.wEnc], ['bEnc', this.bEnc], ['wDec', this.wDec], ['bDec', this.bDec]]);
  }

  /** Pre-activations (N, F) of rows x (N, D) in original units. */
  preActivations(x: tf.Tensor2D): tf.Tensor2D {
    const xs = tf.sub(tf.div(x, this.scale), this.bDec) as tf.Tensor2D;
    return tf.add(tf.matMul(xs, this.wEnc), this.bEnc) as tf.Tensor2D;
  }

  /** Sparse codes (N, F): differentiable w.r.t. x and the encoder. */
  encode(x: tf.Tensor2D): tf.Tensor2D {
    return topkRelu(this.preActivations(x), this.config.k);
  }

  /** Reconstruction (N, D) in original units. */
  decode(c: tf.Tensor2D): tf.Tensor2D {
    return tf.mul(tf.add(tf.matMul(c, this.wDec), this.bDec), this.scale) as tf.Tensor2D;
  }

  /** Unit-norm decoder rows (after every optimizer step: keeps code magnitudes meaningful). */
  normaliseDecoder(): void {
    this.wDec.assign(tf.tidy(() => tf.div(this.wDec, tf.maximum(tf.norm(this.wDec, 'euclidean', 1, true), 1e-8))));
  }

  /** FVU, L0 and dead features on rows x (N, D), in chunks (no gradient). */
  metrics(x: tf.Tensor2D, chunk = 2048): SaeMetrics {
    const [N, D] = x.shape;
    const F = this.config.features;
    const mean = tf.tidy(() => tf.mean(x, 0));
    let err = 0, total = 0, nonzero = 0;
    const fired = new Uint8Array(F);
    for (let i = 0; i < N; i += chunk) {
      const n = Math.min(chunk, N - i);
      const [e, t, nz, f] = tf.tidy(() => {
        const xs = tf.slice(x, [i, 0], [n, D]);
        const c = this.encode(xs);
        const xh = this.decode(c);
        const active = tf.cast(tf.greater(c, 0), 'float32');
        return [tf.sum(tf.squaredDifference(xs, xh)), tf.sum(tf.squaredDifference(xs, mean)), tf.sum(active), tf.max(active, 0)];
      });
      err += e.dataSync()[0]; total += t.dataSync()[0]; nonzero += nz.dataSync()[0];
      const fd = f.dataSync();
      for (let j = 0; j < F; j++) if (fd[j] > 0) fired[j] = 1;
      for (const z of [e, t, nz, f]) z.dispose();
    }
    mean.dispose();
    let dead = 0;
    for (let j = 0; j < F; j++) if (!fired[j]) dead++;
    return { fvu: total > 0 ? err / total : NaN, l0: N ? nonzero / N : 0, deadFraction: dead / F, rows: N };
  }

  /** Write `sae.json` (config, scale, metrics) and `sae.bin` (float32 weights) into `dir`, atomically. */
  save(dir: string, extra: Record<string, unknown> = {}): void {
    const names = [...this.variables().keys()];
    const parts = [...this.variables().values()].map((v) => v.dataSync() as Float32Array);
    const total = parts.reduce((a, p) => a + p.length, 0);
    const buf = new Float32Array(total);
    let off = 0;
    const index = names.map((name, i) => { const e = { name, shape: [...this.variables().get(name)!.shape], offset: off }; buf.set(parts[i], off); off += parts[i].length; return e; });
    writeDirAtomic(dir, (tmp) => {
      writeFileDurable(join(tmp, 'sae.bin'), new Uint8Array(buf.buffer));
      writeFileDurable(join(tmp, 'sae.json'), JSON.stringify({ format: 'hearth-sae/1', kind: 'topk', config: this.config, scale: this.scale, tensors: index, ...extra }, null, 1));
    }, { what: 'SAE', kind: 'interp.sae' });
  }

  static load(dir: string): SparseAutoencoder {
    const meta = join(dir, 'sae.json');
    if (!existsSync(meta)) throw new HearthError('interp.sae', `${dir} holds no sae.json`, 'pass a directory written by SparseAutoencoder.save (hearth align writes one under sae/)');
    const m = JSON.parse(readText(meta, 'SAE manifest')) as { format?: string; config: SaeConfig; scale: number; tensors: Array<{ name: string; shape: number[]; offset: number }> };
    if (m.format !== 'hearth-sae/1') throw new HearthError('interp.sae', `${meta}: format is ${JSON.stringify(m.format)}, expected "hearth-sae/1"`);
    const bytes = readFileSync(join(dir, 'sae.bin'));
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const sae = new SparseAutoencoder(m.config, 0);
    sae.scale = m.scale;
    const vars = sae.variables();
    for (const t of m.tensors) {
      const v = vars.get(t.name);
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (!v || v.size !== n || t.offset + n > all.length) throw new HearthError('interp.sae', `${dir}/sae.bin: tensor ${t.name} does not fit the config`, 'the SAE files are incomplete or from another version');
      v.assign(tf.tensor(all.subarray(t.offset, t.offset + n), v.shape));
    }
    return sae;
  }

  dispose(): void {
    for (const v of this.variables().values()) v.dispose();
  }
}
