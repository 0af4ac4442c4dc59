/**
 * The trainer with a loss passed in (issue 14): DPO on a tiny model and a handful of
 * preference pairs raises the chosen-vs-rejected log-prob margin, deterministically; the
 * offline reference equals an in-memory one; micro-batches add up to the whole batch; a
 * custom `LossFn` runs through the same loop.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { loadModel } from '../../agent/local-model.ts';
import { sequenceLogProbs, weightedNll } from '../../alignment/losses.ts';
import { withReferenceLogProbs, type PreferencePair } from '../../alignment/preference.ts';
import { Trainer, type LossFn } from '../../alignment/trainer.ts';
import { HearthError } from '../../env/errors.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { maskedCrossEntropy } from '../../agent/logprob.ts';
import { AdamW, clipByGlobalNorm } from '../../alignment/optim.ts';
import { mixSeed } from '../../alignment/datasets/rng.ts';
import { attentionBytesPerRow } from '../../alignment/trainer.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import type { LocalModel } from '../../agent/local-model.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

beforeAll(async () => { await initBackend('wasm'); });

const config = { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2, dropout: 0.1 };
const rooms = ['kitchen', 'bedroom', 'bathroom', 'livingroom', 'office', 'garage'];
const pairs: PreferencePair[] = rooms.map((r, i) => ({
  prompt: `task ${i}: go to the ${r} ->`,
  chosen: ` [walk] <${r}>`,
  rejected: ` [grab] <${rooms[(i + 1) % rooms.length]}>`,
}));
const corpus = pairs.flatMap((p) => [p.prompt + p.chosen, p.prompt + p.rejected]);
const opts = { lr: 1e-2, warmupSteps: 1, totalSteps: 12, microBatchRows: 16 };

function weightsHash(t: Trainer): string {
  const h = createHash('sha256');
  for (const v of t.lm.model.namedTensors().values()) h.update(Buffer.from((v.dataSync() as Float32Array).buffer));
  return h.digest('hex');
}
/** Mean over pairs of log π(y_w|x) − log π(y_l|x), summed over completion tokens and EOS. */
function margin(t: Trainer): number {
  const c = t.lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.chosen })), { includeEos: true });
  const r = t.lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.rejected })), { includeEos: true });
  return c.reduce((a, x, i) => a + x - r[i], 0) / pairs.length;
}

async function dpoRun(steps: number) {
  const t = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
  const data = withReferenceLogProbs(t.lm, pairs, { kind: 'sigmoid' });
  const before = margin(t);
  const log: Array<{ loss: number; acc: number; chosen: number; rejected: number }> = [];
  for (let s = 0; s < steps; s++) {
    const r = t.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
    log.push({ loss: r.loss, acc: r.metrics!['rewards/accuracies'], chosen: r.metrics!['rewards/chosen'], rejected: r.metrics!['rewards/rejected'] });
  }
  return { t, before, after: margin(t), log, data };
}

