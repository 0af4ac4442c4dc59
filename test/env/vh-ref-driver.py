"""Run VirtualHome v1.0.0's evolving_graph simulator on golden-record graphs, for
test/env/name-id.test.ts (HEARTH_VH_REF_RESULTS). Not part of the product; needs a checkout
of the reference (git tag v1.0.0 of xavierpuigf/virtualhome) and its numpy-free modules only
(environment.py, execution.py, scripts.py, common.py).

  node --import tsx test/env/name-id-cases.ts > cases.jsonl
  python3 test/env/vh-ref-driver.py --ref <checkout>/simulation [--fast] < cases.jsonl > ref.jsonl
  HEARTH_VH_REF_RESULTS=ref.jsonl npx vitest run test/env/name-id.test.ts

Input: JSONL {"case", "rec" (index in golden/scene1_golden.jsonl), "lines"}. Output: JSONL
{"case", "executable", "failed_line", "message" (get_error_string()), "added", "removed"
(edges of the final or last good state against the initial graph), "states" (changed nodes'
final states)}, or {"case", "exception", "message"} where the reference raised.

The initial graph is built as env/records.ts builds it: base edges in file order minus
init_edges_removed, then init_edges_added. The simulator is ScriptExecutor(graph, {}).execute
(script, w_graph_list=False), as check_programs uses it (instance selection).

--fast replaces DeleteEdges(..., AnyNode()) by the same delete_edge calls restricted to nodes
that have the edge (delete_edge on an absent edge changes nothing), about 5x faster. It gave
byte-identical output to the unpatched code on 795 of the cases, and with it the driver matches
all 400 golden final graphs.
"""
import argparse, json, os, sys

ap = argparse.ArgumentParser()
ap.add_argument('--ref', required=True, help='the reference checkout\'s simulation/ directory (holds evolving_graph/)')
ap.add_argument('--data', default=os.environ.get('HEARTH_VH_DATA', os.path.join(os.path.dirname(__file__), '../../../shared/virtualhome')))
ap.add_argument('--fast', action='store_true')
args = ap.parse_args()
sys.path.insert(0, args.ref)
import evolving_graph.environment as env  # noqa: E402
from evolving_graph.execution import ScriptExecutor  # noqa: E402
from evolving_graph.scripts import read_script_from_list_string  # noqa: E402

if args.fast:
    _orig = env.DeleteEdges.apply_changes

    def _targets(state, n1, e):
        return set(state._graph.get_node_ids_from(n1.id, e)) | set(state._new_edges_from.get((n1.id, e), ()))

    def _sources(state, n1, e):
        g = state._graph
        if not hasattr(g, '_hearth_rev'):
            rev = {}
            for (f, r), m in g._edge_map.items():
                for t in m:
                    rev.setdefault((t, r), set()).add(f)
            g._hearth_rev = rev
        s = set(g._hearth_rev.get((n1.id, e), ()))
        for (f, r), ts in state._new_edges_from.items():
            if r == e and n1.id in ts:
                s.add(f)
        return s

    def _apply(self, state, **kwargs):
        if not isinstance(self.to_node, env.AnyNode):
            return _orig(self, state, **kwargs)
        for n1 in self.from_node.enumerate(state):
            for e in self.relations:
                cand = _targets(state, n1, e)
                if self.delete_reverse:
                    cand |= _sources(state, n1, e)
                for n2 in self.to_node.enumerate(state):
                    if n2.id in cand:
                        state.delete_edge(n1, e, n2)
                        if self.delete_reverse:
                            state.delete_edge(n2, e, n1)
    env.DeleteEdges.apply_changes = _apply

recs = [json.loads(l) for l in open(os.path.join(args.data, 'golden/scene1_golden.jsonl'))]
bases = {}


def init_graph(rec):
    b = rec['base_graph']
    if b not in bases:
        bases[b] = json.load(open(os.path.join(args.data, 'graphs', b)))
    removed = {tuple(e) for e in rec.get('init_edges_removed', [])}
    seen, edges = set(), []
    for e in bases[b]['edges']:
        k = (e['from_id'], e['relation_type'], e['to_id'])
        if k in removed or k in seen:
            continue
        seen.add(k)
        edges.append(e)
    for f, r, t in rec.get('init_edges_added', []):
        if (f, r, t) in seen:
            continue
        seen.add((f, r, t))
        edges.append({'from_id': f, 'relation_type': r, 'to_id': t})
    return {'nodes': rec['init_nodes'], 'edges': edges}


def triples(d):
    return {(e['from_id'], e['relation_type'], e['to_id']) for e in d['edges']}


def states(d):
    return {n['id']: sorted(n['states']) for n in d['nodes']}


graphs = {}  # the EnvironmentGraph is never mutated by execution (states overlay it)
for raw in sys.stdin:
    if not raw.strip():
        continue
    c = json.loads(raw)
    if c['rec'] not in graphs:
        gd = init_graph(recs[c['rec']])
        graphs[c['rec']] = (env.EnvironmentGraph(gd), triples(gd), states(gd))
    g, e0, s0 = graphs[c['rec']]
    out = {'case': c['case']}
    script = read_script_from_list_string(c['lines'])
    ex = ScriptExecutor(g, {})
    try:
        ok, state, _ = ex.execute(script, w_graph_list=False)
    except Exception as e:  # the reference raises on some inputs (e.g. an unknown id)
        out.update(exception=type(e).__name__ + ': ' + str(e), message=ex.info.get_error_string())
        print(json.dumps(out), flush=True)
        continue
    fin = state.to_dict()
    e1, s1 = triples(fin), states(fin)
    out.update(executable=ok, failed_line=None if ok else ex.info.current_line.index,
               message=ex.info.get_error_string(),
               added=sorted([list(t) for t in e1 - e0]), removed=sorted([list(t) for t in e0 - e1]),
               states={str(k): v for k, v in s1.items() if sorted(s0.get(k, [])) != v})
    print(json.dumps(out), flush=True)
