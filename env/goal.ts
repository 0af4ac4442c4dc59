/**
 * Goals: conjunctions of predicates over node states and edges. A predicate names a node
 * by id, or by class (then it holds if some instance of the class satisfies it; negated:
 * if none does). Progress = satisfied/total, the basis of goal-condition recall.
 */
import { HearthError } from './errors.ts';
import type { SceneGraph } from './graph.ts';
import { isRelation, isState, type Relation, type State } from './vocabulary.ts';

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

/** Each predicate with whether it holds now and its text (for reports and the demo). */
export function goalDetail(graph: SceneGraph, goal: readonly GoalPredicate[]): Array<{ predicate: GoalPredicate; holds: boolean; text: string }> {
  return goal.map((p) => ({ predicate: p, holds: holds(graph, p), text: describePredicate(graph, p) }));
}

/**
 * A goal from untrusted JSON (a task or suite file): an array of predicates. Throws
 * HearthError naming `source`, the predicate's index and the bad field.
 */
export function parseGoal(value: unknown, source: string): GoalPredicate[] {
  const bad = (i: number | null, what: string): never => {
    throw new HearthError('goal.invalid', `${source}: ${i === null ? 'goal' : `goal[${i}]`}: ${what}`,
      'a goal is an array of {kind: "state", node, state, negated?} or {kind: "edge", from, relation, to, negated?}, '
      + 'where a node is an id or {"class": name}');
  };
  if (!Array.isArray(value)) return bad(null, 'must be an array');
  const ref = (i: number, field: string, v: unknown): NodeRef => {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (v !== null && typeof v === 'object' && typeof (v as { class?: unknown }).class === 'string'
      && Object.keys(v).length === 1) return { class: (v as { class: string }).class };
    return bad(i, `${field} must be a node id or {"class": name}, got ${JSON.stringify(v)}`);
  };
  return value.map((raw, i): GoalPredicate => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad(i, 'must be an object');
    const p = raw as Record<string, unknown>;
    if (p.negated !== undefined && typeof p.negated !== 'boolean') bad(i, 'negated must be true or false');
    const negated = p.negated === true ? { negated: true } : {};
    if (p.kind === 'state') {
      const state = String(p.state ?? '').toUpperCase();
      if (!isState(state)) bad(i, `unknown state ${JSON.stringify(p.state)}`);
      return { kind: 'state', node: ref(i, 'node', p.node), state: state as State, ...negated };
    }
    if (p.kind === 'edge') {
      const relation = String(p.relation ?? '').toUpperCase();
      if (!isRelation(relation)) bad(i, `unknown relation ${JSON.stringify(p.relation)}`);
      return { kind: 'edge', from: ref(i, 'from', p.from), relation: relation as Relation, to: ref(i, 'to', p.to), ...negated };
    }
    return bad(i, `kind must be "state" or "edge", got ${JSON.stringify(p.kind)}`);
  });
}
