/**
 * The `eai` task set: the Embodied Agent Interface's VirtualHome tasks.
 *
 * Goals come from `eai_resources/task_state_LTL_formula_accurate.json` (`tl_goal`, parsed by
 * formula.ts). The scene: EAI's task keys (`27_2`) are VirtualHome dataset programs
 * (`results_intentions_march-13-18/file27_2`) on TrimmedTestScene1, and the formulas' node
 * ids (1000+ for objects the dataset pipeline added) are those of that program's initial
 * graph: every `class.id` in the formulas names a node of that class there. So a task's
 * scene is its program's initial graph, taken from the same data folder as `vh-programs`
 * (golden records or the released `init_and_final_graphs/` layout). Tasks whose program
 * graph is not in the folder are reported (`missingScene`), not listed.
 *
 * Ids: `eai/<key>`, e.g. `eai/27_2`. Splits: fixed per task, by a hash of the task name
 * (1 in 5 names unseen) and of the key (1 in 5 of the rest seen).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../errors.ts';
import { SceneGraph } from '../../graph.ts';
import { parseJSONText, readTextFile } from '../../load.ts';
import { deriveSeed } from '../../scenes/seeds.ts';
import type { Split, Task, TaskQuery, TaskSet } from '../../task.ts';
import { findPrograms, type ProgramEntry } from '../vh-programs/sources.ts';
import { FormulaError, parseFormula, toGoal, type Formula, type Unsupported } from './formula.ts';

export { parseFormula, toGoal, type Formula, type Unsupported } from './formula.ts';

export const EAI_FORMULA_FILE = 'task_state_LTL_formula_accurate.json';

export interface EaiEntry {
  key: string;
  /** The formula file's scene key, `scene_1` = TrimmedTestScene1. */
  scene: string;
  taskName: string;
  /** The formula text, or null where the file has none. */
  formula: string | null;
  parsed?: Formula;
  parseError?: string;
}

export interface EaiReport {
  entries: number;
  withFormula: number;
  nullFormula: string[];
  parsed: number;
  parseErrors: Array<{ key: string; error: string }>;
  /**
   * Unsupported constructs over all parsed formulas, with counts: the part left out of the
   * goal (`then:earlier-step`, `exists`, `or`, `action:X`, ...) and every construct nested in it.
   */
  unsupported: Record<string, number>;
  /** Formulas with at least one unsupported part. */
  withUnsupported: number;
  /** Tasks whose program graph is not in the data folder. */
  missingScene: string[];
  /** Tasks listed (scene found, formula parsed, goal not empty). */
  listed: number;
  /** Tasks with a scene whose supported goal came out empty (only actions/disjunctions). */
  emptyGoal: string[];
}

export function eaiSplit(taskName: string, key: string): Split {
  if (deriveSeed('eai-task', taskName.trim().toLowerCase()) % 5 === 0) return 'unseen';
  return deriveSeed('eai-key', key) % 5 === 0 ? 'seen' : 'train';
}

