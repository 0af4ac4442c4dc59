/**
 * Checks against the reference simulator's recorded results (../shared/virtualhome): golden
 * programs (final edges and states as sets), pipeline fixtures (verdict, exact message, delta)
 * and the hand-written suite (v1 and master verdicts, messages, failed lines, exceptions).
 * Used by `hearth conformance` and the tests; each check returns a list of differences
 * (empty = match), never throws on a mismatch.
 */
import { Executor, type Compat } from './executor.ts';
import type { GraphDiff, GraphJSON } from './graph.ts';
import { SceneGraph } from './graph.ts';
import { recordGraphJSON, type EdgeTripleJSON, type GoldenRecord } from './records.ts';
import { parseScriptLines } from './script.ts';

export interface ExpectedDelta {
  edgesAdded: EdgeTripleJSON[];
  edgesRemoved: EdgeTripleJSON[];
  /** node id → [states before, states after]; only "after" is compared (as a set). */
  statesChanged: Record<string, [string[], string[]]>;
}

const edgeKey = (t: readonly [number, string, number]) => `${t[0]} ${t[1]} ${t[2]}`;

/**
 * Differences between an actual diff and an expected one, as human-readable strings.
 * Self-loops in the expectation (the reference's `[65, "CLOSE", 65]` and the pipeline graphs'
 * object self-loops) are not compared: the simulator never holds an edge from a node to itself
 * (docs/simulator-name-id.md). Any self-loop in the actual diff is reported.
 */
export function compareDelta(actual: GraphDiff, expected: ExpectedDelta): string[] {
  const problems: string[] = [];
  const cmp = (label: string, got: readonly (readonly [number, string, number])[], want: EdgeTripleJSON[]) => {
    const g = new Set(got.map(edgeKey)), w = new Set(want.filter((t) => t[0] !== t[2]).map(edgeKey));
    for (const k of g) if (!w.has(k)) problems.push(`${label}: unexpected [${k}]`);
    for (const k of w) if (!g.has(k)) problems.push(`${label}: missing [${k}]`);
  };
  cmp('edges added', actual.edgesAdded, expected.edgesAdded);
  cmp('edges removed', actual.edgesRemoved, expected.edgesRemoved);
  const ids = new Set([...Object.keys(actual.statesChanged), ...Object.keys(expected.statesChanged)]);
  for (const id of ids) {
    const got = actual.statesChanged[id]?.[1], want = expected.statesChanged[id]?.[1];
    const gs = got ? [...got].sort().join(',') : '(unchanged)';
    const ws = want ? [...want].sort().join(',') : '(unchanged)';
    if (gs !== ws) problems.push(`states of ${id}: got ${gs}, expected ${ws}`);
  }
  return problems;
}

/** Execute `lines` on a fresh graph; returns the verdict, the accumulated message and the delta. */
export function runScript(graph: SceneGraph, lines: readonly string[], compat: Compat = 'v1') {
  const mark = graph.mark();
  const parsed = parseScriptLines(lines);
  if (!parsed.ok) return { parsed: false as const, error: parsed.error.message };
  const ex = new Executor(graph, { compat });
  const result = ex.executeScript(parsed.lines);
  return { parsed: true as const, result, accumulated: ex.accumulatedMessage(), delta: graph.diffSince(mark) };
}

/** A golden record: executable, and exactly the expected final edges and states. */
export function checkGolden(rec: GoldenRecord, base: GraphJSON): string[] {
  const run = runScript(SceneGraph.fromJSON(recordGraphJSON(rec, base)), rec.lines);
  if (!run.parsed) return [`parse error: ${run.error}`];
  const problems: string[] = [];
  if (!run.result.executable) problems.push(`not executable: ${run.result.failure?.message}`);
  return problems.concat(compareDelta(run.delta, {
    edgesAdded: rec.final_edges_added as EdgeTripleJSON[],
    edgesRemoved: rec.final_edges_removed as EdgeTripleJSON[],
    statesChanged: rec.final_states_changed as ExpectedDelta['statesChanged'],
  }));
}

export interface PipelineFixture {
  init_graph: GraphJSON;
  bound_script: string[];
  executable: boolean;
  message: string;
  delta_final: { edges_added: EdgeTripleJSON[]; edges_removed: EdgeTripleJSON[]; states_changed: ExpectedDelta['statesChanged'] };
}

/** A pipeline fixture: verdict, `check_programs`'s exact message, and the delta. */
export function checkPipeline(fx: PipelineFixture): string[] {
  const run = runScript(SceneGraph.fromJSON(fx.init_graph), fx.bound_script);
  if (!run.parsed) return [`parse error: ${run.error}`];
  const problems: string[] = [];
  if (run.result.executable !== fx.executable) problems.push(`executable: got ${run.result.executable}, expected ${fx.executable}`);
  const message = run.result.executable ? 'Script is executable' : `Script is not executable, since ${run.accumulated}`;
  if (message !== fx.message) problems.push(`message: got ${JSON.stringify(message)}, expected ${JSON.stringify(fx.message)}`);
  return problems.concat(compareDelta(run.delta, {
    edgesAdded: fx.delta_final.edges_added, edgesRemoved: fx.delta_final.edges_removed, statesChanged: fx.delta_final.states_changed,
  }));
}

export interface SuiteCase { name: string; lines: string[] }
export interface SuiteExpected {
  parsed: boolean; executable: boolean; message: string; failed_line: number | null; exception: string | null; name: string;
}

/**
 * The suite's verdict in the expected files' own terms. The reference's parse is mirrored
 * (`datasetIds: false`, so `(1.410)` is its ValueError); where the reference raised, the
 * executor's typed failure carries the exception text and `failed_line` is null like theirs.
 */
export function suiteVerdict(c: SuiteCase, base: GraphJSON, compat: Compat): Omit<SuiteExpected, 'name'> & { failureCode?: string } {
  const parsed = parseScriptLines(c.lines, { datasetIds: false });
  if (!parsed.ok) {
    const crash = parsed.error.message.startsWith('invalid literal');
    return {
      parsed: false, executable: false, failed_line: null,
      message: crash ? `ParseCrash ValueError: ${parsed.error.message}` : `ParseError: ${parsed.error.message}`,
      exception: crash ? `ValueError: ${parsed.error.message}` : null, failureCode: parsed.error.code,
    };
  }
  const ex = new Executor(SceneGraph.fromJSON(base), { compat });
  const r = ex.executeScript(parsed.lines);
  if (r.exception !== undefined) {
    return { parsed: true, executable: false, message: `EXCEPTION ${r.exception}`, failed_line: null, exception: r.exception, failureCode: r.failure?.code };
  }
  return { parsed: true, executable: r.executable, message: ex.accumulatedMessage(), failed_line: r.failedLine, exception: null, failureCode: r.failure?.code };
}

/** Differences between a suite verdict and the expected record (the fields the file defines). */
export function checkSuiteCase(c: SuiteCase, expected: SuiteExpected, base: GraphJSON, compat: Compat): string[] {
  const got = suiteVerdict(c, base, compat);
  const problems: string[] = [];
  for (const k of ['parsed', 'executable', 'message', 'failed_line', 'exception'] as const) {
    if (JSON.stringify(got[k]) !== JSON.stringify(expected[k])) {
      problems.push(`${k}: got ${JSON.stringify(got[k])}, expected ${JSON.stringify(expected[k])}`);
    }
  }
  return problems;
}
