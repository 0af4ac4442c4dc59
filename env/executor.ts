/**
 * The executor: VirtualHome's `ScriptExecutor.execute()` with instance selection (the number in
 * parentheses is the node id, the name is ignored), v1.0.0 semantics by default and master's
 * with `compat: 'master'` (spec/virtualhome-semantics.md §4–§6).
 *
 * The graph is mutated in place, and only when a step succeeds: every action checks all its
 * preconditions first (in the reference's order, so the first failing check gives the
 * message), then applies its effects in the reference's order. Messages are built only on
 * failure. Where the reference crashes or fails silently the step gets a typed failure (see
 * exec/outcome.ts for the code of each check).
 *
 * One executor per episode: it remembers which (name, id) pairs Walk/Run/Find bound (v1's
 * "must be found first" rule), the grab origins for PutObjBack, and the message log.
 */
import { actionSpec } from './actions.ts';
import { HearthError } from './errors.ts';
import type { Failure, FailureCode } from './failure.ts';
import type { SceneGraph } from './graph.ts';
import { referenceLineText } from './script.ts';
import type { ScriptArg, ScriptLine } from './script-types.ts';
import type { Relation, State } from './vocabulary.ts';
import {
  closedDoorsBetween, doorGraph, freeHand, holdsAnything, isClose, isFacing, isHolding, isInsideClosed, isRoom, roomOf,
  type Compat, type RoomAdjacency,
} from './exec/predicates.ts';
import { STEP_OK, type ScriptResult, type StepResult } from './exec/outcome.ts';
import { pythonSetOrder } from './exec/pyset.ts';

export type { Compat } from './exec/predicates.ts';
export type { ScriptResult, StepResult } from './exec/outcome.ts';

export interface ExecutorOptions {
  /** 'v1' (default): VirtualHome v1.0.0, the dataset's simulator. 'master': current master. */
  compat?: Compat;
}

interface GrabRecord { dest: number; rel: Relation }

/** A position to return the executor (graph, bindings, grab records, message log) to. */
export interface ExecutorMark { graph: number; binds: number; grabs: number; log: number }

const SIT_CAPACITY: Record<string, number> = { couch: 4, bed: 4, chair: 1, loveseat: 2, sofa: 4, toilet: 1, pianobench: 2, bench: 2 };
const LIE_CAPACITY: Record<string, number> = { couch: 2, bathtub: 2, bed: 3, loveseat: 2, sofa: 2, bench: 1 };
const SQUEEZABLE = new Set(['cleaning_solution', 'tooth_paste', 'shampoo', 'food_peanut_butter', 'dish_soap', 'soap',
  'towel', 'rag', 'paper', 'sponge', 'food_lemon', 'check']);
const WALK_CLEARED: readonly Relation[] = ['INSIDE', 'CLOSE', 'FACING'];
const GRAB_CLEARED_V1: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE'];
const GRAB_CLEARED_MASTER: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE', 'HOLDS_RH', 'HOLDS_LH'];
const ORIGIN_RELATIONS: readonly Relation[] = ['ON', 'INSIDE', 'CLOSE'];

const NONE_CATEGORY = "AttributeError: 'NoneType' object has no attribute 'category'";
const NONE_ID = "AttributeError: 'NoneType' object has no attribute 'id'";

/** Body-part node ids per graph (properties never change; the node count guards added nodes). */
const bodyPartCache = new WeakMap<SceneGraph, { size: number; ids: number[] }>();
function bodyParts(g: SceneGraph): number[] {
  const hit = bodyPartCache.get(g);
  if (hit && hit.size === g.size) return hit.ids;
  const ids: number[] = [];
  for (const n of g.nodes()) if (n.properties.has('BODY_PART')) ids.push(n.id);
  bodyPartCache.set(g, { size: g.size, ids });
  return ids;
}

export class Executor {
  readonly graph: SceneGraph;
  readonly compat: Compat;
  /** The character's node id. */
  readonly character: number;
  /** v1's bindings: node id → names it was bound under by Walk/Run/Find. */
  private readonly bound = new Map<number, string[]>();
  private readonly grabs = new Map<number, GrabRecord>();
  /** Undo logs of the executor's own state, for mark/rollback. */
  private readonly bindLog: Array<[id: number, name: string]> = [];
  private readonly grabLog: Array<[id: number, previous: GrabRecord | undefined]> = [];
  private readonly log: string[] = [];
  /** Master reads the character's states from the initial graph (its char lookup skips changes). */
  private readonly initialCharStates: ReadonlySet<State> | undefined;
  private doors: RoomAdjacency | undefined;
  private cur!: ScriptLine;
  private stepStart = 0;
  private exception: string | undefined;
  /** The graph's undo position when execution started: edges added after it are "new" to the reference. */
  private readonly startMark: number;

