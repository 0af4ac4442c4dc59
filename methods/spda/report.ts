/** SPDA's report: preference violations per round and per session, evolving vs static profile. */
import { beats, fmt, meanOf, shareOf, summarise, writeDialogueReport, type ClaimCheck, type MetricDef, type ScoredDialogue } from '../dialogue-report.ts';
import { SPDA_ARMS, type SpdaSizes, type SpdaUserResult } from './experiment.ts';

type Round = ScoredDialogue['rounds'][number];
const violated = (r: Round): boolean => r.violated === true;

export function spdaMetrics(sessions: number): MetricDef[] {
  const inSession = (s: number) => (r: Round) => r.session === s;
  return [
    { key: 'violations', head: 'violation rate (all rounds)', explain: 'share of rounds in which any of the user\'s preferences was violated (simulator state)', of: (d) => shareOf(d.rounds, violated) },
    { key: 'first', head: 'violation rate, session 1', explain: 'the same in the first session (the profile is still empty)', of: (d) => shareOf(d.rounds, violated, inSession(1)) },
    { key: 'last', head: `violation rate, session ${sessions}`, explain: 'the same in the last session', of: (d) => shareOf(d.rounds, violated, inSession(sessions)) },
    { key: 'drop', head: 'fall (session 1 − last)', explain: 'how much the violation rate fell from the first to the last session, per user', of: (d) => shareOf(d.rounds, violated, inSession(1)) - shareOf(d.rounds, violated, inSession(sessions)) },
    { key: 'success', head: 'task success', explain: 'share of rounds whose request holds in the simulator', of: (d) => shareOf(d.rounds, (r) => r.done === true) },
  ];
}

export function spdaDialogues(results: readonly SpdaUserResult[]): ScoredDialogue[] {
  return results.map((r) => ({ arm: r.arm, seed: r.seed, rounds: r.rounds.map((x) => ({ session: x.session, round: x.round, violated: x.violated, done: x.done })) }));
}

export function writeSpdaReport(out: string, results: readonly SpdaUserResult[], sizes: SpdaSizes, notes: string[]): { md: string; claims: ClaimCheck[]; tables: ReturnType<typeof summarise> } {
  const metrics = spdaMetrics(sizes.sessions);
  const dialogues = spdaDialogues(results);
  const tables = summarise(dialogues, SPDA_ARMS, metrics);
  const get = (arm: string, k: string) => tables.find((t) => t.arm === arm)!.metrics[k];
  const faster = beats(tables, 'spda', 'static', 'drop');
  const claims: ClaimCheck[] = [
    { claim: 'an evolving, hierarchically refined profile fits the user better over rounds than a static one: the violation rate falls faster',
      held: faster, evidence: `fall session 1 → ${sizes.sessions}: spda ${fmt(get('spda', 'drop'))} vs static ${fmt(get('static', 'drop'))}; last session spda ${fmt(get('spda', 'last'))} vs static ${fmt(get('static', 'last'))}` },
    { claim: 'the edit budget keeps transitions smooth at the cost of speed',
      held: null, evidence: `session-2 violation rate spda (budget ${sizes.editBudget}) ${meanOf(results.filter((r) => r.arm === 'spda').map((r) => shareOf(r.rounds as unknown as Round[], violated, (x) => x.session === 2))).toFixed(3)} vs unbounded ${meanOf(results.filter((r) => r.arm === 'spda-unbounded').map((r) => shareOf(r.rounds as unknown as Round[], violated, (x) => x.session === 2))).toFixed(3)}; edits deferred by the budget: ${results.filter((r) => r.arm === 'spda').reduce((a, r) => a + r.deferred, 0)} (smoothness itself is not measured: the symbolic editor never contradicts itself)` },
  ];
  const agreement = SPDA_ARMS.map((arm) => {
    const mine = results.filter((r) => r.arm === arm);
    return `| ${arm} | ${Array.from({ length: sizes.sessions }, (_, s) => meanOf(mine.map((r) => r.agreement[s])).toFixed(3)).join(' | ')} |`;
  });
  const sections = [
    '## Profile agreement with the hidden profile (before each session)', '',
    `| arm | ${Array.from({ length: sizes.sessions }, (_, s) => `session ${s + 1}`).join(' | ')} |`, `|---|${Array.from({ length: sizes.sessions }, () => '---').join('|')}|`, ...agreement, '',
    '## Settings', '',
    `Sizes \`${sizes.name}\`: ${sizes.users} users per seed with hidden profiles (never stated upfront: a preference is stated after it is violated, or when asked), ${sizes.sessions} sessions of ${sizes.rounds} rounds each (every slot once per session, a new order each session); edit budget ${sizes.editBudget} attribute edits per session. The refiner is symbolic (reconstruction; the paper's refiner is an LLM), and so is the planner the profile conditions.`,
    '', ...notes,
  ];
  const md = writeDialogueReport(out, {
    method: 'spda', title: 'SPDA: evolving user profile vs static profile (preference violations over rounds)', dialogues, arms: [...SPDA_ARMS], metrics,
    perRound: [{ title: 'Preference violations per round (sessions one after another)', yLabel: 'violation rate', file: 'violations-by-round.svg', of: (r) => (violated(r) ? 1 : 0) }],
    claims, sections, extra: { sizes, profiles: results.filter((r) => r.arm === 'spda').map((r) => ({ seed: r.seed, user: r.user, text: r.profileText, edits: r.edits, deferred: r.deferred })) },
  }, tables);
  return { md, claims, tables };
}
