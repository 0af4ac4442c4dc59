import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, loadModel, type LocalModel } from '../../agent/local-model.ts';
import { tf } from '../../agent/tfjs.ts';
import { AdamW } from '../../alignment/optim.ts';
import { accumulateStep } from '../../alignment/trainer.ts';
import { sampleProfile } from '../../dialogue/profile.ts';
import { runDialogue } from '../../dialogue/session.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { splitUsers } from '../../methods/midi/data.ts';
import { QUICK_MIDI } from '../../methods/midi/experiment.ts';
import { profileKey } from '../../dialogue/profile.ts';
import { RoundLmAgent } from '../../methods/midi/lm-agent.ts';
import { batchDialogues, feedSegment, midiDialogueLoss, MIDI_ADAPTERS, newRoundState, type AdapterMap, type DialogueBatch, type Segment } from '../../methods/midi/rounds.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-midi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const corpus = ['I: cups go on the kitchen table.', 'U: Please put the cup away.', 'A: Walk to cup. Grab cup. Walk to kitchen table. Put cup on kitchen table.', 'U: Thanks.'];
const config = { vocabSize: 300, ctx: 1024, layers: 2, d: 32, heads: 4 };
const dialogues: Segment[][] = [
  [{ speaker: 'instruction', text: 'cups go on the kitchen table.' }, { speaker: 'user', text: 'Please put the cup away.' }, { speaker: 'agent', text: 'Walk to cup. Grab cup.' }, { speaker: 'user', text: 'Thanks.' }],
  [{ speaker: 'instruction', text: 'never switch on the tv. books go on the bed.' }, { speaker: 'user', text: 'Please make it cosy.' }, { speaker: 'agent', text: 'Walk to sofa.' }, { speaker: 'user', text: 'No. Books go on the bed, thanks.' }],
];

let lm: LocalModel;
beforeAll(async () => {
  lm = await createModel({ corpus, seed: 3, config });
  lm.model.addAdapter('agent', { rank: 4, alpha: 8, targets: ['q', 'v'], seed: 4 });
  lm.model.addAdapter('user', { rank: 4, alpha: 8, targets: ['q'], seed: 5 });
  // Non-zero B matrices, so that each adapter changes the model.
  for (const v of [...lm.model.adapterVariables('agent'), ...lm.model.adapterVariables('user')]) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 6));
});
afterAll(async () => { await lm.dispose(); });

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

/** Logits of every real token, segment by segment with the cache (as feedSegment runs rounds). */
function roundLogits(batch: DialogueBatch, adapters: AdapterMap = { instruction: 'agent', user: 'agent', agent: 'agent' }, userSeesInstruction = true): number[][][] {
  const st = newRoundState(2);
  const out: number[][][] = [[], []];
  for (let k = 0; k < batch.ids.length; k++) {
    const seg = batch.ids[k];
    tf.tidy(() => {
      const { logits, time } = feedSegment(lm.model, st, batch.speakers[k], seg, { adapters, userSeesInstruction });
      const v = logits.arraySync();
      seg.forEach((r, b) => { for (let t = 0; t < r.length; t++) out[b].push(v[b * time + t]); });
    });
  }
  st.cache.dispose();
  return out;
}

/** The same dialogues as one forward pass per row over the concatenated (padded) segments. */
function fullLogits(batch: DialogueBatch, adapter: string, allowFromInstruction?: number): number[][][] {
  const lens = batch.ids.map((seg) => Math.max(...seg.map((r) => r.length)));
  const S = lens.reduce((a, b) => a + b, 0);
  const tokens = new Int32Array(2 * S);
  const valid = new Uint8Array(2 * S);
  const userRows: boolean[] = new Array(S).fill(false);
  let off = 0;
  batch.ids.forEach((seg, k) => {
    seg.forEach((r, b) => r.forEach((id, t) => { tokens[b * S + off + t] = id; valid[b * S + off + t] = 1; }));
    for (let t = 0; t < lens[k]; t++) userRows[off + t] = batch.speakers[k] === 'user';
    off += lens[k];
  });
  lm.model.setAdapter(adapter);
  return tf.tidy(() => {
    const allow = allowFromInstruction === undefined ? undefined : (_b: number, q: number, k: number) => !userRows[q] || k >= allowFromInstruction;
    const v = lm.model.forward({ tokens, batch: 2, time: S, valid, ...(allow ? { allow } : {}) }).logits!.arraySync();
    return [0, 1].map((b) => v.slice(b * S, (b + 1) * S).filter((_, t) => valid[b * S + t] === 1));
  });
}

