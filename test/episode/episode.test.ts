import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Episode, episode$, runEpisode, type AgentView, type StepOutcome } from '../../env/episode.ts';
import { SceneGraph } from '../../env/graph.ts';
import { DEMO_ACTIONS, DEMO_SOLUTION, demoHouseScene, demoTask } from '../../env/scenes/demo-house.ts';

const scripted = (actions: readonly string[]) => (view: AgentView): string => actions[view.t - 1] ?? 'END';

describe('Episode', () => {
  it('reset gives the first observation, the goal progress and the seed', () => {
    const ep = new Episode(demoTask(), { seed: 7 });
    const r = ep.reset();
    expect(r.info.seed).toBe(7);
    expect(r.info.goal).toEqual({ satisfied: 1, total: 5 }); // the microwave starts closed
    expect(r.info.success).toBe(false);
    expect(r.observation).toBe(r.info.structured.text);
    expect(r.info.character.room).toBe(1);
    expect(ep.reset(9).info.seed).toBe(9);
  });

  it('the demo solution reaches the goal with every action executed', () => {
    const ep = new Episode(demoTask());
    const outs = DEMO_SOLUTION.map((a) => ep.step(a));
    expect(outs.filter((o) => !o.ok).map((o) => `${o.action}: ${o.failure?.message}`)).toEqual([]);
    expect(outs.at(-1)!.goal).toEqual({ satisfied: 5, total: 5 });
    expect(outs.at(-1)!.info.success).toBe(true);
    expect(outs.at(-1)!.terminated).toBe(false); // the agent says END itself
  });

  it('a failed action changes nothing and does not end the episode', () => {
    const ep = new Episode(demoTask());
    const before = JSON.stringify(ep.graph.toJSON());
    const o = ep.step('Switch on tv'); // not found first (v1)
    expect(o.ok).toBe(false);
    expect(o.failure?.code).toBe('missing_step');
    expect(o.failure?.message).toBe('<tv> (30) cannot be found when executing "[SWITCHON] <tv> (30) [0]"');
    expect(o.info.diff).toEqual({ edgesAdded: [], edgesRemoved: [], statesChanged: {} });
    expect(JSON.stringify(ep.graph.toJSON())).toBe(before);
    expect(o.terminated || o.truncated).toBe(false);
    expect(ep.history).toHaveLength(1);
  });

  it('a successful step reports its diff and where the character is', () => {
    const ep = new Episode(demoTask());
    ep.step('Walk to tv');
    const o = ep.step('Switch on tv');
    expect(o.ok).toBe(true);
    const [before, after] = o.info.diff.statesChanged['30'];
    expect([[...before].sort(), [...after].sort()]).toEqual([['OFF', 'PLUGGED_IN'], ['ON', 'PLUGGED_IN']]);
    expect(o.info.character.close).toContain(30);
    expect(o.goal.satisfied).toBe(2);
  });

  it('END terminates without executing; stepping again throws until reset', () => {
    const ep = new Episode(demoTask());
    ep.step('Walk to kitchen');
    const o = ep.step('  end ');
    expect(o).toMatchObject({ ok: true, terminated: true, truncated: false, observation: '' });
    expect(o.info.end).toBe(true);
    expect(o.script).toBeUndefined();
    expect(ep.finished).toBe(true);
    expect(() => ep.step('Walk to kitchen')).toThrow(/reset/);
    ep.reset();
    expect(ep.finished).toBe(false);
    expect(ep.history).toHaveLength(0);
    expect(ep.step('Walk to kitchen').t).toBe(1);
  });

  it('truncates after 26 executed actions by default, and after maxSteps when given', () => {
    const ep = new Episode(demoTask());
    const outs: StepOutcome[] = [];
    for (let i = 0; i < 26; i++) outs.push(ep.step('Dance'));
    expect(outs.slice(0, 25).every((o) => !o.truncated)).toBe(true);
    expect(outs[25]).toMatchObject({ t: 26, truncated: true, terminated: false });
    expect(() => ep.step('Dance')).toThrow();
    const short = new Episode(demoTask(), { maxSteps: 3 });
    expect([1, 2, 3].map(() => short.step('Walk to kitchen').truncated)).toEqual([false, false, true]);
  });

  it('stopOnGoal terminates as soon as the goal holds', () => {
    const ep = new Episode(demoTask(), { stopOnGoal: true });
    const outs = DEMO_SOLUTION.map((a) => (ep.finished ? undefined : ep.step(a))).filter((o) => o !== undefined);
    expect(outs).toHaveLength(DEMO_SOLUTION.length);
    expect(outs.at(-1)).toMatchObject({ terminated: true, truncated: false });
  });

  it('reset restores the initial scene exactly', () => {
    const ep = new Episode(demoTask());
    for (const a of DEMO_SOLUTION) ep.step(a);
    ep.reset();
    expect(ep.graph.toJSON()).toEqual(SceneGraph.fromJSON(demoHouseScene()).toJSON());
  });

  it('same seed and actions give the same outcomes; script lines work with actionFormat "script"', () => {
    const run = (seed: number) => {
      const ep = new Episode(demoTask(), { seed });
      return ['Find cup', 'Grab cup', 'Walk to kitchen', 'Find plate', 'Put cup on plate'].map((a) => ep.step(a));
    };
    expect(JSON.stringify(run(11))).toBe(JSON.stringify(run(11)));

    const ep = new Episode(demoTask(), { actionFormat: 'script' });
    const a = ep.step('[WALK] <kitchen> (2)');
    expect(a).toMatchObject({ ok: true, script: '[WALK] <kitchen> (2)' });
    const b = ep.step('[FLY] <kitchen> (2)');
    expect(b.failure).toMatchObject({ code: 'unknown_action' });
    const c = ep.step('[SWITCHON] <tv> (30)');
    expect(c.failure?.message).toBe('<tv> (30) cannot be found when executing "[SWITCHON] <tv> (30) [3]"');
  });

  it('a bad scene is a HearthError naming the task, raised by the first reset (construction parses nothing)', () => {
    const scene = demoHouseScene();
    scene.nodes[0].states = ['WET'];
    const ep = new Episode({ ...demoTask(), id: 'bad/wet', scene });
    expect(() => ep.reset()).toThrow(/task bad\/wet: node 1 <living_room> has unknown state "WET"/);
    expect(() => new Episode({ ...demoTask(), scene }, { lenient: true }).reset()).not.toThrow();
    const noChar = demoHouseScene();
    noChar.nodes = noChar.nodes.filter((n) => n.class_name !== 'character');
    noChar.edges = noChar.edges.filter((e) => e.from_id !== 100 && e.to_id !== 100);
    expect(() => new Episode({ ...demoTask(), scene: noChar }).step('Walk to kitchen')).toThrow(/no node with class_name "character"/);
  });

  it('rejects bad options with a typed error', () => {
    expect(() => new Episode(demoTask(), { maxSteps: 0 })).toThrow(/maxSteps/);
    expect(() => new Episode(demoTask(), { actionFormat: 'pddl' as never })).toThrow(/action format/);
  });
});

