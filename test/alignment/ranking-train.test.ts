/**
 * Ranking + NLL training through the trainer's one loop (Muffin's loss, spec §C; issue 14):
 * the policy learns to score the helpful candidate above the unhelpful ones; the step's
 * ranking loss equals `rankingLoss` over the model's own scores; padding and label errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { rankingLoss } from '../../alignment/losses.ts';
import { MUFFIN_RANKING, rankingLossFn, type RankingExample } from '../../alignment/ranking.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { HearthError } from '../../env/errors.ts';

beforeAll(async () => { await initBackend('wasm'); });

const config = { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2, dropout: 0.1 };
const rooms = ['kitchen', 'bedroom', 'bathroom', 'office'];
// The helpful plan walks to the named room; the others grab or open something.
const examples: RankingExample[] = rooms.map((r, i) => {
  const good = ` [walk] <${r}>`;
  const bad = [` [grab] <${rooms[(i + 1) % 4]}>`, ` [open] <${rooms[(i + 2) % 4]}>`];
  const candidates = i % 2 ? [bad[0], good, bad[1]] : [bad[0], bad[1], good];
  return { prompt: `task ${i}: go to the ${r} ->`, candidates, labels: candidates.map((c) => (c === good ? 1 : 0)), gold: good };
});
const corpus = examples.flatMap((e) => e.candidates.map((c) => e.prompt + c));
const opts = { lr: 1e-2, warmupSteps: 1, totalSteps: 12, microBatchRows: 16 };

describe('rankingLossFn through Trainer.stepWith', () => {
  it('learns to rank the helpful plan first (Muffin defaults), ranking loss falling', async () => {
    const t = await Trainer.create({ corpus, seed: 4, config, trainer: opts });
    const o = { ...MUFFIN_RANKING, margin: 0.05 };
    const log: Array<Record<string, number>> = [];
    for (let s = 0; s < 12; s++) log.push(t.stepWith([examples.slice(0, 2), examples.slice(2)], rankingLossFn(examples.length, o)).metrics!);
    expect(log[11]['loss/rank']).toBeLessThan(log[0]['loss/rank']);
    expect(log[11]['ranking/top1']).toBe(1);
    expect(log[11]['loss/nll']).toBeLessThan(log[0]['loss/nll']);
    t.dispose();
  });

  it("the step's ranking loss is rankingLoss over the model's own mean log-prob scores; metrics add up over micro-batches", async () => {
    const t = await Trainer.create({ corpus, seed: 4, config, trainer: opts });
    const K = 3;
    const s = t.lm.scorePairs(examples.flatMap((e) => e.candidates.map((c) => ({ input: e.prompt, output: c }))), { average: 'mean', includeEos: true });
    const want = tf.sum(rankingLoss(tf.tensor2d(s, [examples.length, K]), examples.map((e) => e.labels), { kind: 'pairwise', margin: 0.5 })).dataSync()[0] / examples.length;
    const gold = t.lm.scorePairs(examples.map((e) => ({ input: e.prompt, output: e.gold! })), { average: 'mean', includeEos: true });
    const nll = -gold.reduce((a, x) => a + x, 0) / examples.length;
    const r = t.stepWith([examples.slice(0, 1), examples.slice(1)], rankingLossFn(examples.length, { kind: 'pairwise', margin: 0.5, mode: 'log', rankWeight: 2, nllWeight: 0.5 }));
    expect(r.metrics!['loss/rank']).toBeCloseTo(want, 5);
    expect(r.metrics!['loss/nll']).toBeCloseTo(nll, 5);
    expect(r.loss).toBeCloseTo(2 * want + 0.5 * nll, 5);
    t.dispose();
  });

  it('pads examples with fewer candidates (ignored in the loss); a label count mismatch is a HearthError', async () => {
    const t = await Trainer.create({ corpus, seed: 4, config, trainer: opts });
    const short = [{ ...examples[0], candidates: examples[0].candidates.slice(0, 2), labels: examples[0].labels.slice(0, 2) }, examples[1]];
    // examples[0] keeps two unhelpful candidates (no ordered pair) and gets a padding third: only examples[1] counts.
    const s1 = t.lm.scorePairs(examples[1].candidates.map((c) => ({ input: examples[1].prompt, output: c })), { average: 'mean', includeEos: true });
    const want = rankingLoss(tf.tensor2d([s1]), [examples[1].labels], { kind: 'pairwise', margin: 0.5 }).dataSync()[0] / 2;
    const r = t.stepWith([short], rankingLossFn(2, { kind: 'pairwise', margin: 0.5, mode: 'log', nllWeight: 0 }));
    expect(want).toBeGreaterThan(0);
    expect(r.loss).toBeCloseTo(want, 5);
    expect(r.metrics!['loss/nll']).toBe(0);
    expect(() => t.stepWith([[{ ...examples[0], labels: [1] }]], rankingLossFn(1))).toThrow(HearthError);
    t.dispose();
  });
});
