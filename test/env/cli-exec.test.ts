/**
 * End to end: `node bin/hearth.mjs exec ...` on good input prints results, and on bad input of
 * every kind prints one `error:` line on stderr, nothing on stdout, no stack trace, exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/vh-data.ts';

interface Run { code: number; stdout: string; stderr: string }
function hearth(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/hearth.mjs'), ...args], { cwd: REPO_ROOT, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr }));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-exec-'));
const f = (name: string, content: string) => { const p = join(dir, name); writeFileSync(p, content); return p; };

const node = (id: number, class_name: string, properties: string[] = [], states: string[] = [], category = 'Props') =>
  ({ id, class_name, category, properties, states });
const graph = {
  nodes: [node(1, 'kitchen', [], [], 'Rooms'), node(10, 'character', [], [], 'Characters'),
    node(21, 'tv', ['HAS_SWITCH'], ['OFF']), node(22, 'plate', ['GRABBABLE'])],
  edges: [{ from_id: 10, relation_type: 'INSIDE', to_id: 1 }, { from_id: 21, relation_type: 'INSIDE', to_id: 1 },
    { from_id: 22, relation_type: 'INSIDE', to_id: 1 }],
};

let G = '', OK = '';
beforeAll(() => {
  G = f('g.json', JSON.stringify(graph));
  OK = f('ok.txt', '[Walk] <tv> (21)\n[SwitchOn] <tv> (21)\n');
});

function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('hearth exec (end to end)', () => {
  it('executes a script and prints JSON with the batch fields', async () => {
    const r = await hearth(['exec', '--graph', G, '--script', OK, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['id', 'executable', 'failedLine', 'message', 'failure', 'delta']);
    expect(out).toMatchObject({ executable: true, failedLine: null, message: '', failure: null });
    expect(out.delta.statesChanged).toEqual({ 21: [['OFF'], ['ON']] });
  });

  it('reports a failing step with the reference message (exit 1)', async () => {
    const s = f('fail.txt', '[Walk] <tv> (21)\n[Grab] <tv> (21)\n');
    const r = await hearth(['exec', '--graph', G, '--script', s, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ executable: false, failedLine: 2,
      message: '<tv> (21) is not grabbable when executing "[GRAB] <tv> (21) [2]"', failure: { code: 'affordance' } });
  });

  it('runs a batch in input order with ids', async () => {
    const b = f('b.jsonl', [
      JSON.stringify({ id: 'first', base_graph: 'g.json', lines: ['[Walk] <tv> (21)'] }),
      JSON.stringify({ program_file: 'second.txt', base_graph: 'g.json', init_edges_removed: [[22, 'INSIDE', 1]], lines: ['[Walk] <plate> (22)'] }),
      JSON.stringify({ base_graph: 'g.json', lines: ['[Walk] <tv> (21)', '[SwitchOff] <tv> (21)'] }),
    ].join('\n'));
    const r = await hearth(['exec', '--batch', b, '--graphs', dir, '--repeat', '3']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['first', 'second.txt', 2]);
    expect(lines.map((l) => l.executable)).toEqual([true, false, false]);
    expect(lines[1].failure.code).toBe('no_room');
    expect(lines[2]).toMatchObject({ failedLine: 2, failure: { code: 'already' } });
  });

  const bad: Array<[string, () => string[], RegExp]> = [
    ['malformed graph JSON', () => ['exec', '--graph', f('bad.json', '{"nodes": [,]}'), '--script', OK], /malformed JSON at line 1/],
    ['graph failing the schema', () => ['exec', '--graph', f('schema.json', JSON.stringify({ nodes: [{ id: 'x', class_name: 'a', properties: [], states: [] }], edges: [] })), '--script', OK], /\/nodes\/0\/id/],
    ['unknown state string', () => ['exec', '--graph', f('state.json', JSON.stringify({ ...graph, nodes: [...graph.nodes, node(30, 'cup', [], ['WET'])] })), '--script', OK], /node 30 <cup> has unknown state "WET"/],
    ['missing graph file', () => ['exec', '--graph', join(dir, 'nope.json'), '--script', OK], /does not exist/],
    ['missing script file', () => ['exec', '--graph', G, '--script', join(dir, 'nope.txt')], /script file .* does not exist/],
    ['unknown verb', () => ['exec', '--graph', G, '--script', f('fly.txt', '[Walk] <tv> (21)\n[Fly] <bird> (1)\n')], /fly\.txt:2:2: Unknown action "FLY"/],
    ['wrong arity', () => ['exec', '--graph', G, '--script', f('arity.txt', '[PutBack] <plate> (22)\n')], /Wrong number of parameters for "PUTBACK". Got 1, expected 2/],
    ['bad id', () => ['exec', '--graph', G, '--script', f('badid.txt', '[Walk] <tv> (tv)\n')], /badid\.txt:1:\d+: Invalid id "tv"/],
    ['unknown id', () => ['exec', '--graph', G, '--script', f('unknown.txt', '[Walk] <fridge> (99999)\n')], /node 99999 <fridge> is not in the graph/],
    ['graph without a character', () => ['exec', '--graph', f('nochar.json', JSON.stringify({ nodes: graph.nodes.filter((n) => n.id !== 10), edges: graph.edges.filter((e) => e.from_id !== 10) })), '--script', OK], /no node with class_name "character"/],
    ['bad --compat', () => ['exec', '--graph', G, '--script', OK, '--compat', 'v2'], /--compat must be "v1" or "master"/],
    ['unknown option', () => ['exec', '--graph', G, '--script', OK, '--fast'], /unknown option --fast/],
    ['missing --script', () => ['exec', '--graph', G], /missing --script/],
    ['malformed batch line', () => ['exec', '--batch', f('bad.jsonl', '{"base_graph": "g.json", "lines": []}\n{oops\n'), '--graphs', dir], /bad\.jsonl:2: malformed JSON/],
    ['batch record without lines', () => ['exec', '--batch', f('nolines.jsonl', '{"base_graph": "g.json"}\n'), '--graphs', dir], /nolines\.jsonl:1: "lines" must be an array/],
    ['batch with a missing base graph', () => ['exec', '--batch', f('nobase.jsonl', '{"base_graph": "nope.json", "lines": []}\n'), '--graphs', dir], /base graph .*nope\.json does not exist/],
    ['bad --repeat', () => ['exec', '--batch', f('rep.jsonl', '{"base_graph": "g.json", "lines": []}\n'), '--graphs', dir, '--repeat', '0'], /--repeat must be an integer/],
  ];
  it.concurrent.each(bad)('%s: one-line error, exit 2, no stack trace', async (_name, args, pattern) => {
    expectOneLineError(await hearth(args()), pattern);
  });
});