/** The formula file: `<dir>/eai_resources/<file>`, `<dir>/<file>`, or `dir` itself. */
export function formulaFile(dir: string): string {
  for (const p of [join(dir, 'eai_resources', EAI_FORMULA_FILE), join(dir, EAI_FORMULA_FILE), dir]) {
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  throw new HearthError('task.data', `no ${EAI_FORMULA_FILE} in ${dir}`,
    'pass --data DIR with eai_resources/ (and golden/ + graphs/ or the released layout for the scenes)');
}

export function readEaiEntries(file: string): EaiEntry[] {
  const json = parseJSONText(readTextFile(file, 'EAI formula file'), file) as Record<string, unknown>;
  const out: EaiEntry[] = [];
  for (const [scene, tasks] of Object.entries(json ?? {})) {
    if (!tasks || typeof tasks !== 'object') throw new HearthError('task.data', `${file}: "${scene}" is not an object of tasks`);
    for (const [taskName, byKey] of Object.entries(tasks as Record<string, unknown>)) {
      for (const [key, v] of Object.entries((byKey ?? {}) as Record<string, { tl_goal?: unknown }>)) {
        const formula = typeof v?.tl_goal === 'string' ? v.tl_goal : null;
        const e: EaiEntry = { key, scene, taskName, formula };
        if (formula !== null) {
          try {
            e.parsed = parseFormula(formula);
          } catch (err) {
            if (!(err instanceof FormulaError)) throw err;
            e.parseError = `${err.message} at ${err.position}`;
          }
        }
        out.push(e);
      }
    }
  }
  return out;
}

export class EaiTaskSet implements TaskSet {
  readonly name = 'eai';
  private readonly programs = new Map<string, ProgramEntry>();
  private readonly built = new Map<string, { task: Task; unsupported: Unsupported[] } | null>();

  constructor(readonly entries: EaiEntry[], programs: ProgramEntry[], private readonly dir: string) {
    // `scene_1` + `27_2` → TrimmedTestScene1_graph/<any dir>/file27_2 (the released dataset has
    // the same file names under every scene, so the scene must match too).
    for (const p of programs) {
      const m = /^TrimmedTestScene(\d+)_graph\/(?:.*\/)?file(\d+_\d+)$/.exec(p.key);
      const k = m ? `scene_${m[1]}/${m[2]}` : undefined;
      if (k && !this.programs.has(k)) this.programs.set(k, p);
    }
  }

  /** The task for an entry, with its unsupported constructs; null without scene or formula. */
  build(e: EaiEntry): { task: Task; unsupported: Unsupported[] } | null {
    if (this.built.has(e.key)) return this.built.get(e.key)!;
    const program = this.programs.get(`${e.scene}/${e.key}`);
    let result: { task: Task; unsupported: Unsupported[] } | null = null;
    if (program && e.parsed) {
      const { init } = program.graphs();
      const g = SceneGraph.fromJSON(init, { lenient: true, source: `eai/${e.key}` });
      const { goal, unsupported } = toGoal(e.parsed, (id) => g.get(id)?.className);
      result = {
        task: {
          id: `eai/${e.key}`, title: e.taskName, description: program.description || e.taskName,
          split: eaiSplit(e.taskName, e.key), scene: init, goal,
        },
        unsupported,
      };
    }
    this.built.set(e.key, result);
    return result;
  }

  list(query: TaskQuery = {}): Task[] {
    const count = query.count ?? Number.POSITIVE_INFINITY;
    const out: Task[] = [];
    for (const e of this.entries) {
      if (out.length >= count) break;
      if (query.split !== undefined && eaiSplit(e.taskName, e.key) !== query.split) continue;
      const b = this.build(e);
      if (b && b.task.goal.length > 0) out.push(b.task);
    }
    return out;
  }

  get(id: string): Task {
    const key = id.startsWith('eai/') ? id.slice(4) : '';
    const e = this.entries.find((x) => x.key === key);
    if (!e) throw new HearthError('task.unknown_id', `no EAI task "${id}"`, 'ids look like eai/27_2; run `hearth tasks list --set eai`');
    const b = this.build(e);
    if (!b && !e.parsed) {
      throw new HearthError('task.unavailable', `EAI task ${id} has ${e.formula === null ? 'a null goal formula' : `a formula that does not parse (${e.parseError})`} in EAI's file`,
        'pick another task: `hearth tasks list --set eai` lists the usable ones');
    }
    if (!b) {
      throw new HearthError('task.unavailable', `EAI task ${id} has no scene: program file${key} of TrimmedTestScene1 is not in ${this.dir}`,
        'pass --data with the VirtualHome dataset (its init_and_final_graphs/ holds every program\'s initial graph)');
    }
    return b.task;
  }

  report(): EaiReport {
    const r: EaiReport = { entries: this.entries.length, withFormula: 0, nullFormula: [], parsed: 0, parseErrors: [],
      unsupported: {}, withUnsupported: 0, missingScene: [], listed: 0, emptyGoal: [] };
    const count = (c: string) => { r.unsupported[c] = (r.unsupported[c] ?? 0) + 1; };
    for (const e of this.entries) {
      if (e.formula === null) { r.nullFormula.push(e.key); continue; }
      r.withFormula++;
      if (e.parseError !== undefined) { r.parseErrors.push({ key: e.key, error: e.parseError }); continue; }
      r.parsed++;
      const b = this.build(e);
      const unsupported = b ? b.unsupported : toGoal(e.parsed!).unsupported;
      if (unsupported.length > 0) r.withUnsupported++;
      for (const u of unsupported) { count(u.construct); u.inner.forEach(count); }
      if (!b) { r.missingScene.push(e.key); continue; }
      if (b.task.goal.length === 0) r.emptyGoal.push(e.key);
      else r.listed++;
    }
    r.unsupported = Object.fromEntries(Object.entries(r.unsupported).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    return r;
  }
}

export function openEai(dir: string): EaiTaskSet {
  const entries = readEaiEntries(formulaFile(dir));
  let programs: ProgramEntry[] = [];
  try {
    programs = findPrograms(dir);
  } catch (e) {
    if (!(e instanceof HearthError)) throw e;
  }
  return new EaiTaskSet(entries, programs, dir);
}
