/**
 * How fast the `generated` task set makes tasks: 1000 tasks of each split from a cold set
 * (scenes generated on the way) and again warm (scenes cached), against two references
 * measured in the same run: serialising the same tasks to JSON (what `tasks generate --out`
 * writes anyway) and building their scenes as SceneGraphs (what every consumer pays first).
 * The budget is 1000 tasks in under 10 s.
 *
 *   node --import tsx bench/tasks.ts [--count N] [--runs R]
 */
import { SceneGraph } from '../env/graph.ts';
import type { Split, Task } from '../env/task.ts';
import { GeneratedTaskSet } from '../env/tasks/generated/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const count = arg('count', 1000);
const runs = arg('runs', 3);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const split of ['train', 'seen', 'unseen'] as Split[]) {
  const cold: number[] = [], warm: number[] = [], ser: number[] = [], graphs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const set = new GeneratedTaskSet();
    const [tasks, c] = time(() => set.list({ seed: 1000 + r, split, count }));
    cold.push(c);
    warm.push(time(() => set.list({ seed: 1000 + r, split, count }))[1]);
    ser.push(time(() => tasks.map((t: Task) => JSON.stringify(t)).length)[1]);
    graphs.push(time(() => tasks.map((t: Task) => SceneGraph.fromJSON(t.scene).size).length)[1]);
  }
  const c = median(cold), w = median(warm), s = median(ser), g = median(graphs);
  console.log(`${split.padEnd(6)} ${count} tasks: cold ${(c / 1000).toFixed(2)} s (${(c / count).toFixed(2)} ms/task, `
    + `${(c / 10000).toFixed(2)}× the 10 s budget), warm ${(w / count).toFixed(2)} ms/task; `
    + `cold / JSON.stringify of the tasks ${(c / s).toFixed(2)}×, cold / SceneGraph.fromJSON of their scenes ${(c / g).toFixed(2)}×`);
}
