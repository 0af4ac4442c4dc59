/**
 * Scoring EAI action-sequencing outputs (`[{identifier, llm_output}]`) two ways.
 *
 * `official` follows eai-eval 1.0.5's `evaluate_results` (virtualhome, action_sequencing) step
 * by step, quirks included:
 * - a task whose dataset final graph fails its own node/edge goals is skipped (no denominator);
 *   with the edge-goal count below, every task with two or more edge goals is skipped;
 * - the output is read with a regex (parse.ts), and a value its JSON parser rejects counts as a
 *   parsing error twice;
 * - actions outside its `valid_actions` (PLUGIN, PLUGOUT, RELEASE, though the prompt lists them)
 *   and `name_id` pairs outside the prompt's object list are hallucinations;
 * - a plan whose steps equal the dataset program is counted executable and nothing else: it is
 *   not simulated, its goals are not checked, but its goals stay in the denominators;
 * - otherwise steps run until the first fatal error (an "additional step", i.e. an effect that
 *   already holds, is skipped); goals are checked on the state reached, so a plan that fails
 *   mid-way can still be a success;
 * - edge goals: the count stops at the first satisfied goal (a `break`), so it is 0 or 1;
 * - action goals: `list(set(goals))` (CPython's hash order, PYTHONHASHSEED=0 here), each matched
 *   as a substring of the executed lines joined by spaces, counting stops at the first miss;
 * - rates: execution success to 1 decimal, the others to 4 (Python's round-half-even).
 *
 * `corrected` fixes each: every plan is simulated, JSON is parsed strictly (zero-argument steps
 * kept), the prompt's advertised actions are accepted, objects of the scene with their class
 * name and id are accepted, success needs an executable plan, all edge goals count, action goals
 * keep the file's order and match action names, tasks whose annotation is inconsistent (the
 * dataset final graph fails the goals) are reported apart instead of dropped.
 *
 * Execution is Hearth's simulator (VirtualHome v1.0.0 semantics) in both scorings; its typed
 * failures map onto EAI's runtime error kinds (see `runtimeKind`).
 */
import { HearthError } from '../../env/errors.ts';
import { Executor } from '../../env/executor.ts';
import type { Failure } from '../../env/failure.ts';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import type { Relation, State } from '../../env/vocabulary.ts';
import type { EaiData, EaiTask, EdgeGoal, NodeGoal } from './data.ts';
import { officialParse, pyStr, strictParse, type Step } from './parse.ts';
import { pySetOrder } from './pyhash.ts';

export type Scoring = 'official' | 'corrected';
export type Outcome = 'skipped' | 'parsing' | 'hallucination' | 'parameter' | 'not executable' | 'executable';
export type RuntimeKind = 'wrong_order' | 'missing_step' | 'affordance_error' | 'additional_step';

export interface OutputRecord { identifier: string; llm_output: string }

export interface TaskResult {
  outcome: Outcome;
  success: boolean | null;
  errors: string[];
  /** Goals matched / counted (node, edge, action), when goals were checked. */
  matched?: [number, number, number];
  /** corrected: the dataset's final graph fails the task's goals (kept out of the summary). */
  inconsistent?: boolean;
}

export interface Summary {
  goal_evaluation: { task_success_rate: number | null; state_goal: number | null; relation_goal: number | null; action_goal: number | null; total_goal: number | null };
  trajectory_evaluation: {
    execution_success_rate: number | null;
    grammar_error: { parsing: number | null; hallucination: number | null; predicate_argument_number: number | null };
    runtime_error: { wrong_order: number | null; missing_step: number | null; affordance_error: number | null; additional_step: number | null };
  };
}

export interface Evaluation { scoring: Scoring; summary: Summary; tasks: Record<string, TaskResult>; notes: string[] }

/** eai-eval's `valid_actions` (name → number of objects). */
export const OFFICIAL_ACTIONS: Record<string, number> = {
  DRINK: 1, EAT: 1, CUT: 1, TOUCH: 1, LOOKAT: 1, LOOKAT_SHORT: 1, LOOKAT_MEDIUM: 1, LOOKAT_LONG: 1, WATCH: 1, READ: 1,
  TYPE: 1, PUSH: 1, PULL: 1, MOVE: 1, SQUEEZE: 1, SLEEP: 0, WAKEUP: 0, RINSE: 1, SCRUB: 1, WASH: 1, GRAB: 1,
  SWITCHOFF: 1, SWITCHON: 1, CLOSE: 1, FIND: 1, WALK: 1, OPEN: 1, POINTAT: 1, PUTBACK: 2, PUTIN: 2, PUTOBJBACK: 1,
  RUN: 1, SIT: 1, STANDUP: 0, TURNTO: 1, WIPE: 1, PUTON: 1, PUTOFF: 1, GREET: 1, DROP: 1, LIE: 1, POUR: 2,
};

