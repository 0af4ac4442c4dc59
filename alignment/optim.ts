/**
 * AdamW (decoupled weight decay, decay only on matrices as in nanoGPT) with a linear
 * warmup + cosine learning-rate schedule (or constant, or Noam: the methods' schedules), and global-norm gradient clipping. The state
 * (step count, first and second moments) can be saved and restored exactly, so a resumed
 * run continues bit-for-bit.
 */
import { tf } from '../agent/tfjs.ts';
import { fastProductsActive } from '../agent/heap-kernels.ts';

export interface ScheduleOptions {
  lr: number;
  /** Final learning rate of the cosine decay (default lr/10). */
  minLr?: number;
  warmupSteps: number;
  /** Step at which the cosine reaches minLr (afterwards it stays there). */
  totalSteps: number;
  /**
   * 'cosine' (default): linear warm-up to lr, cosine decay to minLr at totalSteps.
   * 'constant': linear warm-up to lr, then lr (TRL's `constant_with_warmup`).
   * 'noam': lr·min(step^−½, step·warmup^−1.5) (Muffin's, from "Attention is all you need"):
   *   it peaks at step = warmupSteps with lr/√warmupSteps, then decays as step^−½.
   */
  schedule?: 'cosine' | 'constant' | 'noam';
}

/** Learning rate at optimizer step `step` (1-based). */
export function learningRate(step: number, s: ScheduleOptions): number {
  if (s.schedule === 'noam') {
    const n = Math.max(step, 1);
    return s.lr * Math.min(n ** -0.5, n * Math.max(s.warmupSteps, 1) ** -1.5);
  }
  if (s.schedule === 'constant') return s.warmupSteps > 0 && step <= s.warmupSteps ? (s.lr * step) / s.warmupSteps : s.lr;
  const minLr = s.minLr ?? s.lr / 10;
  if (s.warmupSteps > 0 && step <= s.warmupSteps) return (s.lr * step) / s.warmupSteps;
  if (step >= s.totalSteps) return minLr;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const ratio = (step - s.warmupSteps) / span;
  return minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (s.lr - minLr);
}

export interface AdamWOptions extends ScheduleOptions {
  /**
   * Optimizer steps taken before this schedule starts (default 0): the learning rate at
   * optimizer step n is `learningRate(n - stepOffset)`, while the moments' bias correction
   * keeps counting from the first step. A fine-tune that continues another run's optimizer
   * (its moments and step count) with a schedule of its own sets this to that run's steps.
   */
  stepOffset?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /**
   * Use the heap kernels' one-pass AdamW where installed (agent/heap-kernels.ts; default true).
   * Same arithmetic as the tfjs ops below, bit for bit (test/lm/kernels.test.ts); false keeps the ops.
   */
  fusedKernel?: boolean;
}

export class AdamW {
  step = 0;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(readonly options: AdamWOptions) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.95;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.1;
  }

  /** Apply one update; returns the learning rate used. */
  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>): number {
    this.step++;
    const lr = learningRate(this.step - (this.options.stepOffset ?? 0), this.options);
    const { beta1: b1, beta2: b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.step);
    const c2 = 1 - Math.pow(b2, this.step);
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) continue;
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = tf.variable(tf.zerosLike(p), false);
        v = tf.variable(tf.zerosLike(p), false);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const mm = m;
      const vv = v;
      const decay = p.rank >= 2 ? this.weightDecay : 0;
      if (this.options.fusedKernel !== false && fastProductsActive() && p.dtype === 'float32' && g.dtype === 'float32') {
        tf.tidy(() => {
          const [p2, m2, v2] = tf.engine().runKernel('HearthAdamW', { p, m: mm, v: vv, g }, { b1, b2, eps, c1, c2, lr, decay }) as tf.Tensor[];
          mm.assign(m2);
          vv.assign(v2);
          p.assign(p2);
        });
        continue;
      }
      tf.tidy(() => {
        const m2 = tf.add(tf.mul(mm, b1), tf.mul(g, 1 - b1));
        const v2 = tf.add(tf.mul(vv, b2), tf.mul(tf.square(g), 1 - b2));
        mm.assign(m2);
        vv.assign(v2);
        const upd = tf.div(tf.div(m2, c1), tf.add(tf.sqrt(tf.div(v2, c2)), eps));
        const next = decay ? tf.sub(tf.mul(p, 1 - lr * decay), tf.mul(upd, lr)) : tf.sub(p, tf.mul(upd, lr));
        p.assign(next);
      });
    }
    return lr;
  }

  /** Moments as plain arrays (`m.<name>`, `v.<name>`) for a checkpoint. */
  stateTensors(): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, t] of this.m) out.set(`m.${name}`, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    for (const [name, t] of this.v) out.set(`v.${name}`, { shape: t.shape.slice(), data: t.dataSync() as Float32Array });
    return out;
  }

  loadState(step: number, tensors: Map<string, { shape: number[]; data: Float32Array }>): void {
    this.dispose();
    this.step = step;
    for (const [key, t] of tensors) {
      const which = key.slice(0, 2);
      const name = key.slice(2);
      const v = tf.variable(tf.tensor(t.data, t.shape), false);
      (which === 'm.' ? this.m : this.v).set(name, v);
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Scale gradients in place so their global L2 norm is at most maxNorm; returns the norm before clipping. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const sq = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  if (maxNorm > 0 && norm > maxNorm) {
    const s = maxNorm / (norm + 1e-6);
    for (const [k, g] of grads) {
      grads.set(k, tf.mul(g, s));
      g.dispose();
    }
  }
  return norm;
}