describe('LoRA adapters', () => {
  it('attach, switch by name, save and load (adapters and the active one restored), merge', async () => {
    const tokens = Int32Array.from({ length: 12 }, (_, i) => (i * 37) % 290);
    const logits = (m = lm) => tf.tidy(() => m.model.forward({ tokens, batch: 1, time: 12 }).logits!.dataSync() as Float32Array);
    lm.model.setAdapter(null); const base = logits();
    lm.model.setAdapter('user'); const user = logits();
    lm.model.setAdapter('agent'); const agent = logits();
    expect(maxDiff(base, user)).toBeGreaterThan(1e-3);
    expect(maxDiff(agent, user)).toBeGreaterThan(1e-3);
    expect(() => lm.model.setAdapter('nobody')).toThrow(/no adapter "nobody"/);
    const dir = join(tmp, 'ckpt');
    lm.save(dir);
    const back = await loadModel(dir);
    expect(back.model.adapterNames()).toEqual(['agent', 'user']);
    expect(back.model.activeAdapter).toBe('agent');
    expect(maxDiff(logits(back), agent)).toBe(0);
    back.model.setAdapter('user');
    expect(maxDiff(logits(back), user)).toBe(0);
    back.model.mergeAdapter('user');
    expect(back.model.adapterNames()).toEqual(['agent']);
    expect(maxDiff(logits(back), user)).toBeLessThan(1e-4); // base now = base + user update
    await back.dispose();
  });

  it('one adapter trains alone: the other adapter and the base weights do not move', () => {
    const batch = batchDialogues(lm.tokenizer, dialogues);
    const snapshot = (names: string[]) => names.flatMap((n) => (n === 'base' ? [...lm.model.params.values()] : lm.model.adapterVariables(n)).map((v) => Array.from(v.dataSync())));
    const frozen = snapshot(['base', 'agent']);
    const before = snapshot(['user']);
    const vars = new Map(lm.model.adapterVariables('user').map((v) => [v.name, v]));
    const opt = new AdamW({ lr: 1e-2, minLr: 1e-2, warmupSteps: 0, totalSteps: 10, weightDecay: 0, beta1: 0.9, beta2: 0.95 });
    const losses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const retain: tf.Tensor[] = [];
      losses.push(accumulateStep({ lm, vars, optimizer: opt, gradClip: 1, batches: [batch], dropoutSeed: () => 0,
        lossFn: (b) => midiDialogueLoss(lm, b, { adapters: MIDI_ADAPTERS, userSeesInstruction: false, beta: 1, retain }) }).loss);
      for (const t of retain) t.dispose();
    }
    opt.dispose();
    expect(losses[3]).toBeLessThan(losses[0]);
    expect(snapshot(['base', 'agent'])).toEqual(frozen);
    expect(maxDiff(snapshot(['user']).flat(), before.flat())).toBeGreaterThan(0);
  });
});