/** The prompt's "Supported Actions List". */
export const PROMPT_ACTIONS: Record<string, number> = {
  CLOSE: 1, DRINK: 1, FIND: 1, WALK: 1, GRAB: 1, LOOKAT: 1, OPEN: 1, POINTAT: 1, PUTBACK: 2, PUTIN: 2, RUN: 1, SIT: 1,
  STANDUP: 0, SWITCHOFF: 1, SWITCHON: 1, TOUCH: 1, TURNTO: 1, WATCH: 1, WIPE: 1, PUTON: 1, PUTOFF: 1, GREET: 1, DROP: 1,
  READ: 1, LIE: 1, POUR: 2, PUSH: 1, PULL: 1, MOVE: 1, WASH: 1, RINSE: 1, SCRUB: 1, SQUEEZE: 1, PLUGIN: 1, PLUGOUT: 1,
  CUT: 1, EAT: 1, RELEASE: 1, TYPE: 1,
};

/** The corrected vocabulary: what the prompt advertises plus what eai-eval accepts (SLEEP, WAKEUP, PUTOBJBACK, LOOKAT_*). */
export const CORRECTED_ACTIONS: Record<string, number> = { ...OFFICIAL_ACTIONS, ...PROMPT_ACTIONS };

/**
 * How a Hearth failure counts among EAI's runtime errors. eai-eval's executor differs from
 * VirtualHome's in two messages: WATCH's "char room ... is not node room" and PUTIN's "is not
 * open or is not openable" (a closed container) are affordance errors there.
 */
export function runtimeKind(f: Pick<Failure, 'code' | 'message'>): RuntimeKind {
  if (/is not node room|is not open or is not openable/.test(f.message)) return 'affordance_error';
  switch (f.code) {
    case 'already': return 'additional_step';
    case 'wrong_order': return 'wrong_order';
    case 'missing_step': case 'posture': return 'missing_step';
    default: return 'affordance_error';
  }
}

// ---- per-task context ------------------------------------------------------------------------

export interface TaskContext {
  task: EaiTask;
  nodeGoals: NodeGoal[];
  edgeGoals: EdgeGoal[];
  /** eai-eval's order: `list(set(actions))` under PYTHONHASHSEED=0. */
  officialActionGoals: string[];
  /** File order, duplicates removed. */
  actionGoals: string[];
  /** The prompt's objects: `"<class_name>_<id>"` → id. */
  relevant: Map<string, number>;
  /** The program as eai-eval compares it (`[WALK] <tv> (12)`). */
  goldActions: string[];
  init: GraphJSON;
  /** The dataset final graph passes the goals: with eai-eval's edge count, and with every edge counted. */
  goldOkOfficial: boolean;
  goldOkCorrected: boolean;
}

const nodeKey = (n: Record<string, unknown>, upper: boolean) => JSON.stringify([
  n.id, n.class_name, n.category ?? null,
  [...((n.properties as string[]) ?? [])].map((p) => (upper ? String(p).toUpperCase() : String(p))).sort(),
  [...((n.states as string[]) ?? [])].map((p) => (upper ? String(p).toUpperCase() : String(p))).sort(),
  n.prefab_name ?? null, n.bounding_box ?? null,
]);
const edgeKey = (e: { from_id: number; relation_type: string; to_id: number }) => `${e.from_id}|${e.relation_type}|${e.to_id}`;

function dedupe<T>(xs: T[]): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) {
    const k = JSON.stringify(Object.entries(x as object).sort());
    if (!seen.has(k)) seen.set(k, x); else { seen.delete(k); seen.set(k, x); }
  }
  // Python's dict keeps the first insertion position with the last value.
  const order = new Map<string, T>();
  for (const x of xs) {
    const k = JSON.stringify(Object.entries(x as object).sort());
    if (!order.has(k)) order.set(k, seen.get(k)!);
  }
  return [...order.values()];
}

interface GoalState { hasState(id: number, state: string): boolean; hasNode(id: number): boolean; hasEdge(e: EdgeGoal): boolean }

function jsonGoalState(g: GraphJSON): GoalState {
  const states = new Map<number, Set<string>>();
  for (const n of g.nodes) states.set(n.id, new Set((n.states ?? []).map(String)));
  const edges = new Set(g.edges.map((e) => edgeKey(e)));
  return {
    hasNode: (id) => states.has(id),
    hasState: (id, s) => states.get(id)?.has(s) ?? false,
    hasEdge: (e) => edges.has(edgeKey(e)),
  };
}

