/**
 * `hearth plan`: the planner (E2CL's teacher) on one task or on a batch of a task set.
 *
 *   hearth plan --task generated/s77/0003            the plan, its NL actions, and whether it
 *                                                    executes and satisfies the goal
 *   hearth plan --set generated --seed 7 --count 100 --json
 *                                                    one JSON line per task:
 *                                                    {"id","solved","executes","satisfies","ms","steps","reason"}
 */
import { readText } from '../../env/text.ts';
import { HearthError } from '../../env/errors.ts';
import { describePredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Split, Task } from '../../env/task.ts';
import { planTask, type PlanResult } from '../../exploration/teacher/planner.ts';
import type { Command } from '../main.ts';
import { boolFlag, intFlag, onlyWith, parseArgs, stringFlag, type ParsedArgs } from '../args.ts';
import { getTaskSet, taskById } from '../../env/tasks/index.ts';

const USAGE = 'hearth plan --task ID [--prefix FILE] [--json] | hearth plan --set NAME [--seed S] [--count N] [--split train|seen|unseen] [--json] '
  + '[--time-limit MS] [--data DIR]';

/** A task by its self-describing id (`--data` = the VirtualHome data folder for dataset-based sets). */
export function loadTask(id: string, data?: string): Task {
  return taskById(id, data === undefined ? {} : { data });
}

export function listTasks(set: string, query: { split?: Split; seed?: number; count?: number }, data?: string): Task[] {
  const q: { split?: Split; seed?: number; count?: number } = {};
  if (query.split !== undefined) q.split = query.split;
  if (query.seed !== undefined) q.seed = query.seed;
  if (query.count !== undefined) q.count = query.count;
  return getTaskSet(set, data === undefined ? {} : { data }).list(q);
}

export interface PlanRow {
  id: string;
  solved: boolean;
  executes: boolean;
  satisfies: boolean;
  ms: number;
  steps: number;
  reason: string | null;
}

