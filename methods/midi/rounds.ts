/**
 * Midi-Tuning's round-level memory (spec §D): a dialogue is a list of segments (the agent's
 * instruction, then one utterance each), and each segment is fed on its own with the adapter of
 * its speaker, attending to the KV cache of all earlier segments, whose new keys/values are then
 * appended. Padding between rounds is never attended and does not advance position ids (the
 * cache counts real tokens), which is the paper's "positions from the cumulative attention mask".
 * The user adapter does not see the instruction (an attention restriction on its queries).
 *
 * A segment's token ids are `[BOS, ...tag, ...text, EOS]` with a speaker tag (`I:`, `U:`, `A:`);
 * its cross-entropy is over tokens 2..n predicted inside the segment (as in the authors' code,
 * the first token of an utterance is not predicted).
 */
import type { LocalModel } from '../../agent/local-model.ts';
import { tokenLogProbs } from '../../agent/logprob.ts';
import { KVCache, type Transformer } from '../../agent/model.ts';
import { tf } from '../../agent/tfjs.ts';
import type { Tokenizer } from '../../agent/tokenizer.ts';

export type Speaker = 'instruction' | 'user' | 'agent';

export const TAGS: Readonly<Record<Speaker, string>> = { instruction: 'I:', user: 'U:', agent: 'A:' };

export interface Segment {
  speaker: Speaker;
  text: string;
}

/** Which adapter speaks for each speaker (null: the base weights). Flat fine-tuning maps all three to one. */
export interface AdapterMap {
  instruction: string | null;
  user: string | null;
  agent: string | null;
}

export const MIDI_ADAPTERS: AdapterMap = { instruction: 'agent', user: 'user', agent: 'agent' };

export function segmentIds(tok: Tokenizer, s: Segment): number[] {
  return [tok.bos, ...tok.encode(TAGS[s.speaker]), ...tok.encode(` ${s.text}`), tok.eos];
}

/** The ids an agent turn starts with at inference (then the model continues the text). */
export function agentPrefixIds(tok: Tokenizer): number[] {
  return [tok.bos, ...tok.encode(TAGS.agent)];
}

export interface FeedOptions {
  adapters: AdapterMap;
  /** Whether user segments may attend to the instruction (Midi: false; flat: true). */
  userSeesInstruction: boolean;
  train?: boolean;
  dropoutSeed?: number;
  /**
   * Under a gradient tape: the cache tensors earlier segments' attention used are kept here
   * instead of being disposed when the next segment replaces them (their backward pass needs
   * them); the caller disposes them once the gradients are computed.
   */
  retain?: tf.Tensor[];
}

/** Cache indices [0, end) of the instruction in a cache (the first segment's padded length). */
export interface RoundState {
  cache: KVCache;
  instructionEnd: number;
  /** Tokens fed through the model so far (real tokens, all rows). */
  tokensFed: number;
}

export function newRoundState(batch: number): RoundState {
  return { cache: new KVCache(batch), instructionEnd: 0, tokensFed: 0 };
}

/**
 * Feed one segment per row (B rows, right-padded to the longest) with the speaker's adapter,
 * appending to `state.cache`. Returns logits (B*T, V) (or only the last row's when `last`).
 * Call inside tf.tidy / tf.variableGrads; the cache's tensors are kept.
 */
export function feedSegment(model: Transformer, state: RoundState, speaker: Speaker, rows: readonly number[][], o: FeedOptions, last = false): { logits: tf.Tensor2D; time: number } {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const tokens = new Int32Array(B * T);
  const valid = new Uint8Array(B * T);
  rows.forEach((r, b) => r.forEach((id, t) => { tokens[b * T + t] = id; valid[b * T + t] = 1; }));
  const instrEnd = state.instructionEnd;
  const hide = speaker === 'user' && !o.userSeesInstruction && instrEnd > 0;
  model.setAdapter(o.adapters[speaker]);
  if (o.retain) {
    // forward() disposes the cache tensors it replaces: hand it clones, keep the originals.
    for (const arr of [state.cache.k, state.cache.v]) {
      arr.forEach((t, l) => { o.retain!.push(t); arr[l] = tf.keep(tf.clone(t)); });
    }
  }
  const { logits } = model.forward({
    tokens, batch: B, time: T, valid, cache: state.cache, logits: last ? 'last' : 'all',
    ...(hide ? { allow: (_b: number, _q: number, k: number) => k >= instrEnd } : {}),
    ...(o.train ? { train: true, dropoutSeed: o.dropoutSeed ?? 0 } : {}),
  });
  if (speaker === 'instruction') state.instructionEnd = state.cache.length;
  state.tokensFed += rows.reduce((a, r) => a + r.length, 0);
  return { logits: logits!, time: T };
}

/**
 * Per-row mean cross-entropy of a segment's own tokens 2..n: logits (B*T, V) of the segment's
 * positions, rows its ids. Returns (B,) and how many rows had a token to predict.
 */
