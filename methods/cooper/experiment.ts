/**
 * Cooper against a single agent on multi-goal household requests (spec §E): a request names
 * two or three things to put away (and sometimes "then make the living room cosy"), for a user
 * whose rules are stated upfront. Per seed, on the same expert episodes:
 *   - `cooper`: the aspect agents (methods/cooper/aspects.ts) propose candidates each step; a
 *     ranker (the local model scoring a candidate by its mean log-prob given the request, the
 *     rules and the aspects' summaries) picks one. It is trained with the margin ranking loss of
 *     alignment/losses.ts (pairwise, margin 0.2) plus 0.3·NLL of the expert's action, on
 *     pseudo-labels from the expert episodes: 2 for the expert's action, 1 for candidates of the
 *     aspect the expert acted on, 0 otherwise (Cooper's aspect-match > exact-match scheme);
 *   - `single`: one model of the same size, trained by SFT on the same prompts to write the
 *     expert's next action, decoding it greedily.
 * Evaluated on unseen users and requests: all goals done (multi-goal success), share of goals
 * done, rounds without a preference violation.
 */
import { join } from 'node:path';
import { createModel, type LocalModel } from '../../agent/local-model.ts';
import type { ModelConfig } from '../../agent/model.ts';
import { Tokenizer } from '../../agent/tokenizer.ts';
import { rankingLossFn, type RankingExample } from '../../alignment/ranking.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { Episode, type StepOutcome } from '../../env/episode.ts';
import { Prng } from '../../env/prng.ts';
import { beliefsFrom } from '../../dialogue/agents.ts';
import { expertPlan, type Instruction } from '../../dialogue/instructions.ts';
import { instructionDone, violated } from '../../dialogue/judge.ts';
import { PLACEMENT_OBJECTS, type Preference } from '../../dialogue/preferences.ts';
import { profilePreferences, sampleProfile } from '../../dialogue/profile.ts';
import { dialogueTask, nodeOf } from '../../dialogue/scene.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { splitUsers, type UserSpec } from '../midi/data.ts';
import { aspectView, multiGoalText, type Aspect } from './aspects.ts';

export interface CooperSizes { name: string; trainUsers: number; testUsers: number; steps: number; batch: number; lr: number; config: Partial<ModelConfig> }

export const TINY_COOPER: CooperSizes = { name: 'tiny', trainUsers: 6, testUsers: 3, steps: 3, batch: 4, lr: 3e-3, config: { vocabSize: 420, ctx: 256, layers: 1, d: 32, heads: 2, dropout: 0 } };
export const QUICK_COOPER: CooperSizes = { name: 'quick', trainUsers: 80, testUsers: 20, steps: 200, batch: 8, lr: 3e-3, config: { vocabSize: 420, ctx: 256, layers: 2, d: 64, heads: 4, dropout: 0 } };

export interface MultiGoalTask { user: UserSpec; goals: Instruction[]; rules: Map<string, Preference>; rulesText: string; prefs: Preference[] }

/** A user's multi-goal request: 2–3 things to put away (seeded), half the time then cosy. */
export function multiGoalTask(u: UserSpec): MultiGoalTask {
  const rng = new Prng((u.orderSeed * 7919 + 3) >>> 0);
  const objs = [...PLACEMENT_OBJECTS];
  for (let i = objs.length - 1; i > 0; i--) { const j = rng.int(i + 1); [objs[i], objs[j]] = [objs[j], objs[i]]; }
  const goals: Instruction[] = objs.slice(0, 2 + rng.int(2)).map((object) => ({ kind: 'put_away', object }));
  if (rng.next() < 0.5) goals.push({ kind: 'cosy' });
  const profile = sampleProfile(u.profileSeed, { disclosure: 'upfront' });
  const opening = new SimulatedUser(profile, { rounds: 1, seed: u.orderSeed }).opening();
  const rulesText = opening?.text ?? 'House rules: none.';
  return { user: u, goals, rules: beliefsFrom(opening ? [opening] : []), rulesText, prefs: profilePreferences(profile) };
}

export function rankerPrompt(t: MultiGoalTask, summaries: Record<Aspect, string>, last: string | undefined): string {
  return `${multiGoalText(t.goals)} ${t.rulesText} locate: ${summaries.locate}. manipulate: ${summaries.manipulate}. tidy: ${summaries.tidy}. preferences: ${summaries.preferences}. last: ${last ?? 'none'}. next:`;
}

