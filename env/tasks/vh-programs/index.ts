/**
 * The `vh-programs` task set: VirtualHome programs with their graphs (golden records and the
 * released dataset layout, see sources.ts). Task = initial graph + goal (the final graph's
 * difference to it, see goal-diff.ts) + the program as its expert.
 *
 * Ids: `vh-programs/<scene>/<dir>/<file>`, e.g.
 * `vh-programs/TrimmedTestScene1_graph/results_intentions_march-13-18/file1003_2`.
 *
 * Splits (fixed per program, so every list agrees): `unseen` holds the programs whose task
 * title falls in a held-out hash bucket (1 in 5 titles: a kind of task never trained on);
 * of the rest, 1 in 5 programs (by key) are `seen`, the others `train`. `seed` does not
 * change the set (the data is fixed); `count` takes the first N in file order.
 */
import { HearthError } from '../../errors.ts';
import { SceneGraph } from '../../graph.ts';
import { deriveSeed } from '../../scenes/seeds.ts';
import type { Split, Task, TaskQuery, TaskSet } from '../../task.ts';
import { goalFromDiff } from './goal-diff.ts';
import { findPrograms, type ProgramEntry } from './sources.ts';

export { goalFromDiff } from './goal-diff.ts';
export { findPrograms, goldenFinalGraph, parseProgramText, type ProgramEntry } from './sources.ts';

export function programSplit(entry: Pick<ProgramEntry, 'key' | 'title'>): Split {
  if (deriveSeed('vh-title', entry.title.trim().toLowerCase()) % 5 === 0) return 'unseen';
  return deriveSeed('vh-program', entry.key) % 5 === 0 ? 'seen' : 'train';
}

/** Plain node ids: the dataset's `(instance.id)` becomes `(id)`. */
function plainIds(line: string): string {
  return line.replace(/\((\d+)\.(\d+)\)/g, '($2)');
}

export class VhProgramsTaskSet implements TaskSet {
  readonly name = 'vh-programs';
  private readonly byKey = new Map<string, ProgramEntry>();
  constructor(private readonly entries: ProgramEntry[], private readonly dir: string) {
    for (const e of entries) if (!this.byKey.has(e.key)) this.byKey.set(e.key, e);
  }

  get size(): number { return this.byKey.size; }

  list(query: TaskQuery = {}): Task[] {
    const split = query.split;
    const count = query.count ?? Number.POSITIVE_INFINITY;
    const out: Task[] = [];
    for (const e of this.byKey.values()) {
      if (out.length >= count) break;
      if (split !== undefined && programSplit(e) !== split) continue;
      out.push(this.build(e));
    }
    return out;
  }

  get(id: string): Task {
    const key = id.startsWith('vh-programs/') ? id.slice('vh-programs/'.length) : undefined;
    const e = key === undefined ? undefined : this.byKey.get(key);
    if (!e) {
      throw new HearthError('task.unknown_id', `no program "${id}" in ${this.dir}`,
        'ids look like vh-programs/<scene>/<dir>/<file>; run `hearth tasks list --set vh-programs --data DIR` to see them');
    }
    return this.build(e);
  }

  private build(e: ProgramEntry): Task {
    const { init, final } = e.graphs();
    const where = `vh-programs/${e.key}`;
    const g0 = SceneGraph.fromJSON(init, { lenient: true, source: where });
    const g1 = final(g0);
    return {
      id: `vh-programs/${e.key}`,
      title: e.title,
      description: e.description,
      split: programSplit(e),
      scene: init,
      goal: goalFromDiff(g0, g1),
      expert: e.lines.map(plainIds),
    };
  }
}

export function openVhPrograms(dir: string): VhProgramsTaskSet {
  return new VhProgramsTaskSet(findPrograms(dir), dir);
}
