/**
 * What the agent-facing layer costs on top of the executor: the same action sequence run
 * (a) as grounded script lines straight through `Executor.executeLine`, and (b) as E2CL
 * natural-language actions through `Episode.step` (parse, ground, execute, state diff, goal
 * progress, observation text and structured observation). Prints steps/s for both and the
 * ratio, measured in the same run; plus the cost of `reset` (scene parse + first observation).
 *
 *   npm run bench:episode -- [--scene demo|vh] [--steps N]
 *
 * `--scene vh` uses VirtualHome's TestScene1 (from HEARTH_VH_DATA, default ../shared/virtualhome).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { intFlag, parseArgs, stringFlag } from '../cli/args.ts';
import { Episode } from '../env/episode.ts';
import { HearthError } from '../env/errors.ts';
import { Executor } from '../env/executor.ts';
import { SceneGraph, type GraphJSON } from '../env/graph.ts';
import type { ScriptLine } from '../env/script-types.ts';
import { demoTask } from '../env/scenes/demo-house.ts';
import type { Task } from '../env/task.ts';

const USAGE = 'npm run bench:episode -- [--scene demo|vh] [--steps N]';
const args = parseArgs(process.argv.slice(2), { scene: { type: 'string' }, steps: { type: 'string' } }, USAGE);
const which = stringFlag(args, 'scene') ?? 'demo';
const total = intFlag(args, 'steps', 20000, 100);

function vhTask(): Task {
  const path = resolve(process.env.HEARTH_VH_DATA ?? resolve(import.meta.dirname, '../../shared/virtualhome'), 'graphs/TestScene1_graph.json');
  if (!existsSync(path)) throw new HearthError('bench.data', `no VirtualHome scene at ${path}`, 'set HEARTH_VH_DATA or use --scene demo');
  const scene = JSON.parse(readFileSync(path, 'utf8')) as GraphJSON;
  return { id: 'bench/vh', title: 'bench', description: 'bench', split: 'train', scene, goal: [{ kind: 'state', node: { class: 'tv' }, state: 'ON' }] };
}

const CYCLES: Record<string, string[]> = {
  demo: ['Walk to kitchen', 'Find cup', 'Grab cup', 'Find microwave', 'Open microwave', 'Put cup in microwave',
    'Close microwave', 'Switch on microwave', 'Switch off microwave', 'Open microwave', 'Grab cup', 'Close microwave',
    'Walk to tv', 'Switch on tv', 'Switch off tv', 'Find sofa', 'Sit on sofa', 'Stand up', 'Find coffee table', 'Put cup on coffee table'],
  vh: ['Walk to kitchen', 'Find fridge', 'Open fridge', 'Close fridge', 'Walk to livingroom', 'Walk to tv', 'Switch on tv',
    'Switch off tv', 'Find sofa', 'Sit on sofa', 'Stand up', 'Walk to bathroom'],
};
if (which !== 'demo' && which !== 'vh') throw new HearthError('cli.usage', `--scene must be demo or vh, got "${which}"`, USAGE);
const task = which === 'vh' ? vhTask() : demoTask();
const cycle = CYCLES[which];

// Record the grounded lines of one cycle once, then replay them raw.
const probe = new Episode(task, { seed: 0, maxSteps: 1e9 });
const lines: ScriptLine[] = [];
for (const a of cycle) {
  const o = probe.step(a);
  if (!o.ok) console.error(`note: "${a}" fails (${o.failure?.message}); it is timed as a failing step in both paths`);
  if (o.script) {
    const id = [...o.script.matchAll(/<([^>]+)> \((\d+)\)/g)].map((m) => ({ name: m[1], id: Number(m[2]) }));
    lines.push({ action: /^\[(\w+)\]/.exec(o.script)![1], args: id, index: 0, text: o.script });
  }
}

function timeRaw(): number {
  const g = SceneGraph.fromJSON(task.scene);
  const ex = new Executor(g);
  const t0 = performance.now();
  for (let i = 0; i < total; i++) ex.executeLine(lines[i % lines.length]);
  return total / ((performance.now() - t0) / 1000);
}

function timeEpisode(): number {
  const ep = new Episode(task, { seed: 0, maxSteps: 1e9 });
  const t0 = performance.now();
  for (let i = 0; i < total; i++) ep.step(cycle[i % cycle.length]);
  return total / ((performance.now() - t0) / 1000);
}

function timeReset(): number {
  const ep = new Episode(task, { seed: 0 });
  const n = 50;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) ep.reset(i);
  return (performance.now() - t0) / n;
}

timeRaw(); timeEpisode(); // warm up the JIT
const raw = timeRaw();
const epi = timeEpisode();
const reset = timeReset();
console.log(`scene: ${which} (${SceneGraph.fromJSON(task.scene).size} nodes), ${total} steps per path`);
console.log(`executor (script lines):        ${raw.toFixed(0).padStart(9)} steps/s`);
console.log(`Episode.step (NL + observation): ${epi.toFixed(0).padStart(9)} steps/s   (${(raw / epi).toFixed(1)}x the executor's cost)`);
console.log(`Episode.reset: ${reset.toFixed(2)} ms`);
