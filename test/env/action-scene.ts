/**
 * A small hand-made house for action tests (issue 24): four rooms, two doors, one object per
 * affordance. `attempt` runs one script line after a setup and returns the result together
 * with the graph delta of that line, so tests can check typed failures, "state unchanged"
 * and effects as exact deltas in both compat modes.
 */
import { expect } from 'vitest';
import { Executor, type Compat, type StepResult } from '../../env/executor.ts';
import { SceneGraph, type GraphDiff, type GraphJSON } from '../../env/graph.ts';
import { parseScript } from '../../env/script.ts';

export const C = 10; // the character

export const ID = {
  kitchen: 1, livingroom: 2, bedroom: 3, bathroom: 4, door: 5, door2: 6, face: 11,
  fridge: 20, tv: 21, plate: 22, table: 23, sofa: 24, chair: 25, milk: 26, book: 27, shirt: 28,
  knife: 29, apple: 30, towel: 31, lamp: 32, box: 33, bed: 34, cup: 35, rock: 36, cereal: 37,
  bowl: 38, water: 39, bathtub: 40, keyboard: 41, person: 42, painting: 43, cabinet: 44, computer: 45,
  sink: 46, child: 47, bench: 48,
} as const;

export function house(): GraphJSON {
  const n = (id: number, class_name: string, properties: string[] = [], states: string[] = [], category = 'Props') =>
    ({ id, class_name, category, properties, states });
  const inside = (from: number, to: number) => ({ from_id: from, relation_type: 'INSIDE', to_id: to });
  const rel = (from: number, relation_type: string, to: number) => ({ from_id: from, relation_type, to_id: to });
  return {
    nodes: [
      n(1, 'kitchen', [], [], 'Rooms'), n(2, 'livingroom', [], [], 'Rooms'), n(3, 'bedroom', [], [], 'Rooms'), n(4, 'bathroom', [], [], 'Rooms'),
      n(5, 'door', ['CAN_OPEN'], ['OPEN'], 'Doors'), n(6, 'door', ['CAN_OPEN'], ['OPEN'], 'Doors'),
      n(10, 'character', [], [], 'Characters'),
      n(11, 'face', ['BODY_PART'], []),
      n(20, 'fridge', ['CAN_OPEN', 'CONTAINERS', 'HAS_PLUG'], ['CLOSED', 'PLUGGED_IN']),
      n(21, 'tv', ['HAS_SWITCH', 'LOOKABLE', 'HAS_PLUG'], ['OFF', 'PLUGGED_IN']),
      n(22, 'plate', ['GRABBABLE', 'RECIPIENT'], []),
      n(23, 'table', ['SURFACES'], []),
      n(24, 'sofa', ['SITTABLE', 'LIEABLE'], []),
      n(25, 'chair', ['SITTABLE', 'GRABBABLE'], []),
      n(26, 'milk', ['GRABBABLE', 'DRINKABLE', 'POURABLE'], []),
      n(27, 'book', ['GRABBABLE', 'READABLE'], []),
      n(28, 'shirt', ['GRABBABLE', 'CLOTHES'], []),
      n(29, 'kitchen_knife', ['GRABBABLE'], []),
      n(30, 'apple', ['GRABBABLE', 'EATABLE', 'CUTTABLE'], []),
      n(31, 'towel', ['GRABBABLE'], []),
      n(32, 'lamp', ['HAS_SWITCH', 'HAS_PLUG'], ['OFF', 'PLUGGED_OUT']),
      n(33, 'box', ['MOVABLE', 'GRABBABLE'], []),
      n(34, 'bed', ['SITTABLE', 'LIEABLE'], []),
      n(35, 'cup', ['GRABBABLE', 'RECIPIENT'], ['DIRTY']),
      n(36, 'rock', [], []),
      n(37, 'cereal', ['EATABLE'], []),
      n(38, 'bowl', ['RECIPIENT'], []),
      n(39, 'water', [], []),
      n(40, 'bathtub', ['LIEABLE'], []),
      n(41, 'keyboard', [], []),
      n(42, 'person', ['PERSON'], []),
      n(43, 'painting', ['LOOKABLE'], []),
      n(44, 'cabinet', ['CAN_OPEN', 'CONTAINERS'], ['OPEN']),
      n(45, 'computer', ['LOOKABLE', 'HAS_SWITCH'], ['OFF']),
      n(46, 'sink', ['RECIPIENT'], []),
      n(47, 'child', [], []),
      n(48, 'bench', ['SITTABLE', 'LIEABLE'], []),
    ],
    edges: [
      rel(5, 'BETWEEN', 1), rel(5, 'BETWEEN', 2), inside(5, 1),
      rel(6, 'BETWEEN', 3), rel(6, 'BETWEEN', 4), inside(6, 3),
      inside(10, 1), inside(11, 1),
      inside(20, 1), inside(21, 2), inside(22, 1), rel(22, 'ON', 23), inside(23, 1), inside(24, 2), inside(25, 1),
      inside(26, 20), inside(26, 1), inside(27, 1), rel(27, 'ON', 23), inside(28, 1), inside(29, 1),
      inside(30, 1), rel(30, 'ON', 23), inside(31, 1), inside(32, 1), inside(33, 1), inside(34, 3), inside(35, 1),
      inside(36, 1), inside(37, 1), rel(37, 'ON', 38), inside(38, 1), inside(39, 1), inside(40, 4), inside(41, 2),
      inside(42, 1), inside(43, 2), inside(44, 1), inside(45, 2), inside(46, 1), inside(47, 1), inside(48, 1),
    ],
  };
}

