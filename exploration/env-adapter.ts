/**
 * What exploration needs from an episode (env/episode.ts's contract), and forks: a copy of
 * an episode's state in which an action can be tried without touching the original.
 *
 * A fork is made by replaying the actions taken so far (failed ones included) into a
 * fresh episode of the same task and seed. That reproduces not only the scene graph but
 * also what the graph alone does not hold (the executor's "found first" bindings, NL
 * grounding choices, the step count), and the simulator replays thousands of steps per
 * millisecond, so it costs little.
 */
import type { GraphDiff, SceneGraph } from '../env/graph.ts';
import type { Failure } from '../env/failure.ts';
import type { Task } from '../env/task.ts';

export interface StepOutcomeLike {
  observation: string;
  ok: boolean;
  failure?: Failure | { code?: string; message: string } | null;
  goal: { satisfied: number; total: number };
  terminated: boolean;
  truncated: boolean;
  script?: string | null;
  /** The env's step info (its `diff` is used for logs when present). */
  info?: { diff?: GraphDiff };
}

/** What the agent attaches to a step for the episode log (env/episode.ts `StepExtras`). */
export interface StepExtrasLike {
  prompt?: string;
  output?: string;
  speculative?: {
    proposed?: string; predictedFeedback?: string; correction?: string | null; correctionFeedback?: string | null; used?: boolean;
  };
}

export interface EpisodeLike {
  reset(seed?: number): { observation: string; info?: { goal?: { satisfied: number; total: number } } };
  step(action: string, extras?: StepExtrasLike): StepOutcomeLike;
  readonly graph?: SceneGraph;
}

export interface EpisodeOptions {
  seed?: number;
  maxSteps?: number;
}

/** Builds a fresh episode for a task (the real one: `new Episode(task, opts)`). */
export type EpisodeFactory = (task: Task, options: EpisodeOptions) => EpisodeLike;

/** A fresh episode with `actions` replayed; returns the episode and the last outcome (if any). */
export function forkAfter(factory: EpisodeFactory, task: Task, options: EpisodeOptions, actions: readonly string[]):
  { episode: EpisodeLike; initialObservation: string } {
  const episode = factory(task, { ...options, maxSteps: Math.max(options.maxSteps ?? 0, actions.length + 2) });
  const { observation } = episode.reset(options.seed);
  for (const a of actions) episode.step(a);
  return { episode, initialObservation: observation };
}

/** Try one action after `actions` in a fork; the caller's episode is untouched. */
export function tryInFork(factory: EpisodeFactory, task: Task, options: EpisodeOptions, actions: readonly string[],
  action: string): StepOutcomeLike {
  return forkAfter(factory, task, options, actions).episode.step(action);
}
