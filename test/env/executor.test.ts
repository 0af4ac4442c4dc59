/** Executor behaviour on a small hand-made scene (no reference data needed). */
import { describe, expect, it } from 'vitest';
import { HearthError } from '../../env/errors.ts';
import { Executor } from '../../env/executor.ts';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import { parseScript } from '../../env/script.ts';

function scene(): GraphJSON {
  const n = (id: number, class_name: string, properties: string[] = [], states: string[] = [], category = 'Props') =>
    ({ id, class_name, category, properties, states });
  return {
    nodes: [
      n(1, 'kitchen', [], [], 'Rooms'), n(2, 'livingroom', [], [], 'Rooms'),
      n(10, 'character', [], [], 'Characters'),
      n(20, 'fridge', ['CAN_OPEN', 'CONTAINERS'], ['CLOSED']),
      n(21, 'tv', ['HAS_SWITCH', 'LOOKABLE', 'HAS_PLUG'], ['OFF', 'PLUGGED_IN']),
      n(22, 'plate', ['GRABBABLE', 'RECIPIENT'], []),
      n(23, 'table', ['SURFACES'], []),
      n(24, 'sofa', ['SITTABLE', 'LIEABLE'], []),
      n(25, 'ghost', ['GRABBABLE'], []),
      n(26, 'pillow', ['GRABBABLE'], []),
    ],
    edges: [
      { from_id: 10, relation_type: 'INSIDE', to_id: 1 },
      { from_id: 20, relation_type: 'INSIDE', to_id: 1 },
      { from_id: 21, relation_type: 'INSIDE', to_id: 2 },
      { from_id: 22, relation_type: 'INSIDE', to_id: 1 },
      { from_id: 22, relation_type: 'ON', to_id: 23 },
      { from_id: 23, relation_type: 'INSIDE', to_id: 1 },
      { from_id: 24, relation_type: 'INSIDE', to_id: 2 },
      { from_id: 26, relation_type: 'INSIDE', to_id: 2 },
      { from_id: 26, relation_type: 'ON', to_id: 24 },
    ],
  };
}