function graphGoalState(g: SceneGraph): GoalState {
  return {
    hasNode: (id) => g.has(id),
    hasState: (id, s) => g.has(id) && g.node(id).states.has(s as State),
    hasEdge: (e) => g.has(e.from_id) && g.has(e.to_id) && g.hasEdge(e.from_id, e.relation_type as Relation, e.to_id),
  };
}

export function taskContext(data: EaiData, task: EaiTask): TaskContext {
  const p = data.program(task.id);
  const nodeGoals = dedupe(task.nodeGoals);
  const edgeGoals = dedupe(task.edgeGoals);
  // filter_unique_subdicts(init_state.to_dict(), final_state_dict): nodes/edges that differ.
  const initNodes = new Map<string, number>();
  for (const n of p.init.nodes) initNodes.set(nodeKey(n as unknown as Record<string, unknown>, true), n.id);
  const finalNodes = new Map<string, number>();
  for (const n of p.final.nodes) finalNodes.set(nodeKey(n as unknown as Record<string, unknown>, false), n.id);
  const ids = new Set<number>();
  for (const [k, id] of initNodes) if (!finalNodes.has(k)) ids.add(id);
  for (const [k, id] of finalNodes) if (!initNodes.has(k)) ids.add(id);
  const ie = new Set(p.init.edges.map(edgeKey));
  const fe = new Set(p.final.edges.map(edgeKey));
  for (const s of [...[...ie].filter((k) => !fe.has(k)), ...[...fe].filter((k) => !ie.has(k))]) {
    const [a, , b] = s.split('|');
    ids.add(Number(a)); ids.add(Number(b));
  }
  const initById = new Map(p.init.nodes.map((n) => [n.id, n]));
  const relevant = new Map<string, number>();
  for (const id of ids) {
    const n = initById.get(id);
    if (n) relevant.set(`${n.class_name}_${id}`, id);
  }
  const goldActions = p.lines.map((line) => {
    const parts = line.split(/\s+/).filter((x) => x !== '');
    return [parts[0], ...parts.slice(1).map((part) => (part.includes('(') && part.includes(')') ? `(${part.split('.').at(-1)!.slice(0, -1)})` : part))].join(' ');
  });
  const fin = jsonGoalState(p.final);
  const [n1, e1] = goalCounts(fin, nodeGoals, edgeGoals, 'official');
  const [n2, e2] = goalCounts(fin, nodeGoals, edgeGoals, 'corrected');
  return {
    task, nodeGoals, edgeGoals,
    officialActionGoals: pySetOrder(task.actionGoals),
    actionGoals: [...new Set(task.actionGoals)],
    relevant, goldActions, init: p.init,
    goldOkOfficial: n1 === nodeGoals.length && e1 === edgeGoals.length,
    goldOkCorrected: n2 === nodeGoals.length && e2 === edgeGoals.length,
  };
}

/** Whether every node and edge goal of a task holds in a graph (the corrected count). */
export function goalsHold(graph: SceneGraph, nodeGoals: NodeGoal[], edgeGoals: EdgeGoal[]): boolean {
  const [n, e] = goalCounts(graphGoalState(graph), nodeGoals, edgeGoals, 'corrected');
  return n === nodeGoals.length && e === edgeGoals.length;
}

function goalCounts(s: GoalState, nodeGoals: NodeGoal[], edgeGoals: EdgeGoal[], scoring: Scoring): [number, number] {
  let n = 0;
  for (const g of nodeGoals) if (s.hasNode(g.id) && s.hasState(g.id, g.state)) n++;
  let e = 0;
  for (const g of edgeGoals) {
    if (s.hasEdge(g)) {
      e++;
      if (scoring === 'official') break; // eai-eval's `break` after the first satisfied edge goal
    }
  }
  return [n, e];
}

/** check_order_with_or_score: substring search in the joined executed lines, stop at first miss. */
function officialActionScore(goals: string[], executed: string[]): number {
  if (goals.length === 0) return 0;
  const s = executed.join(' ');
  let start = 0, cnt = 0;
  for (const group of goals) {
    let found = false;
    for (const opt of group.split('|')) {
      const o = opt.toUpperCase().replaceAll(' ', '');
      const i = s.indexOf(o, start);
      if (i !== -1) { start = i + o.length; found = true; cnt++; break; }
    }
    if (!found) break;
  }
  return cnt;
}