describe('Trainer.preferenceStep (DPO)', () => {
  it('raises the chosen-vs-rejected margin over steps; step 1 starts at log 2 with zero rewards; seeded runs are identical', async () => {
    const a = await dpoRun(10);
    // Policy = reference and no dropout at step 1: h = 0, loss = log 2, rewards 0.
    expect(a.log[0].loss).toBeCloseTo(Math.LN2, 5);
    expect(Math.abs(a.log[0].chosen)).toBeLessThan(1e-5);
    expect(Math.abs(a.log[0].rejected)).toBeLessThan(1e-5);
    expect(a.after).toBeGreaterThan(a.before + 1);
    expect(a.log[9].loss).toBeLessThan(a.log[0].loss - 0.2);
    expect(a.log[9].acc).toBe(1);
    expect(a.log[9].chosen).toBeGreaterThan(a.log[9].rejected);
    const b = await dpoRun(10);
    expect(weightsHash(b.t)).toBe(weightsHash(a.t));
    expect(b.log).toEqual(a.log);
    a.t.dispose();
    b.t.dispose();
  });

  it('an in-memory reference gives the same step as the offline one; a missing reference is a HearthError', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hearth-pref-'));
    try {
      const a = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
      a.lm.save(join(tmp, 'ref'));
      const reference = await loadModel(join(tmp, 'ref'));
      const b = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
      const offline = withReferenceLogProbs(a.lm, pairs, { kind: 'ipo' });
      expect(() => a.preferenceStep(pairs, { kind: 'ipo', beta: 0.5 })).toThrow(HearthError);
      expect(() => a.preferenceStep(offline, { kind: 'fpo', beta: 0.5 })).toThrow(/FPO step needs SAE features/);
      for (let s = 0; s < 3; s++) {
        const ra = a.preferenceStep(offline, { kind: 'ipo', beta: 0.5 });
        const rb = b.preferenceStep(pairs, { kind: 'ipo', beta: 0.5, reference });
        expect(rb.loss).toBe(ra.loss);
      }
      expect(weightsHash(b)).toBe(weightsHash(a));
      a.dispose(); b.dispose(); reference.model.dispose();
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });

  it('micro-batches of pairs add up to the whole batch (same loss and update to float precision)', async () => {
    const whole = await Trainer.create({ corpus, seed: 3, config, trainer: opts });
    const micro = await Trainer.create({ corpus, seed: 3, config, trainer: { ...opts, microBatchRows: 2 } }); // 1 pair per micro-batch
    const data = withReferenceLogProbs(whole.lm, pairs, { kind: 'simpo' });
    const o = { kind: 'simpo' as const, beta: 2, gamma: 0.5 };
    const rw = whole.preferenceStep(data, o);
    const rm = micro.preferenceStep(data, o);
    expect(rm.loss).toBeCloseTo(rw.loss, 5);
    expect(rm.gradNorm).toBeCloseTo(rw.gradNorm, 4);
    expect(rm.metrics!['rewards/margins']).toBeCloseTo(rw.metrics!['rewards/margins'], 5);
    // The accumulated gradients agree to float precision: compared through AdamW's first moment
    // after one step (m = 0.1·g, linear in the gradient). The weights themselves are not: Adam's
    // first update is g/(|g| + eps), which turns the rounding noise of gradients near zero
    // (|g| ~ eps, where summation order decides their last digits) into weight differences above 1e-5.
    const ma = whole.optimizer.stateTensors();
    const mb = micro.optimizer.stateTensors();
    expect([...mb.keys()]).toEqual([...ma.keys()]);
    let maxErr = 0;
    let scale = 0;
    for (const [k, a] of ma) {
      if (!k.startsWith('m.')) continue;
      const b = mb.get(k)!.data;
      a.data.forEach((x, j) => { maxErr = Math.max(maxErr, Math.abs(x - b[j])); scale = Math.max(scale, Math.abs(x)); });
    }
    expect(scale).toBeGreaterThan(0);
    expect(maxErr).toBeLessThan(1e-5 * scale);
    whole.dispose(); micro.dispose();
  });

  it('ORPO (reference-free, odds ratio + NLL on the chosen) trains without reference log-probs', async () => {
    const t = await Trainer.create({ corpus, seed: 5, config, trainer: opts });
    const before = margin(t);
    const losses: number[] = [];
    for (let s = 0; s < 6; s++) losses.push(t.preferenceStep(pairs, { kind: 'orpo', beta: 0.5, nllWeight: 1 }).loss);
    expect(losses[5]).toBeLessThan(losses[0]);
    expect(margin(t)).toBeGreaterThan(before);
    t.dispose();
  });
});

describe('preference step options', () => {
  it('token weights (RISE) reach the policy and the reference log-probs; nllWeight adds λ·mean-token NLL of the chosen', async () => {
    const t = await Trainer.create({ corpus, seed: 11, config, trainer: opts });
    const plain = withReferenceLogProbs(t.lm, pairs, { kind: 'sigmoid' });
    const n = (s: string) => t.lm.tokenizer.encode(s).length + 1; // + EOS
    // Weight 2 on every chosen token, 0 on every rejected token: the reference log-probs double and vanish.
    const weighted = pairs.map((p) => ({ ...p, chosenWeights: new Array(n(p.chosen)).fill(2), rejectedWeights: new Array(n(p.rejected)).fill(0) }));
    const ref = withReferenceLogProbs(t.lm, weighted, { kind: 'sigmoid' });
    ref.forEach((p, i) => {
      expect(p.refChosen!).toBeCloseTo(2 * plain[i].refChosen!, 4);
      expect(p.refRejected).toBe(0);
    });
    // At step 1 (policy = reference) the weighted DPO loss is still log 2; with λ = 0.5 the NLL term
    // is 0.5 · mean over pairs of −(1/|y_w|) log π(y_w|x).
    const meanLp = t.lm.scorePairs(pairs.map((p) => ({ input: p.prompt, output: p.chosen })), { average: 'mean', includeEos: true });
    const nll = -meanLp.reduce((a, x) => a + x, 0) / pairs.length;
    const r = t.preferenceStep(ref, { kind: 'sigmoid', beta: 0.3, nllWeight: 0.5 });
    expect(r.loss).toBeCloseTo(Math.LN2 + 0.5 * nll, 4);
    expect(r.metrics!['rewards/accuracies']).toBe(0);
    t.dispose();
  });
});

