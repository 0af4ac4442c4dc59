/**
 * Golden-format records (../shared/virtualhome/README.md): a base graph file plus the initial
 * graph's node list and edge overlay, and script lines. `hearth exec --batch`, the conformance
 * runner and the replay benchmark all build initial graphs this way.
 */
import { HearthError } from './errors.ts';
import type { GraphEdgeJSON, GraphJSON, GraphNodeJSON } from './graph.ts';

export type EdgeTripleJSON = [number, string, number];

export interface GoldenRecord {
  id?: string | number;
  program_file?: string;
  base_graph: string;
  init_nodes?: GraphNodeJSON[];
  init_edges_added?: EdgeTripleJSON[];
  init_edges_removed?: EdgeTripleJSON[];
  lines: string[];
  [extra: string]: unknown;
}

const key = (f: number, r: string, t: number) => `${f} ${r} ${t}`;

/**
 * The initial graph of a record: nodes = `init_nodes` (else the base graph's), edges =
 * (base − removed) ∪ added, base edges first in file order, then the added ones.
 */
export function recordGraphJSON(rec: GoldenRecord, base: GraphJSON): GraphJSON {
  const removed = new Set<string>();
  for (const [f, r, t] of rec.init_edges_removed ?? []) removed.add(key(f, r, t));
  const seen = new Set<string>();
  const edges: GraphEdgeJSON[] = [];
  for (const e of base.edges) {
    const k = key(e.from_id, e.relation_type, e.to_id);
    if (removed.has(k) || seen.has(k)) continue;
    seen.add(k);
    edges.push(e);
  }
  for (const [from_id, relation_type, to_id] of rec.init_edges_added ?? []) {
    const k = key(from_id, relation_type, to_id);
    if (seen.has(k)) continue;
    seen.add(k);
    edges.push({ from_id, relation_type, to_id });
  }
  return { nodes: rec.init_nodes ?? base.nodes, edges };
}

/** Check the shape of one parsed JSONL record; `where` names it (file:line). */
export function validateRecord(value: unknown, where: string): GoldenRecord {
  const bad = (what: string) => new HearthError('batch.record', `${where}: ${what}`,
    'each line needs "base_graph" (a file name in --graphs) and "lines" (an array of script lines)');
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad('not a JSON object');
  const r = value as Record<string, unknown>;
  if (typeof r.base_graph !== 'string' || r.base_graph.length === 0) throw bad('missing "base_graph"');
  if (!Array.isArray(r.lines) || !r.lines.every((l) => typeof l === 'string')) throw bad('"lines" must be an array of strings');
  for (const k of ['init_edges_added', 'init_edges_removed'] as const) {
    const v = r[k];
    if (v === undefined) continue;
    const ok = Array.isArray(v) && v.every((t) => Array.isArray(t) && t.length === 3
      && Number.isInteger(t[0]) && typeof t[1] === 'string' && Number.isInteger(t[2]));
    if (!ok) throw bad(`"${k}" must be an array of [from_id, relation, to_id] triples`);
  }
  if (r.init_nodes !== undefined && !Array.isArray(r.init_nodes)) throw bad('"init_nodes" must be an array of nodes');
  return r as GoldenRecord;
}

/** The id printed for a record: its `id`, else `program_file`, else the 0-based index. */
export function recordId(rec: GoldenRecord, index: number): string | number {
  return rec.id ?? rec.program_file ?? index;
}
