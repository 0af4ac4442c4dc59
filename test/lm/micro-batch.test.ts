import { describe, expect, it } from 'vitest';
import { FULL, QUICK } from '../../exploration/recipes.ts';
import { createModel } from '../../agent/local-model.ts';
import { attentionBytesPerRow, defaultMicroBatchRows, MICRO_BATCH_BUDGET_BYTES, Trainer } from '../../alignment/trainer.ts';
import { Prng } from '../../env/prng.ts';
import { HearthError } from '../../env/errors.ts';

const shape = (m: { layers: number; heads: number; ctx: number }) => ({ layers: m.layers, heads: m.heads, ctx: m.ctx });

describe('micro-batch rows from the attention memory budget', () => {
  it('keeps 16 rows for the quick model and trains the FULL model one row at a time', () => {
    expect(defaultMicroBatchRows(shape(QUICK.sizes.model))).toBe(16);
    expect(defaultMicroBatchRows(shape(FULL.sizes.model))).toBe(1);
    // The budget is what decides: one row of the FULL model fits, two do not.
    const full = attentionBytesPerRow(shape(FULL.sizes.model));
    expect(full).toBeLessThanOrEqual(MICRO_BATCH_BUDGET_BYTES);
    expect(2 * full).toBeGreaterThan(MICRO_BATCH_BUDGET_BYTES);
    expect(defaultMicroBatchRows({ layers: 4, heads: 8, ctx: 512 })).toBe(5);
  });

  it('refuses an explicit micro-batch that cannot fit the heap, naming the limit', async () => {
    const lm = await createModel({ config: { layers: 4, d: 64, heads: 8, ctx: 1024, vocabSize: 300 }, corpus: ['walk to the kitchen'], seed: 1 });
    let err: unknown;
    try { new Trainer(lm, { seed: 1, microBatchRows: 16 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HearthError);
    expect((err as HearthError).oneLine()).toMatch(/microBatchRows 16 at ctx 1024 needs ~12\.0 GiB .*\(use microBatchRows ≤ 1/);
    await lm.dispose();
  });

  // Before the budget, 16-row micro-batches of ctx-1024 rows aborted the wasm backend
  // (`RuntimeError: Aborted()`), killing the process: `hearth e2cl --full` died at its first step.
  it('trains a step of FULL-width attention (4 layers, 8 heads, ctx 1024, 4 full rows) without aborting', async () => {
    const words = 'walk to the kitchen grab the cup put it on table open fridge close door switch on tv'.split(' ');
    const r = new Prng(3);
    const text = (n: number) => Array.from({ length: n }, () => words[r.int(words.length)]).join(' ');
    const lm = await createModel({ config: { layers: 4, d: 64, heads: 8, ctx: 1024, vocabSize: 300 }, corpus: [text(400)], seed: 1 });
    const t = new Trainer(lm, { seed: 1, totalSteps: 10, warmupSteps: 1 });
    const pairs = Array.from({ length: 30 }, () => ({ input: text(110), output: text(10) }));
    const loss = await t.trainStep(pairs);
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(0);
    await lm.dispose();
  }, 120_000);
});
