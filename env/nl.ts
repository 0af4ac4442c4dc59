/**
 * Natural-language actions as E2CL writes them (`Walk to kitchen`, `Put cup in fridge`,
 * spec/e2cl.md §1): the template parser, the grounding of object names to node ids, and the
 * harness-level messages, in the authors' order:
 *
 *   parse (templates, else first-word fallback) → ground names → verb check → arity check
 *
 * The result is a ScriptLine for the executor, or a typed Failure whose `message` is the
 * authors' text verbatim (`cup isn't available in the environment.`).
 *
 * Grounding rule (the authors' `change_obj_index`, made deterministic):
 * - One name. Candidates are the nodes whose class_name equals the name exactly (spaces →
 *   underscores; no synonyms). Priority: (1) the id this name was already bound to in this
 *   episode; (2) an instance related to the last interacted object (CLOSE or INSIDE, either
 *   direction), else an instance CLOSE to the agent (either direction): the first such in scene
 *   order (the authors take whatever a Python set yields last); (3) a seeded choice among all
 *   instances (the authors: unseeded `random.choice`). No candidate →
 *   `{obj} isn't available in the environment.` The chosen id is bound to the name and becomes
 *   the last interacted object.
 * - Two names (put on / put in / pour). The first must be held: a seeded choice among the held
 *   instances of its class (`{obj} not in hand. Robot agent should hold {obj} firstly.`), bound
 *   to its name; the second is grounded as above; the same id twice →
 *   `{obj} can't be put or pour into itself.` (the first binding stays, as in the authors' code,
 *   where the dict is shared). The second becomes the last interacted object.
 * - The seeded choice draws from the episode's PRNG only when there are two or more candidates,
 *   and picks among the candidates in scene (load) order; so a seed and an action sequence fix
 *   every binding.
 */
import { ACTIONS } from './actions.ts';
import type { Failure, FailureCode } from './failure.ts';
import type { SceneGraph } from './graph.ts';
import { Prng } from './prng.ts';
import { formatScriptLine } from './script.ts';
import type { ScriptArg, ScriptLine } from './script-types.ts';

export interface NLTemplate {
  /** The action's enum name. */
  action: string;
  /** The template as the authors write it, `{}` marking an object slot. */
  template: string;
  /** The action's arity in the authors' table (RELEASE: 1, though its template has no slot). */
  arity: 0 | 1 | 2;
}

const t = (action: string, arity: 0 | 1 | 2, template: string): NLTemplate => ({ action, arity, template });

/** The authors' action table, in its order (42 entries: the enum without LOOKAT_SHORT/LONG). */
export const NL_TEMPLATES: readonly NLTemplate[] = [
  t('CLOSE', 1, 'close {}'), t('DRINK', 1, 'drink {}'), t('FIND', 1, 'find {}'), t('WALK', 1, 'walk to {}'),
  t('GRAB', 1, 'grab {}'), t('LOOKAT', 1, 'look at {}'), t('OPEN', 1, 'open {}'), t('POINTAT', 1, 'point at {}'),
  t('PUTBACK', 2, 'put {} on {}'), t('PUTIN', 2, 'put {} in {}'), t('PUTOBJBACK', 1, 'put back {}'),
  t('RUN', 1, 'run to {}'), t('SIT', 1, 'sit on {}'), t('STANDUP', 0, 'stand up'), t('SWITCHOFF', 1, 'switch off {}'),
  t('SWITCHON', 1, 'switch on {}'), t('TOUCH', 1, 'touch {}'), t('TURNTO', 1, 'turn to {}'), t('WATCH', 1, 'watch {}'),
  t('WIPE', 1, 'wipe {}'), t('PUTON', 1, 'put on {}'), t('PUTOFF', 1, 'take off {}'), t('GREET', 1, 'greet {}'),
  t('DROP', 1, 'drop {}'), t('READ', 1, 'read {}'), t('LIE', 1, 'lie on {}'), t('POUR', 2, 'pour {} into {}'),
  t('TYPE', 1, 'type on {}'), t('PUSH', 1, 'push {}'), t('PULL', 1, 'pull {}'), t('MOVE', 1, 'move {}'),
  t('WASH', 1, 'wash {}'), t('RINSE', 1, 'rinse {}'), t('SCRUB', 1, 'scrub {}'), t('SQUEEZE', 1, 'squeeze {}'),
  t('PLUGIN', 1, 'plug in {}'), t('PLUGOUT', 1, 'plug out {}'), t('CUT', 1, 'cut {}'), t('EAT', 1, 'eat {}'),
  t('SLEEP', 0, 'sleep'), t('WAKEUP', 0, 'wake up'), t('RELEASE', 1, 'release'),
];

