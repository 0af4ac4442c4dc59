/**
 * EAI's goal formulas (`task_state_LTL_formula_accurate.json`, key `tl_goal`), e.g.
 * `(CLOSED(washing_machine.1001) and ONTOP(soap.1002, washing_machine.1001))` or
 * `(exists x0. ((LOOKAT(x0) or WATCH(x0))) then (ON(computer.417) and FACING(character.65, computer.417)))`.
 *
 * Grammar (precedence low → high): `then` sequences, `or`, `and`, then `not P`,
 * `exists x. P`, `forall x. P`, `( P )` and atoms `NAME(arg, ...)` whose args are
 * `class.id` nodes or variables. Parsing never loses anything: `toGoal` turns what a
 * final-state goal can say into GoalPredicates and lists everything else as unsupported
 * (with the construct's name, so callers can count them).
 */
import type { GoalPredicate } from '../../goal.ts';
import type { Relation, State } from '../../vocabulary.ts';

export type Arg = { node: number; className: string } | { variable: string };

export type Formula =
  | { op: 'atom'; name: string; args: Arg[]; text: string }
  | { op: 'and' | 'or' | 'then'; parts: Formula[] }
  | { op: 'not'; body: Formula }
  | { op: 'exists' | 'forall'; variable: string; body: Formula };

export class FormulaError extends Error {
  constructor(message: string, readonly position: number) { super(message); }
}

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z_0-9-]*)\.(\d+)|([A-Za-z_][A-Za-z_0-9]*)|([().,]))/y;

