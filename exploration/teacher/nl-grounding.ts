/**
 * What an E2CL natural-language action will be grounded to, predicted from env/nl.ts's rule
 * (a name keeps the first instance it was bound to; an unbound name takes an instance related
 * to the last interacted object, else one close to the agent, else a seeded random one; the
 * first of two names is chosen among the held instances).
 *
 * The planner uses it in NL mode so that every action it proposes, said as `Walk to door`,
 * lands on the instance it means: an action whose words would ground elsewhere is refused
 * like a failed step. Random draws are predicted too when the episode's seed and the number
 * of draws so far are known (the grounder draws from its seeded PRNG only among two or more
 * candidates); without the seed, a choice left to chance is refused. Branch-local with a
 * rollback stack, like the rest of the planner's simulated state.
 */
import type { SceneGraph } from '../../env/graph.ts';
import { parseNLAction } from '../../env/nl.ts';
import { Prng } from '../../env/prng.ts';
import type { ScriptLine } from '../../env/script-types.ts';
import { nlAction } from './nl-text.ts';

export interface NLStart {
  /** name → id bindings the episode's grounder holds. */
  bindings?: Iterable<[string, number]>;
  /** The episode's last interacted object. */
  last?: number;
  /** The episode's grounding seed: with it, chance choices are predicted instead of refused. */
  seed?: number;
  /** Draws the episode's grounder has made so far. */
  draws?: number;
}

type Undo =
  | { kind: 'bind'; name: string; prev: number | undefined }
  | { kind: 'last'; prev: number | undefined }
  | { kind: 'draws'; prev: number };

/** A grounding that would land where intended; `draws` = PRNG draws it consumes. */
export interface GroundingOK { ok: true; draws: number }
export interface GroundingRefusal { ok: false; reason: string; unbound?: number }

export class NLTracker {
  private readonly bound = new Map<string, number>();
  private last: number | undefined;
  private draws: number;
  private readonly seed: number | undefined;
  private readonly stream: number[] = [];
  private rng: Prng | undefined;
  private readonly undo: Undo[] = [];
  private readonly roundTrip = new Map<string, boolean>();

  constructor(start: NLStart = {}) {
    for (const [k, v] of start.bindings ?? []) this.bound.set(k, v);
    this.last = start.last;
    this.seed = start.seed;
    this.draws = start.draws ?? 0;
  }

  get drawCount(): number { return this.draws; }

  mark(): number { return this.undo.length; }

  rollback(m: number): void {
    while (this.undo.length > m) {
      const u = this.undo.pop()!;
      if (u.kind === 'last') this.last = u.prev;
      else if (u.kind === 'draws') this.draws = u.prev;
      else if (u.prev === undefined) this.bound.delete(u.name);
      else this.bound.set(u.name, u.prev);
    }
  }

  /** The i-th value of the episode's grounding PRNG (generated once, kept). */
  private value(i: number): number {
    this.rng ??= new Prng(this.seed!);
    while (this.stream.length <= i) this.stream.push(this.rng.next());
    return this.stream[i];
  }

  /** Prng.pick as the grounder calls it, `k` draws from now. */
  private chance(ids: readonly number[], k: number): number | undefined {
    if (this.seed === undefined) return undefined;
    return ids[Math.floor(this.value(this.draws + k) * ids.length)];
  }

  /** The id a name grounds to and whether a draw decided it; undefined when chance decides unseeded. */
  private predictOne(g: SceneGraph, character: number, name: string, bound: ReadonlyMap<string, number>, k: number):
    { id: number | undefined; drew: boolean } {
    const prior = bound.get(name);
    if (prior !== undefined) return { id: prior, drew: false };
    const cands = g.byClassName(name);
    if (cands.length === 1) return { id: cands[0], drew: false };
    const last = this.last;
    if (last !== undefined) {
      const hit = cands.find((x) => g.hasEdge(last, 'CLOSE', x) || g.hasEdge(x, 'CLOSE', last)
        || g.hasEdge(last, 'INSIDE', x) || g.hasEdge(x, 'INSIDE', last));
      if (hit !== undefined) return { id: hit, drew: false };
    }
    const near = cands.find((x) => g.hasEdge(character, 'CLOSE', x) || g.hasEdge(x, 'CLOSE', character));
    if (near !== undefined) return { id: near, drew: false };
    return { id: this.chance(cands, k), drew: true };
  }

