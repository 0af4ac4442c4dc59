/**
 * E2CL's SFT loss unembeds only the positions that carry loss (`pairSftLoss`): a cheaper step
 * that learns the same thing. With the real local model on the wasm backend (the one
 * `npm start` trains on), its loss and every gradient equal those of the plain path (logits
 * at every position, masked cross-entropy) to float rounding, with and without a given
 * normaliser, and with a row cut to the context.
 */
import { describe, expect, it } from 'vitest';
import type { LocalModel, PairBatch } from '../../agent/local-model.ts';
import { maskedCrossEntropy } from '../../agent/logprob.ts';
import { tf } from '../../agent/tfjs.ts';
import { pairSftLoss } from '../../alignment/trainer.ts';
import { Prng } from '../../env/prng.ts';
import { localProvider } from '../../exploration/local-provider.ts';

const words = 'walk to the kitchen grab the cup put it on table open fridge close door switch on tv Error True'.split(' ');
const text = (r: Prng, n: number): string => Array.from({ length: n }, () => words[r.int(words.length)]).join(' ');

function gradsOf(lm: LocalModel, loss: () => tf.Scalar): { value: number; grads: Map<string, Float32Array> } {
  const vars = [...lm.model.namedTensors()];
  const { value, grads } = tf.variableGrads(loss, vars.map(([, v]) => v as tf.Variable));
  const out = new Map<string, Float32Array>();
  for (const [name, v] of vars) out.set(name, Float32Array.from(grads[(v as tf.Variable).name].dataSync()));
  const n = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return { value: n, grads: out };
}

describe('SFT loss on the target positions only', () => {
  it('gives the loss and gradients of logits at every position', async () => {
    const r = new Prng(3);
    const provider = localProvider({ config: { layers: 2, d: 32, heads: 4, ctx: 48, vocabSize: 300, dropout: 0.1 }, lr: 1e-3, backend: 'wasm' });
    const m = await provider.create([text(r, 400)], 7);
    const lm = m.lm as LocalModel;
    // Rows of different lengths (right padding) and one longer than the context (cut from the left).
    const pairs = [...Array.from({ length: 5 }, (_, i) => ({ input: text(r, 4 + 5 * i), output: text(r, 1 + i) })), { input: text(r, 80), output: text(r, 6) }];
    const b: PairBatch = lm.batchPairs(pairs, true);
    let targets = 0;
    for (const x of b.mask) targets += x;
    expect(targets).toBeLessThan(b.batch * b.time / 2); // most positions carry no loss
    for (const normaliser of [undefined, 40]) {
      const ctx = { lm, dropoutSeed: 12345 } as Parameters<ReturnType<typeof pairSftLoss>>[1];
      const plain = gradsOf(lm, () => {
        const { logits } = lm.model.forward({ tokens: b.tokens, batch: b.batch, time: b.time, valid: b.valid, train: true, dropoutSeed: 12345, logits: 'all' });
        return maskedCrossEntropy(logits!, b.targets, b.mask, normaliser);
      });
      const fast = gradsOf(lm, () => pairSftLoss(normaliser)(b, ctx) as tf.Scalar);
      expect(fast.value).toBeGreaterThan(0);
      expect(Math.abs(fast.value - plain.value)).toBeLessThan(1e-5 * Math.abs(plain.value));
      for (const [name, g] of plain.grads) {
        const f = fast.grads.get(name)!;
        let scale = 0, diff = 0;
        for (let i = 0; i < g.length; i++) { scale = Math.max(scale, Math.abs(g[i])); diff = Math.max(diff, Math.abs(g[i] - f[i])); }
        expect(scale, name).toBeGreaterThan(0);
        expect(diff, name).toBeLessThanOrEqual(1e-4 * scale);
      }
    }
    m.dispose?.();
  }, 120_000);
});
