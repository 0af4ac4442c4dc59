/**
 * SPDA against a static profile (spec §F, household mapping): each simulated user keeps its hidden
 * preferences and never states them upfront; it meets the agent for `sessions` sessions of
 * `rounds` requests (every slot comes up once per session, in a new order). Arms:
 *   - `spda`: the evolving profile, refined after each session (attribute edits under the edit
 *     budget, then a profile rewrite), conditions the plans of the next sessions;
 *   - `spda-unbounded`: the same without an edit budget (how much the budget slows it);
 *   - `static`: a static generic profile (household defaults); like every arm it also heeds what
 *     the user says within the current session, but keeps nothing across sessions.
 * Every round is judged on the simulator: a round violates when any of the user's preferences
 * is violated.
 */
import { sampleProfile } from '../../dialogue/profile.ts';
import { beliefsFrom, instructionOfView } from '../../dialogue/agents.ts';
import { expertPlan, planText } from '../../dialogue/instructions.ts';
import { PLACEMENT_OBJECTS, type Preference } from '../../dialogue/preferences.ts';
import { runDialogue, type DialogueAgent } from '../../dialogue/session.ts';
import { SimulatedUser } from '../../dialogue/user.ts';
import { emptyProfile, profileAgreement, proposeEdits, refine, type AgentProfile } from './profile.ts';

export interface SpdaSizes { name: string; users: number; sessions: number; rounds: number; editBudget: number }

export const TINY_SPDA: SpdaSizes = { name: 'tiny', users: 4, sessions: 3, rounds: PLACEMENT_OBJECTS.length + 1, editBudget: 2 };
export const QUICK_SPDA: SpdaSizes = { name: 'quick', users: 40, sessions: 5, rounds: PLACEMENT_OBJECTS.length + 1, editBudget: 2 };

export type SpdaArm = 'spda' | 'spda-unbounded' | 'static';
export const SPDA_ARMS: SpdaArm[] = ['spda', 'spda-unbounded', 'static'];

export interface SpdaRound { session: number; round: number; violated: boolean; done: boolean; violations: string[] }
export interface SpdaUserResult { seed: number; arm: SpdaArm; user: number; rounds: SpdaRound[]; agreement: number[]; edits: number; deferred: number; profileText: string }

/** Plans from the profile text, overridden by what the user said in this session. */
export function profileAgent(profile: AgentProfile): DialogueAgent {
  const fromProfile = beliefsFrom([{ round: 0, speaker: 'user', kind: 'rules', text: profile.text || '-' }]);
  return (view) => {
    const beliefs = new Map<string, Preference>([...fromProfile, ...beliefsFrom(view.transcript)]);
    return planText(expertPlan(instructionOfView(view.transcript, view.round), beliefs, view.episode.graph));
  };
}

export async function runSpdaUser(seed: number, user: number, arm: SpdaArm, sizes: SpdaSizes): Promise<SpdaUserResult> {
  const profileSeed = seed * 1_000_003 + user;
  const hidden = sampleProfile(profileSeed, { disclosure: 'hidden' });
  let profile = emptyProfile();
  const rounds: SpdaRound[] = [];
  const agreement: number[] = [];
  for (let s = 0; s < sizes.sessions; s++) {
    const u = new SimulatedUser(hidden, { rounds: sizes.rounds, seed: profileSeed * 31 + s });
    agreement.push(profileAgreement(profile, u.prefs));
    const r = await runDialogue(u, profileAgent(arm === 'static' ? emptyProfile() : profile));
    for (const x of r.rounds) rounds.push({ session: s + 1, round: x.round, violated: x.judgement.violations.length > 0, done: x.judgement.done, violations: x.judgement.violations });
    if (arm !== 'static') profile = refine(profile, proposeEdits(r.transcript, r.rounds, s + 1), arm === 'spda' ? sizes.editBudget : Infinity);
  }
  return { seed, arm, user, rounds, agreement, edits: profile.edits, deferred: profile.deferred, profileText: profile.text };
}

export async function runSpdaSeed(seed: number, sizes: SpdaSizes, progress: (m: string) => void = () => {}): Promise<SpdaUserResult[]> {
  const out: SpdaUserResult[] = [];
  for (let u = 0; u < sizes.users; u++) for (const arm of SPDA_ARMS) out.push(await runSpdaUser(seed, u, arm, sizes));
  progress(`seed ${seed}: ${sizes.users} users x ${sizes.sessions} sessions x ${sizes.rounds} rounds, ${SPDA_ARMS.length} arms`);
  return out;
}
