/**
 * The viewer's browser-free parts under node: its log reader agrees with env's validating reader
 * (same steps, same bad line), diffs apply and un-apply exactly, the computed layout places every
 * object of a graph without geometry, and the character follows the script's objects.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { characterMoves, scriptIds } from '../../viewer/src/character-path.ts';
import { computeLayout } from '../../viewer/src/layout.ts';
import type { LogStep, SceneJSON } from '../../viewer/src/log-types.ts';
import { parseEpisodeLog } from '../../viewer/src/parse-log.ts';
import { Placer } from '../../viewer/src/placement.ts';
import { WorldState } from '../../viewer/src/world-state.ts';
import { describeVH, vhPath } from '../support/vh-data.ts';
import { type Fixtures, makeFixtures } from './fixtures.ts';
import { synthesizeLog } from './make-log.ts';

let fx: Fixtures;
beforeAll(() => { fx = makeFixtures(mkdtempSync(join(tmpdir(), 'hearth-viewer-model-'))); });
afterAll(() => rmSync(fx.dir, { recursive: true, force: true }));

describe('viewer log reader', () => {
  it('reads the real demo log and a synthesized E2CL log as env/episode-log.ts does', () => {
    for (const path of [fx.demo, fx.e2cl]) {
      const ref = readEpisodeLog(path);
      expect(ref.error).toBeUndefined();
      const mine = parseEpisodeLog(readFileSync(path, 'utf8'));
      expect(mine.error).toBeUndefined();
      expect(mine.fatal).toBeUndefined();
      expect(mine.steps.length).toBe(ref.steps.length);
      expect(mine.steps.length).toBeGreaterThan(10);
      expect(mine.end).toEqual(ref.end);
    }
    const e2cl = parseEpisodeLog(readFileSync(fx.e2cl, 'utf8'));
    expect(e2cl.steps.some((s) => s.speculative?.used && s.speculative.correction)).toBe(true);
    expect(e2cl.steps.some((s) => !s.ok && s.failure?.message)).toBe(true);
  });

  it('names the bad line of a truncated log and keeps the steps before it, like env', () => {
    const text = readFileSync(fx.truncated, 'utf8');
    const mine = parseEpisodeLog(text);
    const ref = readEpisodeLog(fx.truncated);
    expect(mine.error?.line).toBe(fx.truncatedLine);
    expect(ref.error?.line).toBe(fx.truncatedLine);
    expect(mine.error?.message).toMatch(new RegExp(`^line ${fx.truncatedLine}: truncated line`));
    expect(mine.steps.length).toBe(fx.truncatedLine - 2);
    expect(mine.header).toBeDefined();
  });

  it('names a line whose record breaks the schema, and a bad header is fatal', () => {
    const lines = readFileSync(fx.demo, 'utf8').trimEnd().split('\n');
    const bad = [...lines];
    const rec = JSON.parse(bad[3]);
    rec.ok = 'yes';
    bad[3] = JSON.stringify(rec);
    const p = join(fx.dir, 'bad-field.jsonl');
    writeFileSync(p, bad.join('\n') + '\n');
    const mine = parseEpisodeLog(bad.join('\n') + '\n');
    expect(mine.error?.line).toBe(4);
    expect(mine.error?.message).toContain('/ok');
    expect(readEpisodeLog(p).error?.line).toBe(4);
    expect(mine.steps.length).toBe(2);

    const skipped = [lines[0], lines[1], lines[3]].join('\n');
    expect(parseEpisodeLog(skipped).error?.message).toContain('expected 2');

    expect(parseEpisodeLog('').fatal).toMatch(/empty/);
    expect(parseEpisodeLog('{"type":"step"}\n').fatal).toMatch(/^line 1: expected a header record/);
    expect(parseEpisodeLog('not json\n').error?.line).toBe(1);
  });
});

describe('viewer world state', () => {
  it('un-applying every diff restores the initial scene, and any step is reached the same way from both ends', () => {
    const log = parseEpisodeLog(readFileSync(fx.e2cl, 'utf8'));
    const world = new WorldState(log.header!.scene);
    const initial = world.fingerprint();
    const touched = new Set<number>();
    const at: string[] = [initial];
    for (const s of log.steps) { world.apply(s.diff, touched); at.push(world.fingerprint()); }
    expect(new Set(at).size).toBeGreaterThan(log.steps.length / 2); // the diffs do change things
    for (let k = log.steps.length; k > 0; k--) {
      world.unapply(log.steps[k - 1].diff, touched);
      expect(world.fingerprint()).toBe(at[k - 1]);
    }
    expect(world.fingerprint()).toBe(initial);
  });

  it('tracks what the character holds and where the cup goes in the demo', () => {
    const log = parseEpisodeLog(readFileSync(fx.demo, 'utf8'));
    const world = new WorldState(log.header!.scene);
    const cid = world.characterId!;
    const touched = new Set<number>();
    const layout = computeLayout(world); // from the initial scene, as the viewer does
    const placer = new Placer(world, layout);
    const cupBefore = placer.boxOf(24)!;
    const putIn = log.steps.findIndex((s) => s.script?.startsWith('[PUTIN]'));
    expect(putIn).toBeGreaterThan(0);
    for (let k = 0; k < putIn; k++) world.apply(log.steps[k].diff, touched);
    expect([...world.out(cid, 'HOLDS_RH'), ...world.out(cid, 'HOLDS_LH')]).toContain(24);
    world.apply(log.steps[putIn].diff, touched);
    expect(world.supportOf(24)).toEqual({ rel: 'INSIDE', to: 21 });
    expect(world.holder(24)).toBeUndefined();
    const cup = placer.boxOf(24)!;
    expect(cup).not.toEqual(cupBefore);
    const microwave = placer.boxOf(21)!;
    expect(Math.abs(cup.cx - microwave.cx)).toBeLessThan(microwave.sx / 2);
    expect(Math.abs(cup.cz - microwave.cz)).toBeLessThan(microwave.sz / 2);
  });
});

describe('viewer character path', () => {
  it('reads ids from grounded script lines', () => {
    expect(scriptIds('[PUTIN] <cup> (24) <microwave> (21)')).toEqual([24, 21]);
    expect(scriptIds('[WALK] <kitchen> (2)')).toEqual([2]);
    expect(scriptIds('[GRAB] <cup> (1.24)')).toEqual([24]);
  });

  it('moves on successful steps only, to the last object of the line', () => {
    const log = parseEpisodeLog(readFileSync(fx.demo, 'utf8'));
    const world = new WorldState(log.header!.scene);
    const { mover, target } = characterMoves(log.steps, world.characterId, (id) => world.isRoom(id));
    log.steps.forEach((s: LogStep, i) => {
      const k = i + 1;
      if (!s.ok) expect(mover[k]).toBe(mover[k - 1]);
      else if (s.script) { expect(mover[k]).toBe(k); expect(target[k]).toBe(scriptIds(s.script).at(-1)); }
    });
    expect(target[1]).toBe(2); // "Walk to kitchen"
  });
});

describeVH('viewer layout on VirtualHome graphs', () => {
  it('places every object of a trimmed graph (no geometry) inside its room', () => {
    const scene = JSON.parse(readFileSync(vhPath('graphs', 'TrimmedTestScene1_graph.json'), 'utf8')) as SceneJSON;
    const world = new WorldState(scene);
    const layout = computeLayout(world);
    expect(layout.hasGeometry).toBe(false);
    expect(layout.rooms.length).toBe(4);
    let checked = 0;
    for (const [id, b] of layout.boxes) {
      expect(Number.isFinite(b.cx + b.cy + b.cz + b.sx + b.sy + b.sz)).toBe(true);
      const room = layout.rooms.find((r) => r.id === world.roomOf(id));
      if (!room) continue;
      expect(b.cx).toBeGreaterThanOrEqual(room.x0);
      expect(b.cx).toBeLessThanOrEqual(room.x1);
      expect(b.cz).toBeGreaterThanOrEqual(room.z0);
      expect(b.cz).toBeLessThanOrEqual(room.z1);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(layout.doors.length).toBeGreaterThan(0);
  });

  it('uses the bounding boxes of a full graph, and a 1,000-step synthesized log on it is schema-valid', () => {
    const scene = JSON.parse(readFileSync(vhPath('graphs', 'TestScene1_graph.json'), 'utf8')) as SceneJSON;
    const world = new WorldState(scene);
    const layout = computeLayout(world);
    expect(layout.hasGeometry).toBe(true);
    const tv = scene.nodes.find((n) => n.class_name === 'tv' && n.bounding_box)!;
    expect(layout.boxes.get(tv.id)?.cx).toBe(tv.bounding_box!.center[0]);
    const dir = mkdtempSync(join(tmpdir(), 'hearth-viewer-vh-'));
    try {
      const p = join(dir, 'ts1.jsonl');
      writeFileSync(p, synthesizeLog(scene as never, { steps: 1000, seed: 7 }));
      const ref = readEpisodeLog(p);
      expect(ref.error).toBeUndefined();
      expect(ref.steps.length).toBe(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
