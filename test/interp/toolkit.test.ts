/**
 * The interpretability toolkit (agent/interp/run.ts, interventions.ts, patching.ts, lens.ts,
 * probes.ts) on toy models where the answer is known: a model with one planted head (every
 * other head and every MLP writes nothing) — patching and attribution must find that head and
 * only it; patching a run with its own activations changes nothing; the logit lens after the
 * last block is the model's output; a probe reads what the planted head carries, and cannot
 * read it before the head has run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allHookNames } from '../../agent/interp/hooks.ts';
import { type Intervention, interventionHooks, patchFrom } from '../../agent/interp/interventions.ts';
import { headAttribution, logitLens } from '../../agent/interp/lens.ts';
import { activationPatching } from '../../agent/interp/patching.ts';
import { probeAccuracy, probeAccuracyRecentred, probePositiveShare, trainProbe } from '../../agent/interp/probes.ts';
import { leftPadded, logitRow, promptsInput, runWithCache, runWithHooks } from '../../agent/interp/run.ts';
import { type ModelConfig, Transformer } from '../../agent/model.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { mulberry32 } from '../../alignment/datasets/rng.ts';
import { HearthError } from '../../env/errors.ts';

beforeAll(async () => { await initBackend('wasm'); });

const CONFIG: ModelConfig = { vocabSize: 24, ctx: 16, layers: 2, d: 32, heads: 4, mlpRatio: 2, positions: 'rope', ropeBase: 10000, dropout: 0, tiedEmbeddings: true };
const PLANT = { layer: 1, head: 2 };

/** Only head PLANT writes to the residual (uniform attention: q = k = 0, a strong output). */
function plantedModel(seed: number): Transformer {
  const m = new Transformer(CONFIG, seed);
  const { d: D, heads: H } = CONFIG;
  const hd = D / H;
  tf.tidy(() => {
    for (let l = 0; l < CONFIG.layers; l++) {
      m.p(`h${l}.proj`).assign(tf.zerosLike(m.p(`h${l}.proj`)));
      m.p(`h${l}.q`).assign(tf.zerosLike(m.p(`h${l}.q`)));
      m.p(`h${l}.k`).assign(tf.zerosLike(m.p(`h${l}.k`)));
      const rows = new Float32Array(D * D);
      if (l === PLANT.layer) {
        const o = m.p(`h${l}.o`).dataSync();
        for (let r = PLANT.head * hd; r < (PLANT.head + 1) * hd; r++) for (let c = 0; c < D; c++) rows[r * D + c] = o[r * D + c] * 400;
      }
      m.p(`h${l}.o`).assign(tf.tensor2d(rows, [D, D]));
    }
  });
  return m;
}

/** A random model (every head and MLP writing). */
const randomModel = (seed: number): Transformer => new Transformer(CONFIG, seed);