describe('preference training checkpoints', () => {
  it('two DPO runs with the same seed save identical checkpoints (every byte but the manifest\'s createdAt); another seed does not', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hearth-pref-same-'));
    const files = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
    // The manifest records the wall-clock time of the save: the one field allowed to differ.
    const content = (dir: string, f: string) => f === 'manifest.json'
      ? JSON.stringify({ ...JSON.parse(readFileSync(join(dir, f), 'utf8')), createdAt: undefined })
      : readFileSync(join(dir, f)).toString('base64');
    const bytes = (dir: string) => new Map(files(dir).map((f) => [f, content(dir, f)]));
    try {
      for (const [name, seed] of [['a', 7], ['b', 7], ['c', 8]] as const) {
        const t = await Trainer.create({ corpus, seed, config, trainer: opts });
        const data = withReferenceLogProbs(t.lm, pairs, { kind: 'sigmoid' });
        for (let s = 0; s < 4; s++) t.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
        t.saveCheckpoint(join(tmp, name));
        t.dispose();
      }
      const a = bytes(join(tmp, 'a'));
      expect([...a.keys()]).toEqual(expect.arrayContaining(['manifest.json', 'weights.bin']));
      expect(a.size).toBeGreaterThan(1);
      expect(bytes(join(tmp, 'b'))).toEqual(a);
      expect(bytes(join(tmp, 'c')).get('weights.bin')).not.toBe(a.get('weights.bin'));
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });

  it('stopping after 3 DPO steps, saving, loading and doing 3 more gives the weights of 6 steps in a row', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hearth-pref-ck-'));
    try {
      const a = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
      const data = withReferenceLogProbs(a.lm, pairs, { kind: 'sigmoid' });
      for (let s = 0; s < 6; s++) a.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
      const b1 = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
      for (let s = 0; s < 3; s++) b1.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
      b1.saveCheckpoint(join(tmp, 'ck'));
      b1.dispose();
      const b2 = await Trainer.load(join(tmp, 'ck'));
      expect(b2.step).toBe(3);
      for (let s = 0; s < 3; s++) b2.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
      expect(weightsHash(b2)).toBe(weightsHash(a));
      a.dispose(); b2.dispose();
    } finally { rmSync(tmp, { recursive: true, force: true }); }
  });
});

describe('trainable-parameter selection', () => {
  it('DPO on one LoRA adapter: the base weights stay bit-identical, the adapter learns, the margin grows', async () => {
    const t0 = await Trainer.create({ corpus, seed: 7, config, trainer: opts });
    const lm = t0.lm;
    const data = withReferenceLogProbs(lm, pairs, { kind: 'sigmoid' }); // the base model is the reference
    lm.model.addAdapter('dpo', { rank: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'], seed: 3 });
    const t = new Trainer(lm, { ...opts, lr: 3e-2, seed: 7, adapter: 'dpo' });
    const base = [...lm.model.params.values()].map((v) => Array.from(v.dataSync()));
    const adapter = () => lm.model.adapterVariables('dpo').map((v) => Array.from(v.dataSync()));
    const before = adapter();
    const m0 = margin(t);
    let r = t.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
    expect(r.loss).toBeCloseTo(Math.LN2, 5); // B = 0: the adapter starts as the identity
    for (let s = 0; s < 7; s++) r = t.preferenceStep(data, { kind: 'sigmoid', beta: 0.5 });
    expect(r.loss).toBeLessThan(Math.LN2 - 0.1);
    expect(margin(t)).toBeGreaterThan(m0 + 0.5);
    expect([...lm.model.params.values()].map((v) => Array.from(v.dataSync()))).toEqual(base);
    expect(adapter()).not.toEqual(before);
    t.dispose();
  });
});

describe('Trainer.stepWith (any LossFn)', () => {
  it('a custom loss (weighted NLL of sequence log-probs) runs through the same loop, with its metrics summed over micro-batches', async () => {
    const t = await Trainer.create({ corpus, seed: 2, config, trainer: opts });
    const batches = [pairs.slice(0, 3), pairs.slice(3)];
    const nll: LossFn<PreferencePair[]> = (ps, ctx) => {
      const b = ctx.lm.batchPairs(ps.map((p) => ({ input: p.prompt, output: p.chosen })));
      const { logits } = ctx.lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid });
      const lp = sequenceLogProbs(logits!, b.targets, { batch: b.batch, mask: b.mask, reduce: 'mean' });
      return { loss: weightedNll(lp, new Array(ps.length).fill(1), pairs.length), metrics: { pairs: ps.length, micro: ctx.micro } };
    };
    const first = t.stepWith(batches, nll);
    expect(first.metrics).toEqual({ pairs: 6, micro: 1 });
    expect(first.seconds).toBeGreaterThan(0);
    // Peak bytes: at least the weights and optimizer moments, and more for a larger micro-batch.
    const weightBytes = [...t.lm.model.namedTensors().values()].reduce((a, v) => a + v.size * 4, 0);
    expect(first.peakBytes).toBeGreaterThan(3 * weightBytes);
    const one = t.stepWith([pairs.slice(0, 1)], nll).peakBytes!;
    expect(t.stepWith([pairs], nll).peakBytes).toBeGreaterThan(one);
    let last = first;
    for (let s = 0; s < 4; s++) last = t.stepWith(batches, nll);
    expect(last.loss).toBeLessThan(first.loss);
    expect(t.step).toBe(7);
    t.dispose();
  });
});

