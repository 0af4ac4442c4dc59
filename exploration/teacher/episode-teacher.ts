/**
 * The teacher inside a running episode: what the planner must know that the graph does not
 * hold (v1's found-first bindings, the NL grounder's name bindings, last object and PRNG
 * draws), rebuilt by replaying the episode's history from the task's initial scene, and the
 * next action from the episode's actual state. This is E2CL's corrector entry point.
 */
import { Executor, type Compat } from '../../env/executor.ts';
import type { GoalPredicate } from '../../env/goal.ts';
import { SceneGraph, type GraphJSON } from '../../env/graph.ts';
import { parseScriptLine } from '../../env/script.ts';
import { NLTracker, type NLStart } from './nl-grounding.ts';
import { nextAction, type NextAction, type PlanOptions } from './planner.ts';

/** What the planner needs from one step of an episode's history. */
export interface EpisodeStepLike {
  /** The grounded script line, when the action got that far. */
  script?: string;
  ok: boolean;
}

/** An episode as the teacher sees it (env/episode.ts's Episode fits). */
export interface EpisodeLike {
  readonly graph: SceneGraph;
  readonly task: { goal: GoalPredicate[]; scene?: GraphJSON };
  readonly history: readonly EpisodeStepLike[];
  /** 'nl' (default) or 'script': in NL episodes the plan must be sayable (see PlanOptions.nl). */
  readonly actionFormat?: 'nl' | 'script';
  /** The grounding seed of the episode. */
  readonly seed?: number;
  readonly options?: { bindings?: Readonly<Record<string, number>>; compat?: Compat; lenient?: boolean };
}

export interface EpisodeKnowledge {
  /** Ids bound by successful Walk/Run/Find steps. */
  bound: number[];
  /** Every id a step was grounded to (plans reuse them for class references). */
  preferred: number[];
  /** The NL grounder's state (bindings, last object, and with a scene and seed, its draws). */
  nl: NLStart;
}

/** A replay in progress: how far into which history, with what state (see `episodeKnowledge`). */
interface KnowledgeReplay {
  initial: Readonly<Record<string, number>>;
  replay?: { scene: GraphJSON; seed: number; compat?: Compat; lenient?: boolean };
  /** History entries read so far, and the last one (to notice a history changed in place). */
  read: number;
  last?: EpisodeStepLike;
  bound: Set<number>;
  preferred: Set<number>;
  tracker: NLTracker;
  g?: SceneGraph;
  ex?: Executor;
}

/**
 * A history's replay, kept on the history array itself (a non-enumerable symbol property): an
 * episode's history only grows, and the teacher is asked once per step, so each call reads only
 * the new entries instead of rebuilding the scene and replaying everything (that rebuild was a
 * fifth of a planner episode's allocation). On the array, the replay dies with its episode; in
 * a WeakMap it did not die young (V8's young-generation collections keep WeakMap values alive,
 * so every replay graph was promoted: 85% of what major collections freed), and a small map of
 * recent histories kept them longer still.
 */
const REPLAY = Symbol('hearth.episodeKnowledge');
type WithReplay = { [REPLAY]?: KnowledgeReplay };

const sameBindings = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean => a === b
  || (Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([n, id]) => b[n] === id));
const sameReplay = (a: KnowledgeReplay['replay'], b: KnowledgeReplay['replay']): boolean => a === b || (a !== undefined && b !== undefined
  && a.scene === b.scene && a.seed === b.seed && a.compat === b.compat && a.lenient === b.lenient);

/**
 * Read an episode's history. With the task's initial scene and the seed, the NL grounder's
 * PRNG draws are counted by replaying the steps on a copy; without them, only bindings.
 */
export function episodeKnowledge(history: readonly EpisodeStepLike[], initial: Readonly<Record<string, number>> = {},
  replay?: { scene: GraphJSON; seed: number; compat?: Compat; lenient?: boolean }): EpisodeKnowledge {
  let k = (history as WithReplay)[REPLAY];
  if (!k || !sameBindings(k.initial, initial) || !sameReplay(k.replay, replay) || history.length < k.read || (k.read > 0 && history[k.read - 1] !== k.last)) {
    k = {
      initial, replay, read: 0, bound: new Set<number>(), preferred: new Set<number>(Object.values(initial)),
      tracker: new NLTracker({ bindings: Object.entries(initial), ...(replay ? { seed: replay.seed } : {}) }),
    };
    if (replay) {
      k.g = SceneGraph.fromJSON(replay.scene, { lenient: replay.lenient ?? true });
      k.ex = new Executor(k.g, { compat: replay.compat ?? 'v1' });
    }
    // A frozen history is read in full every time.
    if (Object.isExtensible(history)) Object.defineProperty(history, REPLAY, { value: k, writable: true, configurable: true });
  }
  const { bound, preferred, tracker, g, ex } = k;
  try {
    for (; k.read < history.length; k.read++) {
      const h = history[k.read];
      k.last = h;
      if (!h.script) continue;
      const r = parseScriptLine(h.script, 1);
      if (!r.ok) continue;
      const line = r.line;
      for (const a of line.args) preferred.add(a.id);
      if (g && ex) {
        tracker.replay(g, ex.character, line);
        ex.executeLine(line);
      } else {
        tracker.commit(line, 0);
      }
      if (h.ok && (line.action === 'WALK' || line.action === 'RUN' || line.action === 'FIND')) bound.add(line.args[0].id);
    }
  } catch (e) {
    if (Object.isExtensible(history)) (history as WithReplay)[REPLAY] = undefined; // half-read: the next call starts over
    throw e;
  }
  return { bound: [...bound], preferred: [...preferred], nl: tracker.snapshot() };
}

/** The teacher's next action for an episode in its current state. */
export function nextActionForEpisode(episode: EpisodeLike, options: PlanOptions = {}): NextAction {
  const scene = episode.task.scene;
  const replay = scene && episode.seed !== undefined
    ? { scene, seed: episode.seed, compat: episode.options?.compat, lenient: episode.options?.lenient } : undefined;
  const known = episodeKnowledge(episode.history, episode.options?.bindings ?? {}, replay);
  const nl = (episode.actionFormat ?? 'nl') === 'nl' ? { nl: known.nl } : {};
  return nextAction(episode.graph, episode.task.goal, {
    bound: known.bound, preferred: known.preferred, compat: episode.options?.compat ?? 'v1', ...nl, ...options,
  });
}