function run(text: string, compat: 'v1' | 'master' = 'v1') {
  const g = SceneGraph.fromJSON(scene());
  const parsed = parseScript(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const ex = new Executor(g, { compat });
  const steps = parsed.lines.map((l) => ex.executeLine(l));
  return { g, ex, steps, last: steps[steps.length - 1] };
}

describe('Executor', () => {
  it('runs a plate-to-table program', () => {
    const { g, steps } = run('[Walk] <plate> (22)\n[Grab] <plate> (22)\n[Walk] <table> (23)\n[PutBack] <plate> (22) <table> (23)');
    expect(steps.every((s) => s.ok)).toBe(true);
    expect(g.hasEdge(22, 'ON', 23)).toBe(true);
    expect(g.out(10, 'HOLDS_RH').size).toBe(0);
  });

  it('gives the reference message and a typed code for an unmet precondition, leaving the graph unchanged', () => {
    const { g, ex, last } = run('[Walk] <plate> (22)\n[Walk] <tv> (21)\n[Grab] <plate> (22)');
    expect(last.ok).toBe(false);
    // The character was close to the plate after line 1, so the failure is typed wrong_order.
    expect(last.failure).toMatchObject({ code: 'wrong_order', action: 'GRAB', args: [22],
      message: '<character> (10) is not close to <plate> (22) when executing "[GRAB] <plate> (22) [3]"' });
    expect(g.out(10, 'HOLDS_RH').size).toBe(0);
    expect(ex.messages()).toHaveLength(1);
  });

  it('enforces v1\'s "must be found first" rule, and master looks ids up directly', () => {
    const v1 = run('[Open] <fridge> (20)');
    expect(v1.last.failure).toMatchObject({ code: 'missing_step', message: '<fridge> (20) cannot be found when executing "[OPEN] <fridge> (20) [1]"' });
    const master = run('[Open] <fridge> (20)', 'master');
    expect(master.last.failure?.code).toBe('missing_step');
    expect(master.last.failure?.message).toContain('is not close to <fridge> (20)');
  });

  it('types state failures as already or affordance', () => {
    const twice = run('[Walk] <tv> (21)\n[SwitchOn] <tv> (21)\n[SwitchOn] <tv> (21)');
    expect(twice.last.failure).toMatchObject({ code: 'already', message: '<tv> (21) is not off when executing "[SWITCHON] <tv> (21) [3]"' });
    const nostate = run('[Walk] <fridge> (20)\n[Close] <fridge> (20)');
    expect(nostate.last.failure?.code).toBe('already');
    const aff = run('[Walk] <tv> (21)\n[Open] <tv> (21)');
    expect(aff.last.failure).toMatchObject({ code: 'affordance', message: '<tv> (21) can not be opened when executing "[OPEN] <tv> (21) [2]"' });
  });

  it('accumulates messages like the reference, including those of steps that succeed', () => {
    const { ex, steps } = run('[Walk] <tv> (21)\n[SwitchOn] <tv> (21)\n[PlugOut] <tv> (21)\n[SwitchOn] <tv> (21)');
    expect(steps[2]).toMatchObject({ ok: true, warnings: ['<tv> (21) is still on when executing "[PLUGOUT] <tv> (21) [3]"'] });
    expect(steps[3].ok).toBe(false);
    expect(ex.accumulatedMessage()).toBe('<tv> (21) is still on when executing "[PLUGOUT] <tv> (21) [3]",'
      + '<tv> (21) is not off when executing "[SWITCHON] <tv> (21) [4]"');
  });

  it('returns typed failures where the reference crashes or fails silently', () => {
    const unknown = run('[Walk] <fridge> (999)');
    expect(unknown.last.failure?.code).toBe('unknown_object');
    expect(unknown.last.exception).toBe("AttributeError: 'NoneType' object has no attribute 'category'");
    const ghost = run('[Walk] <ghost> (25)');
    expect(ghost.last.failure?.code).toBe('no_room');
    expect(ghost.ex.accumulatedMessage()).toBe(''); // silent in the reference
    const short = run('[Walk] <tv> (21)\n[LookAt_Short] <tv> (21)');
    expect(short.last).toMatchObject({ ok: false, exception: 'ExecutionException: Execution of Action.LOOKAT_SHORT is not supported' });
    expect(short.last.failure?.code).toBe('unsupported');
  });

  it('reports a character without a room as a typed failure', () => {
    const json = scene();
    json.edges = json.edges.filter((e) => e.from_id !== 10);
    const ex = new Executor(SceneGraph.fromJSON(json));
    const p = parseScript('[Walk] <tv> (21)');
    expect(p.ok).toBe(true);
    if (p.ok) expect(ex.executeLine(p.lines[0]).failure?.code).toBe('no_room');
  });

  it('refuses a graph without a character with a HearthError', () => {
    const json = scene();
    json.nodes = json.nodes.filter((n) => n.class_name !== 'character');
    json.edges = json.edges.filter((e) => e.from_id !== 10);
    expect(() => new Executor(SceneGraph.fromJSON(json))).toThrow(HearthError);
  });

  it('keeps ON after StandUp (v1) and master reads the initial posture', () => {
    const v1 = run('[Walk] <sofa> (24)\n[Sit] <sofa> (24)\n[StandUp]');
    expect(v1.steps.every((s) => s.ok)).toBe(true);
    expect(v1.g.hasEdge(10, 'ON', 24)).toBe(true);
    expect(v1.g.hasState(10, 'SITTING')).toBe(false);
    const master = run('[Walk] <sofa> (24)\n[Sit] <sofa> (24)\n[StandUp]', 'master');
    expect(master.last.failure?.message).toBe('<character> (10) is not sitting when executing "[STANDUP] [3]"');
  });

  it('reports capacity', () => {
    // A pillow and the character make two things on the sofa: lying needs fewer than 2.
    const { last } = run('[Walk] <sofa> (24)\n[Lie] <sofa> (24)\n[StandUp]\n[Lie] <sofa> (24)');
    expect(last.failure).toMatchObject({ code: 'capacity', message: 'Too many things on <sofa> (24) when executing "[LIE] <sofa> (24) [4]"' });
  });

  it('marks and rolls back its whole state (graph, bindings, grab records, messages)', () => {
    const g = SceneGraph.fromJSON(scene());
    const ex = new Executor(g);
    const p = parseScript('[Walk] <plate> (22)\n[Grab] <plate> (22)\n[SwitchOn] <tv> (21)\n[PutObjBack] <plate> (22)');
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const m = ex.mark();
    expect(ex.executeLine(p.lines[0]).ok).toBe(true);
    expect(ex.executeLine(p.lines[1]).ok).toBe(true);
    expect(ex.grabOrigin(22)).toEqual({ dest: 23, rel: 'ON' });
    expect(ex.executeLine(p.lines[2]).ok).toBe(false);
    ex.rollback(m);
    expect(ex.isBound('plate', 22)).toBe(false);
    expect(ex.grabOrigin(22)).toBeUndefined();
    expect(ex.messages()).toEqual([]);
    expect(g.hasEdge(22, 'ON', 23)).toBe(true);
    expect(ex.executeLine(p.lines[1]).failure?.message).toBe('<plate> (22) cannot be found when executing "[GRAB] <plate> (22) [2]"');
    ex.bindObject('plate', 22);
    expect(ex.isBound('plate', 22)).toBe(true);
  });

  it('types a precondition that held earlier as wrong_order', () => {
    const { last } = run('[Walk] <plate> (22)\n[Grab] <plate> (22)\n[Walk] <tv> (21)\n[PutObjBack] <plate> (22)');
    expect(last.failure).toMatchObject({ code: 'wrong_order', message: '<character> (10) is not close to <table> (23) when executing "[PUTOBJBACK] <plate> (22) [4]"' });
    const never = run('[Walk] <tv> (21)\n[Walk] <plate> (22)\n[Grab] <plate> (22)\n[Walk] <sofa> (24)\n[PutBack] <plate> (22) <tv> (21)');
    expect(never.last.failure?.code).toBe('wrong_order');
    const fresh = run('[Walk] <plate> (22)\n[Grab] <plate> (22)\n[Find] <sofa> (24)');
    expect(fresh.last.failure).toBeUndefined();
  });
});
