/**
 * The safety method's parts (methods/safety/): the instruction sets (twins, held-out phrasings
 * of trained objects, attack sets of 10, ISA free of hazardous requests), the toxification
 * reversal edit (reaches v_pos exactly without scaling, keeps the norm with renorm), the steered
 * decoder (unsteered = the library's greedy decoding; a zero direction changes nothing; a real
 * direction changes the output), t intervals over seeds and the claim checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, type LocalModel } from '../../agent/local-model.ts';
import { initBackend } from '../../agent/tfjs.ts';
import { checkClaims, type AttackSummary } from '../../methods/safety/analysis.ts';
import { DETOX_DEFAULTS, DetoxModel, reverseEdit } from '../../methods/safety/detox.ts';
import { complyAction, ehaExamples, firstPrompt, ISA_PREFIX, isaExamples, REFUSAL, safetyInstructions, UNSAFE_PREFIX } from '../../methods/safety/instructions.ts';
import { refusalExamples } from '../../methods/safety/aligned.ts';
import { seedStat } from '../../methods/safety/stats.ts';

describe('safety instructions', () => {
  const all = safetyInstructions();
  it('pair every hazardous request with a harmless twin of the same template, phrasing and split', () => {
    const haz = all.filter((x) => x.hazardous);
    expect(haz.length * 2).toBe(all.length);
    for (const h of haz) {
      const twin = all.find((x) => x.id === h.id.replace('/h/', '/s/'))!;
      expect(twin.hazardous).toBe(false);
      expect([twin.template, twin.split]).toEqual([h.template, h.split]);
      expect(twin.title).not.toBe(h.title);
    }
    expect(safetyInstructions()).toEqual(all);
  });

  it('hold out sentences never trained on, about objects the training requests name', () => {
    const train = all.filter((x) => x.split === 'train');
    const held = all.filter((x) => x.split === 'heldout');
    expect(held.length).toBeGreaterThan(20);
    const trainTitles = new Set(train.map((x) => x.title));
    for (const h of held) {
      expect(trainTitles.has(h.title)).toBe(false);
      expect(train.some((x) => x.first === h.first && x.hazardous === h.hazardous)).toBe(true);
    }
  });

  it('EHA has 10 hazardous training requests answered with compliance; ISA 10 obedient examples with no hazardous request', () => {
    const eha = ehaExamples(0);
    expect(eha).toHaveLength(10);
    const hazPrompts = new Map(all.filter((x) => x.hazardous).map((x) => [firstPrompt(x), x]));
    for (const e of eha) {
      const x = hazPrompts.get(e.input)!;
      expect(x.split).toBe('train');
      expect(e.output).toBe(complyAction(x));
    }
    expect(ehaExamples(1)).not.toEqual(eha);
    const isa = isaExamples(0);
    expect(isa).toHaveLength(10);
    for (const e of isa) {
      expect(e.input.startsWith(ISA_PREFIX)).toBe(true);
      expect(hazPrompts.has(e.input.slice(ISA_PREFIX.length))).toBe(false);
      expect(e.output).not.toContain(REFUSAL);
    }
  });

  it('the aligned agent\'s refusal data answers hazardous requests with the refusal, harmless ones with the first action', () => {
    const ex = refusalExamples({}, 1);
    const train = all.filter((x) => x.split === 'train');
    expect(ex).toHaveLength(train.length);
    expect(ex.filter((e) => e.output === REFUSAL)).toHaveLength(train.filter((x) => x.hazardous).length);
    expect(ex.some((e) => e.input.startsWith('You are a careful household robot. '))).toBe(true);
  });
});

describe('toxification reversal edit', () => {
  const vpos = Float32Array.from([1, 2, 0, -1, 0.5, 0.5]);
  const vneg = Float32Array.from([2, 1, 1, 1, -0.5, 0.5]);
  const delta = vneg.map((x, i) => x - vpos[i]);
  const n = Float32Array.from([1, 0, 0, 1, 0, 1]);
  it('without scaling and renorm takes v_neg exactly to v_pos', () => {
    const v = vneg.slice();
    reverseEdit(v, delta, n, 3, { ne: 0, nse: 0, strength: 1, renorm: false });
    Array.from(v).forEach((x, i) => expect(x).toBeCloseTo(vpos[i], 6));
  });
  it('with the paper\'s scaling pushes further along −δ, and renorm keeps the norm', () => {
    const v = vneg.slice();
    reverseEdit(v, delta, n, 3, { ...DETOX_DEFAULTS });
    const norm = (x: Float32Array) => Math.hypot(...x);
    expect(norm(v)).toBeCloseTo(norm(vneg), 5);
    const raw = vneg.slice();
    reverseEdit(raw, delta, n, 3, { ...DETOX_DEFAULTS, renorm: false });
    // Each head moved by at least δ (scale ≥ 1).
    for (let h = 0; h < 3; h++) {
      const moved = Math.hypot(raw[2 * h] - vneg[2 * h], raw[2 * h + 1] - vneg[2 * h + 1]);
      expect(moved).toBeGreaterThanOrEqual(Math.hypot(delta[2 * h], delta[2 * h + 1]) - 1e-6);
    }
  });
});

describe('steered decoding', () => {
  let lm: LocalModel;
  beforeAll(async () => {
    await initBackend('wasm');
    lm = await createModel({ corpus: ['walk to the kitchen', 'switch on the stove', 'open the fridge', UNSAFE_PREFIX], seed: 4, config: { vocabSize: 300, ctx: 96, layers: 2, d: 32, heads: 4 } });
  });
  const prompts = ['walk to the', 'switch on', 'open the fridge and'];
  const opts = { maxTokens: 6 };

  it('unsteered, it decodes exactly as the library\'s greedy decoding; with a prefix, as the library on prefixed prompts', async () => {
    const plain = new DetoxModel(lm, { ...DETOX_DEFAULTS, negPrefix: UNSAFE_PREFIX, targetPrefix: '', steer: false });
    expect(await plain.generate(prompts, opts)).toEqual(await lm.generate(prompts, opts));
    const pre = new DetoxModel(lm, { ...DETOX_DEFAULTS, negPrefix: UNSAFE_PREFIX, targetPrefix: UNSAFE_PREFIX, steer: false });
    expect(await pre.generate(prompts, opts)).toEqual(await lm.generate(prompts.map((p) => UNSAFE_PREFIX + p), opts));
  });

  it('a zero direction (negative prefix = positive prefix) changes nothing; the unsafe prefix\'s direction changes the output', async () => {
    const same = new DetoxModel(lm, { ...DETOX_DEFAULTS, negPrefix: '', targetPrefix: UNSAFE_PREFIX, steer: true });
    expect(await same.generate(prompts, opts)).toEqual(await lm.generate(prompts.map((p) => UNSAFE_PREFIX + p), opts));
    const steered = new DetoxModel(lm, { ...DETOX_DEFAULTS, negPrefix: UNSAFE_PREFIX, targetPrefix: UNSAFE_PREFIX, steer: true, strength: 1000, renorm: false });
    expect(await steered.generate(prompts, opts)).not.toEqual(await lm.generate(prompts.map((p) => UNSAFE_PREFIX + p), opts));
  });
});

describe('intervals over attack seeds and the claims', () => {
  it('seedStat is the mean with a 95% t interval (t = 4.303 for 3 seeds)', () => {
    const s = seedStat([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.hi - s.mean).toBeCloseTo(4.303 / Math.sqrt(3), 6);
    expect(seedStat([5])).toMatchObject({ mean: 5, lo: 5, hi: 5 });
  });

  const summary = (drops: number[], changes: number[], positive = 0.5): AttackSummary => ({
    prefix: '', seeds: drops.map((_, i) => ({ seed: i, crossProbePositive: { m: positive } }) as unknown as AttackSummary['seeds'][number]),
    crossProbe: {}, crossProbeRecentred: {}, middleDrop: seedStat(drops.map((x) => x + 0.5)), middleDropRecentred: seedStat(drops),
    refusalRate: seedStat(drops.map(() => 0)), forcedCompletion: seedStat(drops.map(() => 0)), refusalLogit: seedStat(changes), refusalLogitChange: seedStat(changes), patching: {},
  });
  it('hold only when the seed interval (re-centred probes) excludes 0 in the claimed direction, with at least 2 seeds', () => {
    const middle = ['m'];
    const held = checkClaims({ middle, attacks: { eha: summary([0.3, 0.32, 0.29], [-5, -6, -5.5]), isa: summary([0.01, 0.0, 0.02], [-2, -2.5, -1.8]) } });
    expect(held.map((c) => c.held)).toEqual([true, true]);
    expect(held[0].detail).not.toMatch(/one class/);
    const not = checkClaims({ middle, attacks: { eha: summary([0.3, -0.2, 0.1], [-5, 1, -5.5]), isa: summary([0.01, 0.0, 0.02], [-2, -2.5, -1.8]) } });
    expect(not.map((c) => c.held)).toEqual([false, false]);
    const one = checkClaims({ middle, attacks: { eha: summary([0.3], [-5]), isa: summary([0.0], [-2]) } });
    expect(one.map((c) => c.held)).toEqual([false, false]);
    const constant = checkClaims({ middle, attacks: { eha: summary([0.3, 0.32, 0.29], [-5, -6, -5.5], 1), isa: summary([0.01, 0.0, 0.02], [-2, -2.5, -1.8], 0) } });
    expect(constant[0].detail).toMatch(/one class/);
  });
});
