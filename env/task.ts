/**
 * Tasks and task sets: the unit every consumer (episodes, the planner, E2CL, suites)
 * works on. Ids are self-describing (`generated/s77/0003`, `vh-programs/<file>`,
 * `eai/<n>`) so that an id alone reproduces its task.
 */
import type { GraphJSON } from './graph.ts';
import type { GoalPredicate } from './goal.ts';

export type Split = 'train' | 'seen' | 'unseen';

export interface Task {
  id: string;
  title: string;
  description: string;
  split: Split;
  /** The initial scene (VirtualHome graph JSON). */
  scene: GraphJSON;
  goal: GoalPredicate[];
  /** An expert program as script lines (`[WALK] <tv> (410)`), when known. */
  expert?: string[];
  /** The same program as E2CL natural-language actions (`Walk to tv`), when known. */
  expertNL?: string[];
}

export interface TaskQuery {
  split?: Split;
  seed?: number;
  count?: number;
}

export interface TaskSet {
  readonly name: string;
  /** Tasks in a deterministic order for the query. */
  list(query?: TaskQuery): Task[];
  /** One task by its id; throws HearthError naming the id when unknown. */
  get(id: string): Task;
}
