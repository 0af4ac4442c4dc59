/**
 * The planner's view of the simulator: one scene graph, the real executor, and the lines
 * applied so far on the current search branch. Every candidate step is *executed*, never
 * predicted; a branch is undone with the graph's undo log (`mark`/`rollback`).
 *
 * Bindings (v1's "must be found first" rule) are tracked per branch here, because the
 * executor's own binding table only grows (a rolled-back branch's Find would otherwise count
 * as done). The planner therefore starts from "nothing bound" and finds every object before
 * it touches it, which is valid whatever the episode had bound, and the finished plan is
 * re-executed from the start state with a fresh executor before it is returned.
 */
import { Executor, type Compat, type StepResult } from '../../env/executor.ts';
import type { SceneGraph } from '../../env/graph.ts';
import type { ScriptLine } from '../../env/script-types.ts';
import { formatScriptLine } from '../../env/script.ts';
import { isClose } from '../../env/exec/predicates.ts';
import { NLTracker, type NLStart } from './nl-grounding.ts';

export interface SimMark {
  graph: number;
  lines: number;
  bound: number;
  nl: number;
}

/** A script line for node ids, named by their class (the executor ignores names, binding does not). */
export function makeLine(graph: SceneGraph, action: string, ids: readonly number[], index = 1): ScriptLine {
  const args = ids.map((id) => ({ name: graph.node(id).className, id }));
  const line = { action, args, index, text: '' };
  line.text = formatScriptLine(line);
  return line;
}

export class PlanningSim {
  readonly graph: SceneGraph;
  readonly character: number;
  private executor: Executor;
  private readonly compat: Compat;
  /** Lines applied on the current branch (all succeeded). */
  readonly lines: ScriptLine[] = [];
  /** Node ids bound on this branch, in order (a stack so that rollback is a truncation). */
  private readonly boundStack: number[] = [];
  private readonly boundCount = new Map<number, number>();
  /** Executed steps, successful or not (search effort). */
  attempts = 0;
  /** The last failure seen, for "why not" reports. */
  lastFailure: StepResult['failure'];

  /** Ids whose binding the episode already holds (primed into this executor at construction). */
  private readonly primed: ReadonlySet<number>;

  /** NL mode: every step must be sayable as an E2CL action that grounds to its ids. */
  private readonly nl: NLTracker | undefined;
  /** The last NL refusal (why a step could not be said), for reports. */
  lastNLRefusal: string | undefined;

  constructor(graph: SceneGraph, compat: Compat = 'v1', bound: Iterable<number> = [], nl?: NLStart) {
    this.graph = graph;
    this.compat = compat;
    this.executor = new Executor(graph, { compat });
    this.character = this.executor.character;
    this.primed = primeBindings(graph, this.executor, bound);
    this.nl = nl ? new NLTracker(nl) : undefined;
  }

  mark(): SimMark {
    return { graph: this.graph.mark(), lines: this.lines.length, bound: this.boundStack.length, nl: this.nl?.mark() ?? 0 };
  }

  rollback(m: SimMark): void {
    this.graph.rollback(m.graph);
    this.nl?.rollback(m.nl);
    this.lines.length = m.lines;
    while (this.boundStack.length > m.bound) {
      const id = this.boundStack.pop()!;
      const n = this.boundCount.get(id)! - 1;
      if (n === 0) this.boundCount.delete(id); else this.boundCount.set(id, n);
    }
  }

  isBound(id: number): boolean {
    return this.compat === 'master' || this.boundCount.has(id) || this.primed.has(id);
  }

