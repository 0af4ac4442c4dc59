/**
 * A small synthesizer of schema-valid episode logs on any scene graph, for the viewer's tests
 * and the fps benchmark (a 1,000-step episode on a 437-node VirtualHome scene). It keeps its
 * own little world model so that every diff is consistent with the state it changes: the
 * character walks to objects (INSIDE room, CLOSE edges), opens and closes, switches on and off,
 * grabs and puts things on surfaces or in containers, washes and dirties; some steps fail with
 * a message, some carry an E2CL speculative trace. Seeded: same arguments, same log.
 */
import { sceneHash } from '../../env/episode-log.ts';
import type { GraphJSON } from '../../env/graph.ts';
import { Prng } from '../../env/prng.ts';

export interface SynthOptions {
  steps: number;
  seed?: number;
  /** Every n-th step fails (0 = never). Default 7. */
  failEvery?: number;
  /** Every n-th step carries a speculative trace (0 = never). Default 5. */
  speculativeEvery?: number;
  /** Write the end record. Default true. */
  end?: boolean;
}

type Triple = [number, string, number];
interface SNode { id: number; class_name: string; category?: string; properties?: string[]; states?: string[] }

const SHELL = new Set(['Rooms', 'Walls', 'Ceiling', 'Floor', 'Floors', 'Windows', 'Characters', 'Doors']);
const GOAL_TOTAL = 4;

