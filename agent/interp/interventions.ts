/**
 * Interventions as plain, serialisable data (pyvene's idea: a config, not a closure), turned
 * into named hooks here. Each names a hook and what to do at chosen positions (and heads, for
 * `attn.hook_z`):
 *   zero   x ← 0
 *   patch  x ← source (the same site's activation from another run, e.g. a clean cache)
 *   add    x ← x + scale·vector                                  (activation addition)
 *   steer  x ← x + scale·vector, then rescaled to the norm x had   (norm-preserving steering)
 * `vector` is one position's activation: D values for residual/attention/MLP sites, H·hd for
 * `attn.hook_z` (only the chosen heads' slices are used). Positions are indices into the T new
 * tokens; negative counts from the end (-1 = the last). Attention patterns take zero and patch.
 */
import { HearthError } from '../../env/errors.ts';
import type { Transformer } from '../model.ts';
import { tf } from '../tfjs.ts';
import { parseHookName } from './hooks.ts';
import type { Activation, NamedHook } from './run.ts';

interface Where {
  hook: string;
  /** Token positions (default: all). */
  positions?: number[];
  /** Heads (attn.hook_z and attn.hook_pattern only; default: all). */
  heads?: number[];
}

export type Intervention =
  | (Where & { kind: 'zero' })
  | (Where & { kind: 'patch'; source: { shape: number[]; data: ArrayLike<number> } })
  | (Where & { kind: 'add'; vector: number[]; scale?: number })
  | (Where & { kind: 'steer'; vector: number[]; scale: number });

const bad = (msg: string, fix: string): HearthError => new HearthError('interp.intervention', msg, fix);

/**
 * A 0/1 mask of the activation's shape selecting the positions (and heads). Layouts: (B, T, D),
 * (B, T, H, hd) for hook_z, (B, H, T, S) for the pattern (positions index the queries).
 */
function selection(shape: number[], site: string, iv: Where): tf.Tensor {
  const perHead = site === 'hook_z' || site === 'hook_pattern';
  const T = site === 'hook_pattern' ? shape[2] : shape[1];
  const pos = new Float32Array(T);
  for (const p of iv.positions ?? Array.from({ length: T }, (_, i) => i)) {
    const t = p < 0 ? T + p : p;
    if (!Number.isInteger(t) || t < 0 || t >= T) throw bad(`${iv.hook}: position ${p} is outside the ${T} tokens of the run`, `use positions in 0..${T - 1} (or -1 for the last)`);
    pos[t] = 1;
  }
  if (!perHead) {
    if (iv.heads) throw bad(`${iv.hook}: heads are only meaningful at attn.hook_z or attn.hook_pattern`, 'drop "heads" or name a per-head site');
    return tf.reshape(tf.tensor1d(pos), [1, T, 1]);
  }
  const H = site === 'hook_pattern' ? shape[1] : shape[2];
  const hs = new Float32Array(H);
  for (const h of iv.heads ?? Array.from({ length: H }, (_, i) => i)) {
    if (!Number.isInteger(h) || h < 0 || h >= H) throw bad(`${iv.hook}: head ${h} does not exist (${H} heads)`, `use heads in 0..${H - 1}`);
    hs[h] = 1;
  }
  return site === 'hook_pattern'
    ? tf.mul(tf.reshape(tf.tensor1d(hs), [1, H, 1, 1]), tf.reshape(tf.tensor1d(pos), [1, 1, T, 1]))
    : tf.mul(tf.reshape(tf.tensor1d(pos), [1, T, 1, 1]), tf.reshape(tf.tensor1d(hs), [1, 1, H, 1]));
}

/** The intervention's hook: (activation) → replacement. Validated against the activation it meets. */
function apply(iv: Intervention, site: string, x: tf.Tensor): tf.Tensor {
  const shape = x.shape as number[];
  const m = selection(shape, site, iv);
  const keep = tf.sub(1, m);
  switch (iv.kind) {
    case 'zero': return tf.mul(x, keep);
    case 'patch': {
      if (iv.source.shape.join(',') !== shape.join(',')) {
        throw bad(`${iv.hook}: patch source has shape [${iv.source.shape}], the run's activation is [${shape}]`, 'patch from a run with the same batch and token count');
      }
      return tf.add(tf.mul(x, keep), tf.mul(tf.tensor(Float32Array.from(iv.source.data), shape), m));
    }
    case 'add':
    case 'steer': {
      if (site === 'hook_pattern') throw bad(`${iv.hook}: ${iv.kind} does not apply to attention patterns`, 'use zero or patch there');
      const width = site === 'hook_z' ? shape[2] * shape[3] : shape[2];
      if (iv.vector.length !== width) throw bad(`${iv.hook}: vector has ${iv.vector.length} values, the site has ${width} per position`, `give ${width} values`);
      const scale = iv.kind === 'add' ? iv.scale ?? 1 : iv.scale;
      const v = tf.reshape(tf.tensor1d(iv.vector), site === 'hook_z' ? [1, 1, shape[2], shape[3]] : [1, 1, width]);
      const y = tf.add(x, tf.mul(tf.mul(v, scale), m));
      if (iv.kind === 'add') return y;
      // Norm over each position's whole activation (all heads for hook_z), as the steering papers do.
      const axes = site === 'hook_z' ? [2, 3] : [2];
      const ratio = tf.div(tf.norm(x, 'euclidean', axes, true), tf.add(tf.norm(y, 'euclidean', axes, true), 1e-12));
      return tf.add(tf.mul(x, keep), tf.mul(tf.mul(y, ratio), m));
    }
  }
}

/** Named hooks that carry out the interventions (checked against the model's layers here). */
export function interventionHooks(model: Transformer, ivs: readonly Intervention[]): NamedHook[] {
  return ivs.map((iv) => {
    const { site } = parseHookName(iv.hook, model.config.layers);
    if (!['zero', 'patch', 'add', 'steer'].includes(iv.kind)) throw bad(`${iv.hook}: unknown intervention kind "${(iv as { kind: string }).kind}"`, 'use zero, patch, add or steer');
    return [iv.hook, (x: tf.Tensor) => apply(iv, site, x)];
  });
}

/** A patch intervention from a cached activation (positions and heads as given). */
export function patchFrom(hook: string, source: Activation, where: { positions?: number[]; heads?: number[] } = {}): Intervention {
  return { hook, kind: 'patch', source: { shape: source.shape, data: source.data }, ...where };
}
