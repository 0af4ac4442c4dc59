/**
 * Midi-Tuning against flat fine-tuning on the same dialogues (spec §D), per seed:
 * 1. a base model (full weights) is trained on round-1 dialogues only (rules, one request, the
 *    plan): it can follow a rule stated just before, not over rounds;
 * 2. `midi`: two LoRA adapters on the frozen base, agent (q, v) and user (q), trained round by
 *    round over the KV cache, the user kept off the instruction, L = (1/T)[Σ agent CE + β Σ user CE];
 *    `flat`: one LoRA adapter (q, v) trained on the flattened dialogues, CE on agent utterances —
 *    same data, order, steps, rank and learning rate;
 * 3. both play unseen users (profiles never in training) for T rounds; each round is judged by the
 *    simulator: consistency = no violation of a rule stated at round 0, success = the request done.
 *    The Midi agent is also run without the cache (every round replays the history): same outputs?
 *    tokens and seconds per round.
 */
import { join } from 'node:path';
import type { LocalModel } from '../../agent/local-model.ts';
import { createModel } from '../../agent/local-model.ts';
import type { ModelConfig } from '../../agent/model.ts';
import { tf } from '../../agent/tfjs.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { AdamW } from '../../alignment/optim.ts';
import { accumulateStep } from '../../alignment/trainer.ts';
import { Prng } from '../../env/prng.ts';
import { fixedBeliefAgent, listeningAgent } from '../../dialogue/agents.ts';
import { runDialogue, type DialogueAgent, type RoundRecord } from '../../dialogue/session.ts';
import { expertDialogue, makeUser, splitUsers, type UserSpec } from './data.ts';
import { RoundLmAgent, type RoundCost } from './lm-agent.ts';
import { batchDialogues, midiDialogueLoss, MIDI_ADAPTERS, TAGS, type AdapterMap, type Segment } from './rounds.ts';

export interface MidiSizes {
  name: string;
  trainUsers: number;
  testUsers: number;
  rounds: number;
  baseSteps: number;
  tuneSteps: number;
  batch: number;
  baseLr: number;
  tuneLr: number;
  rank: number;
  beta: number;
  config: Partial<ModelConfig>;
}

export const TINY_MIDI: MidiSizes = {
  name: 'tiny', trainUsers: 16, testUsers: 4, rounds: 2, baseSteps: 6, tuneSteps: 4, batch: 4, baseLr: 3e-3, tuneLr: 3e-3, rank: 4, beta: 1,
  config: { vocabSize: 420, ctx: 256, layers: 1, d: 32, heads: 2, dropout: 0 },
};
export const QUICK_MIDI: MidiSizes = {
  name: 'quick', trainUsers: 160, testUsers: 24, rounds: 5, baseSteps: 600, tuneSteps: 300, batch: 8, baseLr: 3e-3, tuneLr: 3e-3, rank: 8, beta: 1,
  config: { vocabSize: 420, ctx: 320, layers: 2, d: 64, heads: 4, dropout: 0 },
};

export type MidiArm = 'midi' | 'flat' | 'rules-expert' | 'generic';

export interface DialogueScore {
  seed: number;
  arm: MidiArm;
  user: UserSpec;
  rounds: Array<{ round: number; consistent: boolean; done: boolean; violations: string[]; plan: string }>;
}

export interface CostRow {
  seed: number;
  user: UserSpec;
  on: RoundCost[];
  off: RoundCost[];
  sameOutputs: boolean;
}

export interface MidiSeedResult {
  seed: number;
  scores: DialogueScore[];
  costs: CostRow[];
  losses: Record<'base' | 'midi' | 'flat', number[]>;
  trainSeconds: Record<'base' | 'midi' | 'flat', number>;
  /** Agent turns that found the dialogue longer than the model's context (empty plans). */
  overflows?: Record<'midi' | 'flat', number>;
}

export interface MidiProgress { (msg: string): void }

const agentTargets = ['q', 'v'] as const;

