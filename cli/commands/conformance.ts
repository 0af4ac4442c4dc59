/**
 * `hearth conformance [--data DIR] [--verbose]`: run the reference fixtures (golden programs,
 * pipeline fixtures, the suite for v1 and master) and print a summary table. Exit 0 when
 * everything matches, 1 otherwise.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boolFlag, noPositionals, parseArgs, stringFlag } from '../args.ts';
import type { Command } from '../main.ts';
import {
  checkGolden, checkPipeline, checkSuiteCase, type PipelineFixture, type SuiteCase, type SuiteExpected,
} from '../../env/conformance.ts';
import { HearthError } from '../../env/errors.ts';
import type { GraphJSON } from '../../env/graph.ts';
import { parseJSONText, readTextFile } from '../../env/load.ts';
import type { GoldenRecord } from '../../env/records.ts';

const USAGE = 'hearth conformance [--data DIR] [--verbose]';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Row { fixture: string; passed: number; total: number; ms: number; failures: string[] }

function readJSON<T>(path: string): T { return parseJSONText(readTextFile(path), path) as T; }
function readJSONL<T>(path: string): T[] {
  return readTextFile(path).split(/\r?\n/).filter((l) => l.trim() !== '').map((l, i) => parseJSONText(l, `${path}:${i + 1}`) as T);
}

function timed(fixture: string, items: Array<[string, () => string[]]>): Row {
  const t0 = performance.now();
  const row: Row = { fixture, passed: 0, total: items.length, ms: 0, failures: [] };
  for (const [name, check] of items) {
    const problems = check();
    if (problems.length === 0) row.passed++;
    else row.failures.push(`${name}: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
  }
  row.ms = performance.now() - t0;
  return row;
}

export const command: Command = {
  name: 'conformance',
  summary: 'run the reference fixtures from ../shared/virtualhome and print a summary',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const p = parseArgs(argv, { data: { type: 'string' }, verbose: { type: 'boolean' } }, USAGE);
    noPositionals(p, USAGE);
    const data = resolve(stringFlag(p, 'data') ?? process.env.HEARTH_VH_DATA ?? resolve(REPO, '../shared/virtualhome'));
    if (!existsSync(resolve(data, 'golden')) || !existsSync(resolve(data, 'graphs'))) {
      throw new HearthError('conformance.data', `no VirtualHome reference data at ${data} (expected golden/, graphs/, pipeline_v1/, suite/)`,
        'pass --data DIR or set HEARTH_VH_DATA');
    }
    const graphCache = new Map<string, GraphJSON>();
    const graph = (name: string) => {
      let g = graphCache.get(name);
      if (!g) graphCache.set(name, (g = readJSON<GraphJSON>(resolve(data, 'graphs', name))));
      return g;
    };
    const rows: Row[] = [];

    const golden = readJSONL<GoldenRecord>(resolve(data, 'golden/scene1_golden.jsonl'));
    rows.push(timed('golden programs (v1, exact final graph)', golden.map((r) => [String(r.program_file), () => checkGolden(r, graph(r.base_graph))])));

    const pipeDir = resolve(data, 'pipeline_v1');
    const pipeFiles = existsSync(pipeDir) ? readdirSync(pipeDir).filter((f) => f.endsWith('.json')).sort() : [];
    rows.push(timed('pipeline fixtures (v1, message + delta)', pipeFiles.map((f) =>
      [f, () => checkPipeline(readJSON<PipelineFixture>(resolve(pipeDir, f)))])));

    const suite = readJSON<SuiteCase[]>(resolve(data, 'suite/suite_TestScene1.json'));
    const scene = graph('TestScene1_graph.json');
    for (const [compat, file] of [['v1', 'expected_v1'], ['master', 'expected_head']] as const) {
      const expected = readJSONL<SuiteExpected>(resolve(data, `suite/suite_TestScene1.${file}.jsonl`));
      rows.push(timed(`suite TestScene1 (${compat})`, suite.map((c, i) =>
        [c.name, () => (expected[i] ? checkSuiteCase(c, expected[i], scene, compat) : ['no expectation'])])));
    }

    const w = Math.max(...rows.map((r) => r.fixture.length));
    console.log(`${'fixture'.padEnd(w)}  passed  total  time`);
    for (const r of rows) {
      console.log(`${r.fixture.padEnd(w)}  ${String(r.passed).padStart(6)}  ${String(r.total).padStart(5)}  ${(r.ms / 1000).toFixed(1)} s${r.passed === r.total ? '' : '  MISMATCH'}`);
    }
    const failures = rows.flatMap((r) => r.failures.map((f) => `${r.fixture}: ${f}`));
    const all = rows.reduce((s, r) => s + r.total, 0), ok = rows.reduce((s, r) => s + r.passed, 0);
    console.log(`${ok}/${all} fixtures match the reference (data: ${data})`);
    for (const f of boolFlag(p, 'verbose') ? failures : failures.slice(0, 10)) console.log(`  ${f}`);
    return ok === all ? 0 : 1;
  },
};