  private says(line: ScriptLine): boolean {
    const key = line.text;
    let ok = this.roundTrip.get(key);
    if (ok === undefined) {
      const p = parseNLAction(nlAction(line));
      ok = p.matched && p.verb === line.action && p.names.length === line.args.length
        && p.names.every((n, i) => n === line.args[i].name);
      this.roundTrip.set(key, ok);
    }
    return ok;
  }

  /**
   * Whether the NL form of `line` grounds to its ids in the current state. A refusal's
   * `unbound` names the intended id when its name is still free (a step that makes the
   * intended instance the related or nearest one could fix it).
   */
  check(g: SceneGraph, character: number, line: ScriptLine): GroundingOK | GroundingRefusal {
    if (!this.says(line)) return { ok: false, reason: `"${nlAction(line)}" does not read back as ${line.text}` };
    const args = line.args;
    if (args.length === 0) return { ok: true, draws: 0 };
    let k = 0;
    let names: ReadonlyMap<string, number> = this.bound;
    if (args.length === 2) {
      const held = g.byClassName(args[0].name).filter((x) => g.hasEdge(character, 'HOLDS_RH', x) || g.hasEdge(character, 'HOLDS_LH', x));
      const pick = held.length === 1 ? held[0] : held.length === 0 ? undefined : this.chance(held, k++);
      if (pick !== args[0].id) {
        return { ok: false, reason: `"${words(args[0].name)}" would not pick <${args[0].name}> (${args[0].id}) among the held objects` };
      }
      const tmp = new Map(this.bound);
      tmp.set(args[0].name, args[0].id);
      names = tmp;
    }
    const target = args[args.length - 1];
    const got = this.predictOne(g, character, target.name, names, k);
    if (got.drew) k++;
    if (got.id === target.id) return { ok: true, draws: k };
    if (names.has(target.name)) {
      return { ok: false, reason: `"${words(target.name)}" already means <${target.name}> (${got.id}) in this episode, not (${target.id})` };
    }
    return {
      ok: false, unbound: target.id,
      reason: got.id === undefined
        ? `"${words(target.name)}" would be grounded by chance among ${g.byClassName(target.name).length} instances, not to (${target.id})`
        : `"${words(target.name)}" would mean <${target.name}> (${got.id}) here, not (${target.id})`,
    };
  }

  /**
   * Replay one step an episode took (its grounded line): count the draws its grounding made,
   * whatever the prediction says, and record it. Used to rebuild an episode's grounder state.
   */
  replay(g: SceneGraph, character: number, line: ScriptLine): void {
    const args = line.args;
    let k = 0;
    let names: ReadonlyMap<string, number> = this.bound;
    if (args.length === 2) {
      const held = g.byClassName(args[0].name).filter((x) => g.hasEdge(character, 'HOLDS_RH', x) || g.hasEdge(character, 'HOLDS_LH', x));
      if (held.length >= 2) k++;
      const tmp = new Map(this.bound);
      tmp.set(args[0].name, args[0].id);
      names = tmp;
    }
    if (args.length > 0 && this.predictOne(g, character, args[args.length - 1].name, names, k).drew) k++;
    this.commit(line, k);
  }

  /** The bindings, last object and draws so far (to start another tracker from here). */
  snapshot(): NLStart {
    const s: NLStart = { bindings: [...this.bound], draws: this.draws };
    if (this.last !== undefined) s.last = this.last;
    if (this.seed !== undefined) s.seed = this.seed;
    return s;
  }

  /** Record the grounding of a step (bindings, last object, PRNG draws it consumed). */
  commit(line: ScriptLine, draws: number): void {
    for (const a of line.args) {
      if (this.bound.get(a.name) !== a.id) {
        this.undo.push({ kind: 'bind', name: a.name, prev: this.bound.get(a.name) });
        this.bound.set(a.name, a.id);
      }
    }
    if (line.args.length > 0) {
      this.undo.push({ kind: 'last', prev: this.last });
      this.last = line.args[line.args.length - 1].id;
    }
    if (draws > 0) {
      this.undo.push({ kind: 'draws', prev: this.draws });
      this.draws += draws;
    }
  }
}

const words = (name: string) => name.replace(/_/g, ' ');
