/**
 * EAI's metrics for a one-shot suite on the `eai` task set: every agent's plans, written as
 * EAI outputs (`[{identifier, llm_output}]`, one per task, llm_output EAI's JSON of
 * `"ACTION": [name, id, ...]` steps), scored by suites/eai's evaluator both ways (`corrected`,
 * and `official` as eai-eval 1.0.5 scores, or null with a note where eai-eval itself would
 * stop): error-type rates and goal satisfaction by kind. Written to the run directory as
 * `eai.json` and `eai/<agent>.s<seed>.r<rep>.outputs.json` (which `hearth eai evaluate
 * --outputs` scores again).
 *
 * A plan is what the episode executed: each step's grounded script line (`[WALK] <kitchen>
 * (11)`, the ids of EAI's scene), up to and including the first failed step. A step that
 * Hearth could not ground to an object of the scene (an unknown action or object) is written
 * with object id -1, which EAI counts as a hallucination, as it would an unknown object.
 * EAI's data comes from HEARTH_EAI_DATA (eai-eval's virtualhome_eval folder, docs/eai.md).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../env/files.ts';
import { HearthError } from '../env/errors.ts';
import { EaiData, eaiDataDir } from './eai/data.ts';
import { EaiEvaluator, type Evaluation, type OutputRecord, type Summary } from './eai/evaluate.ts';
import { plannerOutput } from './eai/planner.ts';
import type { EpisodeRecord, StepRecord } from './ledger.ts';
import type { LoadedSuite } from './spec.ts';

const opened = new Map<string, EaiData>();
function eaiData(dataDir: string | undefined, why: string): EaiData {
  if (!dataDir) throw new HearthError('suite.eai', `${why} needs eai-eval's data, and HEARTH_EAI_DATA is not set`, 'set HEARTH_EAI_DATA to eai-eval\'s virtualhome_eval folder (docs/eai.md)');
  let d = opened.get(dataDir);
  if (!d) opened.set(dataDir, (d = new EaiData(eaiDataDir(dataDir))));
  return d;
}

/**
 * The plan of a planner with `eaiGoals` for an `eai/<id>` task, as script lines with EAI's
 * ids: `hearth eai run --agent planner`'s plan (EAI's node, edge and action goals).
 */
export function eaiPlannerPlan(taskId: string, agent: string, dataDir = process.env.HEARTH_EAI_DATA): string[] {
  const data = eaiData(dataDir, `planner "${agent}" (eaiGoals)`);
  const task = data.byId.get(taskId.replace(/^eai\//, ''));
  if (!task) throw new HearthError('suite.eai', `task ${taskId} is not an EAI task of ${data.dir}`, 'point HEARTH_EAI_DATA at the eai-eval data the suite\'s tasks come from');
  // plannerOutput writes one step per line: `  "ACTION": ["name", "id", ...]`.
  return [...plannerOutput(data, task).matchAll(/^\s*"([A-Z_]+)": (\[.*\]),?$/gm)].map((m) => {
    const args = JSON.parse(m[2]) as string[];
    const objs = Array.from({ length: args.length / 2 }, (_, i) => ` <${args[2 * i]}> (${args[2 * i + 1]})`).join('');
    return `[${m[1]}]${objs}`;
  });
}

/** Whether a suite gets EAI's metrics. */
export const wantsEaiMetrics = (suite: LoadedSuite): boolean => suite.spec.tasks.set === 'eai' && suite.spec.protocol === 'one-shot';

const SCRIPT = /^\[([A-Za-z_]+)\]((?:\s*<[^>]+>\s*\(\d+(?:\.\d+)?\))*)\s*$/;
const ARG = /<([^>]+)>\s*\((\d+)(?:\.\d+)?\)/g;

/** One step as EAI's `[action, args]`: its script line's action and (name, id) pairs, or a hallucinated object. */
export function eaiStep(s: Pick<StepRecord, 'action' | 'script'>): [string, string[]] {
  const m = s.script ? SCRIPT.exec(s.script) : null;
  if (m) return [m[1].toUpperCase(), [...m[2].matchAll(ARG)].flatMap((a) => [a[1], a[2]])];
  const words = s.action.trim().split(/\s+/);
  return [(words[0] ?? 'NONE').toUpperCase(), [words.slice(1).join('_').toLowerCase() || 'nothing', '-1']];
}

/** An episode's executed plan as EAI's output text (duplicate keys kept, one per step). */
export function eaiOutput(r: Pick<EpisodeRecord, 'steps'>): string {
  if (r.steps.length === 0) return '{}';
  return `{\n${r.steps.map((s) => { const [a, args] = eaiStep(s); return `  ${JSON.stringify(a)}: ${JSON.stringify(args)}`; }).join(',\n')}\n}`;
}

export interface EaiGroupResult {
  agent: string;
  seed: number;
  repetition: number;
  tasks: number;
  corrected: Summary;
  official: Summary | null;
  notes: string[];
  outputs: string;
}

/**
 * Score every (agent, seed, repetition) group of `records` and write `eai.json` and the
 * outputs files; returns null (and writes nothing) when there is no EAI data folder.
 */
export function writeEaiResults(out: string, suite: LoadedSuite, records: readonly EpisodeRecord[], dataDir = process.env.HEARTH_EAI_DATA): { file: string; groups: EaiGroupResult[] } | null {
  if (!wantsEaiMetrics(suite) || !dataDir) return null;
  const data = eaiData(dataDir, 'EAI\'s metrics');
  const ev = new EaiEvaluator(data);
  const groups = new Map<string, EpisodeRecord[]>();
  for (const r of records) {
    const k = `${r.agent}|${r.seed}|${r.repetition}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const results: EaiGroupResult[] = [];
  for (const rs of groups.values()) {
    const { agent, seed, repetition } = rs[0];
    const outputs: OutputRecord[] = rs.map((r) => {
      const id = r.task.replace(/^eai\//, '');
      if (!data.byId.has(id)) throw new HearthError('suite.eai', `task ${r.task} is not an EAI task of ${data.dir}`, 'point HEARTH_EAI_DATA at the eai-eval data the suite\'s tasks come from');
      return { identifier: id, llm_output: eaiOutput(r) };
    });
    const corrected = ev.evaluate(outputs, 'corrected');
    let official: Evaluation | null = null;
    try {
      official = ev.evaluate(outputs, 'official');
    } catch (e) {
      if (!(e instanceof HearthError) || e.kind !== 'eai.official_crash') throw e;
      corrected.notes.push(`no official scoring (eai-eval 1.0.5 would stop): ${e.message}`);
    }
    const file = `eai/${agent}.s${seed}.r${repetition}.outputs.json`;
    writeFileAtomic(join(out, file), `${JSON.stringify(outputs, null, 1)}\n`, { what: 'EAI outputs file', kind: 'suite.write' });
    results.push({ agent, seed, repetition, tasks: outputs.length, corrected: corrected.summary, official: official?.summary ?? null, notes: corrected.notes, outputs: file });
  }
  const file = join(out, 'eai.json');
  writeFileAtomic(file, `${JSON.stringify({ suite: suite.spec.name, hash: suite.hash, scoring: 'EAI action sequencing (docs/eai.md): corrected, and official as eai-eval 1.0.5', groups: results }, null, 1)}\n`,
    { what: 'EAI results', kind: 'suite.write' });
  return { file, groups: results };
}