const A = 3;
const B = 7;
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('activation patching and attribution find a planted head', () => {
  it('patching each head\'s hook_z from clean into corrupt restores the logit difference through the planted head only', () => {
    const m = plantedModel(11);
    const clean = promptsInput([[10, 12, A, 14, 15]]);
    const corrupt = promptsInput([[10, 12, B, 14, 15]]);
    const metric = (o: { logits: Float32Array; vocab: number }) => { const r = logitRow(o, 4); return r[A] - r[B]; };
    const res = activationPatching({ model: m, input: clean }, { model: m, input: corrupt }, metric, { sites: ['hook_z'] });
    expect(Math.abs(res.clean - res.corrupt)).toBeGreaterThan(0.05);
    const best = res.cells.reduce((a, c) => (Math.abs(c.restored) > Math.abs(a.restored) ? c : a));
    expect([best.layer, best.head]).toEqual([PLANT.layer, PLANT.head]);
    expect(best.restored).toBeCloseTo(1, 3);
    for (const c of res.cells) if (c !== best) expect(Math.abs(c.restored)).toBeLessThan(1e-3);

    // Per position at the layer-0 residual: only the differing token's position carries the gap.
    const pos = activationPatching({ model: m, input: clean }, { model: m, input: corrupt }, metric, { sites: ['hook_resid_pre'], positions: 'each' });
    const l0 = pos.cells.filter((c) => c.layer === 0);
    expect(l0.map((c) => Math.round(c.restored * 1000) / 1000 + 0)).toEqual([0, 0, 1, 0, 0]);
    m.dispose();
  });

  it('direct logit attribution is non-zero for the planted head only, and zero-ablating it removes the clean–corrupt gap', () => {
    const m = plantedModel(12);
    const clean = promptsInput([[10, 12, A, 14, 15]]);
    const { cache } = runWithCache(m, clean);
    const attr = headAttribution(m, cache, 0, 4, A, B);
    const flat = attr.flatMap((row, l) => row.map((v, h) => ({ l, h, v })));
    const top = flat.reduce((a, c) => (Math.abs(c.v) > Math.abs(a.v) ? c : a));
    expect([top.l, top.h]).toEqual([PLANT.layer, PLANT.head]);
    for (const c of flat) if (c !== top) expect(Math.abs(c.v)).toBeLessThan(1e-6);
    // Exact decomposition: logit[A] − logit[B] = the head's term + the last token's embedding term
    // (the final norm's bias is 0 here), both through the norm frozen at the final residual.
    const { logits } = runWithHooks(m, clean);
    const D = CONFIG.d;
    const fin = cache.get('blocks.1.hook_resid_post')!.data.slice(4 * D, 5 * D);
    const mu = fin.reduce((a, v) => a + v, 0) / D;
    const std = Math.sqrt(fin.reduce((a, v) => a + (v - mu) ** 2, 0) / D + 1e-5);
    const wte = m.p('wte').arraySync() as number[][];
    const e = wte[15];
    const em = e.reduce((a, v) => a + v, 0) / D;
    const embedTerm = e.reduce((a, v, j) => a + ((v - em) / std) * (wte[A][j] - wte[B][j]), 0);
    const own = logits[4 * CONFIG.vocabSize + A] - logits[4 * CONFIG.vocabSize + B];
    expect(top.v + embedTerm).toBeCloseTo(own, 4);
    expect(Math.abs(top.v)).toBeGreaterThan(1e-4);

    const zero: Intervention[] = [{ hook: `blocks.${PLANT.layer}.attn.hook_z`, kind: 'zero', heads: [PLANT.head] }];
    const diff = (ids: number[]) => { const o = runWithHooks(m, promptsInput([ids]), interventionHooks(m, zero)); const r = logitRow(o, 4); return r[A] - r[B]; };
    expect(Math.abs(diff([10, 12, A, 14, 15]) - diff([10, 12, B, 14, 15]))).toBeLessThan(1e-5);
    m.dispose();
  });
});

