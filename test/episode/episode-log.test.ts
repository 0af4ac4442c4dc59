import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { Episode, episode$, type StepOutcome } from '../../env/episode.ts';
import {
  actionSchemaHash, canonicalJSON, EpisodeLogWriter, logSteps, readEpisodeLog, sceneHash, stepRecord,
} from '../../env/episode-log.ts';
import { isHearthError } from '../../env/errors.ts';
import { DEMO_ACTIONS, demoHouseScene, demoTask } from '../../env/scenes/demo-house.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-log-'));
let n = 0;
const tmp = (): string => join(dir, `ep${n++}.jsonl`);

/** Run the scripted demo into a log; returns the path and the outcomes. */
function writeDemo(seed = 0, actions: readonly string[] = DEMO_ACTIONS): { path: string; outs: StepOutcome[] } {
  const path = tmp();
  const ep = new Episode(demoTask(), { seed });
  const log = EpisodeLogWriter.forEpisode(path, ep, { agent: { name: 'test' }, createdAt: false });
  const outs: StepOutcome[] = [];
  for (const a of actions) {
    if (ep.finished) break;
    const o = ep.step(a);
    log.step(o);
    outs.push(o);
  }
  log.end();
  return { path, outs };
}

const lines = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);

describe('episode log writer and reader', () => {
  it('round-trips header, steps and end record', () => {
    const { path, outs } = writeDemo(4);
    const log = readEpisodeLog(path);
    expect(log.error).toBeUndefined();
    expect(log.header).toMatchObject({
      type: 'header', version: 1, seed: 4, compat: 'v1', agent: { name: 'test' },
      sceneHash: sceneHash(demoHouseScene()), actionSchemaHash: actionSchemaHash('v1'),
      task: { id: 'demo/heat-drink-watch-tv' },
    });
    expect(log.header.scene).toEqual(demoHouseScene());
    expect(log.steps).toEqual(outs.map((o) => JSON.parse(JSON.stringify(stepRecord(o)))));
    expect(log.steps.map((s) => s.t)).toEqual(outs.map((_, i) => i + 1));
    expect(log.steps[2]).toMatchObject({ action: 'Grab cup', script: '[GRAB] <cup> (24)', ok: false });
    expect(log.steps[2].failure?.message).toContain('cannot be found');
    expect(log.steps[3].diff.edgesAdded.length).toBeGreaterThan(0);
    expect(log.steps[4].character).toEqual({ room: 2, close: expect.any(Array), holds: [24] });
    expect(log.end).toEqual({ type: 'end', steps: DEMO_ACTIONS.length - 1, success: true, terminated: true, truncated: false, goal: { satisfied: 5, total: 5 } });
  });

  it('every line validates against env/schema/episode-log.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../env/schema/episode-log.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ strict: false }).compile(schema);
    const { path } = writeDemo(1);
    const ls = lines(path);
    expect(ls.length).toBe(DEMO_ACTIONS.length + 2);
    for (const [i, l] of ls.entries()) expect(validate(JSON.parse(l)), `line ${i + 1}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('identical runs give byte-identical logs (createdAt left out); different seeds hash the same scene', () => {
    const a = readFileSync(writeDemo(2).path, 'utf8');
    const b = readFileSync(writeDemo(2).path, 'utf8');
    expect(a).toBe(b);
    expect(readEpisodeLog(writeDemo(3).path).header.sceneHash).toBe(JSON.parse(a.split('\n')[0]).sceneHash);
  });

  it('scene hash: key order does not matter, content does', () => {
    const s = demoHouseScene();
    const reordered = { edges: s.edges, nodes: s.nodes.map((nd) => Object.fromEntries(Object.entries(nd).reverse())) };
    expect(sceneHash(reordered as typeof s)).toBe(sceneHash(s));
    expect(canonicalJSON({ b: 1, a: [2, { d: 1, c: 0 }] })).toBe('{"a":[2,{"c":0,"d":1}],"b":1}');
    const changed = demoHouseScene();
    changed.nodes[0].states = ['CLOSED'];
    expect(sceneHash(changed)).not.toBe(sceneHash(s));
    expect(actionSchemaHash('master')).not.toBe(actionSchemaHash('v1'));
  });

  it('a crash mid-line: all complete steps come back, with an error naming the cut line', () => {
    const { path } = writeDemo(0);
    const text = readFileSync(path, 'utf8');
    const ls = text.split('\n');
    // keep the header and 6 complete steps, then half of step 7 (line 8)
    const keep = ls.slice(0, 7).join('\n').length + 1;
    truncateSync(path, keep + Math.floor(ls[7].length / 2));
    const log = readEpisodeLog(path);
    expect(log.steps.map((s) => s.t)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.end).toBeUndefined();
    expect(log.error?.line).toBe(8);
    expect(log.error?.message).toMatch(/^line 8: truncated line/);
  });

  it('a crash at a line boundary reads back as an episode without its end record', () => {
    const { path } = writeDemo(0);
    const ls = lines(path);
    writeFileSync(path, ls.slice(0, 5).join('\n') + '\n');
    const log = readEpisodeLog(path);
    expect(log.steps).toHaveLength(4);
    expect(log.error).toBeUndefined();
    expect(log.end).toBeUndefined();
  });

  it('a malformed or schema-invalid line in the middle stops reading there', () => {
    const { path } = writeDemo(0);
    const ls = lines(path);
    writeFileSync(path, [...ls.slice(0, 4), '{"type":"step",', ...ls.slice(5)].join('\n') + '\n');
    expect(readEpisodeLog(path)).toMatchObject({ steps: { length: 3 }, error: { line: 5 } });

    const bad = JSON.parse(ls[3]);
    bad.ok = 'yes';
    writeFileSync(path, [...ls.slice(0, 3), JSON.stringify(bad), ...ls.slice(4)].join('\n') + '\n');
    const log = readEpisodeLog(path);
    expect(log.steps).toHaveLength(2);
    expect(log.error?.line).toBe(4);
    expect(log.error?.message).toMatch(/line 4: invalid step record: \/ok must be boolean/);

    writeFileSync(path, [ls[0], ls[1], ls[3]].join('\n') + '\n');
    expect(readEpisodeLog(path).error?.message).toMatch(/line 3: step record has t=3, expected 2/);

    writeFileSync(path, [ls[0], ls.at(-1), ls[1]].join('\n') + '\n');
    expect(readEpisodeLog(path).error?.message).toMatch(/line 3: record after the end record/);
  });

  it('an unreadable file or a bad header is a HearthError naming the file', () => {
    const missing = join(dir, 'nope.jsonl');
    const err = (f: () => unknown): unknown => { try { f(); } catch (e) { return e; } return undefined; };
    const e1 = err(() => readEpisodeLog(missing));
    expect(isHearthError(e1) && e1.message).toContain('nope.jsonl');
    const { path } = writeDemo(0);
    const ls = lines(path);
    writeFileSync(path, ls.slice(1).join('\n') + '\n');
    const e2 = err(() => readEpisodeLog(path));
    expect(isHearthError(e2) && e2.message).toMatch(/line 1: expected a header record/);
    writeFileSync(path, ls[0].slice(0, 100));
    expect(isHearthError(err(() => readEpisodeLog(path)))).toBe(true);
    writeFileSync(path, '');
    expect(isHearthError(err(() => readEpisodeLog(path)))).toBe(true);
  });

  it('records are on disk as soon as step() returns (append + fsync)', () => {
    const path = tmp();
    const ep = new Episode(demoTask());
    const log = EpisodeLogWriter.forEpisode(path, ep);
    expect(lines(path)).toHaveLength(1);
    log.step(ep.step('Walk to kitchen'));
    expect(lines(path)).toHaveLength(2);
    log.step(ep.step('Find cup'));
    const mid = readEpisodeLog(path);
    expect(mid.steps).toHaveLength(2);
    expect(mid.end).toBeUndefined();
    log.end();
    expect(readEpisodeLog(path).end).toMatchObject({ steps: 2, terminated: false, truncated: false });
  });

  it('logSteps logs an Observable episode: same records as the step loop; an unsubscribe leaves no end record', async () => {
    const agent = (v: { t: number }): string => DEMO_ACTIONS[v.t - 1] ?? 'END';
    const path = tmp();
    await lastValueFrom(episode$(demoTask(), agent).pipe(logSteps(EpisodeLogWriter.create(path, { task: demoTask(), seed: 0, createdAt: false, agent: { name: 'test' } })), toArray()));
    const viaStream = readFileSync(path, 'utf8');
    expect(viaStream === readFileSync(writeDemo(0).path, 'utf8')).toBe(true);

    const cut = tmp();
    await lastValueFrom(episode$(demoTask(), agent).pipe(logSteps(EpisodeLogWriter.create(cut, { task: demoTask(), seed: 0 })), take(3), toArray()));
    const log = readEpisodeLog(cut);
    expect(log.steps).toHaveLength(3);
    expect(log.end).toBeUndefined();
    expect(log.error).toBeUndefined();
  });
});
