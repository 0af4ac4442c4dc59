import { describe, expect, it } from 'vitest';
import { holds, type GoalPredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Split, Task } from '../../env/task.ts';
import { GeneratedTaskSet, isHeldOut, parseGeneratedId, sceneSeed, TRAIN_SCENES, UNSEEN_SCENES, variantScene } from '../../env/tasks/generated/index.ts';
import { getTaskSet, taskById } from '../../env/tasks/index.ts';
import { generateScene } from '../../env/scenes/generate.ts';
import { solveByGoal } from './support/goal-script.ts';

const set = new GeneratedTaskSet();
const N = 300;
const bySplit: Record<Split, Task[]> = {
  train: set.list({ seed: 77, split: 'train', count: N }),
  seen: set.list({ seed: 77, split: 'seen', count: N }),
  unseen: set.list({ seed: 77, split: 'unseen', count: N }),
};
// Tasks of one set share scene objects: serialise and index each scene once.
const texts = new WeakMap<object, string>();
const graphs = new WeakMap<object, SceneGraph>();
const sceneText = (t: Task) => texts.get(t.scene) ?? (texts.set(t.scene, JSON.stringify(t.scene)), texts.get(t.scene)!);
const graphOf = (t: Task) => graphs.get(t.scene) ?? (graphs.set(t.scene, SceneGraph.fromJSON(t.scene)), graphs.get(t.scene)!);
const sig = (t: Task) => `${sceneText(t).length}:${JSON.stringify(t.goal)}`;

