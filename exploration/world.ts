/**
 * The real simulator and teacher behind exploration's interfaces: episodes are
 * env/episode.ts `Episode`s (E2CL NL actions, 26-step cap, seeded grounding), the teacher is
 * exploration/teacher's planner (its next action from any state, as an NL string).
 */
import { Episode } from '../env/episode.ts';
import type { Task } from '../env/task.ts';
import type { TeacherPlanner } from './correctors.ts';
import type { EpisodeFactory } from './env-adapter.ts';
import { nextActionForEpisode } from './teacher/episode-teacher.ts';

export const episodeFactory: EpisodeFactory = (task: Task, o) => new Episode(task, { seed: o.seed ?? 0, maxSteps: o.maxSteps, lenient: true });

/** The planner from the fork's current state; `END` when the goal already holds, null when stuck. */
export function planner(options: { timeLimitMs?: number } = {}): TeacherPlanner {
  return {
    nextAction(episode, task) {
      // The episode's own history tells the teacher its bindings (found-first, NL names).
      void task;
      const r = nextActionForEpisode(episode as Episode, { limits: { timeLimitMs: options.timeLimitMs ?? 500 } });
      if (r.kind === 'act') return r.step.nl;
      if (r.kind === 'done') return 'END';
      return null;
    },
  };
}
