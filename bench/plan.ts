/**
 * Planner benchmark: solve rate, verification and planning time on the generated set and on
 * vh-programs (when the VirtualHome data is present), with a reference measured in the same
 * run: the time to check one program, i.e. copy the scene and execute the found program once
 * (what the planner needs at the very least to *verify* an answer). The ratio says how many
 * such executions the search costs.
 *
 *   node --import tsx bench/plan.ts [--seed S] [--count N] [--vh-count N] [--split SPLIT]
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Executor } from '../env/executor.ts';
import { goalMet } from '../env/goal.ts';
import { SceneGraph } from '../env/graph.ts';
import type { Split, Task } from '../env/task.ts';
import { dataDir, getTaskSet } from '../env/tasks/index.ts';
import { plan } from '../exploration/teacher/planner.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
};

interface Row { solved: boolean; verified: boolean; ms: number; refMs: number; steps: number; reason?: string; id: string }

function runSet(name: string, tasks: Task[]): void {
  const rows: Row[] = [];
  const t0 = performance.now();
  for (const task of tasks) {
    const g = SceneGraph.fromJSON(task.scene, { lenient: true });
    const r = plan(g, task.goal);
    // Independent check and the reference: a fresh copy, a fresh executor, the program once.
    const s0 = performance.now();
    const copy = g.clone();
    const ex = new Executor(copy);
    const res = ex.executeScript(r.steps.map((s) => s.line));
    const verified = r.solved && res.executable && goalMet(copy, task.goal);
    const refMs = performance.now() - s0;
    rows.push({ id: task.id, solved: r.solved, verified, ms: r.ms, refMs, steps: r.steps.length, reason: r.reason });
    if (process.stderr.isTTY) process.stderr.write(`\r${name}: ${rows.length}/${tasks.length}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const n = rows.length;
  const solved = rows.filter((r) => r.solved).length;
  const verified = rows.filter((r) => r.verified).length;
  const unsolved = rows.filter((r) => !r.solved);
  const ms = rows.map((r) => r.ms);
  const ref = rows.map((r) => r.refMs);
  const med = q(ms, 0.5), refMed = q(ref, 0.5);
  console.log(`\n== ${name}: ${n} tasks (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`solved ${solved}/${n} = ${((100 * solved) / n).toFixed(1)}%; independently verified ${verified}/${solved}; `
    + `unsolved with a reason ${unsolved.filter((r) => r.reason).length}/${unsolved.length}`);
  console.log(`planning ms: median ${med.toFixed(2)}, p90 ${q(ms, 0.9).toFixed(2)}, max ${q(ms, 1).toFixed(1)}; `
    + `mean plan length ${(rows.reduce((a, r) => a + r.steps, 0) / n).toFixed(1)} steps`);
  console.log(`reference (copy scene + execute the program once): median ${refMed.toFixed(3)} ms; `
    + `planning / reference = ${(med / refMed).toFixed(1)}x (median)`);
  for (const r of unsolved.slice(0, 10)) console.log(`  unsolved ${r.id}: ${r.reason}`);
}

const seed = Number(arg('seed', '7'));
const count = Number(arg('count', '1000'));
const split = arg('split', '') as Split | '';
const generated = getTaskSet('generated').list({ seed, count, ...(split ? { split } : {}) });
runSet(`generated (seed ${seed}${split ? `, split ${split}` : ''})`, generated);

const dir = resolve(dataDir());
if (existsSync(resolve(dir, 'golden'))) {
  const vhCount = Number(arg('vh-count', '400'));
  runSet('vh-programs (golden, scene 1)', getTaskSet('vh-programs').list({ count: vhCount }));
} else {
  console.log(`\n(vh-programs skipped: no VirtualHome data at ${dir}; set HEARTH_VH_DATA)`);
}