describe('generated task set', () => {
  it('is the set getTaskSet("generated") returns, and ids reproduce tasks', () => {
    expect(getTaskSet('generated').name).toBe('generated');
    for (const split of ['train', 'seen', 'unseen'] as const) {
      for (const t of bySplit[split].slice(0, 40)) {
        const again = taskById(t.id);
        expect(again.goal).toEqual(t.goal);
        expect(again.title).toBe(t.title);
        expect(JSON.stringify(again.scene)).toBe(sceneText(t));
        expect(again.split).toBe(split);
      }
    }
    expect(bySplit.train[3].id).toBe('generated/s77/0003');
    expect(bySplit.seen[3].id).toBe('generated/s77/seen/0003');
    expect(parseGeneratedId('generated/s77/unseen/0012')).toEqual({ seed: 77, split: 'unseen', index: 12, variant: 'generated' });
    expect(parseGeneratedId('generated-v1/s77/0012')).toEqual({ seed: 77, split: 'train', index: 12, variant: 'generated-v1' });
    expect(() => taskById('generated/s77/oops')).toThrow(/not a generated task id/);
    expect(() => taskById('nosuchset/1')).toThrow(/task set name/);
  });

  it('is deterministic across fresh instances and differs between seeds', () => {
    const other = new GeneratedTaskSet().list({ seed: 77, split: 'train', count: 30 });
    expect(other.map((t) => t.title)).toEqual(bySplit.train.slice(0, 30).map((t) => t.title));
    const seed78 = set.list({ seed: 78, split: 'train', count: 30 });
    expect(seed78.map((t) => t.title)).not.toEqual(other.map((t) => t.title));
  });

  it('has valid goals: existing nodes, every predicate false initially, 1–4 subgoals, text', () => {
    for (const tasks of Object.values(bySplit)) {
      for (const t of tasks) {
        const g = graphOf(t);
        const refs = (p: GoalPredicate) => (p.kind === 'state' ? [p.node] : [p.from, p.to]);
        for (const p of t.goal) {
          for (const r of refs(p)) expect(typeof r === 'number' && g.has(r), `${t.id}: ${JSON.stringify(p)}`).toBe(true);
          expect(holds(g, p), `${t.id}: ${JSON.stringify(p)} holds initially`).toBe(false);
        }
        expect(t.goal.length).toBeGreaterThan(0);
        expect(t.title.length).toBeGreaterThan(5);
        expect(t.description.length).toBeGreaterThanOrEqual(t.title.length - 10);
      }
    }
  });

  it('mixes templates and combination sizes', () => {
    const all = [...bySplit.train, ...bySplit.seen, ...bySplit.unseen];
    const text = all.map((t) => t.title.toLowerCase()).join('\n');
    for (const word of ['put the', ' in ', ' on ', 'turn on', 'turn off', 'open', 'close', 'wash', 'wipe', 'sit on', 'lie down', 'watch']) {
      expect(text, word).toContain(word);
    }
    const sizes = new Set(all.map((t) => t.description.split(/(?<=\.) /).length));
    expect([...sizes].filter((s) => s >= 2 && s <= 4).length).toBeGreaterThanOrEqual(3);
    // Closed containers and closed doors that must be opened first occur.
    expect(text).toMatch(/door/);
    expect(all.some((t) => /inside the (fridge|kitchen cabinet|closet|cupboard|dresser|bathroom cabinet)/.test(t.description))).toBe(true);
  });

  it('keeps the splits apart: seen ≠ train tasks on training scenes; unseen on held-out scenes with held-out combos', () => {
    // The default set's scenes are the generator's with every door opened (variantScene).
    const trainScenes = new Set(Array.from({ length: TRAIN_SCENES }, (_, i) => JSON.stringify(variantScene(sceneSeed(77, false, i)))));
    const heldScenes = new Set(Array.from({ length: UNSEEN_SCENES }, (_, i) => JSON.stringify(variantScene(sceneSeed(77, true, i)))));
    const trainSigs = new Set(bySplit.train.map(sig));
    for (const t of bySplit.train) expect(trainScenes.has(sceneText(t))).toBe(true);
    for (const t of bySplit.seen) {
      expect(trainScenes.has(sceneText(t))).toBe(true);
      expect(trainSigs.has(sig(t)), t.id).toBe(false);
    }
    for (const t of bySplit.unseen) {
      expect(heldScenes.has(sceneText(t))).toBe(true);
      expect(trainScenes.has(sceneText(t))).toBe(false);
    }
    // Held-out combos: template + object class; recover them from the goal and scene.
    const combos = (t: Task): string[] => {
      const g = graphOf(t);
      const c = g.character()!;
      return t.goal.flatMap((p): string[] => {
        if (p.kind === 'edge' && p.from !== c && (p.relation === 'ON' || p.relation === 'INSIDE')) {
          return [`${p.relation === 'ON' ? 'put_on' : 'put_in'}:${g.node(p.from as number).className}`];
        }
        if (p.kind === 'edge' && p.from === c && p.relation === 'ON') {
          const lying = t.goal.some((q) => q.kind === 'state' && q.state === 'LYING');
          return [`${lying ? 'lie' : 'sit'}:${g.node(p.to as number).className}`];
        }
        if (p.kind === 'edge' && p.relation === 'FACING') return [`watch:${g.node(p.to as number).className}`];
        if (p.kind === 'state' && p.node !== c) {
          const cls = g.node(p.node as number).className;
          const watched = t.goal.some((q) => q.kind === 'edge' && q.relation === 'FACING' && q.to === p.node);
          if (watched) return [];
          const template = { ON: 'switch_on', OFF: 'switch_off', OPEN: 'open', CLOSED: 'close', CLEAN: 'wash' }[p.state as string];
          return template ? [`${template}:${cls}`] : [];
        }
        return [];
      });
    };
    for (const t of [...bySplit.train, ...bySplit.seen]) expect(combos(t).some(isHeldOut), t.id).toBe(false);
    for (const t of bySplit.unseen) expect(combos(t).some(isHeldOut), t.id).toBe(true);
  });

  it('is solvable in principle: a simple goal-driven script reaches every goal in the executor', () => {
    const failures: string[] = [];
    for (const tasks of Object.values(bySplit)) {
      for (const t of tasks.slice(0, 200)) {
        const r = solveByGoal(t);
        if (!r.solved) failures.push(`${t.id} ${t.title}: ${r.failure}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('v2 (the default): every door open, no id in any task text, all else as generated', () => {
    for (const t of Object.values(bySplit).flat()) {
      const g = graphOf(t);
      expect(g.byClassName('door').filter((d) => g.hasState(d, 'CLOSED')), t.id).toEqual([]);
      expect(`${t.title} ${t.description}`, t.id).not.toMatch(/\(\d+\)/);
    }
    // Opening doors is the only change to a scene.
    for (let i = 0; i < 6; i++) {
      const raw = generateScene(sceneSeed(77, true, i));
      const open = variantScene(sceneSeed(77, true, i));
      expect(open.edges).toEqual(raw.edges);
      open.nodes.forEach((n, k) => {
        if (n.class_name !== 'door') expect(n).toEqual(raw.nodes[k]);
        else expect(n.states).toEqual(raw.nodes[k].states!.map((x) => (x === 'CLOSED' ? 'OPEN' : x)));
      });
    }
  });

  it('generated-closed-doors keeps closed doors and says so in the description', () => {
    const closed = getTaskSet('generated-closed-doors').list({ seed: 77, split: 'unseen', count: 60 });
    let withClosed = 0;
    for (const t of closed) {
      expect(t.id).toMatch(/^generated-closed-doors\/s77\/unseen\//);
      const g = SceneGraph.fromJSON(t.scene);
      const n = g.byClassName('door').filter((d) => g.hasState(d, 'CLOSED')).length;
      expect((t.description.match(/The door between the [a-z ]+ and the [a-z ]+ is closed\./g) ?? []).length, t.id).toBe(n);
      if (n > 0) withClosed++;
      expect(taskById(t.id).description).toBe(t.description);
    }
    expect(withClosed).toBeGreaterThan(10);
  });

  it('generated-v1 reproduces the tasks of runs made before v2 (titles of run 2026-12-06T05-09-43Z, seed 42)', () => {
    expect(taskById('generated-v1/s42/unseen/0005').title).toBe('Put the measuring cup in the kitchen cabinet');
    expect(taskById('generated-v1/s42/unseen/0003').title).toBe('Turn on the dishwasher, turn on the washing machine in the kitchen, turn on the alarm clock and put the socks on the kitchen counter in the kitchen (108)');
    expect(() => new GeneratedTaskSet().get('generated-v1/s42/0001')).toThrow(/task of the generated-v1 set/);
  });
});
