/**
 * `hearth tasks`: list, show and generate tasks of a task set.
 *
 *   hearth tasks list --set generated|vh-programs|eai [--split S] [--seed N] [--count N] [--json] [--data DIR]
 *   hearth tasks show ID [--json] [--data DIR]
 *   hearth tasks generate --set NAME [--split S] [--seed N] [--count N] [--out DIR] [--json] [--data DIR]
 *
 * `--json` prints one JSON line per task (id, title, split, goal size, scene size); `show --json`
 * prints the whole task. `generate` checks every task (goal refers to existing nodes and is
 * not already met) and, with `--out`, writes each task as DIR/<id with / as __>.json
 * atomically (temp file, then rename). Exit 0 when every task is valid, 1 otherwise.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { boolFlag, intFlag, onlyWith, parseArgs, stringFlag } from '../args.ts';
import type { Command } from '../main.ts';
import { HearthError } from '../../env/errors.ts';
import { writeFileAtomic } from '../../env/files.ts';
import { describePredicate, holds, type GoalPredicate, type NodeRef } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Split, Task, TaskQuery, TaskSet } from '../../env/task.ts';
import { EaiTaskSet } from '../../env/tasks/eai/index.ts';
import { GeneratedTaskSet, getTaskSet, taskById, TASK_SET_NAMES } from '../../env/tasks/index.ts';
import { checkOutputDir } from '../output-paths.ts';

const USAGE = 'hearth tasks list|generate --set generated|vh-programs|eai [--split train|seen|unseen] [--seed N] [--count N] '
  + '[--json] [--out DIR] [--data DIR]\n       hearth tasks show ID [--json] [--data DIR]';

const FLAGS = {
  set: { type: 'string' }, split: { type: 'string' }, seed: { type: 'string' }, count: { type: 'string' },
  json: { type: 'boolean' }, out: { type: 'string' }, data: { type: 'string' },
} as const;

function splitOf(v: string | undefined): Split | undefined {
  if (v === undefined || v === 'train' || v === 'seen' || v === 'unseen') return v;
  throw new HearthError('cli.usage', `--split must be train, seen or unseen, got "${v}"`, `usage: ${USAGE}`);
}

function setOf(v: string | undefined): string {
  if (v === undefined) throw new HearthError('cli.usage', 'missing --set', `use one of: ${TASK_SET_NAMES.join(', ')}`);
  return v;
}

/** Problems that make a task invalid: unknown nodes in its goal, or a goal already met. */
export function taskProblems(task: Task, graph: SceneGraph = SceneGraph.fromJSON(task.scene, { lenient: true })): string[] {
  const problems: string[] = [];
  const exists = (r: NodeRef) => (typeof r === 'number' ? graph.has(r) : graph.byClassName(r.class).length > 0);
  const refs = (p: GoalPredicate): NodeRef[] => (p.kind === 'state' ? [p.node] : [p.from, p.to]);
  for (const p of task.goal) {
    for (const r of refs(p)) if (!exists(r)) problems.push(`goal refers to ${typeof r === 'number' ? `node ${r}` : `class ${r.class}`}, which is not in the scene`);
  }
  // An empty goal (a program that only moves about) is trivially met: counted, not invalid.
  if (task.goal.length > 0 && problems.length === 0 && task.goal.every((p) => holds(graph, p))) {
    problems.push('goal already met in the initial scene');
  }
  return problems;
}

function summaryLine(t: Task): string {
  return JSON.stringify({ id: t.id, title: t.title, split: t.split, goal: t.goal.length, nodes: t.scene.nodes.length,
    edges: t.scene.edges.length, expert: t.expert?.length ?? null });
}

/** What the EAI set could and could not use, in a few lines. */
function eaiSummary(set: EaiTaskSet): string {
  const r = set.report();
  const unsupported = Object.entries(r.unsupported).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `EAI formulas: ${r.entries} tasks, ${r.withFormula} with a formula (${r.nullFormula.length} null: ${r.nullFormula.join(', ')}), `
      + `${r.parsed} parsed, ${r.parseErrors.length} parse errors`,
    `unsupported constructs (left out of goals, in ${r.withUnsupported} formulas): ${unsupported || 'none'}`,
    `tasks listed: ${r.listed}; no scene in the data folder: ${r.missingScene.length}; empty goal after conversion: ${r.emptyGoal.length}`,
  ].join('\n');
}

/**
 * The query's tasks one at a time (the generated set makes task i from its own seed; the
 * dataset sets are bounded by their data), reporting the time spent making them.
 */
function taskStream(set: TaskSet, query: TaskQuery, spent: (ms: number) => void): { total: number; tasks: Iterable<Task> } {
  if (set instanceof GeneratedTaskSet) {
    const count = query.count ?? 100, seed = query.seed ?? 0, split = query.split ?? 'train';
    return {
      total: count,
      tasks: (function* () {
        for (let i = 0; i < count; i++) {
          const t0 = performance.now();
          const t = set.make(seed, split, i);
          spent(performance.now() - t0);
          yield t;
        }
      })(),
    };
  }
  const t0 = performance.now();
  const all = set.list(query);
  spent(performance.now() - t0);
  return { total: all.length, tasks: all };
}

/**
 * One line on stdout; when a slow reader's pipe is full (pipes are asynchronous on POSIX),
 * wait for it to drain, so that a huge --count holds no more than the pipe's buffer.
 */
