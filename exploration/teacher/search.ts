/**
 * The search over macros: depth-first, best-first within each level. At a node it regresses
 * every unsatisfied predicate of the lowest ordering tier (regress.ts), *executes* each
 * candidate macro in the simulator, keeps those after which the predicate holds, ranks them
 * by how many goal predicates remain unsatisfied (clobbering a satisfied one counts against
 * it) and then by steps added, and descends into the best few, rolling back on failure.
 * If no candidate of a tier works, the next tier is tried (ordering heuristics can be wrong).
 */
import type { Failure } from '../../env/failure.ts';
import { describePredicate, holds, type GoalPredicate } from '../../env/goal.ts';
import type { Establisher } from './establish.ts';
import { regress, tier, type Macro, type RegressOptions } from './regress.ts';
import type { PlanningSim } from './sim.ts';

export interface SearchLimits {
  /** Macro executions allowed in total. */
  maxTrials: number;
  /** Wall-clock limit (ms). */
  timeLimitMs: number;
  /** Candidates explored per search node. */
  beam: number;
  /** Macros per branch. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: SearchLimits = { maxTrials: 4000, timeLimitMs: 3000, beam: 3, maxDepth: 24 };

export interface SearchOutcome {
  found: boolean;
  trials: number;
  /** Set when a predicate has no achiever at all or every achiever hit a hard failure. */
  unreachable?: string;
  /** Why the search gave up, when not found. */
  reason?: string;
}

/** Failure codes that no earlier step can fix. */
const HARD_CODES = new Set(['affordance', 'capacity', 'no_room', 'unknown_object', 'unsupported']);

export function search(sim: PlanningSim, est: Establisher, goal: readonly GoalPredicate[], limits: SearchLimits,
  regressOpts: RegressOptions): SearchOutcome {
  const g = sim.graph;
  const c = sim.character;
  const start = performance.now();
  let trials = 0;
  let best = Infinity;
  let bestText = '';
  const unsatCount = (): number => { let n = 0; for (const p of goal) if (!holds(g, p)) n++; return n; };
  const tiers = goal.map((p) => tier(p, c, g));
  const out = (): boolean => trials >= limits.maxTrials || performance.now() - start > limits.timeLimitMs;

  // Root check: a predicate with no achiever, or whose achievers all fail for a reason no
  // earlier step can change, makes the goal unreachable.
  const rootUnsat = goal.filter((p) => !holds(g, p));
  for (const p of rootUnsat) {
    const r = regress(g, p, c, regressOpts);
    if (r.macros.length === 0) return { found: false, trials, unreachable: r.reason };
  }

  const hardFailures = new Map<GoalPredicate, string[]>();

  const dfs = (depth: number): boolean => {
    const unsat: number[] = [];
    for (let i = 0; i < goal.length; i++) if (!holds(g, goal[i])) unsat.push(i);
    if (unsat.length === 0) return true;
    if (unsat.length < best) { best = unsat.length; bestText = unsat.map((i) => describePredicate(g, goal[i])).join(', '); }
    if (depth >= limits.maxDepth || out()) return false;
    const tierOrder = [...new Set(unsat.map((i) => tiers[i]))].sort((a, b) => a - b);
    for (const t of tierOrder) {
      const cands: Array<{ macro: Macro; after: number; steps: number }> = [];
      for (const i of unsat) {
        if (tiers[i] !== t) continue;
        const p = goal[i];
        for (const macro of regress(g, p, c, regressOpts).macros) {
          if (out()) return false;
          const m = sim.mark();
          trials++;
          sim.lastFailure = undefined;
          const ok = macro.run(est) && holds(g, p);
          if (ok) cands.push({ macro, after: unsatCount(), steps: sim.lines.length - m.lines });
          else {
            const f = sim.lastFailure as Failure | undefined; // set by macro.run (TS cannot see through the call)
            if (depth === 0 && f && HARD_CODES.has(f.code)) {
              let list = hardFailures.get(p);
              if (!list) hardFailures.set(p, (list = []));
              list.push(f.message);
            }
          }
          sim.rollback(m);
        }
      }
      cands.sort((a, b) => a.after - b.after || a.steps - b.steps);
      for (const cand of cands.slice(0, limits.beam)) {
        const m = sim.mark();
        if (cand.macro.run(est) && dfs(depth + 1)) return true;
        sim.rollback(m);
        if (out()) return false;
      }
    }
    return false;
  };

  const found = dfs(0);
  if (found) return { found, trials };
  for (const p of rootUnsat) {
    const hard = hardFailures.get(p);
    const nMacros = regress(g, p, c, regressOpts).macros.length;
    if (hard && hard.length >= nMacros) {
      return { found, trials, unreachable: `${describePredicate(g, p)}: ${hard[0]}` };
    }
  }
  const why = out() ? `search budget exhausted (${trials} macro trials, ${Math.round(performance.now() - start)} ms)`
    : `no sequence of achieving actions found (${trials} macro trials)`;
  return { found, trials, reason: `${why}; closest state still lacks ${bestText || 'nothing'}` };
}
