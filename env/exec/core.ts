/**
 * The executor's state and the helpers every action uses: failure construction in the
 * reference's message format, v1's (name, id) bindings, grab records, and the character's
 * posture as the reference's checks see it. `Executor` (env/executor.ts) is the public face;
 * the actions live in exec/movement.ts, exec/hands.ts and exec/objects.ts.
 */
import { HearthError } from '../errors.ts';
import type { Failure, FailureCode } from '../failure.ts';
import type { SceneGraph } from '../graph.ts';
import { referenceLineText } from '../script.ts';
import type { ScriptArg, ScriptLine } from '../script-types.ts';
import type { Relation, State } from '../vocabulary.ts';
import type { Compat, RoomAdjacency } from './predicates.ts';

export interface ExecutorOptions {
  /** 'v1' (default): VirtualHome v1.0.0, the dataset's simulator. 'master': current master. */
  compat?: Compat;
  /**
   * v1 only: objects resolve by id alone, without v1's "must be found first" rule (EAI's
   * evaluator, whose instance selection takes the id in parentheses).
   */
  resolveById?: boolean;
}

export interface GrabRecord { dest: number; rel: Relation }

export class ExecCore {
  readonly graph: SceneGraph;
  readonly compat: Compat;
  readonly resolveById: boolean;
  /** The character's node id. */
  readonly character: number;
  /** v1's bindings: node id → names it was bound under by Walk/Run/Find. */
  readonly bound = new Map<number, string[]>();
  readonly grabs = new Map<number, GrabRecord>();
  /** Undo logs of the executor's own state, for mark/rollback. */
  // Stryker disable next-line ArrayDeclaration: rollback only pops down to a mark's length, never below the start
  readonly bindLog: Array<[id: number, name: string]> = [];
  // Stryker disable next-line ArrayDeclaration: rollback only pops down to a mark's length, never below the start
  readonly grabLog: Array<[id: number, previous: GrabRecord | undefined]> = [];
  readonly log: string[] = [];
  /** Master reads the character's states from the initial graph (its char lookup skips changes). */
  readonly initialCharStates: ReadonlySet<State> | undefined;
  doors: RoomAdjacency | undefined;
  cur!: ScriptLine;
  stepStart = 0;
  exception: string | undefined;
  /** The graph's undo position when execution started: edges added after it are "new" to the reference. */
  readonly startMark: number;

  constructor(graph: SceneGraph, options: ExecutorOptions = {}) {
    this.graph = graph;
    this.compat = options.compat ?? 'v1';
    this.resolveById = options.resolveById === true;
    if (this.compat !== 'v1' && this.compat !== 'master') {
      throw new HearthError('exec.compat', `unknown compat "${String(this.compat)}"`, 'use "v1" or "master"');
    }
    const chars = graph.byClassName('character');
    if (chars.length === 0) {
      throw new HearthError('graph.no_character', 'the scene graph has no node with class_name "character"',
        'add a character node (VirtualHome scenes have one, e.g. id 65 in TestScene1) with an INSIDE edge to its room');
    }
    // v1 takes the first character; master sorts by id and takes char_index 0.
    this.character = this.compat === 'v1' ? chars[0] : Math.min(...chars);
    this.initialCharStates = this.compat === 'master' ? new Set(graph.node(this.character).states) : undefined;
    this.startMark = graph.mark();
  }

  // ---- failures ----------------------------------------------------------------------------

  where(): string { return ` when executing "${referenceLineText(this.cur)}"`; }

  failure(code: FailureCode, predicate: string, message: string): Failure {
    const args: number[] = [];
    for (const a of this.cur.args) args.push(a.id);
    return { code, action: this.cur.action, args, predicate, message };
  }

  /** A check the reference reports: the message is logged (and accumulates) like `info.error`. */
  err(code: FailureCode, predicate: string, text: string): Failure {
    this.log.push(text + this.where());
    return this.failure(code, predicate, this.log.slice(this.stepStart).join(','));
  }

  /** A failure the reference does not report (silent): our message, not logged. */
  silent(code: FailureCode, predicate: string, text: string): Failure {
    return this.failure(code, predicate, text + this.where());
  }

  /** Where the reference raises: our message plus the exception it would raise. */
  crash(code: FailureCode, predicate: string, text: string, exception: string): Failure {
    this.exception = exception;
    return this.failure(code, predicate, `${text}${this.where()} (the reference raises ${exception})`);
  }

  L(id: number): string { return this.graph.label(id); }

  /** A state precondition failed: `already` if the opposite holds, else `affordance`. */
  stateErr(n: number, need: State, opposite: State): Failure {
    const code: FailureCode = this.graph.hasState(n, opposite) ? 'already' : 'affordance';
    return this.err(code, `state(${this.name(n)}, ${need})`, `${this.L(n)} is not ${need.toLowerCase()}`);
  }