describe('patching a run with its own activations', () => {
  it('changes nothing at any hook (padded batch, random model)', () => {
    const m = randomModel(5);
    const input = leftPadded([[1, 2, 3, 4, 5, 6], [7, 8, 9], [10, 11, 12, 13]], 0);
    const base = runWithCache(m, input);
    expect(base.cache.size).toBe(allHookNames(CONFIG.layers).length);
    for (const hook of allHookNames(CONFIG.layers)) {
      const out = runWithHooks(m, input, interventionHooks(m, [patchFrom(hook, base.cache.get(hook)!)]));
      expect(maxAbsDiff(out.logits, base.logits)).toBeLessThan(1e-5);
    }
    // ...while patching from a different input does change the output (the patch is live).
    const other = runWithCache(m, leftPadded([[6, 5, 4, 3, 2, 1], [9, 8, 7], [13, 12, 11, 10]], 0));
    const moved = runWithHooks(m, input, interventionHooks(m, [patchFrom('blocks.1.hook_resid_mid', other.cache.get('blocks.1.hook_resid_mid')!)]));
    expect(maxAbsDiff(moved.logits, base.logits)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('interventions are data: a JSON round trip gives the same logits; steering keeps the norm; bad ones are typed errors', () => {
    const m = randomModel(6);
    const input = promptsInput([[1, 2, 3, 4]]);
    const vec = Array.from({ length: CONFIG.d }, (_, i) => Math.sin(i));
    const ivs: Intervention[] = [
      { hook: 'blocks.0.hook_resid_post', kind: 'add', vector: vec, scale: 2, positions: [-1] },
      { hook: 'blocks.1.attn.hook_z', kind: 'zero', heads: [0, 3] },
    ];
    const a = runWithHooks(m, input, interventionHooks(m, ivs));
    const b = runWithHooks(m, input, interventionHooks(m, JSON.parse(JSON.stringify(ivs)) as Intervention[]));
    expect(maxAbsDiff(a.logits, b.logits)).toBe(0);
    expect(maxAbsDiff(a.logits, runWithHooks(m, input).logits)).toBeGreaterThan(1e-3);

    const steered = runWithCache(m, input, ['blocks.0.hook_resid_mid'], );
    const norms = (x: Float32Array) => Array.from({ length: 4 }, (_, t) => Math.hypot(...x.slice(t * CONFIG.d, (t + 1) * CONFIG.d)));
    const plain = norms(steered.cache.get('blocks.0.hook_resid_mid')!.data);
    const captured: Float32Array[] = [];
    runWithHooks(m, input, [...interventionHooks(m, [{ hook: 'blocks.0.hook_resid_mid', kind: 'steer', vector: vec, scale: 5 }]),
      ['blocks.0.hook_resid_mid', (x) => { captured.push(x.dataSync() as Float32Array); }]]);
    const after = norms(captured[0]);
    after.forEach((n, t) => expect(n).toBeCloseTo(plain[t], 3));
    expect(maxAbsDiff(captured[0], steered.cache.get('blocks.0.hook_resid_mid')!.data)).toBeGreaterThan(1e-2);

    expect(() => interventionHooks(m, [{ hook: 'blocks.9.hook_resid_pre', kind: 'zero' }])).toThrow(/layer 9, but the model has 2 layers/);
    expect(() => runWithHooks(m, input, interventionHooks(m, [{ hook: 'blocks.0.hook_mlp_out', kind: 'add', vector: [1, 2] }]))).toThrow(HearthError);
    expect(() => runWithHooks(m, input, interventionHooks(m, [{ hook: 'blocks.0.hook_mlp_out', kind: 'zero', positions: [9] }]))).toThrow(/position 9 is outside/);
    m.dispose();
  });
});

describe('logit lens', () => {
  it('after the last block equals the model\'s output at every row and position; earlier layers differ', () => {
    const m = randomModel(7);
    const input = leftPadded([[1, 2, 3, 4, 5], [6, 7, 8]], 0);
    const { logits, cache } = runWithCache(m, input);
    for (const [b, t] of [[0, 4], [1, 4], [0, 2], [1, 3]]) {
      const lens = logitLens(m, cache, b, t);
      expect(lens.map((x) => x.hook)).toEqual(['blocks.0.hook_resid_pre', 'blocks.1.hook_resid_pre', 'blocks.1.hook_resid_post']);
      const own = logits.subarray((b * input.time + t) * CONFIG.vocabSize, (b * input.time + t + 1) * CONFIG.vocabSize);
      expect(maxAbsDiff(lens[2].logits, own)).toBeLessThan(1e-4);
      expect(maxAbsDiff(lens[1].logits, own)).toBeGreaterThan(1e-3);
    }
    m.dispose();
  });
});

describe('linear probes', () => {
  it('read the planted head\'s information after it has run, and only chance before', () => {
    const m = plantedModel(13);
    const rng = mulberry32(99);
    const pick = (xs: number[]) => xs[rng.int(xs.length)];
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let i = 0; i < 160; i++) {
      const y = i % 2;
      rows.push([pick([10, 11]), pick([10, 11]), y ? pick([1, 2, 3]) : pick([4, 5, 6]), pick([10, 11]), pick([12, 13, 14, 15])]);
      labels.push(y);
    }
    const { cache } = runWithCache(m, promptsInput(rows), ['blocks.0.hook_resid_pre', 'blocks.1.hook_resid_post']);
    const lastRows = (name: string) => rows.map((_, b) => cache.get(name)!.data.slice((b * 5 + 4) * CONFIG.d, (b * 5 + 5) * CONFIG.d));
    const acc = (name: string) => {
      const X = lastRows(name);
      const p = trainProbe(X.slice(0, 100), labels.slice(0, 100));
      return probeAccuracy(p, X.slice(100), labels.slice(100));
    };
    expect(acc('blocks.1.hook_resid_post')).toBeGreaterThan(0.9);
    // A global shift of the rows (another model's offset) makes the probe say one class of all;
    // re-standardising the rows with their own statistics recovers the direction's accuracy.
    const X = lastRows('blocks.1.hook_resid_post');
    const p = trainProbe(X.slice(0, 100), labels.slice(0, 100));
    const shifted = X.slice(100).map((r) => r.map((v) => v * 3 + 50));
    expect([0, 1]).toContain(probePositiveShare(p, shifted));
    expect(probeAccuracyRecentred(p, shifted, labels.slice(100))).toBeGreaterThan(0.9);
    expect(acc('blocks.0.hook_resid_pre')).toBeLessThan(0.7);
    expect(() => trainProbe([[1], [2]], [1, 1])).toThrow(/both classes/);
    m.dispose();
  });
});
