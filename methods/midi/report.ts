/** Midi-Tuning's report: consistency, success and satisfaction per arm; cost per round with the cache on and off. */
import { beats, fmt, meanOf, shareOf, summarise, writeDialogueReport, type ClaimCheck, type MetricDef, type ScoredDialogue } from '../dialogue-report.ts';
import type { MidiSeedResult, MidiSizes } from './experiment.ts';

export const MIDI_ARMS = ['midi', 'flat', 'rules-expert', 'generic'];

type Round = ScoredDialogue['rounds'][number];
const done = (r: Round): boolean => r.done === true;
const kept = (r: Round): boolean => r.consistent === true;

export const MIDI_METRICS: MetricDef[] = [
  { key: 'consistency', head: 'consistency (rule kept | done)', explain: 'share of the rounds where the request was done in which no rule stated at round 0 was violated (placement, forbidden action, close what you open), judged on the simulator state', of: (d) => shareOf(d.rounds, kept, done) },
  { key: 'success', head: 'task success', explain: 'share of rounds whose request holds in the simulator at the end of the round', of: (d) => shareOf(d.rounds, done) },
  { key: 'satisfied', head: 'satisfied', explain: 'share of rounds done with no rule violated (the user says thanks)', of: (d) => shareOf(d.rounds, (r) => done(r) && kept(r)) },
];

export function midiDialogues(results: readonly MidiSeedResult[]): ScoredDialogue[] {
  return results.flatMap((r) => r.scores.map((s) => ({ arm: s.arm, seed: s.seed, rounds: s.rounds.map((x) => ({ round: x.round, done: x.done, consistent: x.consistent })) })));
}

export function costSummary(results: readonly MidiSeedResult[]): { rounds: Array<{ round: number; tokensOn: number; tokensOff: number; secondsOn: number; secondsOff: number }>; same: number; total: number } {
  const costs = results.flatMap((r) => r.costs);
  const T = Math.max(0, ...costs.map((c) => c.on.length));
  const rounds = Array.from({ length: T }, (_, t) => ({
    round: t + 1,
    tokensOn: meanOf(costs.map((c) => c.on[t]?.tokens ?? NaN)), tokensOff: meanOf(costs.map((c) => c.off[t]?.tokens ?? NaN)),
    secondsOn: meanOf(costs.map((c) => c.on[t]?.seconds ?? NaN)), secondsOff: meanOf(costs.map((c) => c.off[t]?.seconds ?? NaN)),
  }));
  return { rounds, same: costs.filter((c) => c.sameOutputs).length, total: costs.length };
}

export function writeMidiReport(out: string, results: readonly MidiSeedResult[], sizes: MidiSizes, notes: string[]): { md: string; claims: ClaimCheck[]; tables: ReturnType<typeof summarise> } {
  const dialogues = midiDialogues(results);
  const tables = summarise(dialogues, MIDI_ARMS, MIDI_METRICS);
  const get = (arm: string, k: string) => tables.find((t) => t.arm === arm)!.metrics[k];
  const cost = costSummary(results);
  const first = cost.rounds[0];
  const last = cost.rounds[cost.rounds.length - 1];
  const better = beats(tables, 'midi', 'flat', 'consistency');
  const worse = beats(tables, 'flat', 'midi', 'consistency');
  const claims: ClaimCheck[] = [
    { claim: 'Midi-Tuning keeps a rule given once at round 0 more consistently than flat fine-tuning on the same dialogues',
      held: better ? true : worse ? false : null,
      evidence: `consistency midi ${fmt(get('midi', 'consistency'))} vs flat ${fmt(get('flat', 'consistency'))}; ${better ? 'intervals disjoint' : worse ? 'flat higher, intervals disjoint' : 'intervals overlap'}` },
    { claim: 'with comparable task quality',
      held: beats(tables, 'flat', 'midi', 'success') ? false : true,
      evidence: `task success midi ${fmt(get('midi', 'success'))} vs flat ${fmt(get('flat', 'success'))}` },
    { claim: 'round-level caching feeds only the new tokens each round, with the same outputs',
      held: cost.total > 0 && cost.same === cost.total && last !== undefined && last.tokensOff > last.tokensOn,
      evidence: cost.total ? `${cost.same}/${cost.total} dialogues identical with the cache on and off; tokens fed at round 1: ${first.tokensOn.toFixed(0)} on / ${first.tokensOff.toFixed(0)} off, at round ${last.round}: ${last.tokensOn.toFixed(0)} on / ${last.tokensOff.toFixed(0)} off` : 'no cost runs' },
  ];
  const secs = (k: 'base' | 'midi' | 'flat') => meanOf(results.map((r) => r.trainSeconds[k]));
  const sections = [
    '## Cost per round (Midi agent, cache on vs off)', '',
    `Same outputs (transcripts and decoded tokens) with and without the cache: ${cost.same}/${cost.total} dialogues.`, '',
    '| round | tokens fed, cache on | tokens fed, cache off | s/round on | s/round off | time off/on |', '|---|---|---|---|---|---|',
    ...cost.rounds.map((r) => `| ${r.round} | ${r.tokensOn.toFixed(1)} | ${r.tokensOff.toFixed(1)} | ${r.secondsOn.toFixed(3)} | ${r.secondsOff.toFixed(3)} | ${(r.secondsOff / r.secondsOn).toFixed(2)} |`), '',
    '## Settings', '',
    `Sizes \`${sizes.name}\`: ${sizes.trainUsers} training users (expert dialogues of ${sizes.rounds} rounds), ${sizes.testUsers} unseen users per seed; model ${JSON.stringify(sizes.config)}; base ${sizes.baseSteps} steps at lr ${sizes.baseLr} on round-1 dialogues; each arm ${sizes.tuneSteps} steps of ${sizes.batch} dialogues at lr ${sizes.tuneLr}, LoRA rank ${sizes.rank}, α ${2 * sizes.rank}, β ${sizes.beta}. Training seconds per seed (mean): base ${secs('base').toFixed(0)}, midi ${secs('midi').toFixed(0)}, flat ${secs('flat').toFixed(0)}.`,
    '', `Agent turns past the model's context (answered with an empty plan): midi ${results.reduce((a, r) => a + (r.overflows?.midi ?? 0), 0)}, flat ${results.reduce((a, r) => a + (r.overflows?.flat ?? 0), 0)}.`,
    '', 'Reference arms: `rules-expert` is the symbolic listening agent (plans from the stated rules: the ceiling), `generic` plans with household defaults and ignores the rules (the floor).',
    '', ...notes,
  ];
  const md = writeDialogueReport(out, {
    method: 'midi', title: 'Midi-Tuning vs flat fine-tuning: instruction consistency over rounds', dialogues, arms: MIDI_ARMS, metrics: MIDI_METRICS,
    perRound: [
      { title: 'Rule kept (given done) by round', yLabel: 'consistency', file: 'consistency-by-round.svg', of: (r) => (done(r) ? (kept(r) ? 1 : 0) : NaN) },
      { title: 'Task success by round', yLabel: 'success', file: 'success-by-round.svg', of: (r) => (done(r) ? 1 : 0) },
    ],
    claims, sections, extra: { sizes, cost, losses: results.map((r) => ({ seed: r.seed, ...r.losses, trainSeconds: r.trainSeconds })) },
  }, tables);
  return { md, claims, tables };
}
