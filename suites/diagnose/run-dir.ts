/**
 * Reading a finished `hearth e2cl` run directory for the diagnosis: its manifest (seed,
 * prompt settings, task set), the evaluated episodes of every model (`eval/<model>.json`),
 * and the object names of its training experts (`datasets/planning.records.jsonl`), then
 * replaying every episode (replay.ts). Tasks are rebuilt from their ids.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PromptOptions } from '../../alignment/datasets/prompts.ts';
import { HearthError } from '../../env/errors.ts';
import type { Task } from '../../env/task.ts';
import type { EpisodeFactory } from '../../exploration/env-adapter.ts';
import type { EvalEpisode } from '../../exploration/pipeline.ts';
import { objectNames } from './analyse.ts';
import type { ModelEpisodes } from './analyse.ts';
import { replayEpisode } from './replay.ts';

export interface RunForDiagnosis {
  dir: string;
  seed: number;
  maxSteps: number;
  prompt: PromptOptions;
  /** Task set and data folder of the run (for rebuilding tasks by id); `generator` is absent before the v2 generated tasks. */
  tasks: { name: string; dir: string | null; generator?: string };
  evals: Array<{ model: string; episodes: EvalEpisode[] }>;
  /** Object names in the training experts' actions; undefined when the run has no planning records. */
  trainingNames?: Set<string>;
}

const MODEL_ORDER = ['bc', 'bc-tg', 'bc-tf', 'e2cl'];

function readJson(path: string, what: string): unknown {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch (e) {
    throw new HearthError('cli.input', `${what} ${path} is not readable JSON (${(e as Error).message})`, 'point at a finished `hearth e2cl` run directory');
  }
}

export function loadRun(dir: string): RunForDiagnosis {
  const manifestPath = join(dir, 'run.json');
  if (!existsSync(manifestPath)) {
    throw new HearthError('cli.input', `${dir} has no run.json: not a hearth e2cl run directory`, 'pass a directory written by `hearth e2cl` (e.g. runs/<timestamp>)');
  }
  const m = readJson(manifestPath, 'the run manifest') as { identity?: { seed?: number; recipe?: { maxSteps?: number; prompt?: PromptOptions }; data?: { tasks?: string; dir?: string | null; generator?: string } } };
  const id = m.identity ?? {};
  const evalDir = join(dir, 'eval');
  const files = existsSync(evalDir) ? readdirSync(evalDir).filter((f) => f.endsWith('.json')) : [];
  if (files.length === 0) {
    throw new HearthError('cli.input', `${dir} has no evaluated models (eval/*.json): the run has not reached evaluation`, 'finish the run first (rerun `hearth e2cl --out DIR` to resume it)');
  }
  const models = files.map((f) => f.slice(0, -5)).sort((a, b) => (MODEL_ORDER.indexOf(a) + 99 * +!MODEL_ORDER.includes(a)) - (MODEL_ORDER.indexOf(b) + 99 * +!MODEL_ORDER.includes(b)) || a.localeCompare(b));
  const evals = models.map((model) => ({ model, episodes: readJson(join(evalDir, `${model}.json`), 'the evaluation file') as EvalEpisode[] }));
  const planningPath = join(dir, 'datasets', 'planning.records.jsonl');
  let trainingNames: Set<string> | undefined;
  if (existsSync(planningPath)) {
    const outputs = readFileSync(planningPath, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { output: string }).output);
    trainingNames = objectNames(outputs);
  }
  return {
    dir, seed: id.seed ?? 0, maxSteps: id.recipe?.maxSteps ?? 26, prompt: id.recipe?.prompt ?? {},
    tasks: { name: id.data?.tasks ?? 'generated', dir: id.data?.dir ?? null, generator: id.data?.generator }, evals, trainingNames,
  };
}

/**
 * The id to rebuild a run's task from: runs made before the v2 generated tasks (no
 * `generator` in their manifest) used what is now `generated-v1`.
 */
export function runTaskId(run: Pick<RunForDiagnosis, 'tasks'>, id: string): string {
  return run.tasks.name === 'generated' && run.tasks.generator === undefined && id.startsWith('generated/') ? `generated-v1/${id.slice(10)}` : id;
}

/** Replay every evaluated episode of the run; `taskOf` rebuilds a task from its id. */
export function replayRun(run: RunForDiagnosis, taskOf: (id: string) => Task, factory: EpisodeFactory,
  onProgress?: (done: number, total: number) => void): ModelEpisodes[] {
  const cache = new Map<string, Task>();
  const task = (id: string): Task => {
    let t = cache.get(id);
    if (!t) cache.set(id, (t = taskOf(id)));
    return t;
  };
  const total = run.evals.reduce((n, e) => n + e.episodes.length, 0);
  let done = 0;
  return run.evals.map(({ model, episodes }) => ({
    model,
    episodes: episodes.map((ep) => {
      const r = replayEpisode(ep, task(ep.taskId), { factory, seed: run.seed, maxSteps: run.maxSteps, prompt: run.prompt });
      onProgress?.(++done, total);
      return r;
    }),
  }));
}
