/**
 * The planner: E2CL's teacher. From any state and a goal it returns an executable VirtualHome
 * program with its natural-language actions, or says why the goal is unreachable.
 *
 * Placed in exploration/teacher (not env/plan) because DESIGN.md puts "the teacher (planner
 * and expert trajectories)" in exploration, and env must stay a plain simulator library.
 *
 * How: goal regression into macros (regress.ts, establish.ts), a depth-first best-first
 * search that executes every candidate in the simulator (search.ts, sim.ts), then the whole
 * program is re-executed from the start state with a fresh executor and the goal checked:
 * `executes` and `satisfies` in the result are measured, not assumed. The caller's graph is
 * left exactly as it was (everything runs under one undo mark, rolled back at the end).
 */
import { Executor, type Compat } from '../../env/executor.ts';
import { goalMet, type GoalPredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { ScriptLine } from '../../env/script-types.ts';
import { parseScriptLine, formatScriptLine } from '../../env/script.ts';
import type { Task } from '../../env/task.ts';
import { HearthError } from '../../env/errors.ts';
import { Establisher } from './establish.ts';
import { nlAction } from './nl-text.ts';
import { refIds } from './regress.ts';
import { DEFAULT_LIMITS, search, type SearchLimits } from './search.ts';
import type { NLStart } from './nl-grounding.ts';
import { shorten } from './shorten.ts';
import { PlanningSim, primeBindings } from './sim.ts';

export interface PlanStep {
  /** The script line, `[PUTIN] <cup> (3) <fridge> (9)`. */
  script: string;
  /** The E2CL action, `Put cup in fridge`. */
  nl: string;
  line: ScriptLine;
}

export interface PlanResult {
  /** A program was found and re-executed to the goal. */
  solved: boolean;
  steps: PlanStep[];
  /** Every step of the program executed from the start state (false if no program). */
  executes: boolean;
  /** The program's final state satisfies the goal. */
  satisfies: boolean;
  /** The goal cannot be reached from this state (a reason is given). */
  unreachable: boolean;
  /** Why not solved (unreachable, or the search gave up). */
  reason?: string;
  ms: number;
  /** Macros executed by the search (its effort). */
  trials: number;
}

export interface PlanOptions {
  compat?: Compat;
  limits?: Partial<SearchLimits>;
  /**
   * Instances to prefer for class references in the goal and for free choices (which chair),
   * e.g. the ids an episode's NL grounder has already bound to their names.
   */
  preferred?: Iterable<number>;
  /**
   * Ids already bound in the episode by Walk/Run/Find (v1's found-first rule); without them
   * the plan finds every object before touching it, which is always valid but may repeat a Find.
   */
  bound?: Iterable<number>;
  /**
   * NL mode: only actions whose E2CL wording grounds to the intended instances (env/nl.ts's
   * rule, from these bindings), so the NL plan replays in an NL episode exactly.
   */
  nl?: NLStart;
  /** Drop detours from the found program (default true; see shorten.ts). */
  shorten?: boolean;
}

function objectsNeeded(graph: SceneGraph, goal: readonly GoalPredicate[], character: number): Set<number> {
  const needed = new Set<number>();
  for (const p of goal) {
    if (p.kind !== 'edge' || p.negated) continue;
    if (p.relation === 'HOLDS_RH' || p.relation === 'HOLDS_LH') for (const id of refIds(graph, p.to)) needed.add(id);
    else if (p.relation === 'ON' || p.relation === 'INSIDE') {
      for (const id of refIds(graph, p.from)) if (id !== character) needed.add(id);
    }
  }
  return needed;
}

function facingTargets(graph: SceneGraph, goal: readonly GoalPredicate[], character: number): number[] {
  const out: number[] = [];
  for (const p of goal) {
    if (p.kind === 'edge' && !p.negated && p.relation === 'FACING' && refIds(graph, p.from).includes(character)) {
      out.push(...refIds(graph, p.to).slice(0, 1));
    }
  }
  return out;
}

/** Seats the goal puts the character on (ON(character, x)). */
function goalSeats(graph: SceneGraph, goal: readonly GoalPredicate[], character: number): number[] {
  const out: number[] = [];
  for (const p of goal) {
    if (p.kind === 'edge' && !p.negated && p.relation === 'ON' && refIds(graph, p.from).includes(character)) {
      out.push(...refIds(graph, p.to));
    }
  }
  return out;
}

/**
 * Execute lines from the graph's current state with a fresh executor (given the episode's
 * bindings) on a copy, and check the goal. The caller's graph is not touched.
 */
export function verifyProgram(graph: SceneGraph, lines: readonly ScriptLine[], goal: readonly GoalPredicate[],
  compat: Compat = 'v1', bound: Iterable<number> = []): { executes: boolean; satisfies: boolean; failedLine: number | null; message?: string } {
  const copy = graph.clone();
  const ex = new Executor(copy, { compat });
  primeBindings(copy, ex, bound);
  const r = ex.executeScript(lines.map((l, i) => ({ ...l, index: i + 1 })));
  return { executes: r.executable, satisfies: r.executable && goalMet(copy, goal), failedLine: r.failedLine,
    message: r.failure?.message };
}

/**
 * Plan from the graph's current state. The caller's graph is not touched: the search runs on
 * a copy (rolling back reorders edge sets, and order decides some of the reference's choices).
 */
export function plan(graph: SceneGraph, goal: readonly GoalPredicate[], options: PlanOptions = {}): PlanResult {
  const t0 = performance.now();
  const compat = options.compat ?? 'v1';
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const bound = [...(options.bound ?? [])];
  const done = (r: Omit<PlanResult, 'ms'>): PlanResult => ({ ...r, ms: performance.now() - t0 });
  const work = graph.clone();
  const root = work.mark();
  const sim = new PlanningSim(work, compat, bound, options.nl);
  const est = new Establisher(sim, {
    needed: objectsNeeded(work, goal, sim.character),
    facingTargets: facingTargets(work, goal, sim.character),
  });
  const outcome = search(sim, est, goal, limits, { preferred: new Set(options.preferred ?? []), seats: goalSeats(work, goal, sim.character) });
  let lines = sim.lines.slice();
  if (outcome.found && options.shorten !== false) {
    work.rollback(root);
    lines = shorten({ graph: work, goal, compat, bound, nl: options.nl }, lines);
  }
  if (!outcome.found) {
    return done({
      solved: false, steps: [], executes: false, satisfies: false, trials: outcome.trials,
      unreachable: outcome.unreachable !== undefined,
      reason: outcome.unreachable !== undefined ? `unreachable: ${outcome.unreachable}`
        : `${outcome.reason}${sim.lastNLRefusal ? `; in words: ${sim.lastNLRefusal}` : ''}`,
    });
  }
  const v = verifyProgram(graph, lines, goal, compat, bound);
  const steps = lines.map((l, i) => {
    const line = { ...l, index: i + 1 };
    return { script: formatScriptLine(line), nl: nlAction(line), line };
  });
  return done({
    solved: v.executes && v.satisfies, steps, executes: v.executes, satisfies: v.satisfies, unreachable: false,
    trials: outcome.trials,
    reason: v.executes && v.satisfies ? undefined
      : `the found program did not ${v.executes ? 'satisfy the goal' : `execute (line ${v.failedLine}: ${v.message})`} on re-execution`,
  });
}

/** Parse script lines (a prefix of executed actions); a bad line is a HearthError naming it. */
export function parsePrefix(prefix: readonly string[]): ScriptLine[] {
  return prefix.map((text, i) => {
    const r = parseScriptLine(text, i + 1);
    if (!r.ok) throw new HearthError('plan.prefix', `prefix line ${i + 1} "${text}": ${r.error.message}`, 'give VirtualHome script lines, e.g. [WALK] <kitchen> (11)');
    return r.line;
  });
}

/**
 * Plan for a task after a prefix of executed script lines (the lines that fail are skipped,
 * as in an episode, where a failed step leaves the state unchanged).
 */
export function planTask(task: Task, prefix: readonly string[] = [], options: PlanOptions = {}): PlanResult {
  const graph = SceneGraph.fromJSON(task.scene, { lenient: true, source: task.id });
  const bound = new Set<number>();
  const preferred = new Set<number>();
  if (prefix.length) {
    const ex = new Executor(graph, { compat: options.compat ?? 'v1' });
    for (const line of parsePrefix(prefix)) {
      for (const a of line.args) preferred.add(a.id);
      if (ex.executeLine(line).ok && ['WALK', 'RUN', 'FIND'].includes(line.action)) bound.add(line.args[0].id);
    }
  }
  return plan(graph, task.goal, { bound, preferred, ...options });
}


export type NextAction =
  | { kind: 'done' }
  | { kind: 'act'; step: PlanStep; plan: PlanResult }
  | { kind: 'stuck'; reason: string; unreachable: boolean; plan: PlanResult };

/**
 * The corrector's entry point: the first action of a plan from this state (or `done` when the
 * goal already holds, or `stuck` with the reason). Works from any state an agent can reach:
 * holding things, sitting, doors and containers closed. Pass the episode's bindings
 * (`bound`, `nl`; see episode-teacher.ts) so that the plan continues the episode.
 */
export function nextAction(graph: SceneGraph, goal: readonly GoalPredicate[], options: PlanOptions = {}): NextAction {
  if (goalMet(graph, goal)) return { kind: 'done' };
  const p = plan(graph, goal, options);
  if (p.solved && p.steps.length > 0) return { kind: 'act', step: p.steps[0], plan: p };
  return { kind: 'stuck', reason: p.reason ?? 'no plan', unreachable: p.unreachable, plan: p };
}