export function segmentCrossEntropy(logits: tf.Tensor2D, rows: readonly number[][], T: number): tf.Tensor1D {
  const B = rows.length;
  const targets = new Int32Array(B * T);
  const w = new Float32Array(B * T);
  rows.forEach((r, b) => {
    const n = r.length - 1;
    for (let t = 0; t < n; t++) { targets[b * T + t] = r[t + 1]; w[b * T + t] = 1 / Math.max(n, 1); }
  });
  const lp = tf.mul(tokenLogProbs(logits, targets), tf.tensor1d(w)); // (B*T,)
  return tf.neg(tf.sum(tf.reshape(lp, [B, T]), 1)) as tf.Tensor1D;
}

/** A batch of dialogues with the same segment structure (speakers at each index). */
export interface DialogueBatch {
  speakers: Speaker[];
  /** ids[k][b]: segment k of dialogue b. */
  ids: number[][][];
}

export function batchDialogues(tok: Tokenizer, dialogues: readonly Segment[][]): DialogueBatch {
  const speakers = dialogues[0].map((s) => s.speaker);
  for (const d of dialogues) {
    if (d.length !== speakers.length || d.some((s, k) => s.speaker !== speakers[k])) throw new Error('dialogues of one batch must have the same speakers in the same order');
  }
  return { speakers, ids: speakers.map((_, k) => dialogues.map((d) => segmentIds(tok, d[k]))) };
}

export interface MidiLossOptions extends FeedOptions {
  /** Weight of the user utterances' CE (Midi: 1; flat fine-tuning: 0). */
  beta: number;
  /** One forward pass over the whole dialogue instead of round by round (needs one adapter for all speakers). */
  fullPass?: boolean;
}

/**
 * L = (1/T)[Σ_agent CE_t + β Σ_user CE_t] per dialogue (T = utterances scored: the agent's, plus
 * the user's when β > 0), averaged over the batch and divided by `batches` so accumulated
 * micro-batches add up to the step's mean.
 */
export function midiDialogueLoss(lm: LocalModel, batch: DialogueBatch, o: MidiLossOptions, batches = 1): tf.Scalar {
  const model = lm.model;
  const B = batch.ids[0].length;
  const scored = batch.speakers.filter((s) => s === 'agent' || (s === 'user' && o.beta > 0)).length;
  let total: tf.Tensor = tf.zeros([B]);
  const add = (speaker: Speaker, ce: tf.Tensor1D): void => {
    if (speaker === 'agent') total = tf.add(total, ce);
    else if (speaker === 'user' && o.beta > 0) total = tf.add(total, tf.mul(ce, o.beta));
  };
  if (o.fullPass) {
    const a = new Set([o.adapters.instruction, o.adapters.user, o.adapters.agent]);
    if (a.size !== 1 || !o.userSeesInstruction) throw new Error('a full pass needs one adapter for every speaker and no hidden instruction');
    // Rows: the dialogue's segments concatenated (each segment padded to the batch's longest, as round by round).
    const lens = batch.ids.map((seg) => Math.max(...seg.map((r) => r.length)));
    const S = lens.reduce((x, y) => x + y, 0);
    const tokens = new Int32Array(B * S);
    const valid = new Uint8Array(B * S);
    let off = 0;
    batch.ids.forEach((seg, k) => {
      seg.forEach((r, b) => r.forEach((id, t) => { tokens[b * S + off + t] = id; valid[b * S + off + t] = 1; }));
      off += lens[k];
    });
    model.setAdapter(o.adapters.agent);
    const { logits } = model.forward({ tokens, batch: B, time: S, valid, ...(o.train ? { train: true, dropoutSeed: o.dropoutSeed ?? 0 } : {}) });
    const V = logits!.shape[1];
    const l3 = tf.reshape(logits!, [B, S, V]);
    off = 0;
    batch.ids.forEach((seg, k) => {
      const part = tf.reshape(tf.slice(l3, [0, off, 0], [B, lens[k], V]), [B * lens[k], V]) as tf.Tensor2D;
      if (batch.speakers[k] !== 'instruction') add(batch.speakers[k], segmentCrossEntropy(part, seg, lens[k]));
      off += lens[k];
    });
  } else {
    const state = newRoundState(B);
    batch.ids.forEach((seg, k) => {
      const { logits, time } = feedSegment(model, state, batch.speakers[k], seg, o);
      if (batch.speakers[k] !== 'instruction') add(batch.speakers[k], segmentCrossEntropy(logits, seg, time));
    });
    // The last segment's keys/values are still needed by the backward pass.
    if (o.retain) o.retain.push(...state.cache.k, ...state.cache.v); else state.cache.dispose();
  }
  return tf.div(tf.sum(total), B * Math.max(scored, 1) * batches) as tf.Scalar;
}
