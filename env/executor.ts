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
import type { Failure } from './failure.ts';
import type { SceneGraph } from './graph.ts';
import type { ScriptLine } from './script-types.ts';
import { ExecCore, type ExecutorOptions, type GrabRecord } from './exec/core.ts';
import { drop, grab, put, putObjBack, putOff, putOn } from './exec/hands.ts';
import { clean, cut, drink, eat, lookAt, move, open, plug, pour, read, squeeze, switchTo, touch, type, watch } from './exec/objects.ts';
import { find, lie, sit, sleep, standUp, turnTo, walkAction } from './exec/movement.ts';
import { STEP_OK, type ScriptResult, type StepResult } from './exec/outcome.ts';
import type { Compat } from './exec/predicates.ts';

export type { Compat } from './exec/predicates.ts';
export type { ExecutorOptions } from './exec/core.ts';
export type { ScriptResult, StepResult } from './exec/outcome.ts';

/** A position to return the executor (graph, bindings, grab records, message log) to. */
export interface ExecutorMark { graph: number; binds: number; grabs: number; log: number }

export class Executor {
  private readonly x: ExecCore;

  /** Throws a HearthError for a graph without a character or an unknown compat. */
  constructor(graph: SceneGraph, options: ExecutorOptions = {}) {
    this.x = new ExecCore(graph, options);
  }

  get graph(): SceneGraph { return this.x.graph; }
  get compat(): Compat { return this.x.compat; }
  /** The character's node id. */
  get character(): number { return this.x.character; }

  /** Execute one line; the graph changes only if the step succeeds. */
  executeLine(line: ScriptLine): StepResult {
    const x = this.x;
    x.cur = line;
    x.stepStart = x.log.length;
    x.exception = undefined;
    const failure = dispatch(x, line);
    if (failure === null) {
      return x.log.length === x.stepStart ? STEP_OK : { ok: true, warnings: x.log.slice(x.stepStart) };
    }
    return x.exception === undefined ? { ok: false, failure } : { ok: false, failure, exception: x.exception };
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
    const x = this.x;
    return { graph: x.graph.mark(), binds: x.bindLog.length, grabs: x.grabLog.length, log: x.log.length };
  }

  /** Return graph, bindings, grab records and messages to a mark (e.g. in a planner's search). */
  rollback(m: ExecutorMark): void {
    const x = this.x;
    x.graph.rollback(m.graph);
    while (x.bindLog.length > m.binds) {
      const [id, name] = x.bindLog.pop()!;
      const names = x.bound.get(id)!;
      names.splice(names.lastIndexOf(name), 1);
      if (names.length === 0) x.bound.delete(id);
    }
    while (x.grabLog.length > m.grabs) {
      const [id, prev] = x.grabLog.pop()!;
      if (prev === undefined) x.grabs.delete(id); else x.grabs.set(id, prev);
    }
    if (x.log.length > m.log) x.log.length = m.log;
  }

  /**
   * Bind (name, id) as if a Walk/Run/Find had found it (v1's rule), e.g. for objects an
   * episode already knows about. Undone by `rollback` like any binding.
   */
  bindObject(name: string, id: number): void { this.x.bind({ name, id }); }

  /** Every message the reference would have logged so far, one per entry. */
  messages(): string[] { return this.x.log.slice(); }

  /** The reference's `get_error_string()`: the messages joined with ",". */
  accumulatedMessage(): string { return this.x.log.join(','); }

  /** Whether (name, id) was bound by Walk/Run/Find (v1's "must be found first" rule). */
  isBound(name: string, id: number): boolean { return this.x.bound.get(id)?.includes(name) ?? false; }

  /** The grab origin PutObjBack would return an object to. */
  grabOrigin(id: number): Readonly<GrabRecord> | undefined { return this.x.grabs.get(id); }
}

function dispatch(ex: ExecCore, line: ScriptLine): Failure | null {
  const spec = actionSpec(line.action);
  if (spec === undefined) {
    return ex.silent('unknown_action', `action(${line.action})`, `Unknown action "${line.action}"`);
  }
  if (line.args.length !== spec.arity) {
    return ex.silent('wrong_arity', `arity(${spec.name})`,
      `Wrong number of parameters for "${spec.name}". Got ${line.args.length}, expected ${spec.arity}`);
  }
  switch (spec.name) {
    case 'WALK': case 'RUN': return walkAction(ex, line.args[0]);
    case 'FIND': return find(ex, line.args[0]);
    case 'LOOKAT_SHORT': case 'LOOKAT_LONG':
      return ex.crash('unsupported', `executor(${spec.name})`, `${spec.name} has no executor in the reference`,
        ex.compat === 'v1' ? `ExecutionException: Execution of Action.${spec.name} is not supported`
          : 'TypeError: UnknownExecutor.execute() takes 5 positional arguments but 7 were given');
    case 'STANDUP': return standUp(ex);
    case 'SLEEP': case 'WAKEUP': return sleep(ex);
    default: break;
  }
  // Every other action looks its objects up first (v1: they must have been bound).
  const a = line.args[0];
  const n = ex.resolve(a);
  if (n < 0) return ex.notFound(a);
  let m = -1;
  if (line.args.length === 2) {
    m = ex.resolve(line.args[1]);
    if (m < 0) return ex.notFound(line.args[1]);
  }
  switch (spec.name) {
    case 'SIT': return sit(ex, n);
    case 'LIE': return lie(ex, n);
    case 'GRAB': return grab(ex, n);
    case 'OPEN': return open(ex, n, false);
    case 'CLOSE': return open(ex, n, true);
    case 'PUTBACK': return put(ex, n, m, 'ON');
    case 'PUTIN': return put(ex, n, m, 'INSIDE');
    case 'PUTOBJBACK': return putObjBack(ex, n);
    case 'SWITCHON': return switchTo(ex, n, true);
    case 'SWITCHOFF': return switchTo(ex, n, false);
    case 'DRINK': return drink(ex, n);
    case 'TURNTO': return turnTo(ex, n);
    case 'LOOKAT': case 'POINTAT': return lookAt(ex, n);
    case 'WIPE': return clean(ex, n, true);
    case 'WASH': case 'RINSE': case 'SCRUB': return clean(ex, n, false);
    case 'PUTON': return putOn(ex, n);
    case 'PUTOFF': return putOff(ex, n);
    case 'DROP': case 'RELEASE': return drop(ex, n);
    case 'GREET':
      return ex.graph.hasProperty(n, 'PERSON') ? null : ex.affErr(n, 'is not person', 'PERSON');
    case 'READ': return read(ex, n);
    case 'TOUCH': return touch(ex, n);
    case 'POUR': return pour(ex, n, m);
    case 'TYPE': return type(ex, n);
    case 'WATCH': return watch(ex, n);
    case 'PUSH': case 'PULL': case 'MOVE': return move(ex, n, spec.name);
    case 'SQUEEZE': return squeeze(ex, n);
    case 'PLUGIN': return plug(ex, n, true);
    case 'PLUGOUT': return plug(ex, n, false);
    case 'CUT': return cut(ex, n);
    case 'EAT': return eat(ex, n);
    default:
      return ex.silent('unsupported', `executor(${spec.name})`, `no executor for ${spec.name}`);
  }
}