  constructor(graph: SceneGraph, options: ExecutorOptions = {}) {
    this.graph = graph;
    this.compat = options.compat ?? 'v1';
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

  // ---- public API --------------------------------------------------------------------------

  /** Execute one line; the graph changes only if the step succeeds. */
  executeLine(line: ScriptLine): StepResult {
    this.cur = line;
    this.stepStart = this.log.length;
    this.exception = undefined;
    const failure = this.dispatch(line);
    if (failure === null) {
      return this.log.length === this.stepStart ? STEP_OK : { ok: true, warnings: this.log.slice(this.stepStart) };
    }
    return this.exception === undefined ? { ok: false, failure } : { ok: false, failure, exception: this.exception };
  }

  /** Execute lines until the first failure (the reference's `execute`). */
  executeScript(lines: readonly ScriptLine[]): ScriptResult {
    for (let i = 0; i < lines.length; i++) {
      const r = this.executeLine(lines[i]);
      if (!r.ok) {
        const res: ScriptResult = { executable: false, failedLine: lines[i].index ?? i + 1, failure: r.failure };
        if (r.exception !== undefined) res.exception = r.exception;
        return res;
      }
    }
    return { executable: true, failedLine: null };
  }

  /** Mark the executor's whole state (graph included) to return to it with `rollback`. */
  mark(): ExecutorMark {
    return { graph: this.graph.mark(), binds: this.bindLog.length, grabs: this.grabLog.length, log: this.log.length };
  }

  /** Return graph, bindings, grab records and messages to a mark (e.g. in a planner's search). */
  rollback(m: ExecutorMark): void {
    this.graph.rollback(m.graph);
    while (this.bindLog.length > m.binds) {
      const [id, name] = this.bindLog.pop()!;
      const names = this.bound.get(id)!;
      names.splice(names.lastIndexOf(name), 1);
      if (names.length === 0) this.bound.delete(id);
    }
    while (this.grabLog.length > m.grabs) {
      const [id, prev] = this.grabLog.pop()!;
      if (prev === undefined) this.grabs.delete(id); else this.grabs.set(id, prev);
    }
    if (this.log.length > m.log) this.log.length = m.log;
  }

  /**
   * Bind (name, id) as if a Walk/Run/Find had found it (v1's rule), e.g. for objects an
   * episode already knows about. Undone by `rollback` like any binding.
   */
  bindObject(name: string, id: number): void { this.bind({ name, id }); }

  /** Every message the reference would have logged so far, one per entry. */
  messages(): string[] { return this.log.slice(); }

  /** The reference's `get_error_string()`: the messages joined with ",". */
  accumulatedMessage(): string { return this.log.join(','); }

  /** Whether (name, id) was bound by Walk/Run/Find (v1's "must be found first" rule). */
  isBound(name: string, id: number): boolean { return this.bound.get(id)?.includes(name) ?? false; }

  /** The grab origin PutObjBack would return an object to. */
  grabOrigin(id: number): Readonly<GrabRecord> | undefined { return this.grabs.get(id); }

  // ---- failures ----------------------------------------------------------------------------

  private where(): string { return ` when executing "${referenceLineText(this.cur)}"`; }

  private failure(code: FailureCode, predicate: string, message: string): Failure {
    const args: number[] = [];
    for (const a of this.cur.args) args.push(a.id);
    return { code, action: this.cur.action, args, predicate, message };
  }

  /** A check the reference reports: the message is logged (and accumulates) like `info.error`. */
  private err(code: FailureCode, predicate: string, text: string): Failure {
    this.log.push(text + this.where());
    return this.failure(code, predicate, this.log.slice(this.stepStart).join(','));
  }

  /** A failure the reference does not report (silent): our message, not logged. */
  private silent(code: FailureCode, predicate: string, text: string): Failure {
    return this.failure(code, predicate, text + this.where());
  }

  /** Where the reference raises: our message plus the exception it would raise. */
  private crash(code: FailureCode, predicate: string, text: string, exception: string): Failure {
    this.exception = exception;
    return this.failure(code, predicate, `${text}${this.where()} (the reference raises ${exception})`);
  }

  private L(id: number): string { return this.graph.label(id); }

  /** A state precondition failed: `already` if the opposite holds, else `affordance`. */
  private stateErr(n: number, need: State, opposite: State): Failure {
    const code: FailureCode = this.graph.hasState(n, opposite) ? 'already' : 'affordance';
    return this.err(code, `state(${this.name(n)}, ${need})`, `${this.L(n)} is not ${need.toLowerCase()}`);
  }

  private name(id: number): string { return this.graph.get(id)?.className ?? String(id); }
  private closeErr(n: number): Failure {
    return this.err('missing_step', `close(character, ${this.name(n)})`, `${this.L(this.character)} is not close to ${this.L(n)}`);
  }
  private holdErr(n: number): Failure {
    return this.err('missing_step', `holding(character, ${this.name(n)})`, `${this.L(this.character)} is not holding ${this.L(n)}`);
  }
  private handErr(): Failure {
    return this.err('missing_step', 'free_hand(character)', `${this.L(this.character)} does not have a free hand`);
  }
  private insideErr(n: number): Failure {
    return this.err('missing_step', `not inside_closed(${this.name(n)})`, `${this.L(n)} is inside other closed thing`);
  }
  private affErr(n: number, what: string, property: string): Failure {
    return this.err('affordance', `${property}(${this.name(n)})`, `${this.L(n)} ${what}`);
  }
  private noCharRoom(): Failure {
    return this.crash('no_room', 'room(character)', `${this.L(this.character)} is in no room`, 'AssertionError: Char_room is none!');
  }

  // ---- resolution and posture --------------------------------------------------------------

  /**
   * The node of an argument for actions other than Walk/Run/Find, or -1 after logging the
   * reference's `<name> (id) cannot be found`.
   */
  private resolve(a: ScriptArg): number {
    const g = this.graph;
    if (this.compat === 'v1') {
      const names = this.bound.get(a.id);
      if (names !== undefined && names.includes(a.name) && g.has(a.id)) return a.id;
    } else if (g.has(a.id)) {
      return a.id;
    }
    return -1;
  }

  private notFound(a: ScriptArg): Failure {
    const code: FailureCode = this.graph.has(a.id) ? 'missing_step' : 'unknown_object';
    return this.err(code, `found(${a.name}, ${a.id})`, `<${a.name}> (${a.id}) cannot be found`);
  }

  private bind(a: ScriptArg): void {
    const names = this.bound.get(a.id);
    if (names === undefined) this.bound.set(a.id, [a.name]);
    else if (!names.includes(a.name)) names.push(a.name);
    else return;
    this.bindLog.push([a.id, a.name]);
  }

  private setGrab(id: number, rec: GrabRecord | undefined): void {
    const prev = this.grabs.get(id);
    if (prev === undefined && rec === undefined) return;
    this.grabLog.push([id, prev]);
    if (rec === undefined) this.grabs.delete(id); else this.grabs.set(id, rec);
  }

  /** The character's posture as the reference's checks see it. */
  private posture(s: State): boolean {
    return this.initialCharStates !== undefined ? this.initialCharStates.has(s) : this.graph.hasState(this.character, s);
  }

  private setPosture(remove: State, add: State | undefined): void {
    const g = this.graph, c = this.character;
    const initial = this.initialCharStates;
    if (initial !== undefined) {
      // Master: ChangeNode(copy of the initial character node), so earlier posture changes are lost.
      for (const s of [...g.node(c).states]) if (!initial.has(s)) g.removeState(c, s);
      for (const s of initial) g.addState(c, s);
    }
    g.removeState(c, remove);
    if (add !== undefined) g.addState(c, add);
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private dispatch(line: ScriptLine): Failure | null {
    const spec = actionSpec(line.action);
    if (spec === undefined) {
      return this.silent('unknown_action', `action(${line.action})`, `Unknown action "${line.action}"`);
    }
    if (line.args.length !== spec.arity) {
      return this.silent('wrong_arity', `arity(${spec.name})`,
        `Wrong number of parameters for "${spec.name}". Got ${line.args.length}, expected ${spec.arity}`);
    }
    switch (spec.name) {
      case 'WALK': case 'RUN': return this.walkAction(line.args[0]);
      case 'FIND': return this.find(line.args[0]);
      case 'LOOKAT_SHORT': case 'LOOKAT_LONG':
        return this.crash('unsupported', `executor(${spec.name})`, `${spec.name} has no executor in the reference`,
          this.compat === 'v1' ? `ExecutionException: Execution of Action.${spec.name} is not supported`
            : 'TypeError: UnknownExecutor.execute() takes 5 positional arguments but 7 were given');
      case 'STANDUP': return this.standUp();
      case 'SLEEP': case 'WAKEUP': return this.sleep();
      default: break;
    }
    // Every other action looks its objects up first (v1: they must have been bound).
    const a = line.args[0];
    const n = this.resolve(a);
    if (n < 0) return this.notFound(a);
    let m = -1;
    if (line.args.length === 2) {
      m = this.resolve(line.args[1]);
      if (m < 0) return this.notFound(line.args[1]);
    }
    switch (spec.name) {
      case 'SIT': return this.sit(n);
      case 'LIE': return this.lie(n);
      case 'GRAB': return this.grab(n);
      case 'OPEN': return this.open(n, false);
      case 'CLOSE': return this.open(n, true);
      case 'PUTBACK': return this.put(n, m, 'ON');
      case 'PUTIN': return this.put(n, m, 'INSIDE');
      case 'PUTOBJBACK': return this.putObjBack(n);
      case 'SWITCHON': return this.switchTo(n, true);
      case 'SWITCHOFF': return this.switchTo(n, false);
      case 'DRINK': return this.drink(n);
      case 'TURNTO': return this.turnTo(n);
      case 'LOOKAT': case 'POINTAT': return this.lookAt(n);
      case 'WIPE': return this.clean(n, true);
      case 'WASH': case 'RINSE': case 'SCRUB': return this.clean(n, false);
      case 'PUTON': return this.putOn(n);
      case 'PUTOFF': return this.putOff(n);
      case 'DROP': case 'RELEASE': return this.drop(n);
      case 'GREET':
        return this.graph.hasProperty(n, 'PERSON') ? null : this.affErr(n, 'is not person', 'PERSON');
      case 'READ': return this.read(n);
      case 'TOUCH': return this.touch(n);
      case 'POUR': return this.pour(n, m);
      case 'TYPE': return this.type(n);
      case 'WATCH': return this.watch(n);
      case 'PUSH': case 'PULL': case 'MOVE': return this.move(n, spec.name);
      case 'SQUEEZE': return this.squeeze(n);
      case 'PLUGIN': return this.plug(n, true);
      case 'PLUGOUT': return this.plug(n, false);
      case 'CUT': return this.cut(n);
      case 'EAT': return this.eat(n);
      default:
        return this.silent('unsupported', `executor(${spec.name})`, `no executor for ${spec.name}`);
    }
  }

  // ---- movement ----------------------------------------------------------------------------

  private walkAction(a: ScriptArg): Failure | null {
    if (!this.graph.has(a.id)) {
      return this.crash('unknown_object', `exists(${a.id})`, `<${a.name}> (${a.id}) is not in the scene`, NONE_CATEGORY);
    }
    return this.walk(a, a.id);
  }

  private walk(a: ScriptArg, n: number): Failure | null {
    const g = this.graph, c = this.character, v1 = this.compat === 'v1';
    if (this.posture('SITTING') || this.posture('LYING')) {
      return this.err('posture', 'standing(character)', `${this.L(c)} is sitting`);
    }
    const charRoom = roomOf(g, c, this.compat);
    if (charRoom === undefined) return this.noCharRoom();
    const nodeRoom = roomOf(g, n, this.compat);
    if (nodeRoom === undefined) {
      return this.silent('no_room', `room(${this.name(n)})`, `${this.L(n)} is in no room, so it cannot be walked to`);
    }
    if (v1 && !this.doorAdjacent(n, charRoom)) {
      const closed = charRoom === nodeRoom ? [] : closedDoorsBetween(g, charRoom, nodeRoom, (this.doors ??= doorGraph(g)));
      if (closed === undefined) {
        return this.err('no_room', `path(${this.name(charRoom)}, ${this.name(nodeRoom)})`,
          `No path between between ${this.L(charRoom)} and ${this.L(nodeRoom)}`);
      }
      if (closed.length > 0 && n !== closed[closed.length - 1]) {
        return this.err('missing_step', `open(${this.name(closed[closed.length - 1])})`,
          `Door(s) ${closed.map((d) => this.L(d)).join(', ')} between ${this.L(charRoom)} and ${this.L(nodeRoom)} is (are) closed`);
      }
    }

    // Effects, in the reference's order.
    const lh = g.out(c, 'HOLDS_LH'), rh = g.out(c, 'HOLDS_RH');
    const held = lh.size + rh.size === 0 ? undefined : [...lh, ...rh];
    for (const rel of WALK_CLEARED) { g.removeOut(c, rel); g.removeIn(c, rel); }
    g.addEdge(c, 'INSIDE', nodeRoom);
    if (v1 || nodeRoom !== n) {
      for (const x of g.out(n, 'INSIDE')) if (!isRoom(g, x)) g.addClose(c, x);
      for (const b of bodyParts(g)) g.addClose(c, b);
      g.addClose(c, n);
    }
    if (held !== undefined) {
      for (const h of held) for (const rel of WALK_CLEARED) { g.removeOut(h, rel); g.removeIn(h, rel); }
      // The reference puts held objects in the character's *old* room (a bug in both versions).
      for (const h of held) { g.addClose(c, h); g.addEdge(h, 'INSIDE', charRoom); }
    }
    if (v1) {
      if (g.hasProperty(n, 'SURFACES')) for (const x of [...g.in(n, 'ON')]) g.addClose(c, x);
    } else {
      if (g.hasProperty(n, 'CAN_OPEN')) for (const x of [...g.in(n, 'INSIDE')]) g.addClose(c, x);
      for (const x of [...g.out(n, 'ON')]) g.addClose(c, x);
    }
    this.bind(a);
    return null;
  }

  /** Walking to a door or doorjamb between the character's room and another is always fine. */
  private doorAdjacent(n: number, charRoom: number): boolean {
    const cls = this.graph.get(n)?.className;
    if (cls !== 'door' && cls !== 'doorjamb') return false;
    return this.graph.hasEdge(n, 'BETWEEN', charRoom) || this.graph.hasEdge(charRoom, 'BETWEEN', n);
  }

  private find(a: ScriptArg): Failure | null {
    const g = this.graph, c = this.character, n = a.id;
    if (!g.has(n)) return this.crash('unknown_object', `exists(${n})`, `<${a.name}> (${n}) is not in the scene`, NONE_ID);
    const plain = g.hasEdge(n, 'ON', c) || g.hasProperty(n, 'BODY_PART') || isClose(g, c, n)
      || this.posture('SITTING') || this.posture('LYING');
    if (!plain) {
      if (this.compat === 'master') {
        return this.crash('unsupported', `close(character, ${this.name(n)})`,
          `${this.L(c)} is not close to ${this.L(n)} and master's walk-then-find path crashes`,
          'TypeError: JoinedExecutor.execute() takes 5 positional arguments but 7 were given');
      }
      // v1 joins Walk and Find; execute() takes the first successor state, i.e. Walk's.
      const w = this.walk(a, n);
      if (w === null || this.exception !== undefined) return w;
    }
    if (!isClose(g, c, n)) return this.closeErr(n);
    g.removeOut(c, 'FACING');
    g.addClose(c, n);
    this.bind(a);
    return null;
  }

  private turnTo(n: number): Failure | null {
    this.graph.removeOut(this.character, 'FACING');
    this.graph.addEdge(this.character, 'FACING', n);
    return null;
  }

  // ---- posture -----------------------------------------------------------------------------

  private sit(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (this.posture('SITTING')) return this.err('already', 'not sitting(character)', `${this.L(c)} is sitting`);
    if (!g.hasProperty(n, 'SITTABLE')) return this.affErr(n, 'is not sittable', 'SITTABLE');
    if (g.in(n, 'ON').size >= (SIT_CAPACITY[this.name(n)] ?? 1)) {
      return this.err('capacity', `capacity(${this.name(n)})`, `Too many things on ${this.L(n)}`);
    }
    g.addEdge(c, 'ON', n);
    for (const x of [...g.out(n, 'FACING')]) g.addEdge(c, 'FACING', x);
    this.setPosture('LYING', 'SITTING');
    return null;
  }

  private lie(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (this.posture('LYING')) return this.err('already', 'not lying(character)', `${this.L(c)} is lying`);
    if (!g.hasProperty(n, 'LIEABLE')) return this.affErr(n, 'is not lieable', 'LIEABLE');
    if (g.in(n, 'ON').size >= (LIE_CAPACITY[this.name(n)] ?? 1)) {
      return this.err('capacity', `capacity(${this.name(n)})`, `Too many things on ${this.L(n)}`);
    }
    g.addEdge(c, 'ON', n);
    this.setPosture('SITTING', 'LYING');
    return null;
  }

  private standUp(): Failure | null {
    if (!this.posture('SITTING') && !this.posture('LYING')) {
      return this.err('already', 'sitting_or_lying(character)', `${this.L(this.character)} is not sitting`);
    }
    // The ON(character → seat) edge stays, as in the reference.
    this.setPosture('SITTING', undefined);
    this.graph.removeState(this.character, 'LYING');
    return null;
  }

  private sleep(): Failure | null {
    if (!this.posture('SITTING') && !this.posture('LYING')) {
      return this.err('posture', 'sitting_or_lying(character)', `${this.L(this.character)} is not lying or sitting`);
    }
    return null;
  }

  // ---- hands -------------------------------------------------------------------------------

  private grab(n: number): Failure | null {
    const g = this.graph, c = this.character;
    const cls = this.name(n);
    if (!g.hasProperty(n, 'GRABBABLE') && cls !== 'water' && cls !== 'child') return this.affErr(n, 'is not grabbable', 'GRABBABLE');
    if (this.compat === 'master' && this.grabs.has(n)) return this.err('already', `not grabbed(${cls})`, `${this.L(n)} already grabbed`);
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (isInsideClosed(g, n)) return this.insideErr(n);
    const hand = freeHand(g, c);
    if (hand === undefined) return this.handErr();
    const charRoom = roomOf(g, c, this.compat);
    if (charRoom === undefined) return this.noCharRoom();

    // The origin PutObjBack returns to: the first non-room target of ON, then INSIDE, then CLOSE.
    let origin = -1;
    let originRel: Relation = 'ON';
    for (const rel of ORIGIN_RELATIONS) {
      origin = this.firstNonRoom(n, rel);
      if (origin >= 0) { originRel = rel; break; }
    }
    for (const rel of this.compat === 'v1' ? GRAB_CLEARED_V1 : GRAB_CLEARED_MASTER) { g.removeOut(n, rel); g.removeIn(n, rel); }
    g.addClose(c, n);
    g.addEdge(c, hand, n);
    g.addEdge(n, 'INSIDE', charRoom);
    if (origin >= 0) {
      g.addClose(c, origin);
      this.setGrab(n, { dest: origin, rel: originRel });
    }
    return null;
  }

  /**
   * The first non-room target of `n -rel-> *` in the reference's iteration order: a Python set
   * of the targets added during execution, then the initial ones (exec/pyset.ts, spec §8).
   */
  private firstNonRoom(n: number, rel: Relation): number {
    const g = this.graph;
    const targets = g.out(n, rel);
    if (targets.size === 0) return -1;
    if (targets.size === 1) {
      for (const x of targets) return isRoom(g, x) ? -1 : x;
    }
    const added = g.addedSince(this.startMark, n, rel);
    const addedSet = new Set(added);
    // Initial targets in ascending id order, so that the choice does not depend on Set
    // insertion order (which rollback does not preserve).
    const initial: number[] = [];
    for (const x of targets) if (!addedSet.has(x)) initial.push(x);
    initial.sort((a, b) => a - b);
    for (const x of pythonSetOrder(added.concat(initial))) if (!isRoom(g, x)) return x;
    return -1;
  }

  private checkPut(src: number, dest: number, rel: Relation): Failure | null {
    const g = this.graph, c = this.character;
    if (!isHolding(g, c, src)) return this.holdErr(src);
    if (!isClose(g, c, dest)) return this.closeErr(dest);
    if (rel === 'INSIDE' && g.hasProperty(dest, 'CAN_OPEN') && !g.hasState(dest, 'OPEN')) {
      return this.err('missing_step', `open(${this.name(dest)})`, `${this.L(dest)} is not open or is not openable`);
    }
    return null;
  }

  private applyPut(src: number, dest: number, rel: Relation): void {
    const g = this.graph, c = this.character;
    g.removeEdge(c, 'HOLDS_LH', src);
    g.removeEdge(c, 'HOLDS_RH', src);
    g.addClose(c, dest);
    g.addClose(src, dest);
    g.addEdge(src, rel, dest);
    this.setGrab(src, undefined);
  }

  private put(src: number, dest: number, rel: Relation): Failure | null {
    const f = this.checkPut(src, dest, rel);
    if (f !== null) return f;
    this.applyPut(src, dest, rel);
    return null;
  }

  private putObjBack(src: number): Failure | null {
    const rec = this.grabs.get(src);
    if (rec === undefined) return this.err('missing_step', `grabbed(${this.name(src)})`, `${this.L(src)} not grabbed`);
    const f = this.checkPut(src, rec.dest, rec.rel);
    // Master's bug: a failed check still yields the unchanged state (the message stays logged).
    if (f !== null) return this.compat === 'master' ? null : f;
    this.applyPut(src, rec.dest, rec.rel);
    return null;
  }

  private drop(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!isHolding(g, c, n)) return this.holdErr(n);
    const room = roomOf(g, c, this.compat);
    if (room === undefined) return this.noCharRoom();
    g.removeEdge(c, 'HOLDS_LH', n);
    g.removeEdge(c, 'HOLDS_RH', n);
    g.addEdge(n, 'INSIDE', room);
    this.setGrab(n, undefined);
    return null;
  }

  private putOn(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!isHolding(g, c, n)) return this.holdErr(n);
    if (!g.hasProperty(n, 'CLOTHES')) return this.affErr(n, 'is not clothes', 'CLOTHES');
    g.addEdge(n, 'ON', c);
    g.removeEdge(c, 'HOLDS_LH', n);
    g.removeEdge(c, 'HOLDS_RH', n);
    return null;
  }

