/**
 * The 45 hand-written scripts on TestScene1 against the reference's v1.0.0 and master
 * verdicts. Where the reference raises (master's TypeErrors, unknown ids, LOOKAT_SHORT), the
 * executor must return a typed failure that carries the exception text.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { checkSuiteCase, suiteVerdict, type SuiteCase, type SuiteExpected } from '../../env/conformance.ts';
import type { GraphJSON } from '../../env/graph.ts';
import { HAVE_VH_DATA, describeVH, vhPath } from '../support/vh-data.ts';

const load = <T>(p: string): T => JSON.parse(readFileSync(vhPath(p), 'utf8')) as T;
const jsonl = <T>(p: string): T[] => readFileSync(vhPath(p), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);

const suite: SuiteCase[] = HAVE_VH_DATA ? load('suite/suite_TestScene1.json') : [];
const expectations = {
  v1: HAVE_VH_DATA ? jsonl<SuiteExpected>('suite/suite_TestScene1.expected_v1.jsonl') : [],
  master: HAVE_VH_DATA ? jsonl<SuiteExpected>('suite/suite_TestScene1.expected_head.jsonl') : [],
};

for (const compat of ['v1', 'master'] as const) {
  describeVH(`suite on TestScene1 (compat ${compat})`, () => {
    const base = HAVE_VH_DATA ? load<GraphJSON>('graphs/TestScene1_graph.json') : ({ nodes: [], edges: [] } as GraphJSON);

    it('has 45 scripts with expectations in the same order', () => {
      expect(suite).toHaveLength(45);
      expect(expectations[compat].map((e) => e.name)).toEqual(suite.map((s) => s.name));
    });

    it.each(suite.map((s, i) => [s.name, i] as const))('%s', (_name, i) => {
      expect(checkSuiteCase(suite[i], expectations[compat][i], base, compat)).toEqual([]);
    });

    it('turns every reference exception into a typed failure', () => {
      const crashes = suite.map((s, i) => [s, expectations[compat][i]] as const).filter(([, e]) => e.exception !== null && e.parsed);
      expect(crashes.length).toBeGreaterThan(0);
      for (const [s] of crashes) {
        const v = suiteVerdict(s, base, compat);
        expect(['unknown_object', 'unsupported', 'no_room']).toContain(v.failureCode);
      }
    });
  });
}