describe('episode as an Observable', () => {
  it('emits exactly what a step loop produces, then completes', async () => {
    const loop = new Episode(demoTask(), { seed: 3 });
    const expected = DEMO_ACTIONS.map((a) => loop.step(a));
    const got = await lastValueFrom(episode$(demoTask(), scripted(DEMO_ACTIONS), { seed: 3 }).pipe(toArray()));
    expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    expect(got.at(-1)!.terminated).toBe(true);
  });

  it('accepts an async agent and is cold (each subscription is a fresh episode)', async () => {
    const agent = async (v: AgentView): Promise<string> => { await new Promise((r) => setTimeout(r, 1)); return DEMO_SOLUTION[v.t - 1] ?? 'END'; };
    const obs = episode$(demoTask(), agent);
    const a = await lastValueFrom(obs.pipe(toArray()));
    const b = await lastValueFrom(obs.pipe(toArray()));
    expect(a).toHaveLength(DEMO_SOLUTION.length + 1);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.at(-2)!.info.success).toBe(true);
  });

  it('stops asking the agent after unsubscribe', async () => {
    let calls = 0;
    const agent = (): string => { calls++; return 'Dance'; };
    const first = await firstValueFrom(episode$(demoTask(), agent).pipe(take(3), toArray()));
    expect(first).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(3);
  });

  it('truncation completes the stream; agent errors become stream errors', async () => {
    const outs = await lastValueFrom(episode$(demoTask(), () => 'Dance', { maxSteps: 4 }).pipe(toArray()));
    expect(outs.map((o) => o.truncated)).toEqual([false, false, false, true]);
    await expect(lastValueFrom(episode$(demoTask(), () => { throw new Error('model down'); }))).rejects.toThrow('model down');
  });

  it('agent extras (prompt, raw output) travel with the step; runEpisode drives the same loop', async () => {
    const ep = new Episode(demoTask());
    const outs = await runEpisode(ep, (v) => ({ action: v.t === 1 ? 'Walk to kitchen' : 'END', prompt: `p${v.t}`, output: `o${v.t}` }));
    expect(outs).toHaveLength(2);
    expect(outs[0].extras).toEqual({ prompt: 'p1', output: 'o1' });
    expect(outs[1].terminated).toBe(true);
  });
});