/** Verbs the agent "has the ability" to use: the authors' enum members. */
export const NL_VERBS: ReadonlyMap<string, NLTemplate> = new Map(NL_TEMPLATES.map((x) => [x.action, x]));

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Python `parse.parse(template, line)`: a full, case-insensitive match, `{}` = `.+?`. */
const COMPILED = NL_TEMPLATES.map((tp) => ({
  tp,
  re: new RegExp(`^${tp.template.split('{}').map(escapeRe).join('(.+?)')}$`, 'is'),
  slots: tp.template.split('{}').length - 1,
}));

export interface NLParsed {
  /** Upper-case verb: the enum name when a template matched, else the fallback's first word. */
  verb: string;
  /** Object names as they go into the script line (template: lower-case, spaces → `_`). */
  names: string[];
  /** True when exactly one template matched; false for the first-word fallback. */
  matched: boolean;
}

/**
 * The authors' `str2program_list` for one action: lower-case, strip, keep what follows the
 * first `:`, then exactly one template must match with as many slots as the action's arity.
 * Otherwise the fallback: the original text (after the `:` cut), split on single spaces,
 * the upper-cased first word as verb and the rest as 0, 1 or 2 names (4+ words: one name
 * joined with `_`). Names keep the agent's case in the fallback, as in the authors' code.
 * Deviation: the fallback text is trimmed (the authors split an untrimmed line).
 */
export function parseNLAction(text: string): NLParsed {
  let line = String(text).toLowerCase().trim();
  const colon = line.indexOf(':');
  if (colon >= 0) line = line.slice(colon + 1).trim();
  const hits: Array<{ tp: NLTemplate; names: string[] }> = [];
  for (const { tp, re, slots } of COMPILED) {
    const m = re.exec(line);
    if (m && slots === tp.arity) hits.push({ tp, names: m.slice(1).map((s) => s.replace(/ /g, '_')) });
  }
  if (hits.length === 1) return { verb: hits[0].tp.action, names: hits[0].names, matched: true };

  let raw = String(text);
  const c = raw.indexOf(':');
  raw = (c >= 0 ? raw.slice(c + 1) : raw).trim();
  if (raw.length === 0) return { verb: 'EMPTY', names: [], matched: false };
  const words = raw.split(' ');
  const verb = words[0].toUpperCase();
  if (words.length === 1) return { verb, names: [], matched: false };
  if (words.length === 2) return { verb, names: [words[1]], matched: false };
  if (words.length === 3) return { verb, names: [words[1], words[2]], matched: false };
  return { verb, names: [words.slice(1).join('_')], matched: false };
}

/**
 * The inverse of a template match: an NL action from a verb and object names as the expert
 * writes it (`PUTBACK`, [food_donut, desk] → `Put food donut on desk`; `_` shown as spaces,
 * first letter upper-case), or null when the verb has no template with that many slots.
 */
