/**
 * Component ablation and circuit shift (agent/interp/ablation.ts) on a model with one planted
 * head (every other head and every MLP writes nothing): knocking out that head is the only
 * ablation that moves the output, so all the importance sits on it; a second model planted at
 * another head has the whole importance elsewhere (shift 1), and a model against itself has shift 0.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { circuitShift, componentAblation, importanceShares } from '../../agent/interp/ablation.ts';
import { logitRow, promptsInput, type RunOutput } from '../../agent/interp/run.ts';
import { type ModelConfig, Transformer } from '../../agent/model.ts';
import { initBackend, tf } from '../../agent/tfjs.ts';
import { HearthError } from '../../env/errors.ts';

beforeAll(async () => { await initBackend('wasm'); });

const CONFIG: ModelConfig = { vocabSize: 24, ctx: 16, layers: 2, d: 32, heads: 4, mlpRatio: 2, positions: 'rope', ropeBase: 10000, dropout: 0, tiedEmbeddings: true };

/** Only head `head` of layer `layer` writes to the residual (q = k = 0, MLPs silent). */
function planted(seed: number, layer: number, head: number): Transformer {
  const m = new Transformer(CONFIG, seed);
  const { d: D, heads: H } = CONFIG;
  const hd = D / H;
  tf.tidy(() => {
    for (let l = 0; l < CONFIG.layers; l++) {
      for (const w of ['proj', 'q', 'k']) m.p(`h${l}.${w}`).assign(tf.zerosLike(m.p(`h${l}.${w}`)));
      const o = m.p(`h${l}.o`).dataSync();
      const rows = new Float32Array(D * D);
      if (l === layer) for (let r = head * hd; r < (head + 1) * hd; r++) for (let c = 0; c < D; c++) rows[r * D + c] = o[r * D + c] * 400;
      m.p(`h${l}.o`).assign(tf.tensor2d(rows, [D, D]));
    }
  });
  return m;
}

const input = promptsInput([[1, 5, 9, 2], [3, 4, 8, 6]]);
/** Mean over rows of logit[3] − logit[7] at the last position. */
const metric = (out: RunOutput): number => {
  let s = 0;
  for (let b = 0; b < 2; b++) { const r = logitRow(out, b * 4 + 3); s += r[3] - r[7]; }
  return s / 2;
};

describe('component ablation', () => {
  it('puts all the importance on the planted head, among every head and MLP', () => {
    const m = planted(1, 1, 2);
    const r = componentAblation(m, input, metric, { sites: ['hook_z', 'hook_mlp_out'] });
    expect(r.cells).toHaveLength(2 * (4 + 1));
    expect(Math.abs(r.clean)).toBeGreaterThan(1e-3);
    const shares = importanceShares(r);
    expect(shares.get('blocks.1.attn.hook_z[2]')).toBeCloseTo(1, 4);
    for (const [k, v] of shares) if (k !== 'blocks.1.attn.hook_z[2]') expect(v, k).toBeLessThan(1e-4);
    expect(Math.abs(r.cells.find((c) => c.layer === 1 && c.head === 2)!.effect)).toBeGreaterThan(1e-3);
    m.dispose();
  });

  it('circuit shift is 0 against itself and 1 between disjoint circuits', () => {
    const a = planted(1, 1, 2);
    const b = planted(1, 0, 1);
    const ra = componentAblation(a, input, metric, { sites: ['hook_z'] });
    const rb = componentAblation(b, input, metric, { sites: ['hook_z'] });
    expect(circuitShift(ra, ra)).toBe(0);
    expect(circuitShift(ra, rb)).toBeCloseTo(1, 4);
    const whole = componentAblation(a, input, metric, { sites: ['hook_attn_out'] });
    expect(() => circuitShift(ra, whole)).toThrow(HearthError);
    expect(() => componentAblation(a, input, metric, { sites: [] })).toThrow(/no sites/);
    a.dispose();
    b.dispose();
  });
});
