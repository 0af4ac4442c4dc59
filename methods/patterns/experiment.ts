/**
 * In-context learning against fine-tuning on implicit-pattern suites (spec §G), on one base model:
 * 1. base: the local model trained from scratch on meta-training episodes (episodes.ts) over all
 *    the suites' candidate rules, so it can pick a rule up from demonstrations in its prompt;
 * 2. ICL: k demonstrations of the hidden rule (train-split questions), then a test question;
 *    the pattern-free control: random labels, the query repeats a demonstration;
 * 3. fine-tuning: a LoRA adapter on the same base, trained on N zero-shot examples of the hidden
 *    rule for a fixed number of steps (so N is data, not compute), then asked the test questions
 *    with no demonstrations;
 * 4. optionally ICL on an OpenAI-compatible model (generated line, exact match).
 * Every point keeps its per-question outcomes, so the report can bootstrap intervals.
 */
import type { LanguageModel } from '../../agent/language-model.ts';
import { createModel, type LocalModel } from '../../agent/local-model.ts';
import type { ModelConfig } from '../../agent/model.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { packRows } from '../../alignment/packing.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { Prng } from '../../env/prng.ts';
import { controlItems, fineTuneExamples, metaExamples, promptText, ruleItems } from './episodes.ts';
import { chooseAnswers, demosShown, type Query } from './score.ts';
import { buildSuite, type Item, type SuiteDef } from './suite.ts';

export interface PatternSizes {
  name: string;
  config: Partial<ModelConfig>;
  metaSteps: number;
  /** Meta-training episodes per optimizer step. */
  metaEpisodes: number;
  metaLr: number;
  /** Most demonstrations in a meta-training episode. */
  metaKMax: number;
  controlShare: number;
  kList: number[];
  nList: number[];
  ftSteps: number;
  /** Fine-tuning examples per optimizer step (drawn with replacement from the N). */
  ftBatch: number;
  ftLr: number;
  rank: number;
  testItems: number;
}

export const TINY_PATTERNS: PatternSizes = {
  name: 'tiny', config: { vocabSize: 320, ctx: 96, layers: 1, d: 32, heads: 2, dropout: 0 },
  metaSteps: 3, metaEpisodes: 8, metaLr: 3e-3, metaKMax: 2, controlShare: 0.25,
  kList: [0, 2], nList: [4, 16], ftSteps: 2, ftBatch: 4, ftLr: 3e-3, rank: 4, testItems: 10,
};

export const QUICK_PATTERNS: PatternSizes = {
  name: 'quick', config: { vocabSize: 400, ctx: 192, layers: 2, d: 64, heads: 4, dropout: 0 },
  metaSteps: 800, metaEpisodes: 24, metaLr: 3e-3, metaKMax: 8, controlShare: 0.25,
  kList: [0, 1, 2, 4, 8], nList: [8, 32, 128, 512], ftSteps: 60, ftBatch: 16, ftLr: 3e-3, rank: 8, testItems: 48,
};

/**
 * The ranges (k up to 32, N up to 10,000): a context that holds 32 demonstrations and
 * more steps. Not run on the 2-core machine these docs were measured on (priced in docs/patterns.md).
 */
export const FULL_PATTERNS: PatternSizes = {
  name: 'full', config: { vocabSize: 400, ctx: 768, layers: 4, d: 128, heads: 4, dropout: 0 },
  metaSteps: 6000, metaEpisodes: 32, metaLr: 2e-3, metaKMax: 32, controlShare: 0.25,
  kList: [0, 1, 2, 4, 8, 16, 32], nList: [10, 100, 1000, 10000], ftSteps: 400, ftBatch: 32, ftLr: 2e-3, rank: 8, testItems: 96,
};

export type Learner = 'icl' | 'ft' | 'control' | 'http-icl';

export interface CurvePoint {
  suite: string;
  learner: Learner;
  /** Demonstrations (icl, control, http-icl) or fine-tuning examples (ft). */
  x: number;
  seed: number;
  /** Per test question: whether the answer was exactly right. */
  correct: boolean[];
  /** Local ICL and control: mean demonstrations that fit the context (the oldest are dropped first). */
  demosShown?: number;
}

export type Progress = (msg: string) => void;

/** The suite's test questions for a seed (test split: never a demonstration or a training example). */
export function testSuite(def: SuiteDef, sizes: PatternSizes, seed: number) {
  return buildSuite(def, 1000 + seed, Math.max(sizes.testItems, def.rules.length - 1), 'test');
}

/** Demonstrations of the hidden rule for test question j, nested over k (the first k of the largest k). */
function demosFor(def: SuiteDef, seed: number, j: number, k: number): Item[] {
  return ruleItems(def, def.hidden, new Prng(seed * 1_000_003 + j * 7919 + 1), k);
}

export async function createBase(suites: readonly SuiteDef[], sizes: PatternSizes, seed: number, backend?: string): Promise<LocalModel> {
  const rng = new Prng(seed + 17);
  // The tokenizer learns from sample episodes of every rule and the control.
  const corpus = suites.flatMap((def) => def.rules.flatMap((r) => [promptText(ruleItems(def, r.name, rng, 6), ''), promptText(controlItems(def, rng, 4), '')]));
  const tokenizer = Tokenizer.train(corpus, sizes.config.vocabSize ?? 400);
  return createModel({ tokenizer, seed, config: sizes.config, backend });
}

