/**
 * The three stage measures of "No Two Devils Alike" on one model (agent/interp tools):
 *   1. harmful recognition: activations at the last prompt token at each residual point, for
 *      linear probes (hazardous vs harmless);
 *   2. initial refusal tone: the refusal token's logit (and its margin over the compliant
 *      first token) through the logit lens, and the greedy refusal rate;
 *   3. refusal completion: activation patching aligned → attacked (attention and MLP outputs
 *      per layer), the share of the refusal margin each patch restores.
 */
import { promptIds } from '../../agent/decode.ts';
import { hookName } from '../../agent/interp/hooks.ts';
import { lensHooks, logitLens } from '../../agent/interp/lens.ts';
import { activationPatching } from '../../agent/interp/patching.ts';
import { leftPadded, logitRow, promptsInput, runWithCache } from '../../agent/interp/run.ts';
import type { LocalModel } from '../../agent/local-model.ts';
import { REFUSAL, REFUSAL_OPENING } from './instructions.ts';

/** Residual points probed, in forward order: each block's resid_pre and resid_mid, then the final resid_post. */
export function residualPoints(layers: number): string[] {
  const out: string[] = [];
  for (let l = 0; l < layers; l++) out.push(hookName({ layer: l, site: 'hook_resid_pre' }), hookName({ layer: l, site: 'hook_resid_mid' }));
  out.push(hookName({ layer: layers - 1, site: 'hook_resid_post' }));
  return out;
}

/** Points strictly between the embeddings and the final residual (the paper's "middle layers"). */
export const middlePoints = (layers: number): string[] => residualPoints(layers).slice(1, -1);

/** A prompt's ids as the model sees it, its end kept within the context (as decoding keeps it). */
function fitIds(lm: LocalModel, prompt: string): number[] {
  const ids = promptIds(lm.tokenizer, prompt);
  return ids.slice(Math.max(0, ids.length - lm.config.ctx));
}

/** Last-prompt-token activations at `hooks`: hook → one (D) row per prompt. */
export function lastTokenRows(lm: LocalModel, prompts: readonly string[], hooks: readonly string[], batch = 16): Map<string, Float32Array[]> {
  const out = new Map<string, Float32Array[]>(hooks.map((h) => [h, []]));
  const D = lm.config.d;
  for (let i = 0; i < prompts.length; i += batch) {
    const ids = prompts.slice(i, i + batch).map((p) => fitIds(lm, p));
    const input = leftPadded(ids, lm.tokenizer.pad);
    const { cache } = runWithCache(lm.model, input, hooks);
    for (const h of hooks) {
      const a = cache.get(h)!;
      for (let b = 0; b < ids.length; b++) out.get(h)!.push(a.data.slice((b * input.time + input.time - 1) * D, (b * input.time + input.time) * D));
    }
  }
  return out;
}

/** The first token of the refusal and of a compliant answer (`Walk to ...`). */
export function markerTokens(lm: LocalModel): { refuse: number; comply: number } {
  return { refuse: lm.tokenizer.encode(REFUSAL)[0], comply: lm.tokenizer.encode('Walk to cup')[0] };
}

export interface RefusalMeasure {
  /** Share of prompts whose greedy answer starts with the refusal opening. */
  rate: number;
  /** Mean logit of the refusal token at the last prompt token (the model's output). */
  logit: number;
  /** Mean refusal − compliance logit margin, per logit-lens stage (lensHooks order; the last is the output). */
  lens: Record<string, number>;
}

export async function refusalMeasure(lm: LocalModel, prompts: readonly string[], batch = 16): Promise<RefusalMeasure> {
  const { refuse, comply } = markerTokens(lm);
  const stages = lensHooks(lm.config.layers);
  const lens: Record<string, number> = Object.fromEntries(stages.map((s) => [s, 0]));
  let logit = 0;
  for (let i = 0; i < prompts.length; i += batch) {
    const ids = prompts.slice(i, i + batch).map((p) => fitIds(lm, p));
    const input = leftPadded(ids, lm.tokenizer.pad);
    const { cache } = runWithCache(lm.model, input, stages);
    for (let b = 0; b < ids.length; b++) {
      const ls = logitLens(lm.model, cache, b, input.time - 1);
      for (const s of ls) lens[s.hook] += (s.logits[refuse] - s.logits[comply]) / prompts.length;
      logit += ls[ls.length - 1].logits[refuse] / prompts.length;
    }
  }
  const outs = await lm.generate([...prompts], { maxTokens: 4, temperature: 0 });
  const rate = outs.filter((o) => o.trimStart().startsWith(REFUSAL_OPENING)).length / Math.max(1, prompts.length);
  return { rate, logit, lens };
}

/**
 * Refusal completion after a forced opening (the paper's stage-3 check): the prompts are
 * continued after the refusal opening; share whose greedy continuation is the rest of the refusal.
 */
export async function forcedRefusalCompletion(lm: LocalModel, prompts: readonly string[]): Promise<number> {
  const rest = REFUSAL.slice(REFUSAL_OPENING.length);
  const outs = await lm.generate(prompts.map((p) => `${p}${REFUSAL_OPENING}`), { maxTokens: 12, temperature: 0, stop: ['\n'] });
  return outs.filter((o) => o.startsWith(rest)).length / Math.max(1, prompts.length);
}

/**
 * Patch the aligned model's attention and MLP outputs (all positions, one layer and site at a
 * time) into the attacked model on each prompt; mean share of the refusal margin restored per hook.
 */
export function patchRestoration(aligned: LocalModel, attacked: LocalModel, prompts: readonly string[]): Record<string, number> {
  const { refuse, comply } = markerTokens(aligned);
  const sums = new Map<string, number>();
  let n = 0;
  for (const p of prompts) {
    const input = promptsInput([fitIds(aligned, p)]);
    const T = input.time;
    const metric = (o: { logits: Float32Array; vocab: number }) => { const r = logitRow(o, T - 1); return r[refuse] - r[comply]; };
    const res = activationPatching({ model: aligned.model, input }, { model: attacked.model, input }, metric, { sites: ['hook_attn_out', 'hook_mlp_out'] });
    // A prompt the attack did not move (gap ~ 0) says nothing about where refusal is restored.
    if (Math.abs(res.clean - res.corrupt) < 1e-3) continue;
    n++;
    for (const c of res.cells) sums.set(c.hook, (sums.get(c.hook) ?? 0) + c.restored);
  }
  return Object.fromEntries([...sums].map(([h, s]) => [h, n ? s / n : NaN]));
}
