/** Placeholder while the vh-programs loader is written (replaced in this session). */
import { HearthError } from '../../errors.ts';
import type { TaskSet } from '../../task.ts';

export function openVhPrograms(dir: string): TaskSet {
  throw new HearthError('task.unavailable', `the vh-programs task set is not available yet (data folder ${dir})`);
}
