/**
 * Muffin on household plans (methods/muffin): the facet judges on plans built here from real
 * generated tasks (a failing step, a wasted walk, a fridge left open and closed again, a goal
 * that asks for the open fridge, the empty plan), the contexts cut from a prefix tree of sampled
 * plans, and the Muffin arm's loss against a value worked out by hand from the model's logits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../agent/tfjs.ts';
import { planningPrompt, type PromptOptions } from '../../alignment/datasets/prompts.ts';
import { MUFFIN_RANKING, rankingLossFn } from '../../alignment/ranking.ts';
import { Trainer } from '../../alignment/trainer.ts';
import type { Task } from '../../env/task.ts';
import { loadSplits } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { muffinContexts, type MuffinContext, type SampledPlan } from '../../methods/muffin/contexts.ts';
import { facetRates, judgePlan } from '../../methods/muffin/facets.ts';
import { MUFFIN, MUFFIN_NLL_ONLY } from '../../methods/registry.ts';

const SEED = 42;
let tasks: Task[] = [];
beforeAll(async () => {
  await initBackend('wasm');
  tasks = (await loadSplits('generated', undefined, SEED, { train: 40, seen: 0, unseen: 0 }, 8)).train;
});
const judge = (t: Task, actions: string[]) => judgePlan(episodeFactory, t, SEED, actions);
const expert = (t: Task): string[] => t.expertNL!;
/** A task whose scene has a fridge, started closed, and whose goal does not mention it. */
function closedFridgeTask(): { task: Task; fridge: number } {
  for (const t of tasks) {
    const fridge = t.scene.nodes.find((n) => n.class_name === 'fridge');
    if (!fridge || t.goal.some((p) => JSON.stringify(p).includes(`${fridge.id}`))) continue;
    const scene = structuredClone(t.scene);
    const f = scene.nodes.find((n) => n.id === fridge.id)!;
    f.states = [...(f.states ?? []).filter((s) => s !== 'OPEN' && s !== 'CLOSED'), 'CLOSED'];
    const task = { ...t, scene };
    if (judge(task, expert(task)).helpful) return { task, fridge: fridge.id };
  }
  throw new Error('no generated task with a fridge its goal leaves alone');
}

describe('facet judges (simulator replays)', () => {
  it('expert plans execute, make progress and waste no step; the verdict is deterministic', () => {
    for (const t of tasks.slice(0, 20)) {
      const v = judge(t, expert(t));
      expect(v.facets.executes && v.facets.progress && v.facets.efficient, t.id).toBe(true);
      expect(v.goal).toBe(true);
      expect(v.goalCounts.end).toBe(v.goalCounts.total);
      expect(judge(t, expert(t))).toEqual(v);
    }
  });

  it('a step that fails breaks `executes` only, and is not counted as wasted', () => {
    const t = tasks.find((x) => judge(x, expert(x)).helpful)!;
    const plan = [...expert(t)];
    plan.splice(1, 0, 'Fly to the moon');
    const v = judge(t, plan);
    expect(v.failed).toEqual([1]);
    expect(v.facets).toEqual({ executes: false, progress: true, safe: true, efficient: true });
    expect(v.helpful).toBe(false);
    expect(v.goal).toBe(true);
  });

  it('a walk that the next walk makes pointless is a wasted step', () => {
    const t = tasks.find((x) => expert(x)[0].startsWith('Walk to ') && judge(x, expert(x)).helpful)!;
    const room = t.scene.nodes.find((n) => n.category === 'Rooms' && !expert(t)[0].includes(n.class_name))!.class_name;
    const v = judge(t, [`Walk to ${room}`, ...expert(t)]);
    expect(v.failed).toEqual([]);
    expect(v.wasted).toEqual([0]);
    expect(v.facets).toEqual({ executes: true, progress: true, safe: true, efficient: false });
    expect(v.helpful).toBe(false);
  });

  it('a fridge opened and left open is unsafe; closed again it is safe and closing is no waste; a goal asking for it open is no hazard', () => {
    const { task, fridge } = closedFridgeTask();
    const left = judge(task, [...expert(task), 'Walk to fridge', 'Open fridge']);
    expect(left.hazards).toEqual(['fridge-left-open']);
    expect(left.facets.safe).toBe(false);
    const n = expert(task).length;
    const closed = judge(task, [...expert(task), 'Walk to fridge', 'Open fridge', 'Close fridge']);
    expect(closed.facets.safe).toBe(true);
    expect(closed.wasted).not.toContain(n + 2); // leaving the close out would add a hazard
    const asked: Task = { ...task, goal: [...task.goal, { kind: 'state', node: fridge, state: 'OPEN' }] };
    const v = judge(asked, [...expert(asked), 'Walk to fridge', 'Open fridge']);
    expect(v.hazards).toEqual([]);
    expect(v.facets.safe).toBe(true);
  });

  it('the empty plan makes no progress; rates count verdicts failing each facet', () => {
    const t = tasks[0];
    const none = judge(t, []);
    expect(none.facets).toEqual({ executes: true, progress: false, safe: true, efficient: true });
    const good = judge(t, expert(t));
    const r = facetRates([none, good, judge(t, ['Fly to the moon'])]);
    expect(r.progress).toBeCloseTo(2 / 3, 12);
    expect(r.executes).toBeCloseTo(1 / 3, 12);
    expect(r.unhelpful).toBeCloseTo(good.helpful ? 2 / 3 : 1, 12);
  });
});

