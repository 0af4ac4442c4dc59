/**
 * Canonical hook names (TransformerLens's, e.g. `blocks.1.hook_resid_post`) over the model's
 * `Hooks` (agent/model.ts), and capture of one activation site during a forward pass. The
 * model's `residual(layer, x)` hook *is* the residual stream after block `layer`, i.e.
 * `blocks.{layer}.hook_resid_post`; the names only make a site writable in configs and reports.
 */
import { HearthError } from '../../env/errors.ts';
import type { Hooks } from '../model.ts';
import { tf } from '../tfjs.ts';

export type HookSite = 'hook_resid_pre' | 'hook_resid_mid' | 'hook_resid_post' | 'hook_attn_out' | 'hook_mlp_out' | 'hook_z' | 'hook_pattern';
export interface HookPoint { layer: number; site: HookSite }

const NAME = /^blocks\.(\d+)\.(hook_resid_pre|hook_resid_mid|hook_resid_post|hook_attn_out|hook_mlp_out|attn\.hook_z|attn\.hook_pattern)$/;

/** `blocks.{L}.hook_resid_post` → {layer L, site}; a name outside the model is a HearthError. */
export function parseHookName(name: string, layers: number): HookPoint {
  const m = NAME.exec(name);
  if (!m) {
    throw new HearthError('interp.hook', `unknown hook name "${name}"`,
      'use blocks.{L}.hook_resid_pre|hook_resid_mid|hook_resid_post|hook_attn_out|hook_mlp_out, blocks.{L}.attn.hook_z or blocks.{L}.attn.hook_pattern');
  }
  const layer = Number(m[1]);
  if (layer >= layers) throw new HearthError('interp.hook', `hook "${name}" names layer ${layer}, but the model has ${layers} layers`, `use a layer in 0..${layers - 1}`);
  return { layer, site: m[2].replace(/^attn\./, '') as HookSite };
}

export function hookName(p: HookPoint): string {
  return p.site === 'hook_z' || p.site === 'hook_pattern' ? `blocks.${p.layer}.attn.${p.site}` : `blocks.${p.layer}.${p.site}`;
}

/** The model's `Hooks` callback that serves a site: (layer, activation) → replacement or nothing. */
export type SiteHook = (layer: number, x: tf.Tensor) => tf.Tensor | void;

/** Hooks that call `fn` at `point`'s site and layer only (its return value replaces the activation). */
export function siteHooks(point: HookPoint, fn: (x: tf.Tensor) => tf.Tensor | void): Hooks {
  const at: SiteHook = (l, x) => (l === point.layer ? fn(x) : undefined);
  switch (point.site) {
    case 'hook_resid_pre': return { residualPre: at };
    case 'hook_resid_mid': return { residualMid: at };
    case 'hook_resid_post': return { residual: at };
    case 'hook_attn_out': return { attention: at };
    case 'hook_mlp_out': return { mlp: at };
    case 'hook_z': return { heads: at };
    case 'hook_pattern': return { pattern: at };
  }
}

/** Several hooks in one `Hooks`: at a site with more than one, each sees the previous one's replacement. */
export function combineHooks(list: readonly Hooks[]): Hooks {
  const out: Record<string, SiteHook> = {};
  for (const h of list) {
    for (const [k, f] of Object.entries(h) as Array<[string, SiteHook]>) {
      const prev = out[k];
      out[k] = prev ? (l, x) => { const y = prev(l, x) ?? x; return f(l, y) ?? (y === x ? undefined : y); } : f;
    }
  }
  return out as Hooks;
}

/** Every canonical hook name of a model with `layers` blocks, in forward order. */
export function allHookNames(layers: number): string[] {
  const sites: HookSite[] = ['hook_resid_pre', 'hook_pattern', 'hook_z', 'hook_attn_out', 'hook_resid_mid', 'hook_mlp_out', 'hook_resid_post'];
  return Array.from({ length: layers }, (_, layer) => sites.map((site) => hookName({ layer, site }))).flat();
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
    default: return siteHooks(point, (x) => { onActivation(rows(x)); });
  }
}