/**
 * E2CL's SFT step as it was written before it went through `accumulateStep` (the oracle):
 * whole batch or micro-batches by attention budget, mixSeed dropout seeds, AdamW with clipping.
 */
function oldE2CLStep(lm: LocalModel, adam: AdamW, batch: Array<{ input: string; output: string }>, budget: number): number {
  const params = lm.model.namedTensors();
  const varList = [...params.values()];
  const nameOf = new Map<string, string>();
  for (const [name, v] of params) nameOf.set(v.name, name);
  const whole = lm.batchPairs(batch, true);
  const rows = Math.max(1, Math.floor(budget / attentionBytesPerRow({ ...lm.config, ctx: whole.time })));
  const micro = rows >= batch.length ? [whole] : Array.from({ length: Math.ceil(batch.length / rows) }, (_, k) => lm.batchPairs(batch.slice(k * rows, (k + 1) * rows), true));
  let total = 0;
  for (const b of micro) for (const m of b.mask) total += m;
  let loss = 0;
  const acc = new Map<string, tf.Tensor>();
  micro.forEach((b, i) => {
    const dropoutSeed = i === 0 ? mixSeed(lm.meta.seed, 'dropout', adam.step) : mixSeed(lm.meta.seed, 'dropout', adam.step, i);
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, train: true, dropoutSeed, logits: 'all' });
      return maskedCrossEntropy(logits!, b.targets, b.mask, micro.length === 1 ? undefined : Math.max(total, 1e-9));
    }, varList);
    loss += value.dataSync()[0];
    value.dispose();
    for (const [vn, g] of Object.entries(grads)) {
      const name = nameOf.get(vn)!;
      const prev = acc.get(name);
      if (prev) { acc.set(name, tf.add(prev, g)); prev.dispose(); g.dispose(); } else acc.set(name, g);
    }
  });
  clipByGlobalNorm(acc, 1.0);
  adam.apply(params, acc);
  for (const g of acc.values()) if (!g.isDisposed) g.dispose();
  return loss;
}

describe("E2CL's SFT path (exploration/local-provider.ts) through the shared loop", () => {
  for (const budget of [1 << 30, 1]) {
    it(`gives bit-identical weights and losses to the loop it replaced (${budget === 1 ? 'one pair per micro-batch' : 'one pass'})`, async () => {
      const data = pairs.map((p) => ({ input: p.prompt, output: p.chosen }));
      const o = { config, lr: 5e-3, warmupSteps: 2, attentionBudgetBytes: budget };
      const a = await localProvider(o).create(corpus, 9);
      const b = await localProvider(o).create(corpus, 9);
      a.prepare!(6);
      const adam = new AdamW({ lr: 5e-3, warmupSteps: 2, totalSteps: 6, weightDecay: 0.1 });
      const lmB = b.lm as LocalModel;
      for (let s = 0; s < 6; s++) {
        const batch = data.slice(s % 3, s % 3 + 4);
        expect(await a.trainStep(batch)).toBe(oldE2CLStep(lmB, adam, batch, budget));
      }
      const wa = [...(a.lm as LocalModel).model.namedTensors().values()].map((v) => Array.from(v.dataSync()));
      const wb = [...lmB.model.namedTensors().values()].map((v) => Array.from(v.dataSync()));
      expect(wa).toEqual(wb);
      a.dispose!(); b.dispose!(); adam.dispose();
    });
  }
});
