import { describe, expect, it } from 'vitest';
import { Prng } from '../../env/prng.ts';
import { Trainer, trainModel } from '../../alignment/trainer.ts';

/** A learnable rule: reverse a word of four letters from a-f; held-out words are tested. */
function words(): string[] {
  const out: string[] = [];
  const L = 'abcdef';
  for (let i = 0; i < 6 ** 4; i++) out.push([0, 1, 2, 3].map((k) => L[Math.floor(i / 6 ** k) % 6]).join(''));
  return out;
}

describe('training reaches ≥ 99% exact match on a synthetic rule', () => {
  it('reverses unseen 4-letter words', async () => {
    const all = words();
    const rng = new Prng(17);
    for (let i = all.length - 1; i > 0; i--) { const j = rng.int(i + 1); [all[i], all[j]] = [all[j], all[i]]; }
    const pair = (w: string) => ({ input: `reverse ${w.split('').join(' ')} :`, output: ` ${w.split('').reverse().join(' ')}` });
    const test = all.slice(0, 200).map(pair);
    const train = all.slice(200).map(pair);
    const steps = Number(process.env.HEARTH_LEARN_STEPS ?? 300);
    const t = await Trainer.create({
      corpus: train.map((p) => p.input + p.output), seed: 1,
      config: { vocabSize: 280, ctx: 64, layers: 2, d: 64, heads: 4 },
      trainer: { lr: 3e-3, minLr: 3e-4, warmupSteps: 20, totalSteps: steps, weightDecay: 0.01 },
    });
    const t0 = Date.now();
    let last = 0;
    await trainModel(t, { data: train, steps, batchRows: 8, onStep: (s) => { last = s.loss; if (process.env.HEARTH_LEARN_LOG && s.step % 25 === 0) console.log(s.step, s.loss.toFixed(4), Math.round(s.tokensPerSecond), `${((Date.now() - t0) / 1000).toFixed(0)}s`); } });
    const out = await t.lm.generate(test.map((p) => p.input), { maxTokens: 12 });
    const exact = out.filter((o, i) => o === test[i].output).length / test.length;
    if (process.env.HEARTH_LEARN_LOG) console.log('final loss', last, 'exact', exact, 'seconds', (Date.now() - t0) / 1000, out.slice(0, 3));
    expect(exact).toBeGreaterThanOrEqual(0.99);
    t.dispose();
  }, 400_000);
});
