/**
 * SPDA's evolving user profile (spec §F, reconstructed for a household agent): the agent keeps
 * what it believes about this user as attributes (one per preference slot, each with the
 * evidence it came from) and as a profile text it conditions its plans on. After each session it
 * refines the profile hierarchically:
 *   1. attribute level: evidence from the session (a preference the user stated — a correction
 *      after a violation, or an answer — and, weaker, a placement the user thanked for) proposes
 *      edits; at most `editBudget` of them are applied, corrections first (stability: a profile
 *      changes by a few attributes per session, SPDA's "smooth transition");
 *   2. profile level: the profile text is rewritten from the attributes, so the text never
 *      contradicts itself and holds one statement per slot.
 * The editor is symbolic (rule-based) rather than the paper's LLM refiner [unverified mapping].
 */
import { beliefsFrom } from '../../dialogue/agents.ts';
import { CATALOGUE, placementId, statement, type Preference } from '../../dialogue/preferences.ts';
import type { RoundRecord } from '../../dialogue/session.ts';
import type { Utterance } from '../../dialogue/schemas.ts';

export type Evidence = 'stated' | 'thanked';

export interface Attribute { preference: string; evidence: Evidence; since: number }

export interface AgentProfile {
  /** slot → attribute */
  attributes: Map<string, Attribute>;
  /** The rewritten profile the planner reads (one sentence per slot). */
  text: string;
  /** Edits applied so far (attribute changes), and proposed edits left out by the budget. */
  edits: number;
  deferred: number;
}

export function emptyProfile(): AgentProfile {
  return { attributes: new Map(), text: '', edits: 0, deferred: 0 };
}

/** Profile-level rewrite: one statement per attribute, in catalogue order. */
export function rewrite(attributes: ReadonlyMap<string, Attribute>): string {
  const order = [...CATALOGUE.keys()];
  const prefs = [...attributes.values()].map((a) => a.preference).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return prefs.map((id) => `${statement(CATALOGUE.get(id)!)}.`).join(' ');
}

const rank: Record<Evidence, number> = { stated: 2, thanked: 1 };

/** Edits a session's transcript and rounds propose: slot → (preference, evidence). */
export function proposeEdits(transcript: readonly Utterance[], rounds: readonly RoundRecord[], session: number): Attribute[] {
  const out = new Map<string, Attribute>();
  // Stated by the user (answers, corrections in reactions): the strongest evidence.
  for (const [slot, p] of beliefsFrom(transcript)) out.set(slot, { preference: p.id, evidence: 'stated', since: session });
  // A put-away the user thanked for: the place used was right.
  for (const r of rounds) {
    if (r.instruction.kind !== 'put_away' || !r.judgement.satisfied) continue;
    const slot = `place.${r.instruction.object}`;
    const m = new RegExp(`Put ${r.instruction.object.replace(/_/g, ' ')} (on|in) ([a-z ]+)`, 'i').exec(r.plan);
    if (!m || out.has(slot)) continue;
    const id = placementId(r.instruction.object, { relation: m[1].toLowerCase() === 'on' ? 'ON' : 'INSIDE', target: m[2].trim().replace(/ /g, '_') });
    if (CATALOGUE.has(id)) out.set(slot, { preference: id, evidence: 'thanked', since: session });
  }
  return [...out.values()];
}

/**
 * Attribute-level edits under the budget (an edit changes or adds a slot's preference; evidence
 * that agrees with the profile costs nothing; weaker evidence never overrides stronger), then
 * the profile-level rewrite.
 */
export function refine(profile: AgentProfile, proposals: readonly Attribute[], editBudget: number): AgentProfile {
  const attributes = new Map(profile.attributes);
  const slotOf = (id: string): string => CATALOGUE.get(id)!.slot;
  const changes = proposals
    .filter((a) => {
      const cur = attributes.get(slotOf(a.preference));
      return !cur || (cur.preference !== a.preference && rank[a.evidence] >= rank[cur.evidence]);
    })
    .sort((x, y) => rank[y.evidence] - rank[x.evidence]);
  const applied = changes.slice(0, Math.max(0, editBudget));
  for (const a of applied) attributes.set(slotOf(a.preference), a);
  // Agreeing evidence upgrades an attribute's evidence for free.
  for (const a of proposals) {
    const cur = attributes.get(slotOf(a.preference));
    if (cur && cur.preference === a.preference && rank[a.evidence] > rank[cur.evidence]) attributes.set(slotOf(a.preference), a);
  }
  return { attributes, text: rewrite(attributes), edits: profile.edits + applied.length, deferred: profile.deferred + changes.length - applied.length };
}

/** How many of the hidden profile's preferences the agent's profile holds (drift from the user). */
export function profileAgreement(profile: AgentProfile, hidden: readonly Preference[]): number {
  if (hidden.length === 0) return 1;
  return hidden.filter((p) => profile.attributes.get(p.slot)?.preference === p.id).length / hidden.length;
}
