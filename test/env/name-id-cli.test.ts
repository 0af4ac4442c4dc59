/**
 * `hearth exec` on a program whose lines' names and ids disagree (issue 12, item 2): the CLI
 * shows the reference's verdict, failing line and message, and a delta with no self-loop.
 * The expectations are VirtualHome v1.0.0's own output for this program (test/env/vh-ref-driver.py
 * on golden record 1's initial graph), whose delta also holds CLOSE(65→65), left out here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Executor } from '../../env/executor.ts';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import { recordGraphJSON, type GoldenRecord } from '../../env/records.ts';
import { parseScriptLines } from '../../env/script.ts';
import { REPO_ROOT, describeVH, vhPath } from '../support/vh-data.ts';

interface Run { code: number; stdout: string; stderr: string }
function hearth(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'bin/hearth.mjs'), ...args], { cwd: REPO_ROOT, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 99) : 0, stdout, stderr }));
  });
}

const LINES = [
  '[WALK] <dining_room> (201)',
  '[WALK] <freezer> (289)',
  '[FIND] <freezer> (65)', // the id is the character: the reference adds CLOSE(65→65)
  '[FIND] <food_food> (1000)',
  '[GRAB] <food_food> (1000)',
  '[OPEN] <fridge> (289)', // node 289 is a freezer, and (fridge, 289) was never found
  '[PUTIN] <food_food> (1000) <freezer> (289)',
];
const REFERENCE = {
  executable: false,
  failedLine: 6,
  message: '<fridge> (289) cannot be found when executing "[OPEN] <fridge> (289) [6]"',
  edgesAdded: [[65, 'CLOSE', 289], [65, 'CLOSE', 1000], [65, 'HOLDS_RH', 1000], [65, 'INSIDE', 201], [289, 'CLOSE', 65], [1000, 'CLOSE', 65]],
  edgesRemoved: [[65, 'INSIDE', 67], [289, 'CLOSE', 1000], [1000, 'CLOSE', 289]],
};

describeVH('hearth exec: mismatched names and ids', () => {
  it('prints the reference\'s verdict, line and message, the in-process result, and no self-loop', async () => {
    const rec = JSON.parse(readFileSync(vhPath('golden/scene1_golden.jsonl'), 'utf8').split('\n')[1]) as GoldenRecord;
    const base = JSON.parse(readFileSync(vhPath('graphs', rec.base_graph), 'utf8')) as GraphJSON;
    const graph = recordGraphJSON(rec, base);
    const dir = mkdtempSync(join(tmpdir(), 'hearth-name-id-'));
    writeFileSync(join(dir, 'g.json'), JSON.stringify(graph));
    writeFileSync(join(dir, 's.txt'), LINES.join('\n') + '\n');

    const r = await hearth(['exec', '--graph', join(dir, 'g.json'), '--script', join(dir, 's.txt'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ executable: REFERENCE.executable, failedLine: REFERENCE.failedLine, message: REFERENCE.message });
    expect(out.failure.code).toBe('missing_step');
    expect(out.delta.edgesAdded).toEqual(REFERENCE.edgesAdded);
    expect(out.delta.edgesRemoved).toEqual(REFERENCE.edgesRemoved);
    expect(out.delta.statesChanged).toEqual({});
    for (const [f, , t] of [...out.delta.edgesAdded, ...out.delta.edgesRemoved]) expect(f).not.toBe(t);

    // The CLI and the library agree.
    const g = SceneGraph.fromJSON(graph);
    const p = parseScriptLines(LINES);
    if (!p.ok) throw new Error(p.error.message);
    const res = new Executor(g).executeScript(p.lines);
    expect({ executable: res.executable, failedLine: res.failedLine, message: res.failure?.message })
      .toEqual({ executable: out.executable, failedLine: out.failedLine, message: out.message });

    // The text form names the failing line and the message too.
    const t = await hearth(['exec', '--graph', join(dir, 'g.json'), '--script', join(dir, 's.txt')]);
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('  6  FAIL  [OPEN] <fridge> (289)');
    expect(t.stdout).toContain(`missing_step: ${REFERENCE.message}`);
  });
});
