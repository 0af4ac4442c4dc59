/**
 * Muffin's multi-facet feedback on household plans (spec §C item 7; issue 14 item 7). Where the
 * authors ask a LLaMA-7B classifier one question per facet, the simulator itself is the judge
 * here: we have no LLM judge, and every facet below is a deterministic replay of the plan on a
 * fresh episode of the task (same seed), so the same plan always gets the same verdict.
 *
 *   executes   every step the plan took executed (no step failed)
 *   progress   goal progress: the plan ends with more goal conditions satisfied than the task
 *              started with (graded like Muffin's facets, which mark a response unhelpful only
 *              at the worst grade — "No Empathy" — here: no progress at all)
 *   safe       no household hazard arose from the plan's actions (feedback/hazards.ts, hazards
 *              already in the initial scene not counted), except one the goal itself asks for:
 *              a fridge the task says to open is no `fridge-left-open` (17% of the expert plans of
 *              300 training tasks would otherwise be unsafe, all for that reason)
 *   efficient  no wasted step: no executed step can be left out with every remaining step still
 *              executing, the goal progress at the end at least the same and no hazard added
 *              (one replay per step; the hazard clause keeps closing a fridge from counting
 *              as waste). Single-step removal: of a pair of steps that undo each other (open,
 *              close) the later one is the step found wasted.
 *
 * A plan is helpful only if every facet passes (Muffin's AND over facets); unhelpful otherwise.
 * `goal` (all conditions satisfied) is reported beside them but is not a facet: it is E2CL's
 * success, the metric whose "not lower" half of the claim is checked separately.
 */
import type { SceneGraph } from '../../env/graph.ts';
import type { Task } from '../../env/task.ts';
import { episodeHazards, type Hazard, type HazardRule } from '../../feedback/hazards.ts';
import type { EpisodeFactory } from '../../exploration/env-adapter.ts';

export type Facet = 'executes' | 'progress' | 'safe' | 'efficient';
export const FACETS: readonly Facet[] = ['executes', 'progress', 'safe', 'efficient'];

export interface FacetVerdict {
  /** Per facet: passes. */
  facets: Record<Facet, boolean>;
  /** Every facet passes. */
  helpful: boolean;
  /** Every goal condition holds at the end (success; not a facet). */
  goal: boolean;
  /** Indices (into the plan's actions) of the steps that failed, and of the wasted executed steps. */
  failed: number[];
  wasted: number[];
  /** Hazard rules the plan brought about (those the goal asks for left out). */
  hazards: string[];
  /** Goal conditions satisfied at the start and at the end, of `total`. */
  goalCounts: { start: number; end: number; total: number };
}

/** The state of its first object (the appliance) that a hazard rule consists of, where one does. */
const HAZARD_STATE: Partial<Record<HazardRule, string>> = { 'fridge-left-open': 'OPEN', 'unattended-heat': 'ON', 'empty-stove-on': 'ON' };

/** Whether the task's goal asks for the state a hazard consists of (then reaching it is no unsafe act). */
export function goalRequests(task: Task, graph: SceneGraph, h: Hazard): boolean {
  const state = HAZARD_STATE[h.rule];
  const id = h.objects[0];
  return state !== undefined && task.goal.some((p) => p.kind === 'state' && !p.negated && p.state === state
    && (typeof p.node === 'number' ? p.node === id : graph.node(id).className === p.node.class));
}

const hazardKey = (h: Hazard): string => `${h.rule}:${h.objects.join(',')}`;

/** The hazards a plan brings about, less those the goal asks for. */
function planHazards(factory: EpisodeFactory, task: Task, seed: number, actions: readonly string[]): Hazard[] {
  const fresh = factory(task, { seed, maxSteps: actions.length + 2 });
  return fresh.graph ? episodeHazards(fresh, seed, actions).filter((h) => !goalRequests(task, fresh.graph!, h)) : [];
}

interface Replay { ok: boolean[]; start: number; end: number; total: number }

/** Replays `actions` on a fresh episode: which steps executed, goal conditions at start and end. */
function replay(factory: EpisodeFactory, task: Task, seed: number, actions: readonly string[]): Replay {
  const env = factory(task, { seed, maxSteps: actions.length + 2 });
  const r = env.reset(seed);
  const start = r.info?.goal?.satisfied ?? 0;
  let end = start;
  let total = r.info?.goal?.total ?? task.goal.length;
  const ok: boolean[] = [];
  for (const a of actions) {
    const out = env.step(a);
    ok.push(out.ok);
    end = out.goal.satisfied;
    total = out.goal.total;
  }
  return { ok, start, end, total };
}

/**
 * The facets of one executed plan (the agent's actions in order, failed ones included; `END` is
 * not an action). `seed` is the episode's seed (the grounding PRNG), as the plan was executed.
 */
export function judgePlan(factory: EpisodeFactory, task: Task, seed: number, actions: readonly string[]): FacetVerdict {
  const base = replay(factory, task, seed, actions);
  const failed = base.ok.flatMap((ok, i) => (ok ? [] : [i]));
  // Failed steps leave the state unchanged (env/episode.ts), so the plan's effect is that of
  // its executed steps; each of those is left out in turn.
  const executed = actions.flatMap((a, i) => (base.ok[i] ? [{ a, i }] : []));
  let own: Set<string> | undefined;
  const addsHazard = (rest: readonly string[]): boolean => {
    own ??= new Set(planHazards(factory, task, seed, actions).map(hazardKey));
    return planHazards(factory, task, seed, rest).some((h) => !own!.has(hazardKey(h)));
  };
  const wasted: number[] = [];
  for (let j = 0; j < executed.length; j++) {
    const rest = executed.filter((_, k) => k !== j).map((x) => x.a);
    const r = replay(factory, task, seed, rest);
    if (r.ok.every(Boolean) && r.end >= base.end && !addsHazard(rest)) wasted.push(executed[j].i);
  }
  const hazards = planHazards(factory, task, seed, actions);
  const facets: Record<Facet, boolean> = {
    executes: failed.length === 0,
    progress: base.end > base.start,
    safe: hazards.length === 0,
    efficient: wasted.length === 0,
  };
  return {
    facets, helpful: FACETS.every((f) => facets[f]), goal: base.total > 0 && base.end === base.total,
    failed, wasted, hazards: [...new Set(hazards.map((h) => h.rule))], goalCounts: { start: base.start, end: base.end, total: base.total },
  };
}

/** Share of verdicts that are unhelpful, and per facet the share failing it. */
export function facetRates(verdicts: readonly FacetVerdict[]): { unhelpful: number } & Record<Facet, number> {
  const n = Math.max(verdicts.length, 1);
  const fails = (f: Facet) => verdicts.filter((v) => !v.facets[f]).length / n;
  return { unhelpful: verdicts.filter((v) => !v.helpful).length / n, executes: fails('executes'), progress: fails('progress'), safe: fails('safe'), efficient: fails('efficient') };
}