  // Stryker disable next-line OptionalChaining: callers pass ids of nodes in the graph
  name(id: number): string { return this.graph.get(id)?.className ?? String(id); }
  /**
   * `missing_step`, or `wrong_order` when the precondition held earlier in this executor's
   * episode (its edge was removed since the start): the step came too late, not too early.
   */
  private orderCode(removed: boolean): FailureCode { return removed ? 'wrong_order' : 'missing_step'; }
  closeErr(n: number): Failure {
    const c = this.character;
    const code = this.orderCode(this.graph.edgeRemovedSince(this.startMark, c, 'CLOSE', n));
    return this.err(code, `close(character, ${this.name(n)})`, `${this.L(c)} is not close to ${this.L(n)}`);
  }
  holdErr(n: number): Failure {
    const g = this.graph, c = this.character;
    const code = this.orderCode(g.edgeRemovedSince(this.startMark, c, 'HOLDS_RH', n) || g.edgeRemovedSince(this.startMark, c, 'HOLDS_LH', n));
    return this.err(code, `holding(character, ${this.name(n)})`, `${this.L(c)} is not holding ${this.L(n)}`);
  }
  facingErr(n: number): Failure {
    const c = this.character;
    const code = this.orderCode(this.graph.edgeRemovedSince(this.startMark, c, 'FACING', n));
    return this.err(code, `facing(character, ${this.name(n)})`, `${this.L(c)} does not face ${this.L(n)}`);
  }
  notOpenErr(n: number): Failure {
    const code = this.orderCode(this.graph.stateRemovedSince(this.startMark, n, 'OPEN'));
    return this.err(code, `open(${this.name(n)})`, `${this.L(n)} is not open or is not openable`);
  }
  handErr(): Failure {
    return this.err('missing_step', 'free_hand(character)', `${this.L(this.character)} does not have a free hand`);
  }
  insideErr(n: number): Failure {
    return this.err('missing_step', `not inside_closed(${this.name(n)})`, `${this.L(n)} is inside other closed thing`);
  }
  affErr(n: number, what: string, property: string): Failure {
    return this.err('affordance', `${property}(${this.name(n)})`, `${this.L(n)} ${what}`);
  }
  noCharRoom(): Failure {
    return this.crash('no_room', 'room(character)', `${this.L(this.character)} is in no room`, 'AssertionError: Char_room is none!');
  }

  // ---- resolution and posture --------------------------------------------------------------

  /**
   * The node of an argument for actions other than Walk/Run/Find, or -1 after logging the
   * reference's `<name> (id) cannot be found`.
   */
  resolve(a: ScriptArg): number {
    const g = this.graph;
    if (this.compat === 'v1' && !this.resolveById) {
      const names = this.bound.get(a.id);
      if (names !== undefined && names.includes(a.name) && g.has(a.id)) return a.id;
    } else if (g.has(a.id)) {
      return a.id;
    }
    return -1;
  }

  notFound(a: ScriptArg): Failure {
    const code: FailureCode = this.graph.has(a.id) ? 'missing_step' : 'unknown_object';
    return this.err(code, `found(${a.name}, ${a.id})`, `<${a.name}> (${a.id}) cannot be found`);
  }

  bind(a: ScriptArg): void {
    const names = this.bound.get(a.id);
    if (names === undefined) this.bound.set(a.id, [a.name]);
    // Stryker disable next-line ConditionalExpression: a duplicate name is pushed and logged together, so rollback still removes it
    else if (!names.includes(a.name)) names.push(a.name);
    else return;
    this.bindLog.push([a.id, a.name]);
  }

  setGrab(id: number, rec: GrabRecord | undefined): void {
    const prev = this.grabs.get(id);
    // Stryker disable next-line ConditionalExpression: logging an undefined → undefined change restores the same nothing on rollback
    if (prev === undefined && rec === undefined) return;
    this.grabLog.push([id, prev]);
    if (rec === undefined) this.grabs.delete(id); else this.grabs.set(id, rec);
  }

  /** The character's posture as the reference's checks see it. */
  posture(s: State): boolean {
    return this.initialCharStates !== undefined ? this.initialCharStates.has(s) : this.graph.hasState(this.character, s);
  }

  setPosture(remove: State, add: State | undefined): void {
    const g = this.graph, c = this.character;
    const initial = this.initialCharStates;
    if (initial !== undefined) {
      // Master: ChangeNode(copy of the initial character node), so earlier posture changes are lost.
      // Stryker disable next-line ConditionalExpression: removing an initial state too is undone by the next line (net state and diff unchanged)
      for (const s of [...g.node(c).states]) if (!initial.has(s)) g.removeState(c, s);
      for (const s of initial) g.addState(c, s);
    }
    g.removeState(c, remove);
    if (add !== undefined) g.addState(c, add);
  }
}
