/**
 * A finished E2CL run directory → its diagnosis and paired comparisons (issue 13 items 1 and
 * 5). Tasks are rebuilt from their ids in the run's task set (or taken from the caller),
 * episodes replayed in the real simulator with the run's seed and prompt settings, then
 * analysed (analyse.ts); comparisons pair models on the same tasks, clustered by scene.
 */
import type { Task } from '../../env/task.ts';
import { taskById } from '../../env/tasks/index.ts';
import { sceneKey, taskSignature } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';

export { sceneKey, taskSignature } from '../../exploration/task-source.ts';
import { type Comparison, comparisons, comparisonTable, type GateFigures } from '../e2cl-report.ts';
import { accuracy, type Diagnosis, diagnose, isFamiliar, precision, recall } from './analyse.ts';
import { diagnosisChart, diagnosisMarkdown } from './render.ts';
import { loadRun, replayRun, runTaskId } from './run-dir.ts';

export { diagnose, type Diagnosis } from './analyse.ts';
export { diagnosisChart, diagnosisJson, diagnosisMarkdown } from './render.ts';

export interface RunDiagnosis {
  diagnosis: Diagnosis;
  /** e2cl + spec vs bc and vs e2cl plain on the unseen, then the seen split (all, familiar, novel tasks). */
  comparisons: Comparison[];
  /** The e2cl gate per proposal on the unseen split (for the feedback check), when e2cl ran speculative episodes. */
  gate?: GateFigures;
  /** Distinct tasks per split (a task listed twice counts once). */
  distinctTasks: Record<string, { episodes: number; distinct: number }>;
}

export function diagnoseRunDir(dir: string, options: { taskOf?: (id: string) => Task; onProgress?: (done: number, total: number) => void; resamples?: number } = {}): RunDiagnosis {
  const run = loadRun(dir);
  const data = run.tasks.dir ?? undefined;
  const cache = new Map<string, Task>();
  const taskOf = (id: string): Task => {
    let t = cache.get(id);
    if (!t) cache.set(id, (t = options.taskOf?.(id) ?? taskById(runTaskId(run, id), data ? { data } : {})));
    return t;
  };
  const eps = replayRun(run, taskOf, episodeFactory, options.onProgress);
  const diagnosis = diagnose(eps, run.trainingNames);
  const evals = Object.fromEntries(run.evals.map((e) => [e.model, e.episodes]));
  const names = run.trainingNames;
  // Unseen first (the claim); seen too: for vh-programs it holds the held-out programs of trained titles.
  const cs = ['unseen', 'seen'].flatMap((split) => comparisons(evals, (id) => sceneKey(taskOf(id)), {
    seed: run.seed, resamples: options.resamples ?? 2000, split,
    familiar: names ? (e) => isFamiliar(e.expert ?? [], names) : undefined,
  }));
  const g = diagnosis.gate.find((x) => x.model === 'e2cl' && x.split === 'unseen');
  const gate = g ? { accuracy: accuracy(g.proposals), precision: precision(g.proposals), recall: recall(g.proposals), proposals: g.proposals.n } : undefined;
  // Distinct by content (scene and goal), not by id: two ids can name the same task.
  const distinctTasks: RunDiagnosis['distinctTasks'] = {};
  const first = run.evals[0]?.episodes.filter((e) => !e.speculative) ?? [];
  for (const split of new Set(first.map((e) => e.split))) {
    const ids = first.filter((e) => e.split === split).map((e) => e.taskId);
    distinctTasks[split] = { episodes: ids.length, distinct: new Set(ids.map((id) => taskSignature(taskOf(id)))).size };
  }
  return { diagnosis, comparisons: cs, gate, distinctTasks };
}

/** The report's sections for a run: paired comparisons, then the diagnosis with its chart. */
export function reportSections(r: RunDiagnosis): Array<{ title: string; markdown: string; svg?: string }> {
  const distinct = Object.entries(r.distinctTasks).map(([s, x]) => `${s}: ${x.distinct} distinct tasks in ${x.episodes} episodes`).join('; ');
  return [
    {
      title: 'Paired comparisons',
      markdown: `The same tasks for both models; A − B with a 95% cluster-bootstrap interval and p-value over scenes (tasks of one scene are not independent), and the exact McNemar test on success with tasks taken as independent. *familiar*: every object of the task's expert program occurs in a training expert program; *novel*: not. ${distinct}.\n\n${['unseen', 'seen'].filter((sp) => r.comparisons.some((c) => c.split === sp)).map((sp) => `Split: ${sp}\n\n${comparisonTable(r.comparisons.filter((c) => c.split === sp))}`).join('\n\n')}`,
    },
    { title: 'Diagnosis', markdown: diagnosisMarkdown(r.diagnosis, { topCauses: 5 }), svg: diagnosisChart(r.diagnosis) },
  ];
}
