/**
 * Component importance by ablation (the "knockout" form of activation patching: each component's
 * output patched with zeros) and the shift of importance between two runs — e.g. the same inputs
 * read in context versus after fine-tuning ("circuit shift", spec §G). Knows nothing of tasks:
 * the caller gives a forward input and a metric of the logits.
 *
 *   effect(c) = metric(clean) − metric(c's output zeroed)            (how much c carries)
 *   share(c)  = |effect(c)| / Σ_c' |effect(c')|                       (importance distribution)
 *   shift(a, b) = ½ Σ_c |share_a(c) − share_b(c)|                     (total variation, 0..1)
 */
import { HearthError } from '../../env/errors.ts';
import type { ForwardInput, Transformer } from '../model.ts';
import { hookName, type HookSite } from './hooks.ts';
import { interventionHooks } from './interventions.ts';
import { type RunOutput, runWithHooks } from './run.ts';

export interface AblationCell {
  hook: string;
  layer: number;
  /** The zeroed head (hook_z with perHead), else null: the whole site. */
  head: number | null;
  metric: number;
  effect: number;
}

export interface AblationResult {
  clean: number;
  cells: AblationCell[];
}

export interface AblationOptions {
  /** Sites to knock out, e.g. hook_attn_out and hook_mlp_out, or attn.hook_z per head. */
  sites: readonly HookSite[];
  /** hook_z: one head at a time (default true). */
  perHead?: boolean;
  /** Token positions to zero (default: all). */
  positions?: number[];
}

/** Zero each component in turn (every layer × site, × head for hook_z) and measure `metric`. */
export function componentAblation(model: Transformer, input: ForwardInput, metric: (out: RunOutput) => number, opts: AblationOptions): AblationResult {
  if (opts.sites.length === 0) throw new HearthError('interp.ablation', 'no sites to ablate', 'pass sites such as hook_attn_out, hook_mlp_out or hook_z');
  const { layers: L, heads: H } = model.config;
  const clean = metric(runWithHooks(model, input));
  const cells: AblationCell[] = [];
  for (let layer = 0; layer < L; layer++) {
    for (const site of opts.sites) {
      const hook = hookName({ layer, site });
      const heads: Array<number | null> = site === 'hook_z' && opts.perHead !== false ? Array.from({ length: H }, (_, h) => h) : [null];
      for (const head of heads) {
        const hooks = interventionHooks(model, [{ hook, kind: 'zero', ...(opts.positions ? { positions: opts.positions } : {}), ...(head !== null ? { heads: [head] } : {}) }]);
        const m = metric(runWithHooks(model, input, hooks));
        cells.push({ hook, layer, head, metric: m, effect: clean - m });
      }
    }
  }
  return { clean, cells };
}

/** A cell's key: its hook, and its head if any. */
export const cellKey = (c: Pick<AblationCell, 'hook' | 'head'>): string => (c.head === null ? c.hook : `${c.hook}[${c.head}]`);

/** |effect| shares of the cells (all zeros if no component matters). */
export function importanceShares(r: AblationResult): Map<string, number> {
  const total = r.cells.reduce((a, c) => a + Math.abs(c.effect), 0);
  return new Map(r.cells.map((c) => [cellKey(c), total > 0 ? Math.abs(c.effect) / total : 0]));
}

/** Total-variation distance between two runs' importance shares, over the same components. */
export function circuitShift(a: AblationResult, b: AblationResult): number {
  const sa = importanceShares(a);
  const sb = importanceShares(b);
  const keys = [...sa.keys()];
  if (keys.length !== sb.size || keys.some((k) => !sb.has(k))) {
    throw new HearthError('interp.ablation', 'the two ablation results cover different components', 'ablate the same sites of models with one architecture');
  }
  return keys.reduce((acc, k) => acc + Math.abs(sa.get(k)! - sb.get(k)!), 0) / 2;
}
