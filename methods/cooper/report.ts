/** Cooper's report: multi-goal success of the aspect agents + ranker against a single agent. */
import { beats, fmt, meanOf, summarise, writeDialogueReport, type ClaimCheck, type MetricDef, type ScoredDialogue } from '../dialogue-report.ts';
import type { CooperSeedResult, CooperSizes } from './experiment.ts';

export const COOPER_ARMS = ['cooper', 'single', 'expert'];

const one = (d: ScoredDialogue) => d.rounds[0];
export const COOPER_METRICS: MetricDef[] = [
  { key: 'success', head: 'multi-goal success', explain: 'every goal of the request holds in the simulator at the end', of: (d) => (one(d).success ? 1 : 0) },
  { key: 'goals', head: 'goals done', explain: 'share of the request\'s goals that hold at the end', of: (d) => Number(one(d).goalsDone) / Number(one(d).goals) },
  { key: 'kept', head: 'no preference violated', explain: 'the episode violated none of the user\'s stated rules', of: (d) => (one(d).violations === 0 ? 1 : 0) },
  { key: 'steps', head: 'actions', explain: 'actions taken (the budget is 6 per goal + 4)', of: (d) => Number(one(d).steps) },
];

export function cooperDialogues(results: readonly CooperSeedResult[]): ScoredDialogue[] {
  return results.flatMap((r) => r.outcomes.map((o) => ({ arm: o.arm, seed: r.seed, rounds: [{ success: o.outcome.success, goalsDone: o.outcome.goalsDone, goals: o.outcome.goals, violations: o.outcome.violations.length, steps: o.outcome.steps }] })));
}

export function writeCooperReport(out: string, results: readonly CooperSeedResult[], sizes: CooperSizes, notes: string[]): { md: string; claims: ClaimCheck[]; tables: ReturnType<typeof summarise> } {
  const dialogues = cooperDialogues(results);
  const tables = summarise(dialogues, COOPER_ARMS, COOPER_METRICS);
  const get = (arm: string, k: string) => tables.find((t) => t.arm === arm)!.metrics[k];
  const better = beats(tables, 'cooper', 'single', 'success');
  const worse = beats(tables, 'single', 'cooper', 'success');
  const claims: ClaimCheck[] = [{
    claim: 'specialised aspect agents coordinated by a trained ranker reach complex (multi-goal) goals more often than a single agent',
    held: better ? true : worse ? false : null,
    evidence: `multi-goal success cooper ${fmt(get('cooper', 'success'))} vs single ${fmt(get('single', 'success'))}; goals done ${fmt(get('cooper', 'goals'))} vs ${fmt(get('single', 'goals'))}`,
  }];
  const sections = ['## Settings', '',
    `Sizes \`${sizes.name}\`: ${sizes.trainUsers} training users (one multi-goal request each: 2–3 things to put away, half of them then "make the living room cosy"; rules stated upfront), ${sizes.testUsers} unseen users per seed. Both models ${JSON.stringify(sizes.config)}, trained from scratch for ${sizes.steps} steps of ${sizes.batch} examples at lr ${sizes.lr} on the same expert episodes. The ranker's loss: pairwise margin ranking (margin 0.2) over the aspects' candidates scored by mean log-prob, + 0.3·NLL of the expert action (Cooper's 0.3·CE term, as an NLL); pseudo-labels 2 = the expert's action, 1 = a candidate of the aspect the expert acted on, 0 = other. ${(100 * meanOf(results.map((r) => r.coverage))).toFixed(1)}% of the expert's actions were among the aspects' candidates. Training seconds per seed (mean): cooper ${meanOf(results.map((r) => r.trainSeconds.cooper)).toFixed(0)}, single ${meanOf(results.map((r) => r.trainSeconds.single)).toFixed(0)}.`,
    '', 'The single agent sees the same prompt (request, rules, the aspects\' progress summaries, last action) and writes the action; `expert` replays the expert\'s plan (the ceiling). The aspect agents are symbolic (a reconstruction; Cooper prompts an LLM).',
    '', ...notes];
  const md = writeDialogueReport(out, { method: 'cooper', title: 'Cooper (aspect agents + ranker) vs a single agent on multi-goal requests', dialogues, arms: COOPER_ARMS, metrics: COOPER_METRICS, perRound: [], claims, sections,
    extra: { sizes, losses: results.map((r) => ({ seed: r.seed, ...r.losses, trainSeconds: r.trainSeconds })) } }, tables);
  return { md, claims, tables };
}