/** Corrected: action goals in order, each an action name of a later executed step. */
function correctedActionScore(goals: string[], executed: string[]): number {
  let at = 0, cnt = 0;
  for (const group of goals) {
    const opts = group.split('|').map((o) => o.toUpperCase().replaceAll(' ', ''));
    let j = at;
    while (j < executed.length && !opts.includes(executed[j])) j++;
    if (j < executed.length) { cnt++; at = j + 1; }
  }
  return cnt;
}

// ---- one task --------------------------------------------------------------------------------

interface Tally {
  programs: number; parsing: number; hallucination: number; parameter: number; executable: number; success: number;
  node: number; edge: number; action: number; nodeGoals: number; edgeGoals: number; actionGoals: number;
  runtime: Record<RuntimeKind, number>;
}
const newTally = (): Tally => ({ programs: 0, parsing: 0, hallucination: 0, parameter: 0, executable: 0, success: 0,
  node: 0, edge: 0, action: 0, nodeGoals: 0, edgeGoals: 0, actionGoals: 0,
  runtime: { wrong_order: 0, missing_step: 0, affordance_error: 0, additional_step: 0 } });

interface Grounded { lines: string[]; steps: Array<{ action: string; args: Array<{ name: string; id: number }> }> }

function scoreOfficial(ctx: TaskContext, rec: OutputRecord, t: Tally): TaskResult {
  if (!ctx.goldOkOfficial) return { outcome: 'skipped', success: null, errors: ['the dataset final graph fails the task\'s goals (eai-eval drops the task)'] };
  t.programs++;
  t.nodeGoals += ctx.nodeGoals.length; t.edgeGoals += ctx.edgeGoals.length; t.actionGoals += ctx.officialActionGoals.length;
  let steps = officialParse(rec.llm_output);
  let format = false;
  if (steps === null) { t.parsing++; format = true; }
  if (steps === null || steps.length === 0 || steps.some((s) => !Array.isArray(s.params) || s.params.length % 2 !== 0)) {
    t.parsing++;
    return { outcome: 'parsing', success: false, errors: [format ? 'a step\'s value is not JSON' : steps && steps.length > 0 ? 'a step has an odd number of values' : 'no "ACTION": [...] pair found'] };
  }
  for (const s of steps) {
    if (!Object.hasOwn(OFFICIAL_ACTIONS, s.action.toUpperCase())) { t.hallucination++; return { outcome: 'hallucination', success: false, errors: [`unknown action ${s.action}`] }; }
  }
  for (const s of steps) {
    for (let i = 0; i < s.params.length; i += 2) {
      const key = `${pyStr(s.params[i])}_${pyStr(s.params[i + 1])}`;
      if (!ctx.relevant.has(key)) { t.hallucination++; return { outcome: 'hallucination', success: false, errors: [`object ${key} is not in the prompt's object list`] }; }
    }
  }
  steps = steps.map((s) => {
    const params = [...s.params];
    const k = params.indexOf('');
    if (k >= 0) params.splice(k, 1);
    return { action: s.action, params };
  });
  for (const s of steps) {
    if (!Object.hasOwn(OFFICIAL_ACTIONS, s.action)) {
      throw new HearthError('eai.official_crash', `record "${rec.identifier}": eai-eval 1.0.5 stops with KeyError('${s.action}') on a lower-case action name`, 'score with --scoring corrected, or upper-case the action names');
    }
    if (Math.floor(s.params.length / 2) !== OFFICIAL_ACTIONS[s.action]) {
      t.parameter++;
      return { outcome: 'parameter', success: false, errors: [`${s.action} takes ${OFFICIAL_ACTIONS[s.action]} object(s), got ${s.params.length / 2}`] };
    }
  }
  const g: Grounded = { lines: [], steps: [] };
  for (const s of steps) {
    const n = s.params.length;
    if (n !== 0 && n !== 2 && n !== 4) continue; // json_to_action drops other lengths silently
    const args = [];
    for (let i = 0; i < n; i += 2) args.push({ name: pyStr(s.params[i]), id: ctx.relevant.get(`${pyStr(s.params[i])}_${pyStr(s.params[i + 1])}`)! });
    g.steps.push({ action: s.action, args });
    g.lines.push(`[${s.action}]${args.map((a) => ` <${a.name}> (${a.id})`).join('')}`);
  }
  if (g.lines.length === ctx.goldActions.length && g.lines.every((l, i) => l === ctx.goldActions[i])) {
    t.executable++;
    return { outcome: 'executable', success: false, errors: ['equals the dataset program: counted executable, never simulated nor goal-checked'] };
  }
  const run = simulate(ctx, g, true, true);
  for (const k of run.kinds) t.runtime[k]++;
  if (run.executable) t.executable++;
  const [n, e] = goalCounts(graphGoalState(run.graph), ctx.nodeGoals, ctx.edgeGoals, 'official');
  const a = officialActionScore(ctx.officialActionGoals, run.executedLines);
  t.node += n; t.edge += e; t.action += a;
  const success = n === ctx.nodeGoals.length && e === ctx.edgeGoals.length && a === ctx.officialActionGoals.length;
  if (success) t.success++;
  return { outcome: run.executable ? 'executable' : 'not executable', success, errors: run.errors, matched: [n, e, a] };
}

