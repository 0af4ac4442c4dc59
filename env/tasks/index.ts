/**
 * Task sets by name, and tasks by their self-describing id.
 *
 * - `generated`: built-in, needs nothing (`generated-closed-doors` and `generated-v1`: its
 *   variants, see generated/index.ts).
 * - `vh-programs`: VirtualHome programs with graphs: golden JSONL records and the released
 *   dataset's folder layout, read from `data` (default `HEARTH_VH_DATA` or ../shared/virtualhome).
 * - `eai`: EAI's goal formulas on their scene, read from the same data folder.
 */
import { HearthError } from '../errors.ts';
import type { Task, TaskSet } from '../task.ts';
import { openEai } from './eai/index.ts';
import { GeneratedTaskSet, type GeneratedVariant } from './generated/index.ts';
import { openVhPrograms } from './vh-programs/index.ts';

export { GeneratedTaskSet } from './generated/index.ts';

export const TASK_SET_NAMES = ['generated', 'generated-closed-doors', 'generated-v1', 'vh-programs', 'eai'] as const;
export type TaskSetName = (typeof TASK_SET_NAMES)[number];

export interface TaskSetOptions {
  /** Folder of VirtualHome data (for vh-programs and eai). */
  data?: string;
}

let generated: GeneratedTaskSet | undefined;
const variants = new Map<GeneratedVariant, GeneratedTaskSet>();
const dataSets = new Map<string, TaskSet>();

/** Folder for dataset-based sets: the option, else HEARTH_VH_DATA, else ../shared/virtualhome. */
export function dataDir(options: TaskSetOptions = {}): string {
  return options.data ?? process.env.HEARTH_VH_DATA ?? '../shared/virtualhome';
}

function loadDataSet(name: 'vh-programs' | 'eai', options: TaskSetOptions = {}): TaskSet {
  const dir = dataDir(options);
  const key = `${name}\u0000${dir}`;
  let set = dataSets.get(key);
  if (!set) {
    set = name === 'vh-programs' ? openVhPrograms(dir) : openEai(dir);
    dataSets.set(key, set);
  }
  return set;
}

/** The task set called `name`. Dataset-based sets read `options.data`. */
export function getTaskSet(name: string, options: TaskSetOptions = {}): TaskSet {
  switch (name) {
    case 'generated': return (generated ??= new GeneratedTaskSet());
    case 'generated-closed-doors': case 'generated-v1': {
      let set = variants.get(name);
      if (!set) variants.set(name, (set = new GeneratedTaskSet(name)));
      return set;
    }
    case 'vh-programs': case 'eai': return loadDataSet(name, options);
    default:
      throw new HearthError('task.unknown_set', `unknown task set "${name}"`, `use one of: ${TASK_SET_NAMES.join(', ')}`);
  }
}

/** The generated set, synchronously (it needs no files). */
export function generatedTasks(): GeneratedTaskSet {
  return (generated ??= new GeneratedTaskSet());
}

/** A task from its id alone (`generated/s77/0003`, `vh-programs/<file>`, `eai/<key>`). */
export function taskById(id: string, options: TaskSetOptions = {}): Task {
  const name = id.split('/')[0];
  if (!(TASK_SET_NAMES as readonly string[]).includes(name)) {
    throw new HearthError('task.unknown_id', `task id "${id}" does not start with a task set name`,
      `ids look like generated/s77/0003, vh-programs/<program>, eai/<task>; sets: ${TASK_SET_NAMES.join(', ')}`);
  }
  return getTaskSet(name, options).get(id);
}
