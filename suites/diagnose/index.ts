/**
 * `diagnoseRunDir`: a finished E2CL run directory → its diagnosis (issue 13 item 1). Tasks are
 * rebuilt from their ids in the run's task set (and data folder), episodes replayed in the
 * real simulator with the run's seed and prompt settings, then analysed (analyse.ts).
 */
import { taskById } from '../../env/tasks/index.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { type Diagnosis, diagnose } from './analyse.ts';
import { loadRun } from './run-dir.ts';
import { replayRun } from './run-dir.ts';

export { diagnose, type Diagnosis } from './analyse.ts';
export { diagnosisChart, diagnosisJson, diagnosisMarkdown } from './render.ts';

export function diagnoseRunDir(dir: string, onProgress?: (done: number, total: number) => void): Diagnosis {
  const run = loadRun(dir);
  const data = run.tasks.dir ?? undefined;
  const eps = replayRun(run, (id) => taskById(id, data ? { data } : {}), episodeFactory, onProgress);
  return diagnose(eps, run.trainingNames);
}