type Tok = { kind: 'node'; cls: string; id: number; pos: number } | { kind: 'word'; text: string; pos: number } | { kind: 'punct'; text: string; pos: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new FormulaError(`unexpected character "${src.slice(pos).trimStart()[0]}"`, pos);
    const at = m.index + m[0].length - m[0].trimStart().length;
    if (m[1] !== undefined) out.push({ kind: 'node', cls: m[1], id: Number(m[2]), pos: at });
    else if (m[3] !== undefined) out.push({ kind: 'word', text: m[3], pos: at });
    else out.push({ kind: 'punct', text: m[4], pos: at });
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parseFormula(src: string): Formula {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const isWord = (w: string) => toks[i]?.kind === 'word' && (toks[i] as { text: string }).text === w;
  const isPunct = (p: string) => toks[i]?.kind === 'punct' && (toks[i] as { text: string }).text === p;
  const expect = (p: string) => {
    if (!isPunct(p)) throw new FormulaError(`expected "${p}"`, toks[i]?.pos ?? src.length);
    i++;
  };
  const nary = (op: 'and' | 'or' | 'then', next: () => Formula): Formula => {
    const parts = [next()];
    while (isWord(op)) { i++; parts.push(next()); }
    return parts.length === 1 ? parts[0] : { op, parts };
  };
  const seq = (): Formula => nary('then', disj);
  const disj = (): Formula => nary('or', conj);
  const conj = (): Formula => nary('and', unary);
  const unary = (): Formula => {
    const t = peek();
    if (!t) throw new FormulaError('unexpected end of formula', src.length);
    if (isWord('not')) { i++; return { op: 'not', body: unary() }; }
    if (isWord('exists') || isWord('forall')) {
      const op = (t as { text: string }).text as 'exists' | 'forall';
      i++;
      const v = peek();
      if (v?.kind !== 'word') throw new FormulaError(`expected a variable after ${op}`, v?.pos ?? src.length);
      i++;
      expect('.');
      return { op, variable: v.text, body: unary() };
    }
    if (isPunct('(')) { i++; const f = seq(); expect(')'); return f; }
    if (t.kind === 'word') {
      i++;
      const args: Arg[] = [];
      expect('(');
      while (!isPunct(')')) {
        const a = peek();
        if (a?.kind === 'node') args.push({ node: a.id, className: a.cls });
        else if (a?.kind === 'word') args.push({ variable: a.text });
        else throw new FormulaError('expected an argument', a?.pos ?? src.length);
        i++;
        if (isPunct(',')) i++;
        else if (!isPunct(')')) throw new FormulaError('expected "," or ")"', peek()?.pos ?? src.length);
      }
      i++;
      const end = toks[i - 1].pos + 1;
      return { op: 'atom', name: t.text, args, text: src.slice(t.pos, end) };
    }
    throw new FormulaError(`unexpected "${(t as { text?: string }).text ?? ''}"`, t.pos);
  };
  const f = seq();
  if (i < toks.length) throw new FormulaError(`unexpected "${(toks[i] as { text?: string }).text ?? 'node'}" after the formula`, toks[i].pos);
  return f;
}

const STATE_ATOMS: Readonly<Record<string, State>> = {
  CLOSED: 'CLOSED', OPEN: 'OPEN', ON: 'ON', OFF: 'OFF', PLUGGED_IN: 'PLUGGED_IN', PLUGGED_OUT: 'PLUGGED_OUT',
  SITTING: 'SITTING', LYING: 'LYING', CLEAN: 'CLEAN', DIRTY: 'DIRTY',
};
const EDGE_ATOMS: Readonly<Record<string, Relation>> = {
  ONTOP: 'ON', ON: 'ON', INSIDE: 'INSIDE', HOLDS_RH: 'HOLDS_RH', HOLDS_LH: 'HOLDS_LH', FACING: 'FACING',
  NEXT_TO: 'CLOSE', BETWEEN: 'BETWEEN',
};

export interface Unsupported {
  /** The construct: `action:LOOKAT`, `or`, `exists`, `not`, `then:earlier-step`, `unknown-atom:X`, `node-mismatch`. */
  construct: string;
  text: string;
  /** Constructs nested inside it (`exists`, `or`, `action:WATCH`, ...), counted too. */
  inner: string[];
}

/** The constructs a final-state goal cannot hold, everywhere inside a formula. */
export function constructsOf(f: Formula): string[] {
  switch (f.op) {
    case 'atom': return STATE_ATOMS[f.name] && f.args.length === 1 || EDGE_ATOMS[f.name] && f.args.length === 2
      ? (f.args.some((a) => 'variable' in a) ? ['variable'] : [])
      : [`action:${f.name}`];
    case 'and': return f.parts.flatMap(constructsOf);
    case 'or': case 'then': return [f.op, ...f.parts.flatMap(constructsOf)];
    case 'not': return ['not', ...constructsOf(f.body)];
    default: return [f.op, ...constructsOf(f.body)];
  }
}

export interface GoalConversion { goal: GoalPredicate[]; unsupported: Unsupported[] }

/** What a node lookup says about `class.id` in the task's scene (undefined: no such node). */
export type NodeClassLookup = (id: number) => string | undefined;

function show(f: Formula): string {
  switch (f.op) {
    case 'atom': return f.text;
    case 'not': return `not ${show(f.body)}`;
    case 'exists': case 'forall': return `${f.op} ${f.variable}. (${show(f.body)})`;
    default: return `(${f.parts.map(show).join(` ${f.op} `)})`;
  }
}

/**
 * The final-state goal a formula states: the conjunctive state/relation atoms of its last
 * `then` step. Everything else (actions, disjunctions, quantifiers, negations, conditions of
 * earlier steps) is listed as unsupported.
 */
export function toGoal(f: Formula, nodeClass?: NodeClassLookup): GoalConversion {
  const goal: GoalPredicate[] = [];
  const unsupported: Unsupported[] = [];
  const steps = f.op === 'then' ? f.parts : [f];
  for (const earlier of steps.slice(0, -1)) {
    unsupported.push({ construct: 'then:earlier-step', text: show(earlier), inner: constructsOf(earlier) });
  }
  const visit = (g: Formula) => {
    if (g.op === 'and') { g.parts.forEach(visit); return; }
    if (g.op !== 'atom') { unsupported.push({ construct: g.op, text: show(g), inner: constructsOf(g).slice(1) }); return; }
    const nodes = g.args.filter((a): a is { node: number; className: string } => 'node' in a);
    if (nodes.length !== g.args.length) { unsupported.push({ construct: 'variable', text: g.text, inner: [] }); return; }
    if (nodeClass) {
      const bad = nodes.find((a) => nodeClass(a.node) !== a.className);
      if (bad) { unsupported.push({ construct: 'node-mismatch', text: g.text, inner: [] }); return; }
    }
    if (nodes.length === 1 && STATE_ATOMS[g.name]) {
      goal.push({ kind: 'state', node: nodes[0].node, state: STATE_ATOMS[g.name] });
    } else if (nodes.length === 2 && EDGE_ATOMS[g.name]) {
      goal.push({ kind: 'edge', from: nodes[0].node, relation: EDGE_ATOMS[g.name], to: nodes[1].node });
    } else if (/^[A-Z_]+$/.test(g.name) && !STATE_ATOMS[g.name] && !EDGE_ATOMS[g.name]) {
      unsupported.push({ construct: `action:${g.name}`, text: g.text, inner: [] });
    } else {
      unsupported.push({ construct: `unknown-atom:${g.name}/${nodes.length}`, text: g.text, inner: [] });
    }
  };
  visit(steps[steps.length - 1]);
  return { goal, unsupported };
}