function scoreRounds(rounds: readonly RoundRecord[]): DialogueScore['rounds'] {
  // Every preference of an upfront user was stated at round 0: a violation is an inconsistency.
  return rounds.map((r) => ({ round: r.round, consistent: r.judgement.violations.length === 0, done: r.judgement.done, violations: r.judgement.violations, plan: r.plan }));
}

function trainArm(lm: LocalModel, data: readonly Segment[][], vars: tf.Variable[], steps: number, sizes: MidiSizes, lr: number, seed: number,
  lossOpts: { adapters: AdapterMap; userSeesInstruction: boolean; beta: number; fullPass: boolean }, progress: MidiProgress, label: string): number[] {
  const opt = new AdamW({ lr, minLr: lr / 10, warmupSteps: Math.min(10, Math.ceil(steps / 10)), totalSteps: steps, weightDecay: 0, beta1: 0.9, beta2: 0.95 });
  const named = new Map(vars.map((v) => [v.name, v]));
  const rng = new Prng(seed);
  const losses: number[] = [];
  // Batches group dialogues of one shape (same speakers in order): all of them here.
  for (let s = 0; s < steps; s++) {
    const rows = Array.from({ length: Math.min(sizes.batch, data.length) }, () => data[rng.int(data.length)]);
    const batch = batchDialogues(lm.tokenizer, rows);
    const retain: tf.Tensor[] = [];
    const r = accumulateStep({ lm, vars: named, optimizer: opt, gradClip: 1, batches: [batch], dropoutSeed: () => 0,
      lossFn: (b) => midiDialogueLoss(lm, b, { ...lossOpts, retain }) });
    for (const t of retain) t.dispose();
    losses.push(r.loss);
    if ((s + 1) % Math.max(1, Math.floor(steps / 5)) === 0) progress(`  ${label} step ${s + 1}/${steps} loss ${r.loss.toFixed(3)}`);
  }
  opt.dispose();
  return losses;
}

async function play(arm: MidiArm, agent: DialogueAgent, u: UserSpec, sizes: MidiSizes, seed: number, logPath?: string): Promise<DialogueScore> {
  const r = await runDialogue(makeUser(u, sizes.rounds), agent, logPath ? { logPath, agentInfo: { name: arm, method: 'midi', seed } } : {});
  return { seed, arm, user: u, rounds: scoreRounds(r.rounds) };
}

export interface TrainedMidi {
  lm: LocalModel;
  users: { train: UserSpec[]; test: UserSpec[] };
  losses: MidiSeedResult['losses'];
  trainSeconds: MidiSeedResult['trainSeconds'];
}

const FLAT_ADAPTERS: AdapterMap = { instruction: 'flat', user: 'flat', agent: 'flat' };

