/**
 * The simulated household user: seeded, symbolic (no language model decides anything), with a
 * hidden profile. Per round it leaves the thing it will ask about lying around (a user-side move),
 * gives one instruction, answers the agent's questions from its profile, and reacts to the round
 * from the judgement (dialogue/judge.ts): thanks, or which preference was violated, or that the
 * job is not done. Every statement lists the profile facts it states (`facts`), so a test can
 * check that nothing the user says is made up.
 */
import type { SceneGraph } from '../env/graph.ts';
import { Prng } from '../env/prng.ts';
import { instructionText, type Instruction } from './instructions.ts';
import type { RoundJudgement } from './judge.ts';
import { PLACEMENT_OBJECTS, PLACEMENT_OPTIONS, preference, statement, type Preference } from './preferences.ts';
import { profilePreferences, type UserProfile } from './profile.ts';
import { validateUtterance, type Utterance } from './schemas.ts';
import { leaveOn, nodeOf } from './scene.ts';

/** Surfaces the user leaves things on (never a place the thing may be put away to). */
const MESSY_SURFACES = ['sofa', 'bed', 'tv_stand', 'kitchen_counter', 'coffee_table', 'kitchen_table'];

export const USER_VERSION = 'hearth-user/1';

export interface UserOptions {
  /** Rounds after the opening (1-based rounds 1..rounds). */
  rounds: number;
  /** Seed of the round order and of where things are left. */
  seed: number;
  /** Make the living room cosy in the last round (default true when rounds > put-away objects... or asked). */
  cosyLast?: boolean;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export class SimulatedUser {
  readonly prefs: readonly Preference[];
  /** The instruction of each round (index 0 = round 1). */
  readonly tasks: readonly Instruction[];
  private readonly rng: Prng;

  constructor(readonly profile: UserProfile, readonly options: UserOptions) {
    if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new Error(`rounds must be a positive integer, got ${options.rounds}`);
    const maxRounds = PLACEMENT_OBJECTS.length + 1;
    if (options.rounds > maxRounds) throw new Error(`a dialogue has at most ${maxRounds} rounds (one per thing to put away, then cosy), got ${options.rounds}`);
    this.prefs = profilePreferences(profile);
    this.rng = new Prng((options.seed * 40503 + 7) >>> 0);
    const objects = [...PLACEMENT_OBJECTS];
    for (let i = objects.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [objects[i], objects[j]] = [objects[j], objects[i]];
    }
    const cosy = options.cosyLast ?? options.rounds > PLACEMENT_OBJECTS.length;
    const puts = options.rounds - (cosy ? 1 : 0);
    const tasks: Instruction[] = objects.slice(0, puts).map((object) => ({ kind: 'put_away', object }));
    if (cosy) tasks.push({ kind: 'cosy' });
    this.tasks = tasks;
  }

  instructionOf(round: number): Instruction {
    const i = this.tasks[round - 1];
    if (!i) throw new Error(`round ${round} is outside 1..${this.tasks.length}`);
    return i;
  }

  /** Round 0: every preference stated once (upfront users), or nothing (hidden users). */
  opening(): Utterance | null {
    if (this.profile.disclosure !== 'upfront' || this.prefs.length === 0) return null;
    return this.say({ round: 0, speaker: 'user', kind: 'rules', text: `House rules: ${this.prefs.map((p) => `${statement(p)}.`).join(' ')}`, facts: this.prefs.map((p) => p.id) });
  }

  /** The user's move before round `round`: the thing it will ask about is left on a messy surface. */
  prepare(round: number, graph: SceneGraph): void {
    const i = this.instructionOf(round);
    if (i.kind !== 'put_away') return;
    const targets = new Set(PLACEMENT_OPTIONS[i.object].map((p) => p.target));
    const surfaces = MESSY_SURFACES.filter((s) => !targets.has(s) && graph.byClassName(s).length > 0);
    leaveOn(graph, nodeOf(graph, i.object), nodeOf(graph, this.rng.pick(surfaces)));
  }

  instruction(round: number): Utterance {
    return this.say({ round, speaker: 'user', kind: 'instruction', text: cap(instructionText(this.instructionOf(round))) });
  }

  /**
   * An answer from the profile: `where do cups go?` names the place, a question about switching
   * something on or closing things names the rule or says the user does not mind.
   */
  answer(round: number, question: string): Utterance {
    const q = question.trim().toLowerCase();
    const where = /^where (?:do|does|should) (?:the )?(.+?) go\?$/.exec(q);
    let facts: Preference[] = [];
    let text = 'I do not understand the question.';
    if (where) {
      const obj = PLACEMENT_OBJECTS.find((o) => { const w = o.replace(/_/g, ' '); return where[1] === w || where[1] === `${w}s`; });
      const p = obj ? this.prefs.find((x) => x.slot === `place.${obj}`) : undefined;
      if (p) { facts = [p]; text = `${cap(statement(p))}.`; }
    } else if (/switch on the (tv|microwave)\?$/.exec(q)) {
      const thing = /switch on the (tv|microwave)\?$/.exec(q)![1];
      const p = this.prefs.find((x) => x.slot === thing);
      if (p) { facts = [p]; text = `${cap(statement(p))}.`; } else text = 'That is fine.';
    } else if (/close (?:what|anything|things) (?:i|you) open\?$/.exec(q)) {
      const p = this.prefs.find((x) => x.slot === 'close');
      if (p) { facts = [p]; text = `${cap(statement(p))}.`; } else text = 'I do not mind.';
    }
    return this.say({ round, speaker: 'user', kind: 'answer', text, ...(facts.length ? { facts: facts.map((p) => p.id) } : {}) });
  }

  /** The reaction to a round: thanks, or not done, plus each violated preference stated. */
  react(round: number, j: RoundJudgement): Utterance {
    const i = this.instructionOf(round);
    const parts: string[] = [];
    if (j.satisfied) parts.push('Thanks.');
    else {
      parts.push('No.');
      if (!j.done) parts.push(i.kind === 'put_away' ? `The ${i.object.replace(/_/g, ' ')} is not put away.` : 'The living room is not cosy.');
      for (const id of j.violations) parts.push(`${cap(statement(preference(id)))}.`);
    }
    return this.say({ round, speaker: 'user', kind: 'reaction', text: parts.join(' '), ...(j.violations.length ? { facts: [...j.violations] } : {}) });
  }

  private say(u: Utterance): Utterance {
    return validateUtterance(u, `simulated user (profile seed ${this.profile.seed})`);
  }
}
