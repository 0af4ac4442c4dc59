/**
 * EAI's action-sequencing prompts, as eai-eval 1.0.5's `--mode generate_prompts` writes them
 * (`helm_prompt.json`: `[{identifier, llm_prompt}]`, tasks in the goal file's order).
 *
 * The template is read from the eai-eval install (`evaluation/action_sequencing/prompts/
 * one_shot.py`), not shipped. Its slots are filled the way eai-eval's MotionPlanner does: the
 * task's objects are the nodes whose dictionary differs between the initial graph and the
 * dataset's final graph plus the ends of the edges that differ; objects, changed nodes and
 * initial-only edges are printed in CPython set order (pyset.ts), node properties and states
 * in the order of CPython sets of enum members; every action goal is printed twice (once with
 * `|` as "or", once as written), as eai-eval does.
 */
import { join } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import type { GraphJSON } from '../../env/graph.ts';
import { readText } from '../../env/text.ts';
import type { EaiData, EaiTask } from './data.ts';
import { intHash, intSet, PySet, strHash, strSet, tupleHash } from './pyset.ts';

export function promptTemplate(dir: string): string {
  const file = join(dir, 'evaluation', 'action_sequencing', 'prompts', 'one_shot.py');
  const text = readText(file, 'EAI prompt template');
  const m = /prompt = """([\s\S]*?)"""/.exec(text);
  if (!m) throw new HearthError('eai.data', `${file}: no prompt = """...""" string`, 'point --eai-data at an eai-eval 1.0.5 virtualhome_eval folder');
  return m[1];
}

/** Python's repr() of a JSON value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

function pyFloat(x: number): string {
  const s = String(x);
  return /[.e]/.test(s) ? s.replace(/e\+?/, 'e+').replace('e+-', 'e-') : `${s}.0`;
}

/** A GraphNode's to_dict() list of enum names: a CPython set of Enum members (hash = name's). */
function enumSetOrder(names: readonly string[]): string[] {
  return strSet(names.map((n) => n.toUpperCase())).keys();
}

interface PyNode { id: number; class_name: string; properties: string[]; states: string[] }

function nodeRepr(n: Record<string, unknown>, sortLists: boolean): string {
  const d: Record<string, unknown> = { ...n };
  if (sortLists) {
    d.properties = [...((n.properties as string[]) ?? [])].sort();
    d.states = [...((n.states as string[]) ?? [])].sort();
  }
  return pyRepr(d);
}

const edgeRepr = (from: number, rel: string, to: number) => `{'from_id': ${from}, 'relation_type': '${rel}', 'to_id': ${to}}`;

