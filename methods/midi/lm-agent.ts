/**
 * A local language model as a dialogue agent over round-level memory: the transcript becomes
 * segments (the user's round-0 rules are the agent's instruction; each round's user segment is the
 * previous reaction plus the new instruction; agent questions and plans are agent segments), new
 * segments are fed with their speaker's adapter, and the agent's utterance is decoded greedily
 * with the agent adapter. With `cache: true` only new tokens are fed each round (the KV cache
 * holds the rest); with `cache: false` every round replays the whole history from an empty cache:
 * the same computation, so the same outputs, at a cost that grows with the history.
 */
import type { LocalModel } from '../../agent/local-model.ts';
import { tf } from '../../agent/tfjs.ts';
import type { Utterance } from '../../dialogue/schemas.ts';
import type { DialogueAgent } from '../../dialogue/session.ts';
import { agentPrefixIds, feedSegment, newRoundState, segmentIds, type AdapterMap, type RoundState, type Segment } from './rounds.ts';

/** The segments of a transcript (see the file comment); a trailing user reaction is its own segment. */
export function transcriptSegments(transcript: readonly Utterance[]): Segment[] {
  const out: Segment[] = [];
  let pending = '';
  for (const u of transcript) {
    if (u.speaker === 'agent') {
      if (pending) { out.push({ speaker: 'user', text: pending }); pending = ''; }
      out.push({ speaker: 'agent', text: u.text });
    } else if (u.kind === 'rules') out.push({ speaker: 'instruction', text: u.text });
    else pending = pending ? `${pending} ${u.text}` : u.text;
  }
  if (pending) out.push({ speaker: 'user', text: pending });
  return out;
}

export interface LmAgentOptions {
  adapters: AdapterMap;
  userSeesInstruction: boolean;
  /** Round-level KV cache across rounds (default true). */
  cache?: boolean;
  maxTokens?: number;
}

export interface RoundCost {
  round: number;
  /** Tokens fed through the model for this agent turn (history replay + decoding). */
  tokens: number;
  seconds: number;
  /** The decoded token ids (to compare cache on/off). */
  output: number[];
}

export class RoundLmAgent {
  readonly costs: RoundCost[] = [];
  /** Turns that found the dialogue longer than the model's context (answered with an empty plan). */
  overflows = 0;
  private full = false;
  private state: RoundState | null = null;
  private fed = 0;
  /** Agent segments as decoded (segment index → ids), replayed as such: re-encoding text may split it differently. */
  private readonly generated = new Map<number, number[]>();

  constructor(readonly lm: LocalModel, readonly options: LmAgentOptions) {}

  /** The `DialogueAgent` for `runDialogue`. */
  get agent(): DialogueAgent {
    return (view) => this.turn(view.round, view.transcript);
  }

  turn(round: number, transcript: readonly Utterance[]): string {
    const t0 = performance.now();
    const segs = transcriptSegments(transcript);
    const tok = this.lm.tokenizer;
    const cacheOn = this.options.cache ?? true;
    if (!cacheOn || !this.state) { this.state?.cache.dispose(); this.state = newRoundState(1); this.fed = 0; }
    const state = this.state;
    const before = state.tokensFed;
    const feed = this.options;
    // A dialogue longer than the model's context cannot be continued: the turn is an empty plan
    // (the round then fails), counted as an overflow, rather than an error that ends the run.
    const fits = (n: number): boolean => state.cache.length + n <= this.lm.config.ctx;
    const overflow = (): string => {
      this.overflows++;
      this.full = true;
      this.costs.push({ round, tokens: state.tokensFed - before, seconds: (performance.now() - t0) / 1000, output: [] });
      return '';
    };
    if (this.full) return overflow();
    for (let k = this.fed; k < segs.length; k++) {
      const ids = this.generated.get(k) ?? segmentIds(tok, segs[k]);
      if (!fits(ids.length)) return overflow();
      tf.tidy(() => { feedSegment(this.lm.model, state, segs[k].speaker, [ids], feed, true); });
    }
    const prefix = agentPrefixIds(tok);
    if (!fits(prefix.length + 1)) return overflow();
    let next = tf.tidy(() => argmax(feedSegment(this.lm.model, state, 'agent', [prefix], feed, true).logits));
    const out: number[] = [];
    const max = this.options.maxTokens ?? 64;
    // One position is kept for the EOS that closes the segment.
    while (next !== tok.eos && out.length < max && fits(2)) {
      out.push(next);
      const id = next;
      next = tf.tidy(() => argmax(feedSegment(this.lm.model, state, 'agent', [[id]], feed, true).logits));
    }
    // The segment ends with EOS in the cache, as in training.
    tf.tidy(() => { feedSegment(this.lm.model, state, 'agent', [[tok.eos]], feed, true); });
    this.generated.set(segs.length, [...prefix, ...out, tok.eos]);
    this.fed = segs.length + 1;
    this.costs.push({ round, tokens: state.tokensFed - before, seconds: (performance.now() - t0) / 1000, output: out });
    return tok.decode(out).trim();
  }

  dispose(): void {
    this.state?.cache.dispose();
    this.state = null;
  }
}

function argmax(logits: tf.Tensor2D): number {
  const v = logits.dataSync();
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}