async function emit(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await new Promise<void>((resolve) => { process.stdout.once('drain', () => resolve()); });
}

function progress(done: number, total: number): void {
  if (!process.stderr.isTTY || total < 50) return;
  if (done === total || done % Math.max(1, Math.floor(total / 100)) === 0) {
    process.stderr.write(`\r${Math.floor((100 * done) / total)}% (${done}/${total})${done === total ? '\n' : ''}`);
  }
}

function show(task: Task, json: boolean): void {
  if (json) { console.log(JSON.stringify(task)); return; }
  const g = SceneGraph.fromJSON(task.scene, { lenient: true });
  const rooms = [...g.nodes()].filter((n) => n.category === 'Rooms').map((n) => `${n.className} (${n.id})`);
  console.log(`${task.id}  [${task.split}]`);
  console.log(`title:       ${task.title}`);
  console.log(`description: ${task.description}`);
  console.log(`scene:       ${g.size} nodes, ${g.edgeTotal} edges; rooms: ${rooms.join(', ')}`);
  const c = g.character();
  if (c !== undefined) {
    const room = [...g.out(c, 'INSIDE')].map((r) => g.label(r)).join(', ');
    console.log(`character:   ${g.label(c)} in ${room}`);
  }
  console.log('goal:');
  for (const p of task.goal) console.log(`  ${describePredicate(g, p)}${holds(g, p) ? '   (holds initially)' : ''}`);
  if (task.expert) {
    console.log('expert:');
    for (const l of task.expert) console.log(`  ${l}`);
  }
}

export const command: Command = {
  name: 'tasks',
  summary: 'list, show or generate tasks (generated, vh-programs, eai)',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, FLAGS, USAGE);
    const [sub, ...rest] = args.positionals;
    const data = stringFlag(args, 'data');
    const options = data === undefined ? {} : { data: resolve(data) };
    const json = boolFlag(args, 'json');
    if (sub === 'show') {
      onlyWith(args, ['set', 'seed', 'count', 'split', 'out'], false, 'tasks list or tasks generate (show takes a task id)');
      if (rest.length !== 1) throw new HearthError('cli.usage', 'tasks show needs one task id, e.g. generated/s77/0003', `usage: ${USAGE}`);
      show(taskById(rest[0], options), json);
      return 0;
    }
    if (sub !== 'list' && sub !== 'generate') {
      throw new HearthError('cli.usage', sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`,
        `use list, show or generate; usage: ${USAGE}`);
    }
    if (rest.length > 0) throw new HearthError('cli.usage', `unexpected argument "${rest[0]}"`, `usage: ${USAGE}`);
    const set = getTaskSet(setOf(stringFlag(args, 'set')), options);
    const query: TaskQuery = { seed: intFlag(args, 'seed', 0), count: intFlag(args, 'count', sub === 'list' ? 20 : 100, 0) };
    const split = splitOf(stringFlag(args, 'split'));
    if (split !== undefined) query.split = split;
    const out = stringFlag(args, 'out');
    if (sub === 'list' && out !== undefined) throw new HearthError('cli.usage', '--out is for tasks generate', `usage: ${USAGE}`);

    if (out !== undefined) checkOutputDir(out, '--out');

    const t0 = performance.now();
    // Streamed: each task is printed (or checked and written) as it is made, so that a huge
    // --count starts at once and holds one task at a time instead of all of them.
    let genMs = 0;
    const { total, tasks } = taskStream(set, query, (ms) => { genMs += ms; });
    if (sub === 'list') {
      for (const t of tasks) await emit(json ? summaryLine(t) : `${t.id}\t${t.split}\t${t.title}`);
      if (set instanceof EaiTaskSet) console.error(eaiSummary(set));
      return 0;
    }

    if (out !== undefined) {
      try {
        mkdirSync(out, { recursive: true });
      } catch (e) {
        throw new HearthError('cli.out', `cannot create output folder ${out}: ${(e as Error).message}`, 'pass a writable --out DIR');
      }
    }
    let invalid = 0, empty = 0, i = 0;
    const graphs = new Map<unknown, SceneGraph>();
    for (const t of tasks) {
      let g = graphs.get(t.scene);
      if (!g) graphs.set(t.scene, (g = SceneGraph.fromJSON(t.scene, { lenient: true })));
      const problems = taskProblems(t, g);
      if (t.goal.length === 0) empty++;
      if (problems.length > 0) {
        invalid++;
        console.error(`invalid task ${t.id}: ${problems.join('; ')}`);
      }
      if (out !== undefined) writeFileAtomic(join(out, `${t.id.replace(/\//g, '__')}.json`), `${JSON.stringify(t)}\n`, { what: 'task file', kind: 'cli.out', sync: false });
      if (json) await emit(summaryLine(t));
      progress(++i, total);
    }
    const totalMs = performance.now() - t0;
    const msg = `${i} tasks (${set.name}, seed ${query.seed}${split ? `, ${split}` : ''}): ${i - invalid} valid, `
      + `${invalid} invalid${empty > 0 ? `, ${empty} with an empty goal` : ''}; generated in ${(genMs / 1000).toFixed(2)} s, checked${out ? ' and written' : ''} in ${((totalMs - genMs) / 1000).toFixed(2)} s`
      + (out ? ` to ${out}` : '');
    (json ? console.error : console.log)(msg);
    if (set instanceof EaiTaskSet) (json ? console.error : console.log)(eaiSummary(set));
    return invalid === 0 ? 0 : 1;
  },
};