export interface Attempt {
  r: StepResult;
  ex: Executor;
  g: SceneGraph;
  diff: GraphDiff;
  /** The delta as sorted text: "+a REL b", "-a REL b", "id: -STATE", "id: +STATE". */
  delta: string[];
  unchanged: boolean;
}

export interface AttemptOptions {
  compat?: Compat;
  /** Applied to the graph before the executor is created (the episode's initial state). */
  setup?: (g: SceneGraph) => void;
  /** Script lines run (and required to succeed) before the line under test. */
  before?: string[];
  /** Edits the scene JSON before the graph is built (e.g. renaming a class). */
  json?: (j: GraphJSON) => void;
  /** Bind the line's objects for v1's "found first" rule (default true). */
  bind?: boolean;
}

export function deltaText(d: GraphDiff): string[] {
  const out: string[] = [];
  for (const [a, r, b] of d.edgesAdded) out.push(`+${a} ${r} ${b}`);
  for (const [a, r, b] of d.edgesRemoved) out.push(`-${a} ${r} ${b}`);
  for (const [id, [was, now]] of Object.entries(d.statesChanged)) {
    for (const s of was) if (!now.includes(s)) out.push(`${id}: -${s}`);
    for (const s of now) if (!was.includes(s)) out.push(`${id}: +${s}`);
  }
  return out.sort();
}

/** A json edit giving node `id` another class name. */
export const renamed = (id: number, className: string) => (j: GraphJSON) => {
  for (const n of j.nodes) if (n.id === id) n.class_name = className;
};

/** CLOSE both ways, as text for a delta. */
export const close2 = (a: number, b: number, sign = '+'): string[] => [`${sign}${a} CLOSE ${b}`, `${sign}${b} CLOSE ${a}`];

export function lines(text: string) {
  const p = parseScript(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.lines;
}

export function attempt(line: string, o: AttemptOptions = {}): Attempt {
  const j = house();
  o.json?.(j);
  const g = SceneGraph.fromJSON(j);
  o.setup?.(g);
  const ex = new Executor(g, { compat: o.compat ?? 'v1' });
  for (const [i, l] of lines((o.before ?? []).join('\n')).entries()) {
    if (o.bind !== false) for (const a of l.args) ex.bindObject(a.name, a.id);
    const r = ex.executeLine(l);
    if (!r.ok) throw new Error(`setup line ${i + 1} failed: ${r.failure?.message}`);
  }
  const [l] = lines(line);
  if (o.bind !== false) for (const a of l.args) ex.bindObject(a.name, a.id);
  const before = JSON.stringify(g.toJSON());
  const m = ex.mark();
  const r = ex.executeLine(l);
  const diff = g.diffSince(m.graph);
  return { r, ex, g, diff, delta: deltaText(diff), unchanged: JSON.stringify(g.toJSON()) === before };
}

/** The step failed with this code and reference text, and left the graph exactly as it was. */
export function expectFailure(a: Attempt, code: string, text: string): void {
  expect(a.r.ok).toBe(false);
  expect(a.r.failure?.code).toBe(code);
  const msg = a.r.failure?.message ?? '';
  expect(msg.slice(0, msg.indexOf(' when executing "'))).toBe(text);
  expect(a.delta).toEqual([]);
  expect(a.unchanged).toBe(true);
}

export function expectOk(a: Attempt, delta: string[]): void {
  expect(a.r.failure).toBeUndefined();
  expect(a.r.ok).toBe(true);
  expect(a.delta).toEqual([...delta].sort());
}
