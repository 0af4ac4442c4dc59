/**
 * Suite files (issue 18): JSON and YAML through one JSON Schema; every error names the file,
 * the line and the field; defaults, `speculative: both`, `${VAR}` and relative paths.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { loadSuite } from '../../suites/spec.ts';
import { hearth } from '../support/tiny-checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(path: string): HearthError {
  try {
    loadSuite(path);
  } catch (e) {
    expect(e).toBeInstanceOf(HearthError);
    return e as HearthError;
  }
  throw new Error(`${path} was accepted`);
}

const GOOD_YAML = `name: s1
tasks:
  set: generated
  splits: [seen]
  count: 2
agents:
  - name: planner
    kind: planner
  - name: lm
    kind: checkpoint
    path: ckpt
    speculative: both
`;

describe('suite files', () => {
  it('reads YAML with defaults, expands speculative: both, resolves paths against the file', () => {
    const s = loadSuite(file('good.yaml', GOOD_YAML));
    expect(s.spec.protocol).toBe('closed-loop');
    expect(s.spec.feedback).toBe('none');
    expect(s.spec.seeds).toEqual([0]);
    expect(s.spec.repetitions).toBe(1);
    expect(s.spec.budgets.maxSteps).toBe(26);
    expect(s.spec.agents.map((a) => a.name)).toEqual(['planner', 'lm', 'lm+spec']);
    expect(s.spec.agents.map((a) => ('speculative' in a ? a.speculative : null))).toEqual([null, false, true]);
    expect((s.spec.agents[1] as { path: string }).path).toBe(join(dir, 'ckpt'));
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the same suite as JSON with the same hash', () => {
    const json = { name: 's1', tasks: { set: 'generated', splits: ['seen'], count: 2 }, agents: [{ name: 'planner', kind: 'planner' }, { name: 'lm', kind: 'checkpoint', path: 'ckpt', speculative: 'both' }] };
    expect(loadSuite(file('good.json', JSON.stringify(json, null, 2))).hash).toBe(loadSuite(file('good2.yaml', GOOD_YAML)).hash);
  });

  it('names file, line and field for a bad enum in YAML', () => {
    const e = errorOf(file('kind.yaml', GOOD_YAML.replace('kind: planner', 'kind: plannr')));
    expect(e.message).toMatch(/kind\.yaml:8: "agents\.0\.kind" must be one of "planner", "random"/);
    expect(e.message).toContain('got "plannr"');
  });

  it('names the kind-specific field of an agent (second pass)', () => {
    const e = errorOf(file('spec.yaml', GOOD_YAML.replace('speculative: both', 'speculative: sometimes')));
    expect(e.message).toMatch(/spec\.yaml:12: "agents\.1\.speculative" must be one of true, false, "both"/);
    const m = errorOf(file('missing-path.yaml', GOOD_YAML.replace('    path: ckpt\n', '')));
    expect(m.message).toMatch(/missing-path\.yaml:9: missing field "agents\.1\.path"/);
  });

  it('names file, line and field for JSON too (unknown field, wrong type)', () => {
    const text = '{\n  "name": "s",\n  "tasks": {"set": "generated"},\n  "budgets": {\n    "maxStep": 3\n  },\n  "agents": [{"name": "p", "kind": "planner"}]\n}\n';
    const e = errorOf(file('unknown.json', text));
    expect(e.message).toContain('unknown.json:5: unknown field "budgets.maxStep"');
    expect(e.hint).toContain('maxSteps');
    const t = errorOf(file('type.json', text.replace('"maxStep": 3', '"maxSteps": "many"')));
    expect(t.message).toContain('type.json:5: "budgets.maxSteps" must be an integer in [1, 10000], got "many"');
  });

  it('reports syntax errors with line and column', () => {
    expect(errorOf(file('syntax.json', '{\n  "name": "s",\n  "tasks": {"set": "generated"}\n  "agents": []\n}\n')).message).toMatch(/syntax\.json:4:3: /);
    expect(errorOf(file('syntax.yaml', 'name: s\ntasks: [\n')).message).toMatch(/syntax\.yaml:\d+:\d+: /);
  });

  it('refuses a missing required field, an empty agent list, duplicate names, unset variables', () => {
    expect(errorOf(file('noname.yaml', GOOD_YAML.replace('name: s1\n', ''))).message).toContain('missing field "name"');
    expect(errorOf(file('noagents.yaml', 'name: s\ntasks: {set: generated}\nagents: []\n')).message).toMatch(/noagents\.yaml:3: "agents" must not be empty/);
    expect(errorOf(file('dup.yaml', GOOD_YAML.replace('name: lm', 'name: planner'))).message).toContain('agent name "planner" is used twice');
    expect(errorOf(file('dup2.yaml', GOOD_YAML.replace('name: planner', 'name: lm+spec'))).message).toContain('agent name "lm+spec" is used twice');
    delete process.env.HEARTH_TEST_UNSET_VAR;
    const v = errorOf(file('var.yaml', GOOD_YAML.replace('path: ckpt', 'path: ${HEARTH_TEST_UNSET_VAR}')));
    expect(v.message).toMatch(/var\.yaml:11: "agents\.1\.path" uses \$\{HEARTH_TEST_UNSET_VAR\}, which is not set/);
    const d = loadSuite(file('vardef.yaml', GOOD_YAML.replace('path: ckpt', 'path: ${HEARTH_TEST_UNSET_VAR:-/abs/ckpt}')));
    expect((d.spec.agents[1] as { path: string }).path).toBe('/abs/ckpt');
    expect(errorOf(file('scripted.yaml', 'name: s\ntasks: {set: generated}\nagents:\n  - {name: s, kind: scripted}\n')).message).toContain('needs "actions", "byTask" or "file"');
  });

  it('every example suite under suites/examples/ is valid', () => {
    const examples = resolve(import.meta.dirname, '../../suites/examples');
    const files = readdirSync(examples).filter((f) => /\.(json|ya?ml)$/.test(f));
    expect(files).toEqual(expect.arrayContaining(['quick.yaml', 'served.yaml', 'eai.yaml', 'one-shot.json']));
    for (const f of files) expect(loadSuite(join(examples, f)).spec.agents.length, f).toBeGreaterThan(0);
  });

  it('the CLI prints one error line and exits 2', async () => {
    const bad = file('cli.yaml', GOOD_YAML.replace('count: 2', 'count: 0'));
    const r = await hearth(['suite', 'check', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*cli\.yaml:5: "tasks\.count" must be an integer in \[1, 100000\], got 0/);
    const missing = await hearth(['suite', 'run', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });
});