  /** Execute one action; on success it joins the branch. Returns whether it succeeded. */
  apply(action: string, ids: readonly number[]): boolean {
    const line = makeLine(this.graph, action, ids, this.lines.length + 1);
    this.attempts++;
    // Enforce the found-first rule against this branch's bindings: the executor's own table
    // also remembers rolled-back branches, so it alone would let a step pass that a replay refuses.
    if (this.compat === 'v1' && action !== 'WALK' && action !== 'RUN' && action !== 'FIND') {
      for (const id of ids) {
        if (!this.isBound(id)) {
          const message = `${this.graph.label(id)} has not been found on this branch`;
          this.lastFailure = { code: 'missing_step', action, args: [...ids], predicate: `found(${id})`, message };
          return false;
        }
      }
    }
    let draws = 0;
    if (this.nl) {
      let said = this.nl.check(this.graph, this.character, line);
      if (!said.ok && said.unbound !== undefined && this.disambiguate(line, said.unbound)) {
        said = this.nl.check(this.graph, this.character, line);
        line.index = this.lines.length + 1;
      }
      if (!said.ok) {
        this.lastNLRefusal = said.reason;
        this.lastFailure = { code: 'missing_step', action, args: [...ids], predicate: 'nl_grounding', message: said.reason };
        return false;
      }
      draws = said.draws;
    }
    const r = this.executor.executeLine(line);
    if (!r.ok) {
      this.lastFailure = r.failure;
      return false;
    }
    this.nl?.commit(line, draws);
    this.lines.push(line);
    if (action === 'WALK' || action === 'RUN' || action === 'FIND') {
      const id = ids[0];
      this.boundStack.push(id);
      this.boundCount.set(id, (this.boundCount.get(id) ?? 0) + 1);
    }
    return true;
  }

  /** Refuse instead of inserting disambiguating steps (used when re-checking a fixed program). */
  strict = false;
  private disambiguating = false;

  /**
   * Make an ambiguous, still unbound name point at `target`: first go to (or find) something
   * `target` is in, on or next to, so that the grounder's "related to the last object / close to
   * the agent" rule picks it. Keeps the first such step after which `line` would ground right.
   */
  private disambiguate(line: ScriptLine, target: number): boolean {
    if (this.disambiguating || this.strict || !this.nl) return false;
    const g = this.graph;
    const anchors: number[] = [];
    const add = (x: number) => { if (x !== target && !anchors.includes(x)) anchors.push(x); };
    for (const rel of ['INSIDE', 'ON'] as const) for (const x of g.out(target, rel)) add(x);
    for (const x of g.in(target, 'ON')) add(x);
    for (const x of g.out(target, 'BETWEEN')) add(x);
    for (const x of g.out(target, 'CLOSE')) add(x);
    this.disambiguating = true;
    try {
      for (const y of anchors.slice(0, 12)) {
        const m = this.mark();
        const near = isClose(g, this.character, y);
        const posed = g.hasState(this.character, 'SITTING') || g.hasState(this.character, 'LYING');
        if (!near && posed) continue;
        if (this.apply(near ? 'FIND' : 'WALK', [y]) && this.nl.check(g, this.character, line).ok) return true;
        this.rollback(m);
      }
      return false;
    } finally {
      this.disambiguating = false;
    }
  }
}

/**
 * Give a fresh executor the bindings an episode already made (v1's found-first rule), so that a
 * plan from mid-episode does not start by finding what the agent has found. The executor has
 * no call for that, so each id is bound the way an episode binds it (Find, else stand up and
 * Walk) and the graph is rolled back: the binding stays, the state does not. Only the
 * throw-away copies the planner works on are touched (rollback may reorder edge sets).
 */
export function primeBindings(graph: SceneGraph, executor: Executor, ids: Iterable<number>): Set<number> {
  const done = new Set<number>();
  for (const id of ids) {
    if (done.has(id) || !graph.has(id)) continue;
    const m = graph.mark();
    const ok = executor.executeLine(makeLine(graph, 'FIND', [id])).ok
      || ((!graph.hasState(executor.character, 'SITTING') && !graph.hasState(executor.character, 'LYING'))
        || executor.executeLine(makeLine(graph, 'STANDUP', [])).ok)
      && executor.executeLine(makeLine(graph, 'WALK', [id])).ok;
    graph.rollback(m);
    if (ok) done.add(id);
  }
  return done;
}
