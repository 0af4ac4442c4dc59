/**
 * Running the local model with hooks at canonical names (TransformerLens's `run_with_hooks` and
 * `run_with_cache`). A cached activation is plain data, `{shape, data}`, so that caches cross
 * models (aligned → attacked patching), go into reports and need no tensor bookkeeping.
 *
 * Shapes of each site for a forward input of B rows × T new tokens (S keys, H heads, hd = D/H):
 *   hook_resid_pre / hook_resid_mid / hook_resid_post / hook_attn_out / hook_mlp_out: (B, T, D)
 *   attn.hook_z: (B, T, H, hd)        attn.hook_pattern: (B, H, T, S)
 */
import { HearthError } from '../../env/errors.ts';
import type { ForwardInput, Hooks, Transformer } from '../model.ts';
import { tf } from '../tfjs.ts';
import { allHookNames, combineHooks, parseHookName, siteHooks } from './hooks.ts';

/** One activation as data: row-major values of `shape`. */
export interface Activation { shape: number[]; data: Float32Array }
/** Hook name → its activation in one forward pass. */
export type ActivationCache = Map<string, Activation>;

/** A forward hook at a canonical name: receives the activation, may return its replacement. */
export type NamedHook = [name: string, fn: (x: tf.Tensor) => tf.Tensor | void];

/** `Hooks` for the model from canonical names (names are checked against the model). */
export function hooksFromNames(model: Transformer, hooks: readonly NamedHook[]): Hooks {
  return combineHooks(hooks.map(([name, fn]) => siteHooks(parseHookName(name, model.config.layers), fn)));
}

export interface RunOutput {
  /** Logits as data: (B*T, V) for 'all', (B, V) for 'last'. */
  logits: Float32Array;
  vocab: number;
}

/** One forward pass with named hooks; the logits come back as data (everything else is freed). */
export function runWithHooks(model: Transformer, input: ForwardInput, hooks: readonly NamedHook[] = []): RunOutput {
  const named = hooksFromNames(model, hooks);
  const h = input.hooks ? combineHooks([input.hooks, named]) : named;
  const logits = tf.tidy(() => model.forward({ ...input, hooks: h, logits: input.logits ?? 'all' }).logits!);
  const data = logits.dataSync() as Float32Array;
  logits.dispose();
  return { logits: data, vocab: model.config.vocabSize };
}

/**
 * Forward pass that records the activation at each of `names` (default: every hook of the
 * model) and returns it with the logits. Hooks in `input.hooks` run first (so a cache of an
 * intervened run records the intervened values).
 */
export function runWithCache(model: Transformer, input: ForwardInput, names?: readonly string[]): RunOutput & { cache: ActivationCache } {
  const cache: ActivationCache = new Map();
  const want = names ?? allHookNames(model.config.layers);
  if (want.length === 0) throw new HearthError('interp.hook', 'runWithCache was given no hook names', 'leave names out to cache every hook, or list some');
  const hooks: NamedHook[] = want.map((name) => [name, (x) => { cache.set(name, { shape: x.shape.slice(), data: x.dataSync() as Float32Array }); }]);
  return { ...runWithHooks(model, input, hooks), cache };
}

/** Row `r` of logits data (rows of `vocab`). */
export function logitRow(out: RunOutput, r: number): Float32Array {
  return out.logits.subarray(r * out.vocab, (r + 1) * out.vocab);
}

/** Right-aligned single prompts of equal length as a forward input (B, T); ids must all have length T. */
export function promptsInput(ids: readonly number[][]): ForwardInput {
  const T = ids[0]?.length ?? 0;
  if (T === 0 || ids.some((r) => r.length !== T)) throw new HearthError('interp.input', 'prompts must be non-empty and of one length', 'pad or pick prompts of equal token length');
  return { tokens: Int32Array.from(ids.flat()), batch: ids.length, time: T };
}

/** A forward input of ragged prompts, left-padded so every row's last token is at position T-1. */
export function leftPadded(ids: readonly number[][], pad: number): ForwardInput {
  const T = Math.max(...ids.map((r) => r.length));
  const tokens = new Int32Array(ids.length * T).fill(pad);
  const valid = new Uint8Array(ids.length * T);
  ids.forEach((r, b) => { tokens.set(r, b * T + T - r.length); valid.fill(1, b * T + T - r.length, (b + 1) * T); });
  return { tokens, valid, batch: ids.length, time: T };
}
