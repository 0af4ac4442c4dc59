/**
 * `hearth exec`: run a VirtualHome script on a graph, or a batch of golden-format records.
 *
 *   hearth exec --graph G.json --script S.txt [--compat v1|master] [--json]
 *   hearth exec --batch FILE.jsonl --graphs DIR [--compat v1|master] [--repeat N] [--json]
 *
 * Exit codes: 0 executable (batch: all records ran), 1 not executable (batch: some record had
 * bad input, reported in its line), 2 bad input (one line on stderr, nothing on stdout).
 */
import { basename, resolve } from 'node:path';
import { boolFlag, intFlag, parseArgs, requireFlag, stringFlag } from '../args.ts';
import type { Command } from '../main.ts';
import { HearthError } from '../../env/errors.ts';
import { Executor, type Compat } from '../../env/executor.ts';
import type { Failure } from '../../env/failure.ts';
import type { GraphDiff, GraphJSON, SceneGraph } from '../../env/graph.ts';
import { graphFromJSON, loadGraphFile, parseJSONText, readTextFile, validateGraph } from '../../env/load.ts';
import { recordGraphJSON, recordId, validateRecord, type GoldenRecord } from '../../env/records.ts';
import { formatScriptLine, parseScript, parseScriptLines } from '../../env/script.ts';
import type { ScriptLine } from '../../env/script-types.ts';

const USAGE = 'hearth exec --graph G.json --script S.txt [--compat v1|master] [--json]\n'
  + '       hearth exec --batch FILE.jsonl --graphs DIR [--compat v1|master] [--repeat N] [--json]';

/** The usage on one line, for error hints (errors are printed on one line). */
const USAGE_LINE = USAGE.replace(/\n\s*/g, ' | ');

const FLAGS = {
  graph: { type: 'string' }, script: { type: 'string' }, compat: { type: 'string' }, json: { type: 'boolean' },
  batch: { type: 'string' }, graphs: { type: 'string' }, repeat: { type: 'string' },
} as const;

/** One result, the same fields for `--json` and each batch line. */
export interface ExecOutput {
  id: string | number;
  executable: boolean;
  failedLine: number | null;
  message: string;
  failure: Failure | null;
  delta: GraphDiff;
}

function compatOf(v: string | undefined): Compat {
  if (v === undefined || v === 'v1' || v === 'master') return v ?? 'v1';
  throw new HearthError('cli.usage', `--compat must be "v1" or "master", got "${v}"`, `usage: ${USAGE_LINE}`);
}

/** A delta with sorted edges and states, so that output does not depend on execution order. */
function sortedDelta(d: GraphDiff): GraphDiff {
  const cmp = (a: [number, string, number], b: [number, string, number]) =>
    a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
  const statesChanged: GraphDiff['statesChanged'] = {};
  for (const id of Object.keys(d.statesChanged).sort((a, b) => Number(a) - Number(b))) {
    const [before, after] = d.statesChanged[id];
    statesChanged[id] = [[...before].sort(), [...after].sort()];
  }
  return { edgesAdded: [...d.edgesAdded].sort(cmp), edgesRemoved: [...d.edgesRemoved].sort(cmp), statesChanged };
}

function execute(graph: SceneGraph, lines: ScriptLine[], compat: Compat, id: string | number): ExecOutput {
  const mark = graph.mark();
  const r = new Executor(graph, { compat }).executeScript(lines);
  return {
    id, executable: r.executable, failedLine: r.failedLine, message: r.failure?.message ?? '',
    failure: r.failure ?? null, delta: sortedDelta(graph.diffSince(mark)),
  };
}

/** Ids in the script that the graph lacks: bad input for the CLI (the reference crashes on them). */
function checkIds(graph: SceneGraph, lines: ScriptLine[], where: string): void {
  for (const l of lines) {
    for (const a of l.args) {
      if (!graph.has(a.id)) {
        throw new HearthError('script.unknown_id', `${where} line ${l.index} (${l.text}): node ${a.id} <${a.name}> is not in the graph`,
          'use ids of nodes in the graph (the number in parentheses is the node id)');
      }
    }
  }
}

async function runSingle(graphPath: string, scriptPath: string, compat: Compat, json: boolean): Promise<number> {
  const graph = loadGraphFile(graphPath);
  const text = readTextFile(scriptPath, 'script file');
  const parsed = parseScript(text);
  if (!parsed.ok) {
    const e = parsed.error;
    throw new HearthError(`script.${e.code}`, `${scriptPath}:${e.line}:${e.column}: ${e.message}`,
      e.code === 'unknown_action' ? 'use one of VirtualHome\'s 44 actions, listed in env/actions.ts'
        : e.code === 'wrong_arity' ? 'give the action its number of <name> (id) arguments'
          : 'write lines as [Action] <name> (id), ids as (n) or (instance.id)');
  }
  if (parsed.lines.length === 0) {
    throw new HearthError('script.empty', `${scriptPath} has no script lines`, 'write lines as [Action] <name> (id)');
  }
  checkIds(graph, parsed.lines, scriptPath);
  new Executor(graph, { compat }); // a graph without a character fails here, before any output
  const out = execute(graph, parsed.lines, compat, scriptPath);
  if (json) {
    console.log(JSON.stringify(out));
  } else {
    for (const l of parsed.lines) {
      const failed = out.failedLine === l.index;
      const after = out.failedLine !== null && l.index > out.failedLine;
      console.log(`${String(l.index).padStart(3)}  ${after ? 'skip' : failed ? 'FAIL' : 'ok  '}  ${formatScriptLine(l)}`);
      if (failed && out.failure) console.log(`       ${out.failure.code}: ${out.failure.message}`);
    }
    const d = out.delta;
    console.log(out.executable
      ? `executable (${parsed.lines.length} lines): ${d.edgesAdded.length} edges added, ${d.edgesRemoved.length} removed, ${Object.keys(d.statesChanged).length} nodes changed state`
      : `not executable: line ${out.failedLine} failed (state before it: ${d.edgesAdded.length} edges added, ${d.edgesRemoved.length} removed)`);
  }
  return out.executable ? 0 : 1;
}