interface Run { executable: boolean; graph: SceneGraph; executedLines: string[]; executedActions: string[]; kinds: RuntimeKind[]; errors: string[] }

/** eai-eval's `_is_character_close_to`: close, or close to something close to it or under it. */
function eaiClose(graph: SceneGraph, char: number, node: number): boolean {
  if (graph.hasEdge(char, 'CLOSE', node)) return true;
  for (const c of graph.out(char, 'CLOSE')) {
    if (graph.hasEdge(c, 'CLOSE', node) || graph.hasEdge(node, 'ON', c)) return true;
  }
  return false;
}

function simulate(ctx: TaskContext, g: Grounded, stopAtFatal: boolean, official = false): Run {
  const graph = SceneGraph.fromJSON(ctx.init, { lenient: true, source: `eai/${ctx.task.id}` });
  const ex = new Executor(graph, { resolveById: true });
  const run: Run = { executable: true, graph, executedLines: [], executedActions: [], kinds: [], errors: [] };
  // eai-eval's TemporalOrderChecker: a posture failure (walking while sitting or lying) is a
  // wrong order when the character was neither sitting nor lying in some earlier state.
  const char = ex.character;
  let wasUp = false;
  // The checker also finds "holds something" and "close to X" in earlier states.
  let everHeld = false;
  let everEmptyHanded = false;
  const everClose = new Set<number>();
  const remember = () => {
    const st = graph.node(char).states;
    if (!st.has('SITTING') && !st.has('LYING')) wasUp = true;
    if (graph.out(char, 'HOLDS_RH').size > 0 || graph.out(char, 'HOLDS_LH').size > 0) everHeld = true;
    else everEmptyHanded = true;
    for (const n of graph.out(char, 'CLOSE')) everClose.add(n);
  };
  remember();
  const fatal = (kind: RuntimeKind, message: string) => {
    run.kinds.push(kind);
    run.errors.push(`${kind}: ${message}`);
    if (kind !== 'additional_step') run.executable = false;
  };
  g.steps.forEach((s, i) => {
    if (!run.executable && stopAtFatal) return;
    // eai-eval's WASH/RINSE/SCRUB need the character close to the object (VirtualHome v1.0.0's
    // do not: a plan could rinse the room it walked into).
    if (['WASH', 'RINSE', 'SCRUB'].includes(s.action) && s.args.length === 1 && graph.has(s.args[0].id) && !eaiClose(graph, char, s.args[0].id)) {
      const id = s.args[0].id;
      fatal(everClose.has(id) ? 'wrong_order' : 'missing_step', `<character> (${char}) is not close to <${graph.node(id).className}> (${id}) when executing "${g.lines[i]} [${i + 1}]"`);
      return;
    }
    // eai-eval's GRAB refuses an object the character already holds ("already grabbed"), an
    // additional step; VirtualHome v1.0.0 (the dataset's simulator, used by corrected) grabs it
    // again, with the other hand (file688_1's program relies on it).
    if (official && s.action === 'GRAB' && s.args.length === 1 && (graph.hasEdge(char, 'HOLDS_RH', s.args[0].id) || graph.hasEdge(char, 'HOLDS_LH', s.args[0].id))) {
      run.kinds.push('additional_step');
      run.errors.push(`additional_step: <${s.args[0].name}> (${s.args[0].id}) already grabbed when executing "${g.lines[i]} [${i + 1}]"`);
      return;
    }
    const r = ex.executeLine({ action: s.action, args: s.args.map((a) => ({ name: a.name.toLowerCase().replaceAll(' ', '_'), id: a.id })), index: i + 1, text: g.lines[i] });
    if (r.ok) {
      run.executedLines.push(g.lines[i]); run.executedActions.push(s.action);
      // eai-eval's WALK to a room leaves the character close to nothing but what it holds
      // (VirtualHome v1.0.0 makes it close to the room itself).
      if ((s.action === 'WALK' || s.action === 'RUN') && graph.node(s.args[0].id).category === 'Rooms') {
        const held = new Set([...graph.out(char, 'HOLDS_RH'), ...graph.out(char, 'HOLDS_LH')]);
        for (const x of [...graph.out(char, 'CLOSE')]) {
          if (held.has(x)) continue;
          graph.removeEdge(char, 'CLOSE', x);
          graph.removeEdge(x, 'CLOSE', char);
        }
      }
      remember();
      return;
    }
    const f = r.failure!;
    // Failures eai-eval's executor leaves without an error type (PUTOBJBACK of an object never
    // grabbed, actions it has no executor for, objects it cannot find): its evaluate_results
    // then stops on `assert failed_error_code in error_code_to_number`.
    if (official && ((s.action === 'PUTOBJBACK' && /not grabbed/.test(f.message)) || f.code === 'unsupported' || f.code === 'unknown_object')) {
      throw new HearthError('eai.official_crash', `record "${ctx.task.id}": eai-eval 1.0.5 stops with AssertionError (no error type for "${f.message}")`,
        'score with --scoring corrected (eai-eval cannot score this outputs file)');
    }
    let kind = runtimeKind(f);
    if (f.code === 'posture' && wasUp) kind = 'wrong_order';
    if (kind === 'missing_step' && /does not hold anything/.test(f.message) && everHeld) kind = 'wrong_order';
    // "no free hand": eai-eval's missing precondition is "holds nothing", found when the
    // character's hands were both empty in some earlier state.
    if (kind === 'missing_step' && /does not have a free hand/.test(f.message) && everEmptyHanded) kind = 'wrong_order';
    fatal(kind, f.message);
  });
  return run;
}

