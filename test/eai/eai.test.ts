/**
 * Issue 23: EAI action sequencing scored as eai-eval 1.0.5 does (`official`) and corrected.
 *
 * Conformance: test/fixtures/eai/outputs/*.json.gz are generated outputs files (EAI's own
 * programs written as model outputs, then perturbed: dropped/swapped/duplicated steps, truncated
 * text, fences, prose, hallucinated ids and actions, wrong arity, zero-argument steps, random
 * plans, the planner's plans; `h_*` were generated after the implementation was frozen), and
 * results/*.json what eai-eval 1.0.5's own `evaluate_results` (virtualhome, action_sequencing,
 * PYTHONHASHSEED=0, CPython 3.11) reported for each: the summary and every task's outcome and
 * success, or the record it stopped on. The driver that ran it lived outside the repository
 * (docs/eai.md describes it). These tests need EAI's data from an eai-eval install
 * (HEARTH_EAI_DATA = its virtualhome_eval folder) and skip with a message without it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { EaiData } from '../../suites/eai/data.ts';
import { checkOutputs, differences, EaiEvaluator, pyRound, type OutputRecord } from '../../suites/eai/evaluate.ts';
import { officialParse, strictParse } from '../../suites/eai/parse.ts';
import { pySetOrder, pyStrHash } from '../../suites/eai/pyhash.ts';
import { hearth } from '../support/tiny-checkpoint.ts';

const FIX = resolve(import.meta.dirname, '../fixtures/eai');
const EAI_DIR = process.env.HEARTH_EAI_DATA;
const HAVE_EAI = !!EAI_DIR && existsSync(join(EAI_DIR, 'resources', 'virtualhome', 'task_state_LTL_formula_accurate.json'));
let warned = false;
const describeEAI: typeof describe = ((name: string, fn: () => void) => {
  if (HAVE_EAI) return describe(name, fn);
  if (!warned) warned = true; else return describe.skip(`${name} (skipped: no EAI data)`, () => { it('needs EAI data', () => {}); });
  console.warn(`[hearth] EAI data not found (HEARTH_EAI_DATA=${EAI_DIR ?? ''}): skipping EAI conformance tests`);
  return describe.skip(`${name} (skipped: set HEARTH_EAI_DATA to eai-eval's virtualhome_eval folder)`, () => { it('needs EAI data', () => {}); });
}) as typeof describe;

const outputsOf = (name: string): OutputRecord[] => JSON.parse(gunzipSync(readFileSync(join(FIX, 'outputs', `${name}.json.gz`))).toString('utf8')) as OutputRecord[];
type Expected = { summary?: unknown; tasks?: Record<string, [string, boolean | null, string?]>; crash?: { identifier: string; error: string } };
const expectedOf = (name: string): Expected => JSON.parse(readFileSync(join(FIX, 'results', `${name}.json`), 'utf8')) as Expected;
const FIXTURES = readdirSync(join(FIX, 'results')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

describe('CPython pieces', () => {
  it('str hash under PYTHONHASHSEED=0 and small-set order', () => {
    const signed = (h: bigint) => (h >= 1n << 63n ? h - (1n << 64n) : h);
    expect(signed(pyStrHash('WALK'))).toBe(-3422213917718652875n);
    expect(signed(pyStrHash('LOOKAT|WATCH'))).toBe(-2875486268017421137n);
    expect(pyStrHash('')).toBe(0n);
    expect(pySetOrder(['TYPE', 'SWITCHOFF'])).toEqual(['SWITCHOFF', 'TYPE']);
    expect(pySetOrder(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toEqual(['d', 'f', 'g', 'b', 'c', 'a', 'e']);
  });
  it('round() is half-even on the exact binary value', () => {
    expect(pyRound(0.25, 1)).toBe(0.2);
    expect(pyRound(0.35, 1)).toBe(0.3); // 0.35 is 0.34999... in binary
    expect(pyRound(12.5, 0)).toBe(12);
    expect(pyRound((100 * 8) / 305, 4)).toBe(2.623);
    expect(pyRound((100 * 272) / 305, 1)).toBe(89.2);
  });
});

describe('reading llm_output', () => {
  it('official: regex pairs, zero-argument steps dropped, truncated text kept up to the last whole step', () => {
    expect(officialParse('{"WALK": ["tv", "1"], "STANDUP": [], "SWITCHON": ["tv", "1"]}')).toEqual([
      { action: 'WALK', params: ['tv', '1'] }, { action: 'SWITCHON', params: ['tv', '1'] }]);
    expect(officialParse('{"WALK": ["tv", "1"], "GRAB": ["cu')).toEqual([{ action: 'WALK', params: ['tv', '1'] }]);
    expect(officialParse("```json\n{'WALK': ['tv', '1']}\n```")).toEqual([{ action: 'WALK', params: ['tv', '1'] }]);
    expect(officialParse('{"WALK": [tv, 1]}')).toBeNull(); // json.loads raises: counted twice
  });
  it('corrected: one JSON object, duplicate keys kept, anything else a parsing error', () => {
    const r = strictParse('```json\n{"WALK": ["tv", "1"], "STANDUP": [], "WALK": ["cup", "2"]}\n```');
    expect(r).toEqual({ ok: true, steps: [{ action: 'WALK', params: ['tv', '1'] }, { action: 'STANDUP', params: [] }, { action: 'WALK', params: ['cup', '2'] }] });
    expect(strictParse('{"WALK": ["tv", "1"], "GRAB": ["cu').ok).toBe(false);
    expect(strictParse('Sure! {"WALK": ["tv", "1"]}').ok).toBe(false);
    expect(strictParse("{'WALK': ['tv', '1']}").ok).toBe(false);
    expect(strictParse('').ok).toBe(false);
  });
});

describeEAI('official scoring = eai-eval 1.0.5, task by task', () => {
  const data = new EaiData(EAI_DIR!);
  const ev = new EaiEvaluator(data);
  it('has fixtures', () => expect(FIXTURES.length).toBeGreaterThanOrEqual(20));
  for (const name of FIXTURES) {
    it(name, () => {
      const records = outputsOf(name);
      const want = expectedOf(name);
      if (want.crash) {
        expect(() => ev.evaluate(records, 'official')).toThrow(new RegExp(`record "${want.crash.identifier}": eai-eval 1.0.5 stops`));
        return;
      }
      const got = ev.evaluate(records, 'official');
      const mismatches: string[] = [];
      for (const [id, [outcome, success]] of Object.entries(want.tasks!)) {
        const g = got.tasks[id];
        if (g.outcome !== outcome || g.success !== success) mismatches.push(`${id}: eai-eval ${outcome}/${success}, hearth ${g.outcome}/${g.success}`);
      }
      expect(mismatches).toEqual([]);
      expect(Object.keys(got.tasks).sort()).toEqual(Object.keys(want.tasks!).sort());
      expect(got.summary).toEqual(want.summary);
    });
  }
});

describeEAI('corrected scoring', () => {
  const data = new EaiData(EAI_DIR!);
  const ev = new EaiEvaluator(data);
  const KNOWN = /^(skipped|gold-equal|parsing|hallucination|prefix|edge goals|action-goal order|action goals|inconsistent)/;
  for (const name of ['gold', 'planner']) {
    it(`${name}: every consistently annotated task executable and successful; each difference explained`, () => {
      const records = outputsOf(name);
      const c = ev.evaluate(records, 'corrected');
      const o = ev.evaluate(records, 'official');
      const bad = Object.entries(c.tasks).filter(([, t]) => !t.inconsistent && !(t.outcome === 'executable' && t.success === true));
      expect(bad).toEqual([]);
      expect(c.summary.goal_evaluation.task_success_rate).toBe(100);
      expect(c.summary.trajectory_evaluation.execution_success_rate).toBe(100);
      const d = differences(ev, records, o, c);
      expect(d.length).toBeGreaterThan(0);
      for (const x of d) {
        expect(x.causes.length).toBeGreaterThan(0);
        for (const cause of x.causes) expect(cause).toMatch(KNOWN);
      }
    });
  }
  it('gold: the issue\'s numbers (official 2.6% of 305 scored, 260 gold-equal plans never simulated)', () => {
    const records = outputsOf('gold');
    const o = ev.evaluate(records, 'official');
    expect(o.summary.goal_evaluation.task_success_rate).toBe(2.623);
    expect(Object.values(o.tasks).filter((t) => t.outcome === 'skipped')).toHaveLength(37);
    expect(Object.values(o.tasks).filter((t) => t.errors[0]?.startsWith('equals the dataset program'))).toHaveLength(260);
  });
  it('a duplicate identifier is an error in corrected, scored twice in official', () => {
    const r = outputsOf('gold').slice(0, 2);
    const twice = [r[0], r[1], r[0]];
    expect(() => ev.evaluate(twice, 'corrected')).toThrow(HearthError);
    expect(ev.evaluate(twice, 'official').notes.join(' ')).toMatch(/appears more than once/);
  });
  it('outputs files are checked record by record', () => {
    expect(() => checkOutputs({}, 'f.json', data)).toThrow(/f\.json: an EAI outputs file is a JSON list/);
    expect(() => checkOutputs([], 'f.json', data)).toThrow(/empty/);
    expect(() => checkOutputs([{ identifier: '27_2', llm_output: '{}' }, { identifier: 'nope', llm_output: '' }], 'f.json', data)).toThrow(/f\.json: record 1: unknown identifier "nope"/);
    expect(() => checkOutputs([{ identifier: '27_2', llm_output: 3 }], 'f.json', data)).toThrow(/record 0 \("27_2"\) has no string "llm_output"/);
  });
});

describe('hearth eai evaluate: one-line errors, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-eai-'));
  const cases: Array<[string, (p: string) => void, RegExp]> = [
    ['empty file', (p) => writeFileSync(p, ''), /the file is empty/],
    ['non-JSON', (p) => writeFileSync(p, 'identifier,llm_output\n27_2,{}'), /malformed JSON at line 1/],
    ['not a list', (p) => writeFileSync(p, '{"identifier": "27_2"}'), /is a JSON list of \{identifier, llm_output\}/],
    ['bad record', (p) => writeFileSync(p, '[{"identifier": "27_2", "llm_output": "{}"}, 7]'), /record 1 is not an object/],
    ['huge file', (p) => { writeFileSync(p, '['); truncateSync(p, 65 * 1024 * 1024); }, /too large for an EAI outputs file/],
  ];
  for (const [what, make, msg] of cases) {
    it(what, async () => {
      const p = join(dir, `${what.replace(/ /g, '_')}.json`);
      make(p);
      const r = await hearth(['eai', 'evaluate', '--outputs', p]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(msg);
      expect(lines[0]).toContain(p);
    }, 60_000);
  }
  it.runIf(HAVE_EAI)('unknown identifier names the file and the record', async () => {
    const p = join(dir, 'unknown.json');
    writeFileSync(p, JSON.stringify([{ identifier: '27_2', llm_output: '{}' }, { identifier: '99999_9', llm_output: '{}' }]));
    const r = await hearth(['eai', 'evaluate', '--outputs', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown\.json: record 1: unknown identifier "99999_9"/);
  }, 60_000);
  it.runIf(HAVE_EAI)('--json prints the summary with eai-eval\'s keys, the tasks and the differences', async () => {
    const p = join(dir, 'some.json');
    writeFileSync(p, JSON.stringify(outputsOf('mixed100')));
    const r = await hearth(['eai', 'evaluate', '--outputs', p, '--scoring', 'official', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { summary: Record<string, Record<string, unknown>>; tasks: Record<string, unknown>; differences: unknown[] };
    expect(j.summary).toEqual(expectedOf('mixed100').summary);
    expect(Object.keys(j.summary.goal_evaluation)).toEqual(['task_success_rate', 'state_goal', 'relation_goal', 'action_goal', 'total_goal']);
    expect(Object.keys(j.summary.trajectory_evaluation)).toEqual(['execution_success_rate', 'grammar_error', 'runtime_error']);
    expect(Object.keys(j.tasks)).toHaveLength(60);
    expect(Array.isArray(j.differences)).toBe(true);
  }, 60_000);
  it('cleans up', () => { rmSync(dir, { recursive: true, force: true }); });
});

describeEAI('hearth eai prompts = eai-eval 1.0.5 generate_prompts (PYTHONHASHSEED=0)', () => {
  it('every identifier in order, and the text of a sample of tasks byte for byte (sha256)', async () => {
    const { createHash } = await import('node:crypto');
    const { eaiPrompt, promptTemplate } = await import('../../suites/eai/prompts.ts');
    const data = new EaiData(EAI_DIR!);
    const want = JSON.parse(readFileSync(join(FIX, 'prompts-sha256.json'), 'utf8')) as Array<[string, string]>;
    expect(data.tasks.map((t) => t.id)).toEqual(want.map(([id]) => id));
    const template = promptTemplate(data.dir);
    // every 9th task, plus the two-action-goal and wash tasks (their goals print twice)
    const sample = want.filter(([id], i) => i % 9 === 0 || ['1003_2', '231_2', '27_2', '803_2'].includes(id));
    for (const [id, sha] of sample) {
      const text = eaiPrompt(data, data.byId.get(id)!, template);
      expect(`${id} ${createHash('sha256').update(text).digest('hex')}`).toBe(`${id} ${sha}`);
    }
  }, 300_000);
});