/** The parts of eai-eval's MotionPlanner.get_nl_goal_string / get_symbolic_goal_nl. */
export function promptParts(init: GraphJSON, final: GraphJSON): { objects: string; current: string } {
  // EnvironmentGraph: nodes by id (last value, first position), edges deduplicated the same way.
  const nodeMap = new Map<number, Record<string, unknown>>();
  for (const n of init.nodes) nodeMap.set(n.id, n as unknown as Record<string, unknown>);
  const node = (id: number): PyNode => {
    const n = nodeMap.get(id);
    if (!n) throw new HearthError('eai.data', `node ${id} is not in the task's initial graph`);
    return {
      id, class_name: String(n.class_name),
      properties: enumSetOrder((n.properties as string[]) ?? []),
      states: enumSetOrder((n.states as string[]) ?? []),
    };
  };
  // init_state.to_dict(): nodes with the set-ordered enum lists (sorted by filter_unique_subdicts).
  const initReprs: string[] = [];
  for (const [id, n] of nodeMap) {
    const p = node(id);
    initReprs.push(pyRepr({ id, class_name: n.class_name, category: n.category ?? null, properties: p.properties.slice().sort(), states: p.states.slice().sort(), prefab_name: n.prefab_name ?? null, bounding_box: n.bounding_box ?? null }));
  }
  const nodesA = strSet(initReprs);
  const nodesB = strSet(final.nodes.map((n) => nodeRepr(n as unknown as Record<string, unknown>, true)));
  // Edges of the initial state: from_pairs (a set of (from_id, Relation) tuples in edge-map
  // order), then each pair's targets as a set of ints.
  const edgeMap = new Map<string, { from: number; rel: string; tos: number[] }>();
  const seen = new Set<string>();
  for (const e of init.edges) {
    const rel = String(e.relation_type).toUpperCase();
    const k = `${e.from_id}|${rel}`;
    if (!edgeMap.has(k)) edgeMap.set(k, { from: e.from_id, rel, tos: [] });
    const full = `${k}|${e.to_id}`;
    if (!seen.has(full)) { seen.add(full); edgeMap.get(k)!.tos.push(e.to_id); }
  }
  const pairs = new PySet<{ from: number; rel: string; tos: number[] }>((p) => `${p.from}|${p.rel}`);
  for (const p of edgeMap.values()) pairs.add(p, tupleHash([intHash(p.from), strHash(p.rel)]));
  const edgesAList: string[] = [];
  for (const p of pairs.keys()) for (const to of intSet(p.tos).keys()) edgesAList.push(edgeRepr(p.from, p.rel, to));
  const edgesA = strSet(edgesAList);
  const edgesB = strSet(final.edges.map((e) => edgeRepr(e.from_id, e.relation_type, e.to_id)));
  const diffNodesA = nodesA.minus(nodesB).keys().map(idOf);
  const diffNodesB = nodesB.minus(nodesA).keys().map(idOf);
  const diffEdgesA = edgesA.minus(edgesB).keys().map(edgeOf);
  const diffEdgesB = edgesB.minus(edgesA).keys().map(edgeOf);
  const existing = intSet([...diffNodesA, ...diffNodesB]);
  const added = intSet([...diffEdgesA, ...diffEdgesB].flatMap((e) => [e.from, e.to])).minus(existing);
  const all = existing.union(added);
  let objects = 'Objects in the scene:\n';
  for (const id of all.keys()) {
    const n = node(id);
    objects += `${n.class_name}, id: ${id}, properties: ${pyRepr(n.properties)}\n`;
  }
  objects += '-----------------\n';
  let current = 'Nodes:\n';
  for (const id of existing.keys()) {
    const n = node(id);
    current += `${n.class_name}, states: ${pyRepr(n.states)}, properties:${pyRepr(n.properties)}\n`;
  }
  current += '\nEdges:\n';
  const label = (id: number) => (nodeMap.has(id) ? `<${String(nodeMap.get(id)!.class_name)}> (${id})` : 'None');
  for (const e of diffEdgesA) current += `${label(e.from)} is ${e.rel === 'CLOSE' ? 'NEAR' : e.rel} to ${label(e.to)}\n`;
  current += '-----------------\n';
  return { objects, current };
}

const idOf = (repr: string) => Number(/^\{'id': (\d+)/.exec(repr)![1]);
const edgeOf = (repr: string) => {
  const m = /^\{'from_id': (\d+), 'relation_type': '([A-Z_]+)', 'to_id': (\d+)\}$/.exec(repr)!;
  return { from: Number(m[1]), rel: m[2], to: Number(m[3]) };
};

function goalStrings(data: EaiData, task: EaiTask): { node: string; edge: string; action: string } {
  const p = data.program(task.id);
  const idToName = new Map<number, string>();
  for (const n of p.init.nodes) idToName.set(n.id, n.class_name);
  for (const n of p.final.nodes) if (!idToName.has(n.id)) idToName.set(n.id, n.class_name);
  let node = '';
  for (const g of task.nodeGoals) node += `${g.class_name} is ${g.state}\n`;
  node += '-----------------\n';
  let edge = '';
  for (const g of task.edgeGoals) edge += `${idToName.get(g.from_id)} is ${g.relation_type} to ${idToName.get(g.to_id)}\n`;
  edge += '-----------------\n';
  let action: string;
  if (task.actionGoals.length > 0) {
    action = 'The following action(s) should be included:\n';
    for (const a of task.actionGoals) {
      if (a.includes('|')) {
        const c = a.split('|');
        for (const x of c) action += x !== c[c.length - 1] ? `${x} or ` : `${x}\n`;
      } else {
        action += `${a}\n`;
      }
      action += `${a}\n`; // eai-eval prints every action goal a second time, as written
    }
    action += '-----------------\n';
  } else {
    action = 'There is no action requirement.\n';
  }
  return { node, edge, action };
}

export function eaiPrompt(data: EaiData, task: EaiTask, template: string): string {
  const p = data.program(task.id);
  const { objects, current } = promptParts(p.init, p.final);
  const g = goalStrings(data, task);
  return template.replace('<object_in_scene>', () => objects).replace('<cur_change>', () => current)
    .replace('<node_goals>', () => g.node).replace('<edge_goals>', () => g.edge).replace('<action_goals>', () => g.action);
}

export function eaiPrompts(data: EaiData): Array<{ identifier: string; llm_prompt: string }> {
  const template = promptTemplate(data.dir);
  return data.tasks.map((t) => ({ identifier: t.id, llm_prompt: eaiPrompt(data, t, template) }));
}
