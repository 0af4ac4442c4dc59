/**
 * Symbolic dialogue agents (references and baselines; the language-model agents are in
 * methods/): they plan with `expertPlan` from beliefs about the user. `beliefsFrom` reads the
 * user's words in the transcript (a preference is believed when the user stated it; a later
 * statement for the same slot replaces an earlier one).
 */
import { parseInstruction } from './instruction-text.ts';
import { CATALOGUE, statement, type Preference } from './preferences.ts';
import { expertPlan, planText, type Beliefs, type Instruction } from './instructions.ts';
import type { Utterance } from './schemas.ts';
import type { DialogueAgent } from './session.ts';

const STATEMENTS: ReadonlyArray<[string, Preference]> = [...CATALOGUE.values()].map((p) => [statement(p).toLowerCase(), p]);

/** Preferences the user's utterances state, by slot (later statements win). */
export function beliefsFrom(transcript: readonly Utterance[]): Map<string, Preference> {
  const out = new Map<string, Preference>();
  for (const u of transcript) {
    if (u.speaker !== 'user') continue;
    const text = u.text.toLowerCase();
    for (const [s, p] of STATEMENTS) if (text.includes(s)) out.set(p.slot, p);
  }
  return out;
}

/** Plans from what the user said (round-0 rules, answers, reactions). */
export const listeningAgent: DialogueAgent = (view) => {
  const i = instructionOfView(view.transcript, view.round);
  return planText(expertPlan(i, beliefsFrom(view.transcript), view.episode.graph));
};

/** Plans from fixed beliefs (empty: the generic household defaults), ignoring the user. */
export function fixedBeliefAgent(beliefs: Beliefs): DialogueAgent {
  return (view) => planText(expertPlan(instructionOfView(view.transcript, view.round), beliefs, view.episode.graph));
}

/** The instruction of `round`, read from the user's words. */
export function instructionOfView(transcript: readonly Utterance[], round: number): Instruction {
  const u = [...transcript].reverse().find((x) => x.round === round && x.kind === 'instruction');
  if (!u) throw new Error(`no instruction for round ${round} in the transcript`);
  const i = parseInstruction(u.text);
  if (!i) throw new Error(`cannot read the instruction "${u.text}"`);
  return i;
}