function progress(done: number, total: number): void {
  if (!process.stderr.isTTY || total < 50) return;
  if (done === total || done % Math.max(1, Math.floor(total / 100)) === 0) {
    process.stderr.write(`\rexecuting ${Math.round((100 * done) / total)}%${done === total ? '\n' : ''}`);
  }
}

async function runBatch(batchPath: string, graphsDir: string, compat: Compat, repeat: number): Promise<number> {
  const text = readTextFile(batchPath, 'batch file');
  // Read and check everything first, so that bad input stops before any output.
  const records: GoldenRecord[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    records.push(validateRecord(parseJSONText(line, `${batchPath}:${i + 1}`), `${batchPath}:${i + 1}`));
  });
  if (records.length === 0) {
    throw new HearthError('batch.empty', `${batchPath} has no records`, 'write one golden-format JSON record per line');
  }
  const bases = new Map<string, GraphJSON>();
  for (const r of records) {
    if (bases.has(r.base_graph)) continue;
    if (basename(r.base_graph) !== r.base_graph) {
      throw new HearthError('batch.record', `${batchPath}: base_graph "${r.base_graph}" must be a file name inside --graphs`, 'use the name only');
    }
    const p = resolve(graphsDir, r.base_graph);
    const json = parseJSONText(readTextFile(p, 'base graph'), p);
    validateGraph(json, p);
    bases.set(r.base_graph, json);
  }

  let construct = 0, run = 0, steps = 0, bad = 0;
  const outputs: ExecOutput[] = [];
  for (let i = 0; i < records.length; i++) {
    const rec = records[i];
    const id = recordId(rec, i);
    const t0 = performance.now();
    const graph = graphFromJSON(recordGraphJSON(rec, bases.get(rec.base_graph)!), `${batchPath} record ${JSON.stringify(id)}`);
    new Executor(graph, { compat }); // no character: one-line error
    const t1 = performance.now();
    construct += t1 - t0;
    const parsed = parseScriptLines(rec.lines);
    if (!parsed.ok) {
      bad++;
      outputs.push({ id, executable: false, failedLine: parsed.error.index, message: parsed.error.message,
        failure: parsed.error.failure, delta: { edgesAdded: [], edgesRemoved: [], statesChanged: {} } });
      continue;
    }
    const mark = graph.mark();
    let out!: ExecOutput;
    for (let k = 0; k < repeat; k++) {
      if (k > 0) graph.rollback(mark);
      out = execute(graph, parsed.lines, compat, id);
    }
    run += performance.now() - t1;
    steps += repeat * (out.failedLine ?? parsed.lines.length);
    if (out.failure?.code === 'unknown_object') bad++;
    outputs.push(out);
    progress(i + 1, records.length);
  }
  for (const o of outputs) console.log(JSON.stringify(o));
  const programs = records.length * repeat;
  console.error(`${records.length} records × ${repeat}: graph construction ${construct.toFixed(1)} ms, execution ${run.toFixed(1)} ms `
    + `(${run > 0 ? Math.round(programs / (run / 1000)) : 0} programs/s, ${run > 0 ? Math.round(steps / (run / 1000)) : 0} steps/s, including deltas)`);
  if (bad > 0) console.error(`error: ${bad} record(s) had bad scripts (parse errors or unknown ids); see their "failure"`);
  return bad > 0 ? 1 : 0;
}

export const command: Command = {
  name: 'exec',
  summary: 'execute a VirtualHome script on a graph (or a batch of golden-format records)',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const p = parseArgs(argv, FLAGS, USAGE_LINE);
    if (p.positionals.length > 0) throw new HearthError('cli.usage', `unexpected argument "${p.positionals[0]}"`, `usage: ${USAGE_LINE}`);
    const compat = compatOf(stringFlag(p, 'compat'));
    const batch = stringFlag(p, 'batch');
    if (batch !== undefined) {
      if (stringFlag(p, 'graph') || stringFlag(p, 'script')) {
        throw new HearthError('cli.usage', '--batch cannot be combined with --graph/--script', `usage: ${USAGE_LINE}`);
      }
      return runBatch(batch, requireFlag(p, 'graphs', USAGE_LINE), compat, intFlag(p, 'repeat', 1, 1));
    }
    if (stringFlag(p, 'repeat') !== undefined || stringFlag(p, 'graphs') !== undefined) {
      throw new HearthError('cli.usage', '--repeat and --graphs go with --batch', `usage: ${USAGE_LINE}`);
    }
    return runSingle(requireFlag(p, 'graph', USAGE_LINE), requireFlag(p, 'script', USAGE_LINE), compat, boolFlag(p, 'json'));
  },
};