function scoreCorrected(ctx: TaskContext, rec: OutputRecord, t: Tally): TaskResult {
  const consistent = ctx.goldOkCorrected;
  const tally = consistent ? t : newTally();
  const res = scoreCorrectedInner(ctx, rec, tally);
  if (!consistent) { res.inconsistent = true; res.errors.push('inconsistent annotation: the dataset final graph fails the task\'s goals (kept out of the summary)'); }
  return res;
}

function scoreCorrectedInner(ctx: TaskContext, rec: OutputRecord, t: Tally): TaskResult {
  t.programs++;
  t.nodeGoals += ctx.nodeGoals.length; t.edgeGoals += ctx.edgeGoals.length; t.actionGoals += ctx.actionGoals.length;
  const parsed = strictParse(rec.llm_output);
  if (!parsed.ok) { t.parsing++; return { outcome: 'parsing', success: false, errors: [parsed.reason] }; }
  if (parsed.steps.length === 0) { t.parsing++; return { outcome: 'parsing', success: false, errors: ['no steps'] }; }
  const names = new Map<number, string>(ctx.init.nodes.map((n) => [n.id, n.class_name]));
  const g: Grounded = { lines: [], steps: [] };
  for (const s of parsed.steps) {
    const action = s.action.toUpperCase();
    if (!Object.hasOwn(CORRECTED_ACTIONS, action)) { t.hallucination++; return { outcome: 'hallucination', success: false, errors: [`unknown action ${s.action}`] }; }
  }
  for (const s of parsed.steps) {
    const action = s.action.toUpperCase();
    const bad = s.params.find((p) => typeof p !== 'string' && typeof p !== 'number');
    if (bad !== undefined || s.params.length !== 2 * CORRECTED_ACTIONS[action]) {
      t.parameter++;
      return { outcome: 'parameter', success: false, errors: [`${action} takes ${CORRECTED_ACTIONS[action]} object(s) as name, id pairs; got ${JSON.stringify(s.params)}`] };
    }
  }
  for (const s of parsed.steps) {
    const action = s.action.toUpperCase();
    const args = [];
    for (let i = 0; i < s.params.length; i += 2) {
      const name = String(s.params[i]);
      const id = Number(s.params[i + 1]);
      const key = `${name}_${String(s.params[i + 1])}`;
      if (!ctx.relevant.has(key) && !(Number.isInteger(id) && names.get(id) === name)) {
        t.hallucination++;
        return { outcome: 'hallucination', success: false, errors: [`object ${name} (${String(s.params[i + 1])}) is not in the scene`] };
      }
      args.push({ name, id });
    }
    g.steps.push({ action, args });
    g.lines.push(`[${action}]${args.map((a) => ` <${a.name}> (${a.id})`).join('')}`);
  }
  const run = simulate(ctx, g, true);
  for (const k of run.kinds) t.runtime[k]++;
  const [n, e] = goalCounts(graphGoalState(run.graph), ctx.nodeGoals, ctx.edgeGoals, 'corrected');
  const a = correctedActionScore(ctx.actionGoals, run.executedActions);
  let success = false;
  if (run.executable) {
    t.executable++;
    t.node += n; t.edge += e; t.action += a;
    success = n === ctx.nodeGoals.length && e === ctx.edgeGoals.length && a === ctx.actionGoals.length;
    if (success) t.success++;
  }
  return { outcome: run.executable ? 'executable' : 'not executable', success, errors: run.errors, matched: [n, e, a] };
}

