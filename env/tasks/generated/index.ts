/**
 * The `generated` task set: tasks from subgoal templates over generated scenes, seeded.
 *
 * Ids say everything needed to rebuild a task: `generated/s<seed>/<n>` (train),
 * `generated/s<seed>/seen/<n>`, `generated/s<seed>/unseen/<n>`. Task n of a split is drawn
 * from its own seed (seed, split, n), so it does not depend on the tasks before it.
 *
 * Splits:
 * - train and seen use the seed's TRAIN_SCENES training scenes; a task belongs to seen iff a
 *   hash of its scene and goal falls in the seen bucket, so the two never share a task.
 * - unseen uses UNSEEN_SCENES held-out scenes, and every unseen task contains at least one
 *   held-out (template, object class) combination, which train and seen never use.
 *
 * Not filtered by the planner (generator and planner are checked against each other):
 * solvability comes from the templates' own v1 preconditions (see templates.ts).
 *
 * Variants (issue 13, a fair benchmark), each its own set name and id prefix:
 * - `generated` (v2, the default): every door open, as in all 400 of VirtualHome's real
 *   programs (the first walk into a closed door is a failure no prompt shows); no task text
 *   names an id (a subgoal whose text would need one, `the kitchen counter in the kitchen
 *   (47)`, is not drawn); UNSEEN_SCENES held-out scenes (more scenes: fewer repeated tasks
 *   and a paired test clustered by scene with more clusters).
 * - `generated-closed-doors`: v2 with the generator's closed doors kept, and the description
 *   says which doors are closed, so the failure is readable from the prompt.
 * - `generated-v1`: the tasks as they were before (closed doors, ids in texts, 12 held-out
 *   scenes), so that older run directories replay (`hearth e2cl diagnose`).
 */
import { HearthError } from '../../errors.ts';
import type { GoalPredicate, NodeRef } from '../../goal.ts';
import { SceneGraph, type GraphJSON } from '../../graph.ts';
import { Prng } from '../../prng.ts';
import type { Split, Task, TaskQuery, TaskSet } from '../../task.ts';
import { generateScene } from '../../scenes/generate.ts';
import { deriveSeed } from '../../scenes/seeds.ts';
import { compatible, enumerateSubgoals, SceneFacts, TEMPLATES, type Subgoal, type TemplateName } from './templates.ts';

export const TRAIN_SCENES = 48;
export const UNSEEN_SCENES = 40;
/** Held-out scenes of `generated-v1`. */
export const UNSEEN_SCENES_V1 = 12;

export const GENERATED_VARIANTS = ['generated', 'generated-closed-doors', 'generated-v1'] as const;
export type GeneratedVariant = (typeof GENERATED_VARIANTS)[number];
const SEEN_BUCKETS = 5;
const HELD_OUT_BUCKETS = 6;
const MAX_ATTEMPTS = 200;

const TEMPLATE_WEIGHT: Record<TemplateName, number> = {
  put_in: 3, put_on: 2, switch_on: 1.5, switch_off: 1, open: 1, close: 1, wash: 1.5, sit: 0.8, lie: 0.5, watch: 0.8,
};
/** Subgoal count: 1 (35%), 2 (30%), 3 (20%), 4 (15%). */
const SIZE_WEIGHTS = [0.35, 0.3, 0.2, 0.15];

/** Whether a (template, object class) combination is held out for the unseen split. */
export function isHeldOut(combo: string): boolean {
  return deriveSeed('held-out', combo) % HELD_OUT_BUCKETS === 0;
}

export function sceneSeed(seed: number, heldOut: boolean, index: number): number {
  return deriveSeed('generated', seed, heldOut ? 'held-out-scene' : 'scene', index);
}

/** Candidate subgoals grouped by template, and the templates that have any. */
interface Pool { byTemplate: Map<TemplateName, Subgoal[]>; templates: TemplateName[] }
interface SceneEntry { json: GraphJSON; all: Pool; notHeldOut: Pool; closedDoors: string[] }

