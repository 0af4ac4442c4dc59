/**
 * Muffin's training data on household plans (spec §C items 4 and 7): contexts, each with K
 * sampled candidates labelled helpful or not by the facets (./facets.ts) and a gold response.
 *
 * The agent emits one action per planning prompt, so a candidate is an action at a prompt. For
 * each training task the K plans sampled from the SFT start (methods/household-pairs.ts) form a
 * prefix tree of actions; every node where the plans branch (two or more different next actions,
 * `END` counting as one) is a context: the planning prompt of the shared history, the distinct
 * next actions as candidates, each labelled 1 if some sampled plan through it is helpful (every
 * facet passes) and 0 otherwise. Gold, the demonstration the NLL term is on, is the teacher's
 * next action from that state (exploration/world.ts `planner`: E2CL's expert from any state);
 * where the teacher has none (stuck), the context has no gold. Contexts whose candidates all
 * carry the same label are kept, as in Muffin (they cost no ranking loss, only the gold's NLL).
 */
import type { Task } from '../../env/task.ts';
import { END_ACTION, planningPrompt, type HistoryStep, type PromptOptions } from '../../alignment/datasets/prompts.ts';
import type { RankingExample } from '../../alignment/ranking.ts';
import { forkAfter, type EpisodeFactory } from '../../exploration/env-adapter.ts';
import { planner } from '../../exploration/world.ts';
import type { FacetVerdict } from './facets.ts';

export interface MuffinContext extends RankingExample {
  taskId: string;
  /** Depth of the branch node: the number of actions before it. */
  step: number;
}

/** What a context needs of one sampled plan: its actions with their observations, and whether it said END. */
export interface SampledPlan {
  steps: ReadonlyArray<{ action: string; observation: string }>;
  saidEnd: boolean;
}

/** The teacher's next action after `actions` (failed ones included) on the task; null when it has none. */
export type GoldAction = (task: Task, actions: readonly string[]) => string | null;

/** The contexts of one task from its K sampled plans and their verdicts (same order). */
export function muffinContexts(task: Task, plans: readonly SampledPlan[], verdicts: readonly Pick<FacetVerdict, 'helpful'>[], o: { prompt: PromptOptions; gold: GoldAction }): MuffinContext[] {
  const seqs = plans.map((p) => [...p.steps.map((s) => s.action), ...(p.saidEnd ? [END_ACTION] : [])]);
  const out: MuffinContext[] = [];
  // Depth-first over the prefix tree: `members` are the plans sharing the first `depth` actions.
  const visit = (members: number[], depth: number): void => {
    const next = new Map<string, number[]>();
    for (const m of members) {
      if (depth < seqs[m].length) {
        const a = seqs[m][depth];
        next.set(a, [...(next.get(a) ?? []), m]);
      }
    }
    if (next.size >= 2) {
      const first = members.find((m) => depth <= plans[m].steps.length)!;
      const history: HistoryStep[] = plans[first].steps.slice(0, depth).map((s) => ({ action: s.action, observation: s.observation }));
      const candidates = [...next.keys()];
      const gold = o.gold(task, history.map((h) => h.action));
      out.push({
        taskId: task.id, step: depth, prompt: planningPrompt(task, history, o.prompt), candidates,
        labels: candidates.map((a) => (next.get(a)!.some((m) => verdicts[m].helpful) ? 1 : 0)),
        ...(gold !== null ? { gold } : {}),
      });
    }
    for (const [a, ms] of next) if (a !== END_ACTION && ms.length >= 2) visit(ms, depth + 1);
  };
  visit(plans.map((_, i) => i), 0);
  return out;
}

/** Gold from the teacher (E2CL's planner from any state), on a fork of the task replayed to the context. */
export function teacherGold(factory: EpisodeFactory, seed: number, maxSteps: number): GoldAction {
  const teacher = planner();
  return (task, actions) => teacher.nextAction(forkAfter(factory, task, { seed, maxSteps }, actions).episode, task);
}

/** Counts of a context set, for the report. */
export function contextStats(contexts: readonly MuffinContext[]): { contexts: number; candidates: number; mixed: number; withGold: number; helpfulCandidates: number } {
  return {
    contexts: contexts.length,
    candidates: contexts.reduce((a, c) => a + c.candidates.length, 0),
    mixed: contexts.filter((c) => new Set(c.labels).size > 1).length,
    withGold: contexts.filter((c) => c.gold !== undefined).length,
    helpfulCandidates: contexts.reduce((a, c) => a + c.labels.filter((l) => l === 1).length, 0),
  };
}
