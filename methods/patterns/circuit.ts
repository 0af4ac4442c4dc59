/**
 * Circuit shift (spec §G item 4) measured with the shared toolkit (agent/interp/ablation.ts):
 * on the same test questions, which components — every attention head (attn.hook_z) and every
 * MLP (hook_mlp_out) — carry the answer for
 *   base  the meta-trained model, no demonstrations (the starting point),
 *   icl   the same weights with k demonstrations in the prompt,
 *   ft    the fine-tuned adapter, no demonstrations;
 * and how far each adapted condition's importance distribution moved from the base's
 * (total variation of |ablation effect| shares). The paper's theory: ICL shifts the circuit more.
 *
 * Metric: mean over questions of the answer margin, log p(right answer) − max log p(other choice),
 * with the same closed-set rows the accuracy is scored on.
 */
import { circuitShift, componentAblation, importanceShares, type AblationResult } from '../../agent/interp/ablation.ts';
import type { RunOutput } from '../../agent/interp/run.ts';
import type { LocalModel } from '../../agent/local-model.ts';
import { circuitQueries, FT_ADAPTER, type PatternSizes } from './experiment.ts';
import { bestChoices, choiceBatch, choiceRows, type ChoiceBatch, type ChoiceRow, type Query } from './score.ts';
import type { SuiteDef } from './suite.ts';

export interface CircuitCondition {
  name: 'base' | 'icl' | 'ft';
  accuracy: number;
  /** Mean answer margin (nats) without ablation. */
  margin: number;
  ablation: AblationResult;
  /** Component → share of the total |effect|. */
  shares: Record<string, number>;
}

export interface CircuitResult {
  suite: string;
  seed: number;
  k: number;
  n: number;
  questions: number;
  conditions: CircuitCondition[];
  /** Total variation of importance shares from base: ICL and fine-tuning. */
  shiftIcl: number;
  shiftFt: number;
  /** Between the two adapted conditions. */
  shiftIclFt: number;
}

/** Per-row summed log-probs of the answer tokens from logits data (B*T, V). */
function rowScores(out: RunOutput, b: ChoiceBatch): Float64Array {
  const { batch: B, time: T } = b.input;
  const V = out.vocab;
  const s = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < T; t++) {
      const i = r * T + t;
      if (!b.mask[i]) continue;
      const row = out.logits.subarray(i * V, (i + 1) * V);
      let max = -Infinity;
      for (let v = 0; v < V; v++) if (row[v] > max) max = row[v];
      let z = 0;
      for (let v = 0; v < V; v++) z += Math.exp(row[v] - max);
      s[r] += row[b.targets[i]] - max - Math.log(z);
    }
  }
  return s;
}

function marginOf(rows: readonly ChoiceRow[], queries: readonly Query[], scores: Float64Array): number {
  let total = 0;
  queries.forEach((q, qi) => {
    let right = -Infinity;
    let other = -Infinity;
    rows.forEach((r, i) => {
      if (r.q !== qi) return;
      if (r.choice === q.item.answer) right = scores[i]; else other = Math.max(other, scores[i]);
    });
    total += right - other;
  });
  return total / Math.max(1, queries.length);
}

function condition(lm: LocalModel, name: CircuitCondition['name'], queries: readonly Query[], adapter: string | null): CircuitCondition {
  lm.model.setAdapter(adapter);
  try {
    const rows = choiceRows(lm, queries);
    const batch = choiceBatch(rows, lm.tokenizer.pad);
    let cleanScores: Float64Array | null = null;
    const metric = (out: RunOutput): number => {
      const s = rowScores(out, batch);
      cleanScores ??= s;
      return marginOf(rows, queries, s);
    };
    const ablation = componentAblation(lm.model, batch.input, metric, { sites: ['hook_z', 'hook_mlp_out'] });
    const got = bestChoices(rows, cleanScores!, queries.length);
    const accuracy = got.filter((a, i) => a === queries[i].item.answer).length / Math.max(1, queries.length);
    return { name, accuracy, margin: ablation.clean, ablation, shares: Object.fromEntries(importanceShares(ablation)) };
  } finally {
    lm.model.setAdapter(null);
  }
}

/** The three conditions on the first `questions` test questions; `lm` must hold the FT_ADAPTER trained on `n` examples. */
export function measureCircuits(lm: LocalModel, def: SuiteDef, sizes: PatternSizes, seed: number, k: number, n: number, questions: number): CircuitResult {
  const withDemos = circuitQueries(def, sizes, seed, k).slice(0, questions);
  const zeroShot = withDemos.map((q) => ({ demos: [], item: q.item }));
  const base = condition(lm, 'base', zeroShot, null);
  const icl = condition(lm, 'icl', withDemos, null);
  const ft = condition(lm, 'ft', zeroShot, FT_ADAPTER);
  return {
    suite: def.name, seed, k, n, questions: withDemos.length, conditions: [base, icl, ft],
    shiftIcl: circuitShift(base.ablation, icl.ablation), shiftFt: circuitShift(base.ablation, ft.ablation), shiftIclFt: circuitShift(icl.ablation, ft.ablation),
  };
}