  private putOff(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (this.compat === 'master') {
      return this.crash('unsupported', 'executor(PUTOFF)', 'master\'s PutOff always crashes',
        "TypeError: PutOffExecutor.check_putoff() missing 1 required positional argument: 'char_index'");
    }
    if (!g.hasEdge(n, 'ON', c)) return this.err('missing_step', `on(${this.name(n)}, character)`, `${this.L(n)} is not on ${this.L(c)}`);
    if (!g.hasProperty(n, 'CLOTHES')) return this.affErr(n, 'is not clothes', 'CLOTHES');
    g.removeEdge(n, 'ON', c);
    return null;
  }

  // ---- object states -----------------------------------------------------------------------

  private open(n: number, close: boolean): Failure | null {
    const g = this.graph, c = this.character;
    const cls = this.name(n);
    if (!g.hasProperty(n, 'CAN_OPEN') && cls !== 'desk' && cls !== 'window') return this.affErr(n, 'can not be opened', 'CAN_OPEN');
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (!close && freeHand(g, c) === undefined) return this.handErr();
    const need: State = close ? 'OPEN' : 'CLOSED';
    const next: State = close ? 'CLOSED' : 'OPEN';
    if (!g.hasState(n, need)) return this.stateErr(n, need, next);
    if (!close && g.hasState(n, 'ON')) return this.err('missing_step', `off(${cls})`, `${this.L(n)} is still on`);
    g.removeState(n, need);
    g.addState(n, next);
    return null;
  }