/** The user leaves every thing of the request lying around (as the simulated user does per round). */
function startEpisode(t: MultiGoalTask): Episode {
  const ep = new Episode(dialogueTask(), { maxSteps: 200, seed: t.user.orderSeed });
  ep.reset();
  const user = new SimulatedUser(sampleProfile(t.user.profileSeed), { rounds: PLACEMENT_OBJECTS.length, seed: t.user.orderSeed, cosyLast: false });
  for (const g of t.goals) if (g.kind === 'put_away') user.prepare(user.tasks.findIndex((x) => x.kind === 'put_away' && x.object === g.object) + 1, ep.graph);
  return ep;
}

export interface EpisodeOutcome { goalsDone: number; goals: number; success: boolean; violations: string[]; steps: number }

type Chooser = (prompt: string, candidates: string[]) => Promise<string>;

/** Run a multi-goal task with a step-wise chooser (Cooper's ranker or the single agent). */
export async function playTask(t: MultiGoalTask, choose: Chooser, maxSteps = 6 * t.goals.length + 4): Promise<EpisodeOutcome> {
  const ep = startEpisode(t);
  const before = ep.graph.clone();
  const opened = new Set<number>();
  const steps: StepOutcome[] = [];
  let last: string | undefined;
  // Done when every goal holds and nothing the episode opened is left open (tidying up after
  // the last goal is part of the job: stopping at the goals would cut the expert's last Close).
  const finished = (): boolean => t.goals.every((x) => instructionDone(x, ep.graph)) && [...opened].every((id) => !ep.graph.node(id).states.has('OPEN'));
  while (steps.length < maxSteps && !ep.finished && !finished()) {
    const view = aspectView(t.goals, t.rules, ep, opened);
    const action = await choose(rankerPrompt(t, view.summaries, last), view.candidates.map((c) => c.action));
    const s = ep.step(action);
    if (s.ok && /^\[OPEN\]/.test(s.script ?? '')) opened.add(Number(/\((\d+)\)/.exec(s.script!)![1]));
    steps.push(s);
    last = action;
  }
  const goalsDone = t.goals.filter((x) => instructionDone(x, ep.graph)).length;
  const violations = [...new Set(t.goals.flatMap((goal) => t.prefs.filter((p) => violated(p, goal, before, ep.graph, steps)).map((p) => p.id)))];
  return { goalsDone, goals: t.goals.length, success: goalsDone === t.goals.length, violations, steps: steps.length };
}

/** The expert's episode with its aspect views: ranking examples (pseudo-labels) and SFT pairs. */
export function expertExamples(t: MultiGoalTask): { ranking: RankingExample[]; sft: Array<{ input: string; output: string }>; covered: number; steps: number } {
  const ep = startEpisode(t);
  const opened = new Set<number>();
  const ranking: RankingExample[] = [];
  const sft: Array<{ input: string; output: string }> = [];
  let last: string | undefined;
  let covered = 0;
  let steps = 0;
  for (const goal of t.goals) {
    for (const action of expertPlan(goal, t.rules, ep.graph)) {
      const view = aspectView(t.goals, t.rules, ep, opened);
      const prompt = rankerPrompt(t, view.summaries, last);
      sft.push({ input: prompt, output: ` ${action}` });
      const gold = view.candidates.find((c) => c.action === action);
      steps++;
      if (gold) {
        covered++;
        ranking.push({ prompt, candidates: view.candidates.map((c) => ` ${c.action}`), labels: view.candidates.map((c) => (c.action === action ? 2 : c.aspects.some((a) => gold.aspects.includes(a)) ? 1 : 0)), gold: ` ${action}` });
      }
      const s = ep.step(action);
      if (s.ok && /^\[OPEN\]/.test(s.script ?? '')) opened.add(nodeOf(ep.graph, action.replace(/^Open /, '').replace(/ /g, '_')));
      last = action;
    }
  }
  return { ranking, sft, covered, steps };
}

export interface CooperSeedResult {
  seed: number;
  outcomes: Array<{ arm: 'cooper' | 'single' | 'expert'; user: UserSpec; goals: number; outcome: EpisodeOutcome }>;
  coverage: number;
  losses: { cooper: number[]; single: number[] };
  trainSeconds: { cooper: number; single: number };
}

async function freshModel(corpus: string[], seed: number, sizes: CooperSizes, backend?: string): Promise<LocalModel> {
  return createModel({ tokenizer: Tokenizer.train(corpus, sizes.config.vocabSize ?? 420), seed, config: sizes.config, backend });
}

/**
 * Train both arms on one seed's expert episodes, then (unless `saveDir` is given: then save the
 * ranker and the single agent under it and stop) evaluate them on unseen users.
 */