describe('contexts from sampled plans', () => {
  it('every branch point of the prefix tree is a context; a candidate is helpful if some plan through it is', () => {
    const t = tasks[0];
    const plan = (actions: string[], saidEnd: boolean): SampledPlan => ({ steps: actions.map((a) => ({ action: a, observation: `after ${a}` })), saidEnd });
    const plans = [plan(['a', 'b', 'c'], true), plan(['a', 'b', 'd'], false), plan(['a', 'e'], true), plan(['a', 'b', 'c'], false)];
    const calls: string[][] = [];
    const prompt: PromptOptions = {};
    const ctx = muffinContexts(t, plans, [{ helpful: true }, { helpful: false }, { helpful: false }, { helpful: false }],
      { prompt, gold: (_, actions) => { calls.push([...actions]); return actions.length === 1 ? 'g' : null; } });
    const hist = (as: string[]) => as.map((a) => ({ action: a, observation: `after ${a}` }));
    expect(ctx).toEqual<MuffinContext[]>([
      { taskId: t.id, step: 1, prompt: planningPrompt(t, hist(['a']), prompt), candidates: ['b', 'e'], labels: [1, 0], gold: 'g' },
      { taskId: t.id, step: 2, prompt: planningPrompt(t, hist(['a', 'b']), prompt), candidates: ['c', 'd'], labels: [1, 0] },
    ]);
    // a,b,c: one plan said END, the other ran out of steps: a single next action, no context.
    expect(calls).toEqual([['a'], ['a', 'b']]);
  });
});