describe('round-level KV cache', () => {
  it('gives the same logits as a full forward pass (to 1e-5), with padding between rounds', () => {
    const batch = batchDialogues(lm.tokenizer, dialogues);
    const r = roundLogits(batch);
    const f = fullLogits(batch, 'agent');
    for (let b = 0; b < 2; b++) {
      expect(r[b].length).toBe(f[b].length);
      expect(maxDiff(r[b].flat(), f[b].flat())).toBeLessThan(1e-5);
    }
    // And with the user's queries kept off the instruction (the full pass given the same restriction).
    const instrEnd = Math.max(...batch.ids[0].map((x) => x.length));
    const rh = roundLogits(batch, { instruction: 'agent', user: 'agent', agent: 'agent' }, false);
    const fh = fullLogits(batch, 'agent', instrEnd);
    for (let b = 0; b < 2; b++) expect(maxDiff(rh[b].flat(), fh[b].flat())).toBeLessThan(1e-5);
    expect(maxDiff(rh[0].flat(), r[0].flat())).toBeGreaterThan(1e-4); // the restriction does change the user rows
  });

  it('the user adapter does not see the instruction', () => {
    const logitsOfUser = (instruction: string) => {
      const rows: Segment[][] = ['Please put the cup away.', 'Thanks.'].map((text) => [{ speaker: 'instruction', text: instruction }, { speaker: 'user', text }]);
      const batch = batchDialogues(lm.tokenizer, rows);
      // Same padded instruction length for both instructions compared below.
      return roundLogits(batch, MIDI_ADAPTERS, false)[0].slice(batch.ids[0][0].length).flat();
    };
    const a = logitsOfUser('cups go on the kitchen table.');
    const b = logitsOfUser('books go on the kitchen table.');
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
  });

  it('training round by round equals one flat pass: same loss and gradients (one adapter)', () => {
    const batch = batchDialogues(lm.tokenizer, dialogues);
    const vars = lm.model.adapterVariables('agent');
    const run = (fullPass: boolean) => {
      const retain: tf.Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => midiDialogueLoss(lm, batch, { adapters: { instruction: 'agent', user: 'agent', agent: 'agent' }, userSeesInstruction: true, beta: 0.5, fullPass, retain }), vars);
      const out = { loss: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name].dataSync())) };
      value.dispose(); for (const g of Object.values(grads)) g.dispose(); for (const t of retain) t.dispose();
      return out;
    };
    const rounds = run(false);
    const full = run(true);
    expect(Math.abs(rounds.loss - full.loss)).toBeLessThan(1e-5);
    expect(rounds.loss).toBeGreaterThan(0);
    expect(maxDiff(rounds.grads.flat(), full.grads.flat())).toBeLessThan(1e-5);
    expect(Math.max(...full.grads.flat().map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it('an agent with the cache gives the same outputs as without, feeding only new tokens', async () => {
    const user = () => new SimulatedUser(sampleProfile(2), { rounds: 3, seed: 2 });
    // Teacher transcript as the history: the model (untrained) decodes a short turn per round.
    const on = new RoundLmAgent(lm, { adapters: MIDI_ADAPTERS, userSeesInstruction: false, cache: true, maxTokens: 6 });
    const off = new RoundLmAgent(lm, { adapters: MIDI_ADAPTERS, userSeesInstruction: false, cache: false, maxTokens: 6 });
    const a = await runDialogue(user(), on.agent);
    const b = await runDialogue(user(), off.agent);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(on.costs.map((c) => c.output)).toEqual(off.costs.map((c) => c.output));
    const onTokens = on.costs.map((c) => c.tokens);
    const offTokens = off.costs.map((c) => c.tokens);
    expect(onTokens[0]).toBe(offTokens[0]);
    for (let r = 1; r < 3; r++) expect(offTokens[r]).toBeGreaterThan(onTokens[r] + onTokens[0] / 2);
    on.dispose(); off.dispose();
  });

  it('a dialogue longer than the context ends in empty plans, the same with and without the cache', async () => {
    const small = await createModel({ corpus, seed: 3, config: { ...config, ctx: 120 } });
    const user = () => new SimulatedUser(sampleProfile(2), { rounds: 4, seed: 2 });
    const on = new RoundLmAgent(small, { adapters: { instruction: null, user: null, agent: null }, userSeesInstruction: true, cache: true, maxTokens: 12 });
    const off = new RoundLmAgent(small, { adapters: { instruction: null, user: null, agent: null }, userSeesInstruction: true, cache: false, maxTokens: 12 });
    const a = await runDialogue(user(), on.agent);
    const b = await runDialogue(user(), off.agent);
    expect(on.overflows).toBeGreaterThan(0);
    expect(off.overflows).toBe(on.overflows);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.rounds[a.rounds.length - 1].plan).toBe('');
    on.dispose(); off.dispose();
    await small.dispose();
  });
});

describe('unseen users', () => {
  it('the evaluated users\' profiles never occur among the training users (quick sizes, seeds 1-3), and the split is seeded', () => {
    for (const seed of [1, 2, 3]) {
      const { train, test } = splitUsers(seed, QUICK_MIDI.trainUsers, QUICK_MIDI.testUsers);
      expect(test).toHaveLength(QUICK_MIDI.testUsers);
      const seen = new Set(train.map((u) => profileKey(sampleProfile(u.profileSeed))));
      for (const u of test) expect(seen.has(profileKey(sampleProfile(u.profileSeed))), `seed ${seed} user ${u.profileSeed}`).toBe(false);
      expect(splitUsers(seed, QUICK_MIDI.trainUsers, QUICK_MIDI.testUsers)).toEqual({ train, test });
    }
  });
});