/** Steps 1 and 2: the base model, then the midi (agent + user) and flat adapters on it. The caller disposes `lm`. */
export async function trainMidi(seed: number, sizes: MidiSizes, progress: MidiProgress = () => {}, opts: { backend?: string } = {}): Promise<TrainedMidi> {
  const users = splitUsers(seed, sizes.trainUsers, sizes.testUsers);
  const train = await Promise.all(users.train.map((u) => expertDialogue(u, sizes.rounds)));
  const corpus = [...Object.values(TAGS), ...train.flat().map((s) => ` ${s.text}`)];
  const tokenizer = Tokenizer.train(corpus, sizes.config.vocabSize ?? 420);
  const lm = await createModel({ tokenizer, seed, config: sizes.config, backend: opts.backend });
  try {
    const t0 = performance.now();
    // 1. Base: full weights on round-1 dialogues (rules, request, plan).
    progress(`seed ${seed}: base model on ${train.length} round-1 dialogues`);
    const firstRound = train.map((d) => d.slice(0, 3));
    const base = trainArm(lm, firstRound, [...lm.model.params.values()], sizes.baseSteps, sizes, sizes.baseLr, seed + 1,
      { adapters: { instruction: null, user: null, agent: null }, userSeesInstruction: true, beta: 1, fullPass: true }, progress, 'base');
    const t1 = performance.now();
    // 2. The two arms on the frozen base, same data order (same Prng seed).
    const lora = (name: string, targets: readonly ('q' | 'v')[], s: number) => lm.model.addAdapter(name, { rank: sizes.rank, alpha: 2 * sizes.rank, targets: [...targets], seed: s });
    lora('agent', agentTargets, seed + 2);
    lora('user', ['q'], seed + 3);
    lora('flat', agentTargets, seed + 2);
    progress(`seed ${seed}: midi (agent + user adapters, round cache) on ${train.length} dialogues of ${sizes.rounds} rounds`);
    const midi = trainArm(lm, train, [...lm.model.adapterVariables('agent'), ...lm.model.adapterVariables('user')], sizes.tuneSteps, sizes, sizes.tuneLr, seed + 4,
      { adapters: MIDI_ADAPTERS, userSeesInstruction: false, beta: sizes.beta, fullPass: false }, progress, 'midi');
    const t2 = performance.now();
    progress(`seed ${seed}: flat fine-tuning (one adapter, agent CE) on the same dialogues`);
    const flat = trainArm(lm, train, lm.model.adapterVariables('flat'), sizes.tuneSteps, sizes, sizes.tuneLr, seed + 4,
      { adapters: FLAT_ADAPTERS, userSeesInstruction: true, beta: 0, fullPass: true }, progress, 'flat');
    const t3 = performance.now();
    lm.model.setAdapter(null);
    return { lm, users, losses: { base, midi, flat }, trainSeconds: { base: (t1 - t0) / 1000, midi: (t2 - t1) / 1000, flat: (t3 - t2) / 1000 } };
  } catch (e) {
    await lm.dispose();
    throw e;
  }
}

export async function runMidiSeed(seed: number, sizes: MidiSizes, progress: MidiProgress = () => {}, opts: { backend?: string; costUsers?: number; logDir?: string } = {}): Promise<MidiSeedResult> {
  const { lm, users, losses, trainSeconds } = await trainMidi(seed, sizes, progress, opts);
  try {
    // 3. Unseen users.
    const scores: DialogueScore[] = [];
    const costs: CostRow[] = [];
    const costUsers = opts.costUsers ?? users.test.length;
    const overflows = { midi: 0, flat: 0 };
    const logOf = (arm: string, k: number) => (opts.logDir ? join(opts.logDir, `seed${seed}-user${k}-${arm}.jsonl`) : undefined);
    for (const [k, u] of users.test.entries()) {
      const midiAgent = new RoundLmAgent(lm, { adapters: MIDI_ADAPTERS, userSeesInstruction: false, cache: true });
      scores.push(await play('midi', midiAgent.agent, u, sizes, seed, logOf('midi', k)));
      if (k < costUsers) {
        const off = new RoundLmAgent(lm, { adapters: MIDI_ADAPTERS, userSeesInstruction: false, cache: false });
        const again = await play('midi', off.agent, u, sizes, seed);
        costs.push({ seed, user: u, on: midiAgent.costs, off: off.costs,
          sameOutputs: JSON.stringify(again.rounds) === JSON.stringify(scores[scores.length - 1].rounds) && JSON.stringify(off.costs.map((c) => c.output)) === JSON.stringify(midiAgent.costs.map((c) => c.output)) });
        off.dispose();
      }
      overflows.midi += midiAgent.overflows;
      midiAgent.dispose();
      const flatAgent = new RoundLmAgent(lm, { adapters: FLAT_ADAPTERS, userSeesInstruction: true, cache: true });
      scores.push(await play('flat', flatAgent.agent, u, sizes, seed, logOf('flat', k)));
      overflows.flat += flatAgent.overflows;
      flatAgent.dispose();
      scores.push(await play('rules-expert', listeningAgent, u, sizes, seed));
      scores.push(await play('generic', fixedBeliefAgent(new Map()), u, sizes, seed));
      progress(`seed ${seed}: unseen user ${k + 1}/${users.test.length}`);
    }
    return { seed, scores, costs, losses, trainSeconds, overflows };
  } finally {
    await lm.dispose();
  }
}