/** Step 1: meta-training of all base weights on fresh episodes every step. Returns the losses. */
export function metaTrain(lm: LocalModel, suites: readonly SuiteDef[], sizes: PatternSizes, seed: number, progress: Progress = () => {}): number[] {
  const trainer = new Trainer(lm, { lr: sizes.metaLr, minLr: sizes.metaLr / 10, warmupSteps: Math.min(20, Math.ceil(sizes.metaSteps / 10)), totalSteps: sizes.metaSteps, weightDecay: 0.1, seed });
  const losses: number[] = [];
  for (let s = 0; s < sizes.metaSteps; s++) {
    const ex = metaExamples(lm.tokenizer, suites, seed * 100_003 + s, sizes.metaEpisodes, { kMax: sizes.metaKMax, controlShare: sizes.controlShare, ctx: lm.config.ctx });
    losses.push(trainer.stepOnRows(packRows(ex, lm.config.ctx)).loss);
    if ((s + 1) % Math.max(1, Math.floor(sizes.metaSteps / 10)) === 0) progress(`  meta-training step ${s + 1}/${sizes.metaSteps} loss ${losses[s].toFixed(3)}`);
  }
  trainer.optimizer.dispose();
  return losses;
}

/**
 * The pattern-free control at k demonstrations: random labels; the query repeats one of the
 * demonstrations with its label (k ≥ 1) or is a fresh question (k = 0, chance).
 */
export function controlQueries(def: SuiteDef, seed: number, k: number, n: number): Query[] {
  const rng = new Prng(seed * 31 + k + 5);
  return Array.from({ length: n }, () => {
    const items = controlItems(def, rng, k + 1).map((it, i, all) => (i === k && k > 0 ? all[rng.int(k)] : it));
    return { demos: items.slice(0, k), item: items[k] };
  });
}

/** Step 2: ICL accuracy at each k, and the pattern-free control at each k. */
export function iclCurve(lm: LocalModel, def: SuiteDef, sizes: PatternSizes, seed: number): CurvePoint[] {
  const test = testSuite(def, sizes, seed);
  const out: CurvePoint[] = [];
  const kMax = Math.max(...sizes.kList);
  const pools = test.items.map((_, j) => demosFor(def, seed, j, kMax));
  for (const k of sizes.kList) {
    const queries: Query[] = test.items.map((item, j) => ({ demos: pools[j].slice(0, k), item }));
    const got = chooseAnswers(lm, queries);
    out.push({ suite: def.name, learner: 'icl', x: k, seed, correct: got.map((a, j) => a === test.items[j].answer), demosShown: demosShown(lm, queries) });
    const control = controlQueries(def, seed, k, test.items.length);
    const cg = chooseAnswers(lm, control);
    out.push({ suite: def.name, learner: 'control', x: k, seed, correct: cg.map((a, j) => a === control[j].item.answer), demosShown: demosShown(lm, control) });
  }
  return out;
}

export const FT_ADAPTER = 'patterns-ft';

/**
 * Step 3: a fresh LoRA adapter trained on N examples of the hidden rule, then the test questions
 * zero-shot. The adapter of `keepAt` examples stays on the model (inactive) for the circuit analysis.
 */
export function ftCurve(lm: LocalModel, def: SuiteDef, sizes: PatternSizes, seed: number, keepAt?: number): CurvePoint[] {
  const test = testSuite(def, sizes, seed);
  const pool = ruleItems(def, def.hidden, new Prng(seed * 7919 + 3), Math.max(...sizes.nList));
  const out: CurvePoint[] = [];
  for (const n of sizes.nList) {
    const name = n === keepAt ? FT_ADAPTER : `${FT_ADAPTER}-tmp`;
    lm.model.addAdapter(name, { rank: sizes.rank, alpha: 2 * sizes.rank, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'], seed: seed + 11 });
    const trainer = new Trainer(lm, { adapter: name, lr: sizes.ftLr, minLr: sizes.ftLr / 10, warmupSteps: Math.min(10, Math.ceil(sizes.ftSteps / 10)), totalSteps: sizes.ftSteps, weightDecay: 0, seed });
    const examples = fineTuneExamples(lm.tokenizer, pool.slice(0, n));
    const rng = new Prng(seed * 13 + n);
    for (let s = 0; s < sizes.ftSteps; s++) {
      const batch = Array.from({ length: sizes.ftBatch }, () => examples[rng.int(examples.length)]);
      trainer.stepOnRows(packRows(batch, lm.config.ctx));
    }
    trainer.optimizer.dispose();
    const got = chooseAnswers(lm, test.items.map((item) => ({ demos: [], item })));
    out.push({ suite: def.name, learner: 'ft', x: n, seed, correct: got.map((a, j) => a === test.items[j].answer) });
    lm.model.setAdapter(null);
    if (name !== FT_ADAPTER) lm.model.removeAdapter(name);
  }
  return out;
}

/** Step 4: ICL on a served model — its greedy first line after the prompt, exact match. */
export async function httpIclCurve(model: LanguageModel, def: SuiteDef, sizes: PatternSizes, seed: number): Promise<CurvePoint[]> {
  const test = testSuite(def, sizes, seed);
  const kMax = Math.max(...sizes.kList);
  const pools = test.items.map((_, j) => demosFor(def, seed, j, kMax));
  const out: CurvePoint[] = [];
  for (const k of sizes.kList) {
    const prompts = test.items.map((item, j) => promptText(pools[j].slice(0, k), item.question));
    const got = await model.generate(prompts, { maxTokens: 8, temperature: 0, stop: ['\n'] });
    out.push({ suite: def.name, learner: 'http-icl', x: k, seed, correct: got.map((a, j) => a.trim() === test.items[j].answer) });
  }
  return out;
}

/** The test queries of the circuit analysis: (demos, item) at k demonstrations. */
export function circuitQueries(def: SuiteDef, sizes: PatternSizes, seed: number, k: number): Query[] {
  return testSuite(def, sizes, seed).items.map((item, j) => ({ demos: demosFor(def, seed, j, k), item }));
}