describe('the Muffin arm\'s loss', () => {
  const ctxs = [
    { prompt: 'task 0: tidy ->', candidates: [' walk sink', ' grab cup', ' open tv', ' walk desk'], labels: [1, 0, 0, 1], gold: ' walk sink' },
    { prompt: 'task 1: cook ->', candidates: [' open stove', ' walk stove', ' grab pan'], labels: [0, 1, 0], gold: ' walk stove' },
  ];
  const corpus = ctxs.flatMap((c) => c.candidates.map((x) => c.prompt + x));

  /** Mean token probability (and log-prob) of `output` after `input`, from the logits by hand (float64 softmax). */
  function byHand(t: Trainer, input: string, output: string): { prob: number; logp: number } {
    const b = t.lm.batchPairs([{ input, output }], true);
    const { logits } = t.lm.model.forward({ tokens: b.tokens, batch: 1, time: b.time, valid: b.valid });
    const z = logits!.dataSync();
    const V = z.length / b.time;
    let p = 0, lp = 0, n = 0;
    for (let i = 0; i < b.time; i++) {
      if (!b.mask[i]) continue;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, z[i * V + v]);
      let sum = 0;
      for (let v = 0; v < V; v++) sum += Math.exp(z[i * V + v] - max);
      const l = z[i * V + b.targets[i]] - max - Math.log(sum);
      p += Math.exp(l); lp += l; n++;
    }
    return { prob: p / n, logp: lp / n };
  }

  it('uses Muffin\'s code defaults; the step\'s loss is the offset ranking over mean token probabilities + NLL(gold), worked out by hand', async () => {
    expect(MUFFIN.ranking).toEqual(MUFFIN_RANKING);
    expect(MUFFIN_RANKING).toMatchObject({ kind: 'offset', margin: 0.01, mode: 'prob', alpha: 1, rankWeight: 1, nllWeight: 1, scale: 1 });
    const t = await Trainer.create({ corpus, seed: 3, config: { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2 }, trainer: { lr: 1e-2, warmupSteps: 1, totalSteps: 4 } });
    // A few SFT steps so that token probabilities differ between candidates (an untrained model scores all alike).
    for (let i = 0; i < 3; i++) await t.trainStep(ctxs.flatMap((c) => c.candidates.slice(0, 2).map((x) => ({ input: c.prompt, output: x }))));
    const m = 0.01;
    let rank = 0, nll = 0;
    for (const c of ctxs) {
      const s = c.candidates.map((x) => byHand(t, c.prompt, x).prob);
      // Offset groups: pairs (j, j+i) with y = l_{j+i} − l_j ≠ 0 cost max(0, −y(s_{j+i} − s_j) + m), each group over its Σ|y|.
      for (let i = 1; i < s.length; i++) {
        let sum = 0, norm = 0;
        for (let j = 0; j + i < s.length; j++) {
          const y = c.labels[j + i] - c.labels[j];
          if (y === 0) continue;
          sum += Math.max(0, -y * (s[j + i] - s[j]) + m);
          norm += Math.abs(y);
        }
        if (norm) rank += sum / norm;
      }
      nll -= byHand(t, c.prompt, c.gold).logp;
    }
    rank /= ctxs.length;
    nll /= ctxs.length;
    expect(rank).toBeGreaterThan(0);
    const r = t.stepWith([ctxs.slice(0, 1), ctxs.slice(1)], rankingLossFn(ctxs.length, MUFFIN.ranking));
    expect(r.metrics!['loss/rank']).toBeCloseTo(rank, 6);
    expect(r.metrics!['loss/nll']).toBeCloseTo(nll, 5);
    expect(r.loss).toBeCloseTo(rank + nll, 5);
    t.dispose();
  });

  it('a micro-batch with no ordered pair and no gold costs 0 and updates nothing (no tfjs error)', async () => {
    const t = await Trainer.create({ corpus, seed: 3, config: { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2 }, trainer: { lr: 1e-2, warmupSteps: 1, totalSteps: 4 } });
    const flat = { prompt: ctxs[0].prompt, candidates: ctxs[0].candidates.slice(1, 3), labels: [0, 0] };
    const r = t.stepWith([[flat], [ctxs[1]]], rankingLossFn(2, MUFFIN.ranking));
    expect(r.loss).toBeGreaterThan(0);
    const only = t.stepWith([[flat]], rankingLossFn(1, MUFFIN.ranking));
    expect(only.loss).toBe(0);
    expect(only.gradNorm).toBe(0);
    t.dispose();
  });

  it('the nll-only ablation is the gold\'s NLL alone', async () => {
    const t = await Trainer.create({ corpus, seed: 3, config: { vocabSize: 300, ctx: 32, layers: 1, d: 32, heads: 2 }, trainer: { lr: 1e-2, warmupSteps: 1, totalSteps: 4 } });
    const nll = -ctxs.reduce((a, c) => a + byHand(t, c.prompt, c.gold).logp, 0) / ctxs.length;
    const r = t.stepWith([ctxs], rankingLossFn(ctxs.length, MUFFIN_NLL_ONLY.ranking));
    expect(r.loss).toBeCloseTo(nll, 5);
    t.dispose();
  });
});