export function planRow(id: string, r: PlanResult): PlanRow {
  return {
    id, solved: r.solved, executes: r.executes, satisfies: r.satisfies, ms: Math.round(r.ms * 100) / 100,
    steps: r.steps.length, reason: r.reason ?? null,
  };
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function readPrefix(path: string): string[] {
  const text = readText(path, '--prefix file'); // strict UTF-8, BOM stripped
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
}

function timeLimit(args: ParsedArgs): { limits?: { timeLimitMs: number } } {
  const ms = intFlag(args, 'time-limit', 0, 0);
  return ms > 0 ? { limits: { timeLimitMs: ms } } : {};
}

function planOne(task: Task, args: ParsedArgs): number {
  const prefixPath = stringFlag(args, 'prefix');
  const prefix = prefixPath ? readPrefix(prefixPath) : [];
  const r = planTask(task, prefix, timeLimit(args));
  if (boolFlag(args, 'json')) {
    console.log(JSON.stringify({ ...planRow(task.id, r), plan: r.steps.map((s) => s.script), nl: r.steps.map((s) => s.nl) }));
    return r.solved ? 0 : 1;
  }
  const g = SceneGraph.fromJSON(task.scene, { lenient: true });
  console.log(`Task ${task.id}: ${task.title}`);
  if (task.description) console.log(`Description: ${task.description}`);
  console.log(`Goal (${task.goal.length}): ${task.goal.map((p) => describePredicate(g, p)).join(', ')}`);
  if (prefix.length) console.log(`From the state after ${prefix.length} prefix lines of ${prefixPath}`);
  if (!r.solved && r.steps.length === 0) {
    console.log(`\nNo plan: ${r.reason}`);
    console.log(`(${r.ms.toFixed(1)} ms, ${r.trials} macro trials)`);
    return 1;
  }
  if (r.solved && r.steps.length === 0) {
    console.log('\nThe goal already holds: nothing to do.');
    return 0;
  }
  console.log(`\nPlan (${r.steps.length} steps):`);
  const width = Math.max(...r.steps.map((s) => s.script.length));
  r.steps.forEach((s, i) => console.log(`${String(i + 1).padStart(3)}  ${s.script.padEnd(width)}  ${s.nl}`));
  console.log(`\nexecutes: ${r.executes ? 'yes' : 'NO'}; satisfies the goal: ${r.satisfies ? 'yes' : 'NO'}`
    + ` (${r.ms.toFixed(1)} ms, ${r.trials} macro trials)`);
  if (r.reason) console.log(`note: ${r.reason}`);
  return r.solved ? 0 : 1;
}

function planBatch(args: ParsedArgs): number {
  const set = stringFlag(args, 'set')!;
  const split = stringFlag(args, 'split') as Split | undefined;
  if (split !== undefined && !['train', 'seen', 'unseen'].includes(split)) {
    throw new HearthError('cli.usage', `--split must be train, seen or unseen, got "${split}"`, `usage: ${USAGE}`);
  }
  const seed = stringFlag(args, 'seed') === undefined ? undefined : intFlag(args, 'seed', 0);
  const count = stringFlag(args, 'count') === undefined ? undefined : intFlag(args, 'count', 0, 1);
  const tasks = listTasks(set, { split, seed, count }, stringFlag(args, 'data'));
  const json = boolFlag(args, 'json');
  const limits = timeLimit(args);
  const rows: PlanRow[] = [];
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    const row = planRow(task.id, planTask(task, [], limits));
    rows.push(row);
    if (json) console.log(JSON.stringify(row));
    else console.log(`${row.solved ? 'ok  ' : 'FAIL'} ${row.id}  ${row.steps} steps  ${row.ms.toFixed(1)} ms${row.reason ? `  ${row.reason}` : ''}`);
    const pct = Math.floor(((i + 1) * 100) / tasks.length);
    if (tty && pct !== lastPct) { process.stderr.write(`\rplanning ${pct}% (${i + 1}/${tasks.length})`); lastPct = pct; }
  }
  if (tty) process.stderr.write('\n');
  const solved = rows.filter((r) => r.solved).length;
  const verified = rows.filter((r) => r.solved && r.executes && r.satisfies).length;
  const unreachable = rows.filter((r) => r.reason?.startsWith('unreachable')).length;
  const summary = `${set}: solved ${solved}/${rows.length} (${rows.length ? ((100 * solved) / rows.length).toFixed(1) : '0'}%), `
    + `verified ${verified}, reported unreachable ${unreachable}, other failures ${rows.length - solved - unreachable}; `
    + `median ${median(rows.map((r) => r.ms)).toFixed(1)} ms, max ${Math.max(0, ...rows.map((r) => r.ms)).toFixed(1)} ms`;
  // With --json stdout stays pure JSON lines; the summary goes to stderr.
  if (json) console.error(summary); else console.log(`\n${summary}`);
  return 0;
}

export const command: Command = {
  name: 'plan',
  summary: 'plan with the teacher (symbolic planner) for a task or a batch of tasks, and verify each plan',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      task: { type: 'string' }, set: { type: 'string' }, seed: { type: 'string' }, count: { type: 'string' },
      split: { type: 'string' }, json: { type: 'boolean' }, prefix: { type: 'string' }, 'time-limit': { type: 'string' },
      data: { type: 'string' },
    }, USAGE);
    if (args.positionals.length > 0) {
      throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    }
    const id = stringFlag(args, 'task');
    const set = stringFlag(args, 'set');
    if ((id === undefined) === (set === undefined)) {
      throw new HearthError('cli.usage', 'give either --task ID or --set NAME', `usage: ${USAGE}`);
    }
    onlyWith(args, ['prefix'], id !== undefined, '--task');
    onlyWith(args, ['seed', 'count', 'split'], set !== undefined, '--set');
    if (id !== undefined) return planOne(loadTask(id, stringFlag(args, 'data')), args);
    return planBatch(args);
  },
};
