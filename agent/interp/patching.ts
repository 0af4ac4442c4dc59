/**
 * Activation patching (TransformerLens's `get_act_patch_*`): run the corrupt input with one
 * site's activation replaced by the clean run's, for every layer (× position × head), and
 * report how much of the clean–corrupt metric gap each patch restores:
 *   restored = (metric(patched) − metric(corrupt)) / (metric(clean) − metric(corrupt)).
 * Clean and corrupt may be different models with one architecture (aligned → attacked).
 */
import { HearthError } from '../../env/errors.ts';
import type { ForwardInput, Transformer } from '../model.ts';
import { hookName, type HookSite } from './hooks.ts';
import { type Intervention, interventionHooks, patchFrom } from './interventions.ts';
import { type RunOutput, runWithCache, runWithHooks } from './run.ts';

export interface PatchRun { model: Transformer; input: ForwardInput }

export interface PatchCell {
  hook: string;
  layer: number;
  /** Patched position (null: all positions). */
  position: number | null;
  /** Patched head (hook_z only; null: the whole site). */
  head: number | null;
  metric: number;
  restored: number;
}

export interface PatchingResult {
  clean: number;
  corrupt: number;
  cells: PatchCell[];
}

export interface PatchingOptions {
  sites: readonly HookSite[];
  /** 'all': patch every position at once; 'each': one position at a time; or a list of positions. */
  positions?: 'all' | 'each' | number[];
  /** hook_z: one head at a time (default true). */
  perHead?: boolean;
}

/** Patch each chosen site of `clean` into `corrupt` and measure `metric` on the logits. */
export function activationPatching(clean: PatchRun, corrupt: PatchRun, metric: (out: RunOutput) => number, opts: PatchingOptions): PatchingResult {
  if (clean.input.batch !== corrupt.input.batch || clean.input.time !== corrupt.input.time) {
    throw new HearthError('interp.patching', `clean (${clean.input.batch}×${clean.input.time}) and corrupt (${corrupt.input.batch}×${corrupt.input.time}) inputs differ in shape`, 'patch between inputs of the same batch and token count');
  }
  const { layers: L, heads: H } = corrupt.model.config;
  const names = Array.from({ length: L }, (_, layer) => opts.sites.map((site) => hookName({ layer, site }))).flat();
  const c = runWithCache(clean.model, clean.input, names);
  const mClean = metric(c);
  const mCorrupt = metric(runWithHooks(corrupt.model, corrupt.input));
  const T = corrupt.input.time;
  const posList: Array<number | null> = opts.positions === 'each' ? Array.from({ length: T }, (_, t) => t)
    : Array.isArray(opts.positions) ? opts.positions : [null];
  const gap = mClean - mCorrupt;
  const cells: PatchCell[] = [];
  for (let layer = 0; layer < L; layer++) {
    for (const site of opts.sites) {
      const hook = hookName({ layer, site });
      const heads: Array<number | null> = site === 'hook_z' && opts.perHead !== false ? Array.from({ length: H }, (_, h) => h) : [null];
      for (const position of posList) {
        for (const head of heads) {
          const iv: Intervention = patchFrom(hook, c.cache.get(hook)!, {
            ...(position !== null ? { positions: [position] } : {}), ...(head !== null ? { heads: [head] } : {}),
          });
          const m = metric(runWithHooks(corrupt.model, corrupt.input, interventionHooks(corrupt.model, [iv])));
          cells.push({ hook, layer, position, head, metric: m, restored: gap !== 0 ? (m - mCorrupt) / gap : 0 });
        }
      }
    }
  }
  return { clean: mClean, corrupt: mCorrupt, cells };
}