// ---- rounding and the summary ----------------------------------------------------------------

/** Python's round(x, d) on a double: the exact binary value, ties to even. */
export function pyRound(x: number, d: number): number {
  if (!Number.isFinite(x)) return x;
  const exact = Math.abs(x).toFixed(60);
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + d);
  const rest = exact.slice(dot + 1 + d);
  let digits = BigInt(keep.replace('.', ''));
  const tie = rest.startsWith('5') && /^50*$/.test(rest);
  if (rest[0] > '5' || (rest[0] === '5' && !tie) || (tie && digits % 2n === 1n)) digits += 1n;
  const v = Number(digits) / 10 ** d;
  return Math.sign(x) < 0 ? -v : v;
}

function summarize(t: Tally, scoring: Scoring, notes: string[]): Summary {
  const rate = (a: number, b: number, d: number, what: string) => {
    if (b === 0) { notes.push(`${what}: no denominator (eai-eval 1.0.5 stops with ZeroDivisionError here)`); return null; }
    return pyRound((100 * a) / b, d);
  };
  const p = t.programs;
  return {
    goal_evaluation: {
      task_success_rate: rate(t.success, p, 4, 'task_success_rate'),
      state_goal: rate(t.node, t.nodeGoals, 4, 'state_goal'),
      relation_goal: rate(t.edge, t.edgeGoals, 4, 'relation_goal'),
      action_goal: rate(t.action, t.actionGoals, 4, 'action_goal'),
      total_goal: rate(t.node + t.edge + t.action, t.nodeGoals + t.edgeGoals + t.actionGoals, 4, 'total_goal'),
    },
    trajectory_evaluation: {
      execution_success_rate: rate(t.executable, p, scoring === 'official' ? 1 : 4, 'execution_success_rate'),
      grammar_error: {
        parsing: rate(t.parsing, p, 4, 'parsing'),
        hallucination: rate(t.hallucination, p, 4, 'hallucination'),
        predicate_argument_number: rate(t.parameter, p, 4, 'predicate_argument_number'),
      },
      runtime_error: {
        wrong_order: rate(t.runtime.wrong_order, p, 4, 'wrong_order'),
        missing_step: rate(t.runtime.missing_step, p, 4, 'missing_step'),
        affordance_error: rate(t.runtime.affordance_error, p, 4, 'affordance_error'),
        additional_step: rate(t.runtime.additional_step, p, 4, 'additional_step'),
      },
    },
  };
}

// ---- the outputs file ------------------------------------------------------------------------

/** Validate an outputs file's parsed JSON; every problem names the file and the record. */
export function checkOutputs(json: unknown, file: string, data: EaiData | null): OutputRecord[] {
  if (!Array.isArray(json)) throw new HearthError('eai.outputs', `${file}: an EAI outputs file is a JSON list of {identifier, llm_output}, got ${json === null ? 'null' : typeof json}`);
  if (json.length === 0) throw new HearthError('eai.outputs', `${file}: the outputs list is empty`, 'write one {identifier, llm_output} per task (`hearth eai prompts` lists them)');
  return json.map((r, i) => {
    const where = `${file}: record ${i}`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw new HearthError('eai.outputs', `${where} is not an object {identifier, llm_output}`);
    const o = r as Record<string, unknown>;
    if (typeof o.identifier !== 'string') throw new HearthError('eai.outputs', `${where} has no string "identifier"`);
    if (data && !data.byId.has(o.identifier)) throw new HearthError('eai.outputs', `${where}: unknown identifier "${o.identifier.slice(0, 80)}"`, 'identifiers are EAI task ids such as 27_2 (`hearth eai prompts` lists them)');
    if (typeof o.llm_output !== 'string') throw new HearthError('eai.outputs', `${where} ("${o.identifier.slice(0, 80)}") has no string "llm_output"`);
    return { identifier: o.identifier, llm_output: o.llm_output };
  });
}