/**
 * A generated scene as a variant uses it: v2 opens every door (the generator's draws are
 * unchanged, so everything else is byte-identical to `generateScene`).
 */
export function variantScene(seed: number, variant: GeneratedVariant = 'generated'): GraphJSON {
  const json = generateScene(seed);
  if (variant !== 'generated') return json;
  return {
    ...json,
    nodes: json.nodes.map((n) => (n.class_name === 'door' && n.states?.includes('CLOSED')
      ? { ...n, states: n.states.map((x) => (x === 'CLOSED' ? 'OPEN' : x)) } : n)),
  };
}

const HAS_ID = /\(\d+\)/;

function pool(subgoals: readonly Subgoal[]): Pool {
  const byTemplate = new Map<TemplateName, Subgoal[]>();
  for (const s of subgoals) {
    let list = byTemplate.get(s.template);
    if (!list) byTemplate.set(s.template, (list = []));
    list.push(s);
  }
  return { byTemplate, templates: TEMPLATES.filter((t) => byTemplate.has(t)) };
}

export function taskId(seed: number, split: Split, index: number, variant: GeneratedVariant = 'generated'): string {
  const n = String(index).padStart(4, '0');
  return split === 'train' ? `${variant}/s${seed}/${n}` : `${variant}/s${seed}/${split}/${n}`;
}

export function parseGeneratedId(id: string): { seed: number; split: Split; index: number; variant: GeneratedVariant } {
  const m = /^(generated(?:-closed-doors|-v1)?)\/s(-?\d+)\/(?:(seen|unseen|train)\/)?(\d+)$/.exec(id);
  if (!m) {
    throw new HearthError('task.unknown_id', `"${id}" is not a generated task id`,
      'use generated/s<seed>/<n>, generated/s<seed>/seen/<n> or generated/s<seed>/unseen/<n>, e.g. generated/s77/0003');
  }
  return { seed: Number(m[2]), split: (m[3] ?? 'train') as Split, index: Number(m[4]), variant: m[1] as GeneratedVariant };
}

function predicateKey(p: GoalPredicate): string {
  const ref = (r: NodeRef) => (typeof r === 'number' ? String(r) : r.class);
  const body = p.kind === 'state' ? `${p.state}(${ref(p.node)})` : `${p.relation}(${ref(p.from)},${ref(p.to)})`;
  return p.negated ? `!${body}` : body;
}

function capitalise(s: string): string { return s.charAt(0).toUpperCase() + s.slice(1); }

