/**
 * Canonical hook names (TransformerLens's, e.g. `blocks.1.hook_resid_post`) over the model's
 * `Hooks` (agent/model.ts), and capture of one activation site during a forward pass. The
 * model's `residual(layer, x)` hook *is* the residual stream after block `layer`, i.e.
 * `blocks.{layer}.hook_resid_post`; the names only make a site writable in configs and reports.
 */
import { HearthError } from '../../env/errors.ts';
import type { Hooks } from '../model.ts';
import { tf } from '../tfjs.ts';

export type HookSite = 'hook_resid_post' | 'hook_mlp_out' | 'hook_z';
export interface HookPoint { layer: number; site: HookSite }

const NAME = /^blocks\.(\d+)\.(hook_resid_post|hook_mlp_out|attn\.hook_z)$/;

/** `blocks.{L}.hook_resid_post` → {layer L, site}; a name outside the model is a HearthError. */
export function parseHookName(name: string, layers: number): HookPoint {
  const m = NAME.exec(name);
  if (!m) {
    throw new HearthError('interp.hook', `unknown hook name "${name}"`,
      'use blocks.{L}.hook_resid_post, blocks.{L}.hook_mlp_out or blocks.{L}.attn.hook_z');
  }
  const layer = Number(m[1]);
  if (layer >= layers) throw new HearthError('interp.hook', `hook "${name}" names layer ${layer}, but the model has ${layers} layers`, `use a layer in 0..${layers - 1}`);
  return { layer, site: m[2] === 'attn.hook_z' ? 'hook_z' : (m[2] as HookSite) };
}

export function hookName(p: HookPoint): string {
  return p.site === 'hook_z' ? `blocks.${p.layer}.attn.hook_z` : `blocks.${p.layer}.${p.site}`;
}

/**
 * Hooks that hand the activation at `point` to `onActivation` (inside the caller's tidy or
 * gradient tape, so a loss can be taken through it), reshaped to rows: (B*T, width).
 */
export function captureHooks(point: HookPoint, onActivation: (rows: tf.Tensor2D) => void): Hooks {
  // (B, T, D) → (B*T, D); per-head (B, T, H, hd) → (B*T, H*hd).
  const rows = (x: tf.Tensor): tf.Tensor2D => tf.reshape(x, [-1, x.shape.slice(2).reduce((a, b) => a * b, 1)]) as tf.Tensor2D;
  switch (point.site) {
    case 'hook_resid_post': return { residual: (l, x) => { if (l === point.layer) onActivation(rows(x)); } };
    case 'hook_mlp_out': return { mlp: (l, m) => { if (l === point.layer) onActivation(rows(m)); } };
    case 'hook_z': return { heads: (l, z) => { if (l === point.layer) onActivation(rows(z)); } };
  }
}