export function synthesizeRecords(scene: GraphJSON, opts: SynthOptions): object[] {
  const rng = new Prng(opts.seed ?? 1);
  const failEvery = opts.failEvery ?? 7;
  const specEvery = opts.speculativeEvery ?? 5;
  const nodes = new Map<number, SNode>((scene.nodes as SNode[]).map((n) => [n.id, n]));
  const states = new Map<number, Set<string>>([...nodes.values()].map((n) => [n.id, new Set(n.states ?? [])]));
  const has = (id: number, p: string): boolean => nodes.get(id)?.properties?.includes(p) ?? false;
  const isRoom = (id: number): boolean => nodes.get(id)?.category === 'Rooms';
  const character = [...nodes.values()].find((n) => n.class_name === 'character');
  if (!character) throw new Error('synthesizeRecords: the scene has no character node');
  const c = character.id;
  const edges = scene.edges.map((e) => [e.from_id, e.relation_type, e.to_id] as Triple);
  const roomOfEdge = new Map<number, number>();
  const supports = new Map<number, Triple[]>();
  for (const [a, rel, b] of edges) {
    if (rel === 'INSIDE' && isRoom(b)) roomOfEdge.set(a, b);
    else if ((rel === 'ON' || rel === 'INSIDE') && !isRoom(b)) supports.set(a, [...(supports.get(a) ?? []), [a, rel, b]]);
  }
  let room = roomOfEdge.get(c) ?? [...nodes.values()].find((n) => n.category === 'Rooms')!.id;
  let close: number[] = edges.filter(([a, rel]) => a === c && rel === 'CLOSE').map(([, , b]) => b);
  let held: number | null = null;
  const targets = [...nodes.values()].filter((n) => !SHELL.has(n.category ?? '') && n.class_name !== 'doorjamb' && roomOfEdge.has(n.id)).map((n) => n.id);
  if (targets.length === 0) throw new Error('synthesizeRecords: no objects in rooms to act on');
  const label = (id: number): string => `<${nodes.get(id)!.class_name}> (${id})`;
  const name = (id: number): string => nodes.get(id)!.class_name.replace(/_/g, ' ');

  const records: object[] = [{
    type: 'header', version: 1, sceneHash: sceneHash(scene), actionSchemaHash: 'synthetic', seed: opts.seed ?? 1, compat: 'v1',
    task: { id: 'synthetic/tour', title: 'Synthetic tour', description: `A synthesized ${opts.steps}-step episode for the viewer` },
    agent: { name: 'make-log' }, scene,
  }];
  let pending: 'act' | 'walk' = 'walk';
  let target = targets[0];
  for (let t = 1; t <= opts.steps; t++) {
    const added: Triple[] = [];
    const removed: Triple[] = [];
    const changed: Record<string, [string[], string[]]> = {};
    const goal = { satisfied: Math.min(GOAL_TOTAL, Math.floor((t * (GOAL_TOTAL + 1)) / (opts.steps + 1))), total: GOAL_TOTAL };
    const setStates = (id: number, drop: string[], add: string[]): void => {
      const s = states.get(id)!;
      const before = [...s];
      for (const x of drop) s.delete(x);
      for (const x of add) s.add(x);
      changed[String(id)] = [before, [...s]];
    };
    let action: string;
    let script: string | null;
    let failure: object | null = null;
    if (failEvery > 0 && t % failEvery === 0) {
      const id = rng.pick(targets);
      action = `Open ${name(id)}`;
      script = `[OPEN] ${label(id)}`;
      failure = {
        code: 'invalid_action', action: 'OPEN', args: [id], predicate: `close(character, ${id})`,
        message: `${label(id)} is not close to the character when executing "[OPEN] ${label(id)} [0]"`,
      };
    } else if (pending === 'walk') {
      target = rng.pick(targets);
      const r = roomOfEdge.get(target)!;
      if (r !== room) { removed.push([c, 'INSIDE', room]); added.push([c, 'INSIDE', r]); room = r; }
      for (const x of close) { if (x !== target) { removed.push([c, 'CLOSE', x], [x, 'CLOSE', c]); } }
      if (!close.includes(target)) added.push([c, 'CLOSE', target], [target, 'CLOSE', c]);
      close = [target];
      action = `Walk to ${name(target)}`;
      script = `[WALK] ${label(target)}`;
      pending = 'act';
    } else {
      pending = 'walk';
      const s = states.get(target)!;
      if (held !== null && (has(target, 'SURFACES') || has(target, 'CONTAINERS')) && target !== held) {
        const rel = has(target, 'CONTAINERS') ? 'INSIDE' : 'ON';
        removed.push([c, 'HOLDS_RH', held]);
        added.push([held, rel, target]);
        const old = roomOfEdge.get(held);
        if (old !== room) { if (old !== undefined) removed.push([held, 'INSIDE', old]); added.push([held, 'INSIDE', room]); roomOfEdge.set(held, room); }
        supports.set(held, [[held, rel, target]]);
        action = rel === 'INSIDE' ? `Put ${name(held)} in ${name(target)}` : `Put ${name(held)} on ${name(target)}`;
        script = `[${rel === 'INSIDE' ? 'PUTIN' : 'PUTBACK'}] ${label(held)} ${label(target)}`;
        held = null;
      } else if (held === null && has(target, 'GRABBABLE')) {
        for (const e of supports.get(target) ?? []) removed.push(e);
        supports.set(target, []);
        added.push([c, 'HOLDS_RH', target]);
        held = target;
        action = `Grab ${name(target)}`;
        script = `[GRAB] ${label(target)}`;
      } else if (has(target, 'CAN_OPEN')) {
        const open = s.has('OPEN');
        setStates(target, open ? ['OPEN'] : ['CLOSED'], open ? ['CLOSED'] : ['OPEN']);
        action = `${open ? 'Close' : 'Open'} ${name(target)}`;
        script = `[${open ? 'CLOSE' : 'OPEN'}] ${label(target)}`;
      } else if (has(target, 'HAS_SWITCH')) {
        const on = s.has('ON');
        setStates(target, on ? ['ON'] : ['OFF'], on ? ['OFF'] : ['ON']);
        action = `Switch ${on ? 'off' : 'on'} ${name(target)}`;
        script = `[${on ? 'SWITCHOFF' : 'SWITCHON'}] ${label(target)}`;
      } else {
        const dirty = s.has('DIRTY');
        setStates(target, dirty ? ['DIRTY'] : ['CLEAN'], dirty ? ['CLEAN'] : ['DIRTY']);
        action = `${dirty ? 'Wash' : 'Touch'} ${name(target)}`;
        script = `[${dirty ? 'WASH' : 'TOUCH'}] ${label(target)}`;
      }
    }
    const ok = failure === null;
    const step: Record<string, unknown> = {
      type: 'step', t, action, script, ok, failure,
      diff: { edgesAdded: added, edgesRemoved: removed, statesChanged: changed }, goal,
      observation: `${name(close[0] ?? room)}. `, character: { room, close: [...close], holds: held === null ? [] : [held] },
    };
    if (specEvery > 0 && t % specEvery === 0) {
      const corrected = !ok || t % (specEvery * 2) === 0;
      step.speculative = {
        proposed: ok ? action : `Open ${name(target)}`,
        predictedFeedback: corrected ? 'you are not close to it' : 'success',
        correction: corrected ? `Walk to ${name(target)}` : null,
        correctionFeedback: corrected ? 'success' : null,
        used: corrected && ok,
      };
    }
    records.push(step);
  }
  if (opts.end ?? true) {
    const last = (records[records.length - 1] as { goal?: { satisfied: number; total: number } }).goal ?? { satisfied: 0, total: GOAL_TOTAL };
    const done = last.satisfied === last.total;
    records.push({ type: 'end', steps: opts.steps, success: done, terminated: done, truncated: !done, goal: last });
  }
  return records;
}

/** The log as JSONL text (one record per line, trailing newline). */
export function synthesizeLog(scene: GraphJSON, opts: SynthOptions): string {
  return synthesizeRecords(scene, opts).map((r) => JSON.stringify(r)).join('\n') + '\n';
}
