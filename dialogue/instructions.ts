/**
 * What the user asks for in a round, and the plans that fulfil it: `put_away` (a thing the user
 * left lying around goes to its place) and `cosy` (make the living room cosy: sit on the sofa;
 * the generic plan also switches on the TV, which some users forbid). Plans are E2CL actions
 * joined as sentences (`Walk to cup. Grab cup. ...`), the text an agent utters.
 */
import type { SceneGraph } from '../env/graph.ts';
import { PLACEMENT_OPTIONS, type Placement, type Preference } from './preferences.ts';

export type Instruction = { kind: 'put_away'; object: string } | { kind: 'cosy' };

const words = (cls: string): string => cls.replace(/_/g, ' ');

export function instructionText(i: Instruction): string {
  return i.kind === 'put_away' ? `please put the ${words(i.object)} away.` : 'please make the living room cosy.';
}

export function instructionKey(i: Instruction): string {
  return i.kind === 'put_away' ? `put_away.${i.object}` : 'cosy';
}

/** A plan utterance → its actions (sentences; a trailing period optional, blank ones dropped). */
export function parsePlan(text: string): string[] {
  return text.split(/[.\n]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function planText(actions: readonly string[]): string {
  return actions.map((a) => `${a}.`).join(' ');
}

/** A question is an utterance ending with `?`. */
export const isQuestion = (text: string): boolean => text.trim().endsWith('?');

/** What an agent believes about the user when it plans (known preferences by slot). */
export type Beliefs = ReadonlyMap<string, Preference>;

/** Where an agent puts `object`: the believed place, else the catalogue's first option (the generic default). */
export function believedPlace(object: string, beliefs: Beliefs): Placement {
  const p = beliefs.get(`place.${object}`);
  return p?.kind === 'placement' ? p.place : PLACEMENT_OPTIONS[object][0];
}

/**
 * The plan a competent agent with these beliefs utters (the expert of the training dialogues,
 * and the planner the SPDA and Cooper agents condition on their profile). `graph` tells which
 * destinations are closed and must be opened.
 */
export function expertPlan(i: Instruction, beliefs: Beliefs, graph: SceneGraph): string[] {
  const close = beliefs.has('close');
  if (i.kind === 'cosy') {
    const tv = beliefs.get('tv')?.kind === 'forbid' ? [] : ['Walk to tv', 'Switch on tv'];
    return [...tv, 'Walk to sofa', 'Sit on sofa'];
  }
  const o = words(i.object);
  const place = believedPlace(i.object, beliefs);
  const t = words(place.target);
  const target = graph.byClassName(place.target)[0];
  const closed = target !== undefined && graph.node(target).states.has('CLOSED');
  const out = [`Walk to ${o}`, `Grab ${o}`, `Walk to ${t}`];
  if (closed) out.push(`Open ${t}`);
  out.push(place.relation === 'ON' ? `Put ${o} on ${t}` : `Put ${o} in ${t}`);
  if (closed && close) out.push(`Close ${t}`);
  return out;
}
