/** Placeholder while the eai loader is written (replaced in this session). */
import { HearthError } from '../../errors.ts';
import type { TaskSet } from '../../task.ts';

export function openEai(dir: string): TaskSet {
  throw new HearthError('task.unavailable', `the eai task set is not available yet (data folder ${dir})`);
}
