/**
 * A prompt-only rule baseline for self-feedback (issue 13 item 1): hand-written rules that
 * read nothing but the text of the feedback prompt the agent had (task, description, the
 * kept history of actions and observations, the proposed action) and say `Error` or `True`.
 * It is the reference row for the model's feedback accuracy: whatever these rules get right
 * is readable from the prompt, so a feedback head that does worse has not learned what its
 * input shows.
 *
 * A second, separate check reads the catalogue's properties of the named class (does a bed
 * have a switch?): failures it catches are readable from "which objects afford which
 * actions", knowledge outside the prompt that a model can only learn from data.
 *
 * The text is parsed, not the structured state: the rules see the observation cut to the
 * prompt's length, exactly as the model does.
 */
import { catalogueClass, displayName } from '../../env/catalogue/index.ts';
import { parseNLAction } from '../../env/nl.ts';

export interface ParsedPrompt {
  task: string;
  description: string;
  steps: Array<{ action: string; observation: string }>;
  /** The action whose feedback is asked for. */
  action: string;
}

/** Parse a feedback prompt (`…Task: …\nDescription: …\nstep1: …\nobservation1: …\nstepK: a\nFeedback: `). */
export function parseFeedbackPrompt(prompt: string): ParsedPrompt {
  const lines = prompt.split('\n');
  let task = '';
  let description = '';
  const steps: Array<{ action: string; observation: string }> = [];
  let action = '';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    if (l.startsWith('Task: ')) task = l.slice(6);
    else if (l.startsWith('Description: ')) description = l.slice(13);
    else if ((m = /^step\d+: (.*)$/.exec(l))) {
      const next = lines[i + 1] ?? '';
      const o = /^observation\d+: (.*)$/.exec(next);
      if (o) { steps.push({ action: m[1], observation: o[1] }); i++; } else action = m[1];
    }
  }
  return { task, description, steps, action };
}

/** Verbs that need the character close to their (last) object. */
const NEEDS_CLOSE = new Set(['GRAB', 'OPEN', 'CLOSE', 'SWITCHON', 'SWITCHOFF', 'PLUGIN', 'PLUGOUT', 'PUTBACK', 'PUTIN', 'WASH', 'WIPE', 'SIT', 'LIE', 'DRINK', 'POUR', 'RINSE', 'SCRUB']);
/** State a verb sets: asking for it when the prompt shows it already holds is an `already` failure. */
const SETS_STATE: Record<string, string> = {
  OPEN: 'OPEN', CLOSE: 'CLOSED', SWITCHON: 'ON', SWITCHOFF: 'OFF', PLUGIN: 'PLUGGED_IN', PLUGOUT: 'PLUGGED_OUT',
};
/** Property the executor checks on the verb's object (env/exec: `affErr`). */
const NEEDS_PROPERTY: Record<string, string[]> = {
  GRAB: ['GRABBABLE'], OPEN: ['CAN_OPEN'], CLOSE: ['CAN_OPEN'], SWITCHON: ['HAS_SWITCH'], SWITCHOFF: ['HAS_SWITCH'],
  PLUGIN: ['HAS_PLUG'], PLUGOUT: ['HAS_PLUG'], SIT: ['SITTABLE'], LIE: ['LIEABLE'], DRINK: ['DRINKABLE', 'RECIPIENT'],
  WATCH: ['LOOKABLE'], READ: ['READABLE'], EAT: ['EATABLE'], CUT: ['CUTTABLE'],
};

export type RuleName = 'parse' | 'unmentioned' | 'already' | 'not-close' | 'not-held' | 'hands-full';

/** The lower-case forms a class name can take in prompt text (`coffe_maker`, `coffe maker`, `coffee maker`). */
function forms(name: string): string[] {
  const n = name.toLowerCase();
  return [...new Set([n, n.replace(/_/g, ' '), displayName(n).toLowerCase()])];
}

/**
 * Doors, kitchens and living rooms: every generated house has them, so naming one the prompt
 * does not mention is no sign of failure (other rooms vary from house to house).
 */
const everyHouseHas = (name: string): boolean => ['door', 'kitchen', 'living_room'].includes(name.toLowerCase());

const mentions = (text: string, name: string): boolean => {
  const t = text.toLowerCase();
  return forms(name).some((f) => t.includes(f));
};

/**
 * The states the text gives for a class (`fridge is CLOSED and OFF` → CLOSED, OFF): one list
 * per mention (several instances of a class are each mentioned); undefined when not mentioned.
 */
function statesIn(observation: string, name: string): string[][] | undefined {
  const re = new RegExp(`(?:^|[ ,.])${name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is ([A-Z_]+(?: and [A-Z_]+)*)`, 'g');
  const all = [...observation.matchAll(re)].map((m) => m[1].split(' and '));
  return all.length ? all : undefined;
}

function heldIn(observation: string): string[] {
  const m = /You have ([^.]*)\./.exec(observation);
  return m ? m[1].split(', ').map((s) => s.trim().toLowerCase()) : [];
}

/**
 * The rules: which one (if any) says the action will fail, reading only the prompt text.
 * Order: the action does not parse; it names something the prompt never mentions; its effect
 * is shown to hold already; its object is not in the last observation (not close); a put
 * names something the last observation does not say is held; a grab with two things held.
 */
export function promptRule(p: ParsedPrompt): RuleName | null {
  const parsed = parseNLAction(p.action);
  if (!parsed.matched) return 'parse';
  const everything = [p.task, p.description, ...p.steps.flatMap((s) => [s.action, s.observation])].join('\n');
  if (parsed.names.some((n) => !mentions(everything, n) && !everyHouseHas(n))) return 'unmentioned';
  const last = p.steps.length ? p.steps[p.steps.length - 1].observation : '';
  const target = parsed.names[parsed.names.length - 1];
  const state = SETS_STATE[parsed.verb];
  if (state && target) {
    // The latest observation that describes the object says what its state is now.
    for (let i = p.steps.length - 1; i >= 0; i--) {
      const st = statesIn(p.steps[i].observation, target);
      // Only when every instance the text shows has the state (two doors, one open: unknown).
      if (st) { if (st.every((x) => x.includes(state))) return 'already'; break; }
    }
  }
  if (NEEDS_CLOSE.has(parsed.verb) && target && !mentions(last, target)) return 'not-close';
  const held = heldIn(last);
  if ((parsed.verb === 'PUTIN' || parsed.verb === 'PUTBACK' || parsed.verb === 'POUR') && !held.includes(parsed.names[0].toLowerCase())) return 'not-held';
  if (parsed.verb === 'GRAB' && held.length >= 2) return 'hands-full';
  return null;
}

/**
 * Whether the catalogue says the named object cannot take the action (a switch on a bed).
 * Unknown classes are not judged (null), nor verbs without a property check.
 */
export function affordanceRule(action: string): boolean | null {
  const parsed = parseNLAction(action);
  if (!parsed.matched) return null;
  const need = NEEDS_PROPERTY[parsed.verb];
  const target = parsed.names[0];
  if (!need || !target) return null;
  const cls = catalogueClass(target.toLowerCase());
  if (!cls) return null;
  return !need.some((x) => (cls.properties as readonly string[]).includes(x));
}
