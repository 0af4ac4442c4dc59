/**
 * Goals: conjunctions of predicates over node states and edges. A predicate names a node
 * by id, or by class (then it holds if some instance of the class satisfies it; negated:
 * if none does). Progress = satisfied/total, the basis of goal-condition recall.
 */
import type { SceneGraph } from './graph.ts';
import type { Relation, State } from './vocabulary.ts';

/** A node reference: a node id, or any instance of a class. */
export type NodeRef = number | { class: string };

export type GoalPredicate =
  | { kind: 'state'; node: NodeRef; state: State; negated?: boolean }
  | { kind: 'edge'; from: NodeRef; relation: Relation; to: NodeRef; negated?: boolean };

export interface GoalProgress {
  satisfied: number;
  total: number;
}

function candidates(graph: SceneGraph, ref: NodeRef): readonly number[] {
  return typeof ref === 'number' ? (graph.has(ref) ? [ref] : []) : graph.byClassName(ref.class);
}

function holdsPositive(graph: SceneGraph, p: GoalPredicate): boolean {
  if (p.kind === 'state') return candidates(graph, p.node).some((id) => graph.hasState(id, p.state));
  const tos = candidates(graph, p.to);
  return candidates(graph, p.from).some((f) => tos.some((t) => graph.hasEdge(f, p.relation, t)));
}

/** Whether one predicate holds in the graph's current state. */
export function holds(graph: SceneGraph, p: GoalPredicate): boolean {
  const h = holdsPositive(graph, p);
  return p.negated ? !h : h;
}

export function goalProgress(graph: SceneGraph, goal: readonly GoalPredicate[]): GoalProgress {
  let satisfied = 0;
  for (const p of goal) if (holds(graph, p)) satisfied++;
  return { satisfied, total: goal.length };
}

/** Success: every predicate holds (an empty goal is trivially met). */
export function goalMet(graph: SceneGraph, goal: readonly GoalPredicate[]): boolean {
  return goal.every((p) => holds(graph, p));
}

function refText(graph: SceneGraph, ref: NodeRef): string {
  return typeof ref === 'number' ? graph.label(ref) : `<${ref.class}>`;
}

/** `CLOSED(<fridge> (289))`, `ON(<cup> (5), <table> (9))`, prefixed with `not ` when negated. */
export function describePredicate(graph: SceneGraph, p: GoalPredicate): string {
  const body = p.kind === 'state'
    ? `${p.state}(${refText(graph, p.node)})`
    : `${p.relation}(${refText(graph, p.from)}, ${refText(graph, p.to)})`;
  return p.negated ? `not ${body}` : body;
}