export function renderNLAction(verb: string, names: readonly string[]): string | null {
  const tp = NL_VERBS.get(verb);
  if (!tp || tp.template.split('{}').length - 1 !== names.length) return null;
  let i = 0;
  const text = tp.template.replace(/\{\}/g, () => names[i++].replace(/_/g, ' '));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The authors' intermediate line before grounding, e.g. `[PUTIN] <cup> (1) <fridge> (1)`. */
export function pseudoScript(p: NLParsed): string {
  return [`[${p.verb}]`, ...p.names.map((n) => `<${n}> (1)`)].join(' ');
}

// ---- harness-level messages (spec/e2cl.md §1, verbatim) ----------------------------------

export const nlMessages = {
  unavailable: (obj: string) => `${obj} isn't available in the environment.`,
  notInHand: (obj: string) => `${obj} not in hand. Robot agent should hold ${obj} firstly.`,
  itself: (obj: string) => `${obj} can't be put or pour into itself.`,
  noAbility: (action: string) => `agent doesn't have ability to ${action}`,
  arity: (action: string, n: number, m: number) => `${action} needs ${n} parameters. But there are ${m} parameters.`,
};

export type GroundResult =
  | { ok: true; line: ScriptLine; parsed: NLParsed }
  | { ok: false; failure: Failure; parsed: NLParsed };

function failure(code: FailureCode, action: string, args: Array<number | string>, predicate: string, message: string): Failure {
  return { code, action, args, predicate, message };
}

export interface GrounderOptions {
  /** Seed of the grounding PRNG (the episode seed). */
  seed: number;
  /** Bindings known before the first step (the dataset's `object_id_dict`). */
  bindings?: Readonly<Record<string, number>>;
}

/**
 * Grounds NL actions in one episode. Keeps the name → id bindings and the last interacted
 * object across steps, so create one per episode (next to the episode's one Executor).
 */
export class NLGrounder {
  private readonly graph: SceneGraph;
  private readonly character: number;
  private readonly rng: Prng;
  private readonly bound = new Map<string, number>();
  private last: number | undefined;
  private drawn = 0;

  constructor(graph: SceneGraph, character: number, options: GrounderOptions) {
    this.graph = graph;
    this.character = character;
    this.rng = new Prng(options.seed);
    for (const [k, v] of Object.entries(options.bindings ?? {})) this.bound.set(k, v);
  }

  /** name → id bound so far (insertion order). */
  bindings(): ReadonlyMap<string, number> { return this.bound; }

  /** The last interacted object (the grounding target of the previous grounded action). */
  lastObject(): number | undefined { return this.last; }

  /** PRNG draws made so far (one per seeded choice), so a planner can predict the next ones. */
  draws(): number { return this.drawn; }

  /** Parse and ground one NL action into a script line (index 0, as the authors execute it). */
  ground(text: string): GroundResult {
    const parsed = parseNLAction(text);
    const { verb, names } = parsed;
    const fail = (f: Failure): GroundResult => ({ ok: false, failure: f, parsed });

    const ids: number[] = [];
    if (names.length === 1) {
      const id = this.groundOne(names[0]);
      if (id === undefined) return fail(failure('unknown_object', verb, names, `exists(${names[0]})`, nlMessages.unavailable(names[0])));
      ids.push(id);
      this.last = id;
    } else if (names.length === 2) {
      const [a, b] = names;
      const held = this.graph.byClassName(a).filter((id) => this.isHeld(id));
      if (held.length === 0) {
        return fail(failure('missing_step', verb, names, `holding(character, ${a})`, nlMessages.notInHand(a)));
      }
      const id1 = this.choose(held);
      this.bound.set(a, id1);
      const id2 = this.groundOne(b);
      if (id2 === undefined) return fail(failure('unknown_object', verb, [id1, b], `exists(${b})`, nlMessages.unavailable(b)));
      if (id1 === id2) return fail(failure('parse', verb, [id1, id2], `distinct(${a}, ${b})`, nlMessages.itself(a)));
      ids.push(id1, id2);
      this.last = id2;
    }

    const tp = NL_VERBS.get(verb);
    if (!tp) return fail(failure('unknown_action', verb, ids.length ? ids : names, `action(${verb})`, nlMessages.noAbility(verb)));
    if (tp.arity !== names.length) {
      return fail(failure('wrong_arity', verb, ids.length ? ids : names, `arity(${verb})`, nlMessages.arity(verb, tp.arity, names.length)));
    }
    // Every NL verb is an enum member; resolve through the action table for the canonical name.
    const action = ACTIONS.get(verb)?.name ?? verb;
    const args: ScriptArg[] = names.map((name, i) => ({ name, id: ids[i] }));
    const line: ScriptLine = { action, args, index: 0, text: '' };
    line.text = formatScriptLine(line);
    return { ok: true, line, parsed };
  }

  private isHeld(id: number): boolean {
    return this.graph.hasEdge(this.character, 'HOLDS_RH', id) || this.graph.hasEdge(this.character, 'HOLDS_LH', id);
  }

  private choose(ids: readonly number[]): number {
    if (ids.length === 1) return ids[0];
    this.drawn++;
    return this.rng.pick(ids);
  }

  /** One name → id by the priority rule in the header, binding it; undefined if no instance. */
  private groundOne(name: string): number | undefined {
    const candidates = this.graph.byClassName(name);
    if (candidates.length === 0) return undefined;
    const prior = this.bound.get(name);
    if (prior !== undefined) return prior;
    const g = this.graph;
    const last = this.last;
    let id: number | undefined;
    if (last !== undefined) {
      id = candidates.find((x) => g.hasEdge(last, 'CLOSE', x) || g.hasEdge(x, 'CLOSE', last)
        || g.hasEdge(last, 'INSIDE', x) || g.hasEdge(x, 'INSIDE', last));
    }
    const c = this.character;
    id ??= candidates.find((x) => g.hasEdge(c, 'CLOSE', x) || g.hasEdge(x, 'CLOSE', c));
    id ??= this.choose(candidates);
    this.bound.set(name, id);
    return id;
  }
}
