import { afterAll, describe, expect, it } from 'vitest';
import { createModel, type LocalModel } from '../../agent/local-model.ts';
import { KVCache } from '../../agent/model.ts';
import { generateBatch } from '../../agent/decode.ts';
import { FastEngine } from '../../agent/fast-infer.ts';
import { nativeBlas } from '../../agent/native-blas.ts';
import { wasmArena } from '../../agent/wasm-decode.ts';
import { prefixStats } from '../../agent/prefix-cache.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { Prng } from '../../env/prng.ts';

const corpus = ['Walk to kitchen', 'Grab mug', 'Open fridge', 'Put mug in fridge', 'Close fridge'];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Bigger-than-init weights so that logits differ noticeably between positions. */
function roughen(lm: LocalModel): void {
  let s = 1;
  for (const [name, v] of lm.model.namedTensors()) {
    if (v.rank === 2) v.assign(tf.randomNormal(v.shape, 0, name === 'wte' || name === 'wpe' ? 1 : 1 / Math.sqrt(v.shape[0]), 'float32', s++));
  }
}

const models: LocalModel[] = [];
afterAll(async () => { for (const m of models) await m.dispose(); await initBackend('wasm'); });

async function model(positions: 'rope' | 'learned'): Promise<LocalModel> {
  await initBackend('wasm');
  const lm = await createModel({ corpus, seed: 7, config: { vocabSize: 300, ctx: 24, layers: 2, d: 32, heads: 4, positions } });
  roughen(lm);
  models.push(lm);
  return lm;
}