  private switchTo(n: number, on: boolean): Failure | null {
    const g = this.graph, c = this.character;
    if (!g.hasProperty(n, 'HAS_SWITCH')) return this.affErr(n, 'does not have a switch', 'HAS_SWITCH');
    if (!isClose(g, c, n)) return this.closeErr(n);
    const need: State = on ? 'OFF' : 'ON';
    const next: State = on ? 'ON' : 'OFF';
    if (!g.hasState(n, need)) return this.stateErr(n, need, next);
    if (on && g.hasState(n, 'PLUGGED_OUT')) return this.err('missing_step', `plugged_in(${this.name(n)})`, `${this.L(n)} is unplugged`);
    g.removeState(n, need);
    g.addState(n, next);
    return null;
  }

  private plug(n: number, plugIn: boolean): Failure | null {
    const g = this.graph, c = this.character;
    if (!g.hasProperty(n, 'HAS_PLUG')) return this.affErr(n, 'does not have a plug', 'HAS_PLUG');
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (freeHand(g, c) === undefined) return this.handErr();
    const need: State = plugIn ? 'PLUGGED_OUT' : 'PLUGGED_IN';
    const next: State = plugIn ? 'PLUGGED_IN' : 'PLUGGED_OUT';
    if (!g.hasState(n, need)) return this.stateErr(n, need, next);
    // The reference only logs this one and unplugs anyway.
    if (!plugIn && g.hasState(n, 'ON')) this.log.push(`${this.L(n)} is still on${this.where()}`);
    g.removeState(n, need);
    g.addState(n, next);
    return null;
  }