/** Every identifier must be an EAI task (the check eai-eval fails with a KeyError). */
export function checkIdentifiers(records: OutputRecord[], file: string, data: EaiData): void {
  records.forEach((r, i) => {
    if (!data.byId.has(r.identifier)) {
      throw new HearthError('eai.outputs', `${file}: record ${i}: unknown identifier "${r.identifier.slice(0, 80)}"`, 'identifiers are EAI task ids such as 27_2 (`hearth eai prompts` lists them)');
    }
  });
}

export class EaiEvaluator {
  private readonly contexts = new Map<string, TaskContext>();
  constructor(readonly data: EaiData) {}

  context(id: string): TaskContext {
    let c = this.contexts.get(id);
    if (!c) { c = taskContext(this.data, this.data.byId.get(id)!); this.contexts.set(id, c); }
    return c;
  }

  evaluate(records: OutputRecord[], scoring: Scoring): Evaluation {
    const t = newTally();
    const tasks: Record<string, TaskResult> = {};
    const notes: string[] = [];
    const seen = new Set<string>();
    for (const rec of records) {
      if (seen.has(rec.identifier)) {
        if (scoring === 'corrected') throw new HearthError('eai.outputs', `record "${rec.identifier}" appears twice`, 'keep one output per task');
        notes.push(`${rec.identifier} appears more than once: eai-eval scores every copy`);
      }
      seen.add(rec.identifier);
      const ctx = this.context(rec.identifier);
      tasks[rec.identifier] = scoring === 'official' ? scoreOfficial(ctx, rec, t) : scoreCorrected(ctx, rec, t);
    }
    if (scoring === 'official') notes.push('action-goal order: CPython 3.11 set order with PYTHONHASHSEED=0');
    return { scoring, summary: summarize(t, scoring, notes), tasks, notes };
  }
}

// ---- differences -----------------------------------------------------------------------------

export interface Difference { id: string; official: { outcome: Outcome; success: boolean | null }; corrected: { outcome: Outcome; success: boolean | null }; causes: string[] }

/** Tasks whose (outcome, success) differ between the scorings, each with the quirks that apply. */
export function differences(ev: EaiEvaluator, records: OutputRecord[], official: Evaluation, corrected: Evaluation): Difference[] {
  const out: Difference[] = [];
  for (const rec of records) {
    const o = official.tasks[rec.identifier], c = corrected.tasks[rec.identifier];
    if (o.outcome === c.outcome && o.success === c.success) continue;
    const ctx = ev.context(rec.identifier);
    const causes: string[] = [];
    if (o.outcome === 'skipped') causes.push(ctx.goldOkCorrected ? 'skipped: eai-eval counts at most one edge goal, so its gold test fails' : 'skipped: the dataset final graph fails the goals (corrected reports it as inconsistent)');
    else if (o.errors[0]?.startsWith('equals the dataset program')) causes.push('gold-equal: never simulated nor goal-checked by eai-eval');
    else {
      if (o.outcome === 'parsing' || c.outcome === 'parsing' || officialParseDiffers(rec.llm_output)) causes.push('parsing: regex reading (zero-argument steps dropped, truncated text accepted, quotes rewritten, prose ignored)');
      if (o.outcome === 'hallucination' && c.outcome !== 'hallucination') {
        causes.push(/unknown action/.test(o.errors[0] ?? '') ? 'hallucination: advertised action (PLUGIN/PLUGOUT/RELEASE) rejected by eai-eval' : 'hallucination: object of the scene missing from the prompt\'s object list');
      }
      if (o.success === true && o.outcome !== 'executable') causes.push('prefix: eai-eval checks goals on the executed prefix of a failed plan');
      if (ctx.edgeGoals.length > 1) causes.push('edge goals: eai-eval stops counting at the first satisfied edge goal');
      if (ctx.actionGoals.length > 1 && ctx.actionGoals.join('|') !== ctx.officialActionGoals.join('|')) causes.push('action-goal order: eai-eval orders them by Python set hash');
      if (ctx.actionGoals.length > 0 && o.matched && c.matched && o.matched[2] !== c.matched[2]) causes.push('action goals: eai-eval matches substrings of the executed lines');
      if (c.inconsistent) causes.push('inconsistent annotation');
      if (causes.length === 0) causes.push('parsing or grounding differences');
    }
    out.push({ id: rec.identifier, official: { outcome: o.outcome, success: o.success }, corrected: { outcome: c.outcome, success: c.success }, causes });
  }
  return out;
}

function officialParseDiffers(text: string): boolean {
  const a = officialParse(text);
  const b = strictParse(text);
  if (a === null || !b.ok) return true;
  return JSON.stringify(a) !== JSON.stringify(b.steps);
}

export type { Step };
