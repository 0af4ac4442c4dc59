/**
 * Episode logs of rollouts, in env/episode-log.ts's format (header with the scene, one
 * record per step appended and fsync'd as the step happens, an end record), including each
 * step's prompt, raw output and the `speculative` trace so the viewer shows predicted
 * feedback and corrections. Opened lazily at an episode's first event.
 */
import { join } from 'node:path';
import { EpisodeLogWriter } from '../env/episode-log.ts';
import type { StepOutcome } from '../env/episode.ts';
import type { Task } from '../env/task.ts';
import type { RolloutEvent } from './rollout.ts';

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Returns an event handler that logs the episodes `shouldLog(index)` selects into `dir`. */
export function episodeLogSink(dir: string, tasks: (index: number) => Task, agent: (index: number) => Record<string, unknown>, seed: number,
  shouldLog: (index: number) => boolean = () => true, fileOf?: (index: number) => string): { onEvent: (e: RolloutEvent) => void; paths: string[] } {
  const writers = new Map<number, EpisodeLogWriter>();
  const paths: string[] = [];
  const open = (index: number): EpisodeLogWriter => {
    let w = writers.get(index);
    if (!w) {
      const task = tasks(index);
      const path = join(dir, fileOf ? fileOf(index) : `${String(index).padStart(4, '0')}-${safeName(task.id)}.jsonl`);
      w = EpisodeLogWriter.create(path, { task, seed, agent: agent(index) });
      writers.set(index, w);
      paths.push(path);
    }
    return w;
  };
  const onEvent = (e: RolloutEvent): void => {
    if (!shouldLog(e.index)) return;
    const w = open(e.index);
    if (e.kind === 'step') {
      w.step(e.step.raw as unknown as StepOutcome);
    } else {
      const ep = e.episode;
      w.end({ steps: ep.steps.length, success: ep.success, terminated: ep.saidEnd, truncated: !ep.saidEnd, goal: ep.goal });
      writers.delete(e.index);
    }
  };
  return { onEvent, paths };
}