function joinPhrases(parts: string[]): string {
  if (parts.length === 1) return parts[0];
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function weighted<T>(prng: Prng, items: readonly T[], weight: (t: T) => number): T {
  let total = 0;
  for (const it of items) total += weight(it);
  let t = prng.next() * total;
  for (const it of items) if ((t -= weight(it)) < 0) return it;
  return items[items.length - 1];
}

export class GeneratedTaskSet implements TaskSet {
  readonly name: GeneratedVariant;
  /** Scenes by scene seed (a scene is shared by many tasks: treat task.scene as read-only). */
  private readonly scenes = new Map<number, SceneEntry>();

  constructor(variant: GeneratedVariant = 'generated') {
    this.name = variant;
  }

  private get v1(): boolean { return this.name === 'generated-v1'; }

  private scene(seed: number): SceneEntry {
    let e = this.scenes.get(seed);
    if (!e) {
      const json = variantScene(seed, this.name);
      const facts = new SceneFacts(SceneGraph.fromJSON(json, { source: `generated scene ${seed}` }));
      const subgoals = enumerateSubgoals(facts);
      const g = facts.graph;
      // `the door between the kitchen and the bathroom` for each closed door (no room ids).
      const closedDoors = g.byClassName('door').filter((d) => g.hasState(d, 'CLOSED'))
        .map((d) => [...g.out(d, 'BETWEEN')].map((r) => `the ${g.node(r).className.replace(/_/g, ' ')}`).join(' and '));
      e = { json, all: pool(subgoals), notHeldOut: pool(subgoals.filter((x) => !isHeldOut(x.combo))), closedDoors };
      if (this.scenes.size > 256) this.scenes.clear();
      this.scenes.set(seed, e);
    }
    return e;
  }

  list(query: TaskQuery = {}): Task[] {
    const split = query.split ?? 'train';
    const seed = query.seed ?? 0;
    const count = query.count ?? 100;
    if (!Number.isInteger(seed)) throw new HearthError('task.seed', `seed must be an integer, got ${seed}`);
    if (!Number.isInteger(count) || count < 0) throw new HearthError('task.count', `count must be a non-negative integer, got ${count}`);
    const out: Task[] = [];
    for (let i = 0; i < count; i++) out.push(this.make(seed, split, i));
    return out;
  }

  get(id: string): Task {
    const { seed, split, index, variant } = parseGeneratedId(id);
    if (variant !== this.name) {
      throw new HearthError('task.unknown_id', `"${id}" is a task of the ${variant} set, not of ${this.name}`, `look it up with taskById("${id}")`);
    }
    return this.make(seed, split, index);
  }

  /** Task `index` of a split: rejection-sampled from its own seed until it fits the split. */
  make(seed: number, split: Split, index: number): Task {
    const prng = new Prng(deriveSeed('generated-task', seed, split, index));
    const unseen = split === 'unseen';
    const unseenScenes = this.v1 ? UNSEEN_SCENES_V1 : UNSEEN_SCENES;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const sceneIndex = prng.int(unseen ? unseenScenes : TRAIN_SCENES);
      const sSeed = sceneSeed(seed, unseen, sceneIndex);
      const scene = this.scene(sSeed);
      const candidates = unseen ? scene.all : scene.notHeldOut;
      if (candidates.templates.length === 0) continue;
      const size = 1 + SIZE_WEIGHTS.indexOf(weighted(prng, SIZE_WEIGHTS, (w) => w));
      const chosen: Subgoal[] = [];
      for (let k = 0; k < size * 4 && chosen.length < size; k++) {
        const template = weighted(prng, candidates.templates, (t) => TEMPLATE_WEIGHT[t]);
        const bucket = candidates.byTemplate.get(template)!;
        // A few random draws rather than filtering the whole bucket (hundreds of put_on
        // candidates); candidates that need something opened first are kept twice as often.
        for (let tries = 0; tries < 8; tries++) {
          const s = bucket[prng.int(bucket.length)];
          if (!s.needsOpening && prng.next() < 0.5) continue;
          // v2: no task text names an id (the agent's NL actions cannot name one either).
          if (!this.v1 && (HAS_ID.test(s.text().long) || HAS_ID.test(s.text().short))) continue;
          if (compatible(chosen, s)) { chosen.push(s); break; }
        }
      }
      if (chosen.length === 0) continue;
      if (unseen && !chosen.some((s) => isHeldOut(s.combo))) continue;
      const goal = chosen.flatMap((s) => s.goal);
      if (!unseen) {
        const signature = `${sceneIndex}|${goal.map(predicateKey).sort().join(';')}`;
        const seenBucket = deriveSeed('seen', seed, signature) % SEEN_BUCKETS === 0;
        if (seenBucket !== (split === 'seen')) continue;
      }
      const texts = chosen.map((s) => s.text());
      const doors = this.name === 'generated-closed-doors' && scene.closedDoors.length
        ? ` ${scene.closedDoors.map((d) => `The door between ${d} is closed.`).join(' ')}` : '';
      return {
        id: taskId(seed, split, index, this.name),
        title: capitalise(joinPhrases(texts.map((t) => t.short))),
        description: texts.map((t) => t.long).join(' ') + doors,
        split,
        scene: scene.json,
        goal,
      };
    }
    throw new Error(`generated task ${taskId(seed, split, index, this.name)}: no task fits after ${MAX_ATTEMPTS} attempts`);
  }
}