export async function runCooperSeed(seed: number, sizes: CooperSizes, progress: (m: string) => void = () => {}, opts: { backend?: string; saveDir?: string } = {}): Promise<CooperSeedResult> {
  const users = splitUsers(seed + 7_000, sizes.trainUsers, sizes.testUsers);
  const trainTasks = users.train.map(multiGoalTask);
  const ex = trainTasks.map(expertExamples);
  const ranking = ex.flatMap((e) => e.ranking);
  const sft = ex.flatMap((e) => e.sft);
  const coverage = ex.reduce((a, e) => a + e.covered, 0) / Math.max(1, ex.reduce((a, e) => a + e.steps, 0));
  const corpus = [...sft.map((p) => p.input), ...sft.map((p) => p.output), ...ranking.flatMap((r) => r.candidates)];
  const trainer = (lm: LocalModel) => new Trainer(lm, { lr: sizes.lr, minLr: sizes.lr / 10, warmupSteps: Math.min(10, Math.ceil(sizes.steps / 10)), totalSteps: sizes.steps, weightDecay: 0, seed, microBatchRows: 64 });
  const rng = (s: number) => new Prng(s);

  progress(`seed ${seed}: cooper ranker on ${ranking.length} pseudo-labelled steps (${(100 * coverage).toFixed(0)}% of expert steps among the aspects' candidates)`);
  const ranker = await freshModel(corpus, seed, sizes, opts.backend);
  const single = await freshModel(corpus, seed, sizes, opts.backend);
  try {
    const t0 = performance.now();
    const rt = trainer(ranker);
    const lossFn = rankingLossFn(sizes.batch, { kind: 'pairwise', margin: 0.2, mode: 'log', alpha: 1, rankWeight: 1, nllWeight: 0.3, scale: 1 });
    const r1 = rng(seed + 1);
    const cooperLosses: number[] = [];
    for (let s = 0; s < sizes.steps; s++) {
      const batch = Array.from({ length: sizes.batch }, () => ranking[r1.int(ranking.length)]);
      cooperLosses.push(rt.stepWith([batch], lossFn).loss);
      if ((s + 1) % Math.max(1, Math.floor(sizes.steps / 4)) === 0) progress(`  cooper step ${s + 1}/${sizes.steps} loss ${cooperLosses[s].toFixed(3)}`);
    }
    rt.optimizer.dispose();
    const t1 = performance.now();
    progress(`seed ${seed}: single agent (SFT on the same ${sft.length} expert steps)`);
    const st = trainer(single);
    const r2 = rng(seed + 1);
    const singleLosses: number[] = [];
    for (let s = 0; s < sizes.steps; s++) {
      singleLosses.push(await st.trainStep(Array.from({ length: sizes.batch }, () => sft[r2.int(sft.length)])));
      if ((s + 1) % Math.max(1, Math.floor(sizes.steps / 4)) === 0) progress(`  single step ${s + 1}/${sizes.steps} loss ${singleLosses[s].toFixed(3)}`);
    }
    st.optimizer.dispose();
    const t2 = performance.now();
    const losses = { cooper: cooperLosses, single: singleLosses };
    const trainSeconds = { cooper: (t1 - t0) / 1000, single: (t2 - t1) / 1000 };
    if (opts.saveDir) {
      ranker.save(join(opts.saveDir, 'ranker'));
      single.save(join(opts.saveDir, 'single'));
      return { seed, outcomes: [], coverage, losses, trainSeconds };
    }

    const outcomes: CooperSeedResult['outcomes'] = [];
    const byRanker: Chooser = async (prompt, cands) => {
      if (cands.length === 0) return 'END';
      const scores = ranker.scorePairs(cands.map((c) => ({ input: prompt, output: ` ${c}` })), { average: 'mean', includeEos: true });
      return cands[scores.indexOf(Math.max(...scores))];
    };
    const bySingle: Chooser = async (prompt) => (await single.generate([prompt], { maxTokens: 16 }))[0].trim() || 'END';
    for (const [k, u] of users.test.entries()) {
      const t = multiGoalTask(u);
      outcomes.push({ arm: 'cooper', user: u, goals: t.goals.length, outcome: await playTask(t, byRanker) });
      outcomes.push({ arm: 'single', user: u, goals: t.goals.length, outcome: await playTask(t, bySingle) });
      const plan = expertExamples(t).sft.map((p) => p.output.trim());
      let i = 0;
      outcomes.push({ arm: 'expert', user: u, goals: t.goals.length, outcome: await playTask(t, async () => plan[i++] ?? 'END') });
      progress(`seed ${seed}: unseen user ${k + 1}/${users.test.length}`);
    }
    return { seed, outcomes, coverage, losses, trainSeconds };
  } finally {
    await ranker.dispose();
    await single.dispose();
  }
}