  private clean(n: number, wipe: boolean): Failure | null {
    const g = this.graph, c = this.character;
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (wipe && !holdsAnything(g, c)) {
      return this.err('missing_step', 'holding_anything(character)', `${this.L(c)} does not hold anything in hands`);
    }
    g.removeState(n, 'DIRTY');
    g.addState(n, 'CLEAN');
    return null;
  }

  // ---- checks without effects --------------------------------------------------------------

  private drink(n: number): Failure | null {
    const g = this.graph;
    if (!g.hasProperty(n, 'DRINKABLE') && !g.hasProperty(n, 'RECIPIENT')) {
      return this.affErr(n, 'is not drinkable or not recipient', 'DRINKABLE');
    }
    return isHolding(g, this.character, n) ? null : this.holdErr(n);
  }

  private read(n: number): Failure | null {
    const g = this.graph;
    if (!g.hasProperty(n, 'READABLE')) return this.affErr(n, 'is not readable', 'READABLE');
    return isHolding(g, this.character, n) ? null : this.holdErr(n);
  }

  private lookAt(n: number): Failure | null {
    if (isFacing(this.graph, this.character, n)) return null;
    return this.err('missing_step', `facing(character, ${this.name(n)})`, `${this.L(this.character)} does not face ${this.L(n)}`);
  }