describe('local model inference', () => {
  it('wasm and cpu agree on a forward pass to 1e-4', async () => {
    const lm = await model('rope');
    const rng = new Prng(1);
    const tokens = Int32Array.from({ length: 3 * 16 }, () => rng.int(300));
    const run = () => tf.tidy(() => lm.model.forward({ tokens, batch: 3, time: 16 }).logits!.dataSync());
    const w = run();
    await initBackend('cpu');
    const c = run();
    await initBackend('wasm');
    expect(w.length).toBe(3 * 16 * 300);
    expect(maxDiff(w, c)).toBeLessThan(1e-4);
  });

  for (const positions of ['rope', 'learned'] as const) {
    it(`KV-cache decoding equals the full forward pass (${positions})`, async () => {
      const lm = await model(positions);
      const rng = new Prng(2);
      const T = 12;
      const tokens = Int32Array.from({ length: 2 * T }, () => rng.int(300));
      const full = tf.tidy(() => lm.model.forward({ tokens, batch: 2, time: T }).logits!.dataSync());
      const cache = new KVCache(2);
      const V = 300;
      // Prefill 5 tokens, then 3 rounds of 1, 2 and 4 tokens (round-by-round caching).
      let at = 0;
      for (const n of [5, 1, 2, 4]) {
        const chunk = new Int32Array(2 * n);
        for (let b = 0; b < 2; b++) chunk.set(tokens.subarray(b * T + at, b * T + at + n), b * n);
        const part = tf.tidy(() => lm.model.forward({ tokens: chunk, batch: 2, time: n, cache }).logits!.dataSync());
        for (let b = 0; b < 2; b++) {
          const want = full.subarray((b * T + at) * V, (b * T + at + n) * V);
          expect(maxDiff(part.subarray(b * n * V, (b + 1) * n * V), want)).toBeLessThan(1e-4);
        }
        at += n;
      }
      expect(cache.length).toBe(T);
      cache.dispose();
    });
  }

  for (const positions of ['rope', 'learned'] as const) {
    it(`the array engine (ragged rows, round by round, LoRA merged) equals the tfjs forward pass (${positions})`, async () => {
      const lm = await model(positions);
      const m = lm.model;
      m.addAdapter('x', { rank: 2, alpha: 4, targets: ['q', 'v', 'fc'], seed: 1 });
      for (const v of m.adapterVariables('x')) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 4));
      m.setAdapter('x');
      const rng = new Prng(3);
      const seqs = [14, 5, 9].map((n) => Array.from({ length: n }, () => rng.int(300)));
      // Every variant of the blocks: native in one thread, native split over two (rows are
      // divided between threads), and the JS loops; without the addon, the wasm SIMD kernels.
      for (const options of [{}, { threads: 2 }, { native: false }]) {
        const engine = new FastEngine(m, undefined, options);
        const expected = options.native === false ? 'js' : nativeBlas() ? 'native' : wasmArena() ? 'wasm' : 'js';
        expect(engine.blocksPath).toBe(expected);
        if (process.env.HEARTH_NATIVE === '0' && process.env.HEARTH_WASM_KERNELS !== '0' && options.native !== false) expect(engine.blocksPath).toBe('wasm');
        const cache = engine.newCache(3);
        const V = 300;
        // Round 1: ragged prefixes; round 2: the rest (row 1 gets nothing more... so it is fed 1 token).
        const cut = [6, 4, 9];
        const r1 = engine.forward(seqs.map((s, i) => s.slice(0, cut[i])), cache);
        const rest = seqs.map((s, i) => (s.length > cut[i] ? s.slice(cut[i]) : [s[s.length - 1]]));
        const r2 = engine.forward(rest, cache);
        for (let i = 0; i < 3; i++) {
          const full = [...seqs[i].slice(0, cut[i]), ...rest[i]];
          const want = tf.tidy(() => m.forward({ tokens: Int32Array.from(full), batch: 1, time: full.length }).logits!.dataSync());
          expect(maxDiff(r1.subarray(i * V, (i + 1) * V), want.subarray((cut[i] - 1) * V, cut[i] * V))).toBeLessThan(1e-4);
          expect(maxDiff(r2.subarray(i * V, (i + 1) * V), want.subarray((full.length - 1) * V))).toBeLessThan(1e-4);
        }
      }
      m.removeAdapter('x');
    });
  }

  it('both decoding engines produce the same batched greedy output', async () => {
    const lm = await model('rope');
    const prompts = ['Walk to', 'Grab the mug and', 'x', 'Open fridge then close fridge and'];
    const fast = generateBatch(lm.model, lm.tokenizer, prompts, { maxTokens: 6 });
    const slow = generateBatch(lm.model, lm.tokenizer, prompts, { maxTokens: 6, engine: 'tfjs' });
    expect(fast).toEqual(slow);
  });

  it('batched greedy decoding of prompts of different lengths equals decoding each alone', async () => {
    const lm = await model('rope');
    const prompts = ['Walk to', 'Grab the mug and', 'x', 'Open fridge then close fridge and'];
    const batched = await lm.generate(prompts, { maxTokens: 6 });
    const single = [];
    for (const p of prompts) single.push(...(await lm.generate([p], { maxTokens: 6 })));
    expect(batched).toEqual(single);
    expect(batched.some((s) => s.length > 0)).toBe(true);
  });

  it('prompts reuse the stored rows of a shared prefix, with the same output, and never across weight changes', async () => {
    const lm = await model('rope');
    const prompts = ['Walk to the kitchen', 'Walk to the kitchen and grab', 'Walk to the kitc', 'Grab the mug'];
    const plain = (ps: string[]) => generateBatch(lm.model, lm.tokenizer, ps, { maxTokens: 4, reusePrefixes: false });
    const before = prefixStats(lm.model).hits;
    const first = generateBatch(lm.model, lm.tokenizer, prompts.slice(0, 1), { maxTokens: 4 });
    const reused = generateBatch(lm.model, lm.tokenizer, prompts, { maxTokens: 4 });
    expect(prefixStats(lm.model).hits).toBeGreaterThanOrEqual(before + 2);
    expect(reused).toEqual(plain(prompts));
    expect(first).toEqual(plain(prompts.slice(0, 1)));
    // New weights: the stored rows belong to the old ones and must not be used.
    const wte = lm.model.params.get('wte')!;
    wte.assign(tf.mul(wte, 1.5));
    expect(generateBatch(lm.model, lm.tokenizer, prompts, { maxTokens: 4 })).toEqual(plain(prompts));
    expect(prefixStats(lm.model).lookups).toBe(prompts.length); // a fresh store after the change
  });

  it('sampling is seeded per prompt; stop strings and allowed lists are honoured', async () => {
    const lm = await model('rope');
    const opts = { maxTokens: 8, temperature: 4, topP: 0.95, seed: 5 };
    const a = await lm.generate(['Walk', 'Grab'], opts);
    const b = await lm.generate(['Walk', 'Grab'], opts);
    expect(a).toEqual(b);
    const c = await lm.generate(['Walk', 'Grab'], { ...opts, seed: 6 });
    expect(c).not.toEqual(a);
    const full = (await lm.generate(['Walk'], { maxTokens: 8 }))[0];
    const stop = full.slice(2, 4);
    const cut = (await lm.generate(['Walk'], { maxTokens: 8, stop: [stop] }))[0];
    expect(cut).toBe(full.slice(0, full.indexOf(stop)));
    const allowed = ['Walk to kitchen', 'Grab mug', 'zzz'];
    const pick = await lm.generate(['Walk', 'Grab', 'Open'], { maxTokens: 4, allowed, temperature: 1, seed: 3 });
    for (const p of pick) expect(allowed).toContain(p);
  });

  it('logProbs sums token log-probs of the continuation', async () => {
    const lm = await model('rope');
    const [lp] = await lm.logProbs(['Walk to'], [' kitchen']);
    const ids = [lm.tokenizer.bos, ...lm.tokenizer.encode('Walk to')];
    const cont = lm.tokenizer.encode(' kitchen');
    const seq = [...ids, ...cont];
    const logits = tf.tidy(() => tf.logSoftmax(lm.model.forward({ tokens: Int32Array.from(seq), batch: 1, time: seq.length }).logits!).arraySync() as number[][]);
    let want = 0;
    for (let k = 0; k < cont.length; k++) want += logits[ids.length - 1 + k][cont[k]];
    expect(lp).toBeCloseTo(want, 3);
    expect(lp).toBeLessThan(0);
  });
});
