/**
 * EAI's VirtualHome action-sequencing data, read from an eai-eval install (the
 * `virtualhome_eval` package folder: `resources/virtualhome/` and `dataset/`), never copied into
 * Hearth. `--eai-data DIR` or HEARTH_EAI_DATA names the folder (pip: `python3 -c "import
 * virtualhome_eval, os; print(os.path.dirname(virtualhome_eval.__file__))"`).
 *
 * One task per (task name, file id) of `task_state_LTL_formula_accurate.json` scene_1, in the
 * file's order (eai-eval's prompt order): its `vh_goal` (node goals, edge goals, action goals),
 * its program (`executable_programs/.../file<id>.txt`) and initial/final graphs
 * (`init_and_final_graphs/.../file<id>.json`), loaded on first use.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../env/errors.ts';
import type { GraphJSON } from '../../env/graph.ts';
import { parseJSONText, readTextFile } from '../../env/load.ts';

export interface NodeGoal { id: number; class_name: string; state: string }
export interface EdgeGoal { from_id: number; relation_type: string; to_id: number }

export interface EaiTask {
  id: string;
  taskName: string;
  nodeGoals: NodeGoal[];
  edgeGoals: EdgeGoal[];
  /** As in the file (may repeat; eai-eval takes `list(set(...))`). */
  actionGoals: string[];
}

export interface EaiProgram {
  title: string;
  description: string;
  /** The program's `[...]` lines, stripped, ids in the dataset's `(instance.id)` form. */
  lines: string[];
  init: GraphJSON;
  final: GraphJSON;
}

const PROGRAMS = join('dataset', 'programs_processed_precond_nograb_morepreconds');
const SCENE = join('TrimmedTestScene1_graph', 'results_intentions_march-13-18');

export function eaiDataDir(given?: string): string {
  const dir = given ?? process.env.HEARTH_EAI_DATA;
  const hint = 'pass --eai-data DIR (or set HEARTH_EAI_DATA) to the virtualhome_eval folder of an eai-eval 1.0.5 install (it holds resources/ and dataset/)';
  if (!dir) throw new HearthError('eai.data', 'no EAI data folder given', hint);
  const f = join(dir, 'resources', 'virtualhome', 'task_state_LTL_formula_accurate.json');
  if (!existsSync(f) || !existsSync(join(dir, PROGRAMS))) throw new HearthError('eai.data', `${dir} is not eai-eval's virtualhome_eval folder (no resources/virtualhome/ or ${PROGRAMS})`, hint);
  return dir;
}

export class EaiData {
  readonly tasks: EaiTask[] = [];
  readonly byId = new Map<string, EaiTask>();
  private readonly programs = new Map<string, EaiProgram>();

  constructor(readonly dir: string) {
    const file = join(dir, 'resources', 'virtualhome', 'task_state_LTL_formula_accurate.json');
    const json = parseJSONText(readTextFile(file, 'EAI goal file'), file) as Record<string, Record<string, Record<string, { vh_goal?: { actions?: string[]; goal?: Array<Record<string, unknown>> } }>>>;
    const scene = json?.scene_1;
    if (!scene || typeof scene !== 'object') throw new HearthError('eai.data', `${file}: no "scene_1" object`);
    for (const [taskName, byId] of Object.entries(scene)) {
      for (const [id, v] of Object.entries(byId)) {
        const g = v?.vh_goal;
        if (!g || !Array.isArray(g.goal) || !Array.isArray(g.actions)) throw new HearthError('eai.data', `${file}: task ${id} has no vh_goal {goal, actions}`);
        const nodeGoals: NodeGoal[] = [];
        const edgeGoals: EdgeGoal[] = [];
        for (const x of g.goal) {
          if ('id' in x && 'class_name' in x && 'state' in x) nodeGoals.push(x as unknown as NodeGoal);
          else if ('from_id' in x && 'to_id' in x && 'relation_type' in x) edgeGoals.push(x as unknown as EdgeGoal);
          else throw new HearthError('eai.data', `${file}: task ${id} has a goal that is neither a node nor an edge goal`);
        }
        const t: EaiTask = { id, taskName, nodeGoals, edgeGoals, actionGoals: g.actions.map(String) };
        this.tasks.push(t);
        this.byId.set(id, t);
      }
    }
  }

  program(id: string): EaiProgram {
    const hit = this.programs.get(id);
    if (hit) return hit;
    const txt = join(this.dir, PROGRAMS, 'executable_programs', SCENE, `file${id}.txt`);
    const gj = join(this.dir, PROGRAMS, 'init_and_final_graphs', SCENE, `file${id}.json`);
    if (!existsSync(txt) || !statSync(txt).isFile() || !existsSync(gj)) throw new HearthError('eai.data', `EAI task ${id}: no program or graphs in ${this.dir}`);
    const text = readTextFile(txt, 'EAI program').split('\n');
    const graphs = parseJSONText(readTextFile(gj, 'EAI graphs'), gj) as { init_graph: GraphJSON; final_graph: GraphJSON };
    const p: EaiProgram = {
      title: (text[0] ?? '').replace(/\r$/, ''), description: (text[1] ?? '').replace(/\r$/, ''),
      lines: text.filter((l) => l.startsWith('[')).map((l) => l.trim()),
      init: graphs.init_graph, final: graphs.final_graph,
    };
    this.programs.set(id, p);
    return p;
  }
}