  private touch(n: number): Failure | null {
    const g = this.graph;
    if (!isClose(g, this.character, n)) return this.closeErr(n);
    return isInsideClosed(g, n) ? this.insideErr(n) : null;
  }

  private pour(src: number, dest: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!g.hasProperty(src, 'POURABLE') && !g.hasProperty(src, 'DRINKABLE')) {
      return this.affErr(src, 'is not pourable or drinkable', 'POURABLE');
    }
    const dcls = this.name(dest);
    if (!g.hasProperty(dest, 'RECIPIENT') && dcls !== 'hands_both' && dcls !== 'sponge' && dcls !== 'face') {
      return this.affErr(dest, 'is not recipient', 'RECIPIENT');
    }
    if (!isHolding(g, c, src)) return this.holdErr(src);
    if (!isClose(g, c, dest)) return this.closeErr(dest);
    g.addEdge(src, 'INSIDE', dest);
    if (this.name(src) === 'water') { g.removeEdge(c, 'HOLDS_LH', src); g.removeEdge(c, 'HOLDS_RH', src); }
    return null;
  }

  private type(n: number): Failure | null {
    const g = this.graph;
    if (!isClose(g, this.character, n)) return this.closeErr(n);
    if (this.name(n) === 'keyboard' || g.hasProperty(n, 'HAS_SWITCH')) return null;
    return this.affErr(n, 'does not have switch', 'HAS_SWITCH');
  }

  private watch(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (!g.hasProperty(n, 'LOOKABLE')) return this.affErr(n, 'not lookable', 'LOOKABLE');
    const charRoom = roomOf(g, c, this.compat);
    const nodeRoom = roomOf(g, n, this.compat);
    if (charRoom === undefined) return this.noCharRoom();
    if (nodeRoom === undefined) {
      return this.crash('no_room', `room(${this.name(n)})`, `${this.L(n)} is in no room`, NONE_ID);
    }
    if (charRoom !== nodeRoom) {
      return this.err('missing_step', `same_room(character, ${this.name(n)})`,
        `char room ${this.L(charRoom)} is not node room ${this.L(nodeRoom)}`);
    }
    if (!isFacing(g, c, n)) return this.err('missing_step', `facing(character, ${this.name(n)})`, `${this.L(c)} does not face ${this.L(n)}`);
    if (this.name(n) !== 'computer' && (this.posture('SITTING') || this.posture('LYING')) && !g.hasEdge(c, 'FACING', n)) {
      return this.err('missing_step', `facing_direct(character, ${this.name(n)})`, `${this.L(c)} is not facing ${this.L(n)} while sitting`);
    }
    // The reference only logs this one and watches anyway.
    if (isInsideClosed(g, n)) this.log.push(`${this.L(n)} is inside other closed thing${this.where()}`);
    return null;
  }

  private move(n: number, action: string): Failure | null {
    const g = this.graph, c = this.character;
    const cls = this.name(n);
    const movable = g.hasProperty(n, 'MOVABLE') || action === 'PUSH' || cls === 'button' || cls === 'chair' || cls === 'curtain';
    if (!movable) return this.affErr(n, 'is not movable', 'MOVABLE');
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (isInsideClosed(g, n)) return this.insideErr(n);
    return freeHand(g, c) === undefined ? this.handErr() : null;
  }

  private squeeze(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (freeHand(g, c) === undefined) return this.handErr();
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (!g.hasProperty(n, 'CLOTHES') && !SQUEEZABLE.has(this.name(n))) return this.affErr(n, 'is not clothes', 'CLOTHES');
    return null;
  }

  private cut(n: number): Failure | null {
    const g = this.graph, c = this.character;
    if (freeHand(g, c) === undefined) return this.handErr();
    if (!isClose(g, c, n)) return this.closeErr(n);
    if (!g.hasProperty(n, 'EATABLE')) return this.affErr(n, 'is not eatable', 'EATABLE');
    if (!g.hasProperty(n, 'CUTTABLE')) return this.affErr(n, 'is not cuttable', 'CUTTABLE');
    for (const rel of ['HOLDS_LH', 'HOLDS_RH'] as const) {
      for (const h of g.out(c, rel)) if (this.name(h).includes('knife')) return null;
    }
    return this.err('missing_step', 'holding(character, knife)', `${this.L(c)} is not holding a knife`);
  }

  private eat(n: number): Failure | null {
    const g = this.graph;
    if (!isClose(g, this.character, n)) return this.closeErr(n);
    if (g.hasProperty(n, 'EATABLE')) return null;
    const on = g.in(n, 'ON');
    if (on.size === 0) return this.affErr(n, 'is not eatable', 'EATABLE');
    for (const x of on) if (g.hasProperty(x, 'EATABLE')) return null;
    return this.err('affordance', `EATABLE(on ${this.name(n)})`, `none of object on ${this.L(n)} is eatable`);
  }
}
