/**
 * Issue 13 item 2, cheaper steps: batches grouped by length in the model's own tokens
 * (`lengthBy: 'tokens'`) instead of characters. With the real local model (a tiny transformer
 * and its BPE tokenizer):
 * - a record's `sequenceLength` is exactly the time steps it takes in a training batch, so a
 *   batch costs rows × the longest row's `sequenceLength`;
 * - token-grouped batches pad fewer real tokens than character-grouped ones when characters
 *   and tokens disagree;
 * - nothing but the batching changes: every epoch trains the same records, once each, in the
 *   same number of steps of the same size, for the same epochs;
 * - a provider that cannot measure tokens is refused with a typed error, not silently grouped
 *   by characters.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocalModel } from '../../agent/local-model.ts';
import type { IOPair } from '../../alignment/datasets/export.ts';
import { HearthError } from '../../env/errors.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import { batchesOf, type ModelProvider, type TrainableModel, trainOnMix } from '../../exploration/training.ts';

// Characters and tokens disagree on purpose: a repeated phrase the tokenizer learns to merge
// (many characters, few tokens) and strings of rare letters (fewer characters, more tokens).
const phrase = 'walk to the kitchen. ';
const rare = (i: number, n: number): string => Array.from({ length: n }, (_, k) => String.fromCharCode(97 + ((i * 31 + k * 17) % 26))).join('');
const records: IOPair[] = Array.from({ length: 96 }, (_, i) => (i % 2
  ? { input: phrase.repeat(2 + (i % 7)), output: `True ${i}` }
  : { input: rare(i, 12 + (i % 23)), output: `Error ${i}` }));
const corpus = [...Array.from({ length: 40 }, () => phrase.repeat(6)), ...records.map((r) => r.input + r.output)];
const provider = localProvider({ config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr: 1e-2, warmupSteps: 2, backend: 'cpu' });

describe('token-length batches', () => {
  it('sequenceLength is a record\'s time steps in a batch; token groups pad fewer tokens than character groups', async () => {
    const model = await provider.create(corpus, 3);
    const lm = model.lm as LocalModel;
    const len = (r: IOPair): number => model.sequenceLength!(r);
    for (const r of records.slice(0, 10)) expect(lm.batchPairs([r], true).time).toBe(len(r));
    // A batch is padded to its longest row: that is what a step costs.
    const cost = (bs: IOPair[][]): number => bs.reduce((n, b) => {
      const time = lm.batchPairs(b, true).time;
      expect(time).toBe(Math.max(...b.map(len)));
      return n + b.length * time;
    }, 0);
    // The two measures disagree on these records (else the test could not tell them apart).
    const byChars = [...records].sort((a, b) => a.input.length + a.output.length - b.input.length - b.output.length);
    const byTokens = [...records].sort((a, b) => len(a) - len(b));
    expect(byChars.map((r) => r.output)).not.toEqual(byTokens.map((r) => r.output));
    for (const epoch of [1, 2]) {
      const chars = batchesOf(records, 8, 5, epoch, 4);
      const tokens = batchesOf(records, 8, 5, epoch, 4, len);
      const ids = (bs: IOPair[][]): string[] => bs.flat().map((r) => r.output).sort();
      expect(ids(tokens)).toEqual(ids(chars));
      expect(ids(tokens)).toHaveLength(records.length);
      expect(tokens.map((b) => b.length).sort()).toEqual(chars.map((b) => b.length).sort());
      expect(cost(tokens)).toBeLessThan(cost(chars));
    }
    model.dispose?.();
  }, 60_000);

  it('training changes only the batching: same records per epoch, same steps, same epochs', async () => {
    // The real provider, with every batch it trains on recorded.
    const seen: Array<{ run: string; batch: string[] }> = [];
    const recording = (run: string): ModelProvider => {
      const wrap = (m: TrainableModel): TrainableModel => ({
        lm: m.lm, prepare: m.prepare?.bind(m), save: m.save.bind(m), dispose: m.dispose?.bind(m), sequenceLength: m.sequenceLength?.bind(m),
        trainStep: (b) => { seen.push({ run, batch: b.map((r) => r.output) }); return m.trainStep(b); },
      });
      return { create: async (c, s) => wrap(await provider.create(c, s)), load: async (d, mode) => wrap(await provider.load(d, mode)) };
    };
    const base = mkdtempSync(join(tmpdir(), 'e2cl-tokens-'));
    const common = { records, init: { kind: 'scratch' as const, corpus }, epochs: 2, batchSize: 8, seed: 9, lengthGroups: 4 };
    const runs = {} as Record<'chars' | 'tokens', Awaited<ReturnType<typeof trainOnMix>>>;
    for (const lengthBy of ['chars', 'tokens'] as const) {
      runs[lengthBy] = await trainOnMix({ ...common, provider: recording(lengthBy), dir: join(base, lengthBy), lengthBy });
      runs[lengthBy].model.dispose?.();
    }
    const perEpoch = (run: string): string[][] => {
      const batches = seen.filter((s) => s.run === run).map((s) => s.batch);
      const steps = Math.ceil(records.length / 8);
      return [0, 1].map((e) => batches.slice(e * steps, (e + 1) * steps).flat().sort());
    };
    for (const run of ['chars', 'tokens']) {
      expect(seen.filter((s) => s.run === run)).toHaveLength(2 * 12);
      for (const epoch of perEpoch(run)) expect(epoch).toEqual(records.map((r) => r.output).sort());
      expect(seen.filter((s) => s.run === run).every((s) => s.batch.length === 8)).toBe(true);
    }
    expect(runs.tokens.curve.map((p) => [p.step, p.epoch])).toEqual(runs.chars.curve.map((p) => [p.step, p.epoch]));
    // ...and the batching did change.
    const batchSets = (run: string): string[] => seen.filter((s) => s.run === run).map((s) => [...s.batch].sort().join('|')).sort();
    expect(batchSets('tokens')).not.toEqual(batchSets('chars'));
  }, 120_000);

  it('refuses lengthBy tokens with a model that cannot measure tokens', async () => {
    const noLengths: ModelProvider = {
      create: async (c, s) => { const m = await provider.create(c, s); return { lm: m.lm, save: m.save.bind(m), trainStep: m.trainStep.bind(m), dispose: m.dispose?.bind(m) }; },
      load: (d, mode) => provider.load(d, mode),
    };
    const dir = mkdtempSync(join(tmpdir(), 'e2cl-tokens-'));
    const run = trainOnMix({ provider: noLengths, records, init: { kind: 'scratch', corpus }, epochs: 1, batchSize: 8, seed: 1, dir, lengthGroups: 4, lengthBy: 'tokens' });
    await expect(run).rejects.toThrow(HearthError);
    await expect(trainOnMix({ provider: noLengths, records, init: { kind: 'scratch', corpus }, epochs: 1, batchSize: 8, seed: 1, dir, lengthGroups: 4, lengthBy: 'tokens' }))
      .rejects.toThrow(/lengthBy "tokens" needs a model that reports its sequence lengths/);
  }, 60_000);
});
