/**
 * `hearth eai`: the Embodied Agent Interface's VirtualHome action-sequencing benchmark.
 *
 *   hearth eai evaluate --outputs FILE.json [--scoring official|corrected] [--json] [--eai-data DIR]
 *       scores EAI outputs ([{identifier, llm_output}]); --json prints {summary, tasks, notes,
 *       differences}: summary with the keys of eai-eval's summary.json, and every task whose
 *       verdict differs between the two scorings with its causes (docs/eai.md)
 *   hearth eai prompts --out FILE.json [--eai-data DIR]
 *       EAI's action-sequencing prompts ([{identifier, llm_prompt}], eai-eval's prompt file)
 *   hearth eai run --agent planner|checkpoint:DIR|http:URL --protocol one-shot --out DIR
 *       one plan per task (the planner's, or the model's answer to EAI's prompt), written as
 *       DIR/outputs.json, scored both ways (DIR/official.json, DIR/corrected.json)
 *
 * EAI's data is read from an eai-eval 1.0.5 install (--eai-data or HEARTH_EAI_DATA: its
 * virtualhome_eval folder), never copied into Hearth.
 */
import { join } from 'node:path';
import { boolFlag, noPositionals, parseArgs, parseIntStrict, requireFlag, stringFlag, type ParsedArgs } from '../args.ts';
import type { Command } from '../main.ts';
import { HearthError } from '../../env/errors.ts';
import { Executor } from '../../env/executor.ts';
import { makeDirs, writeFileAtomic } from '../../env/files.ts';
import type { GoalPredicate } from '../../env/goal.ts';
import { SceneGraph } from '../../env/graph.ts';
import type { Relation, State } from '../../env/vocabulary.ts';
import { planTask } from '../../exploration/teacher/planner.ts';
import { EaiData, eaiDataDir, type EaiTask } from '../../suites/eai/data.ts';
import { CORRECTED_ACTIONS, EaiEvaluator, checkIdentifiers, differences, goalsHold, taskContext, type Evaluation, type OutputRecord, type Scoring } from '../../suites/eai/evaluate.ts';
import { eaiPrompt, eaiPrompts, promptTemplate } from '../../suites/eai/prompts.ts';
import { openLanguageModel, type ModelSource } from '../../agent/backends/open-model.ts';
import { readOutputs, renderText } from '../../suites/eai/report.ts';
import { checkOutputDir, checkOutputFile } from '../output-paths.ts';

const USAGE = 'hearth eai evaluate --outputs FILE.json [--scoring official|corrected] [--json] [--eai-data DIR]\n'
  + '       hearth eai prompts --out FILE.json [--eai-data DIR]\n'
  + '       hearth eai run --agent planner|checkpoint:DIR|http:URL --protocol one-shot --out DIR [--count N] [--max-tokens N] [--eai-data DIR] [--json]';

const FLAGS = {
  outputs: { type: 'string' }, scoring: { type: 'string' }, json: { type: 'boolean' }, 'eai-data': { type: 'string' },
  out: { type: 'string' }, agent: { type: 'string' }, protocol: { type: 'string' }, count: { type: 'string' }, 'max-tokens': { type: 'string' },
} as const;

function scoringFlag(p: ParsedArgs): Scoring {
  const s = stringFlag(p, 'scoring') ?? 'corrected';
  if (s !== 'official' && s !== 'corrected') throw new HearthError('cli.usage', `--scoring must be official or corrected, got "${s}"`, `usage: ${USAGE}`);
  return s;
}

function only(p: ParsedArgs, allowed: string[], sub: string): void {
  for (const k of Object.keys(p.flags)) {
    if (p.flags[k] !== undefined && !allowed.includes(k)) throw new HearthError('cli.usage', `--${k} does not apply to \`hearth eai ${sub}\``, `usage: ${USAGE}`);
  }
}

function evaluate(p: ParsedArgs): number {
  only(p, ['outputs', 'scoring', 'json', 'eai-data'], 'evaluate');
  const file = requireFlag(p, 'outputs', USAGE);
  const scoring = scoringFlag(p);
  const records = readOutputs(file, null); // the file's own errors first, data or not
  const data = new EaiData(eaiDataDir(stringFlag(p, 'eai-data')));
  checkIdentifiers(records, file, data);
  const ev = new EaiEvaluator(data);
  const corrected = ev.evaluate(records, 'corrected');
  const official = scoring === 'official' ? withFile(file, () => ev.evaluate(records, 'official')) : officialOrNote(ev, records, corrected);
  const diffs = official ? differences(ev, records, official, corrected) : null;
  const chosen = scoring === 'official' ? official! : corrected;
  if (boolFlag(p, 'json')) {
    console.log(JSON.stringify({ scoring, summary: chosen.summary, tasks: chosen.tasks, notes: chosen.notes, differences: diffs }));
  } else {
    console.log(renderText(file, chosen, diffs));
  }
  return 0;
}

/**
 * The official scoring for the differences list, or null (with a note on `corrected`) when
 * eai-eval itself would stop on this outputs file.
 */
function officialOrNote(ev: EaiEvaluator, records: OutputRecord[], corrected: Evaluation): Evaluation | null {
  try {
    return ev.evaluate(records, 'official');
  } catch (e) {
    if (!(e instanceof HearthError) || e.kind !== 'eai.official_crash') throw e;
    corrected.notes.push(`no official scoring: ${e.message}`);
    return null;
  }
}

function withFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof HearthError && e.kind === 'eai.official_crash') throw new HearthError(e.kind, `${file}: ${e.message}`, e.hint);
    throw e;
  }
}

function prompts(p: ParsedArgs): number {
  only(p, ['out', 'eai-data'], 'prompts');
  const out = requireFlag(p, 'out', USAGE);
  checkOutputFile(out, '--out');
  const data = new EaiData(eaiDataDir(stringFlag(p, 'eai-data')));
  const list = eaiPrompts(data);
  writeFileAtomic(out, JSON.stringify(list, null, 4), { what: 'EAI prompt file' });
  console.log(`wrote ${list.length} prompts to ${out}`);
  return 0;
}

/** The planner's one-shot plan for a task, as EAI's output JSON text (duplicate keys kept). */
export function plannerOutput(data: EaiData, task: EaiTask): string {
  const p = data.program(task.id);
  const goal: GoalPredicate[] = [
    ...task.nodeGoals.map((g): GoalPredicate => ({ kind: 'state', node: g.id, state: g.state as State })),
    ...task.edgeGoals.map((g): GoalPredicate => ({ kind: 'edge', from: g.from_id, relation: g.relation_type as Relation, to: g.to_id })),
  ];
  const r = planTask({ id: `eai/${task.id}`, title: task.taskName, description: p.description, split: 'train', scene: p.init, goal });
  const steps: Array<{ action: string; args: Array<{ name: string; id: number }> }> = r.steps.map((s) => ({ action: s.line.action, args: s.line.args.map((a) => ({ name: a.name, id: a.id })) }));
  // Action goals (TOUCH, TYPE, WATCH, ...) are not states: append, in order, the first option
  // that executes after the plan on one of the task's objects (walking to it first if needed).
  const graph = SceneGraph.fromJSON(p.init, { lenient: true });
  const ex = new Executor(graph, { resolveById: true });
  const exec = (s: { action: string; args: Array<{ name: string; id: number }> }, i: number) =>
    ex.executeLine({ action: s.action, args: s.args, index: i, text: `[${s.action}]` }).ok;
  const start = ex.mark();
  steps.forEach((s, i) => exec(s, i + 1));
  const objects = [...new Set([...task.nodeGoals.map((g) => g.id), ...task.edgeGoals.flatMap((g) => [g.from_id, g.to_id]),
    ...steps.flatMap((s) => s.args.map((a) => a.id)), ...taskContext(data, task).relevant.values(),
    // then the objects the dataset's preparation added for this program (ids from 1000), which
    // the prompt may omit (the water a POUR goal needs is unchanged by the plan, so unlisted)
    ...p.init.nodes.map((n) => n.id).filter((id) => id >= 1000)])]
    // not the character, and not a room (EAI never counts the character close to a room)
    .filter((id) => graph.has(id) && graph.node(id).className !== 'character' && graph.node(id).category !== 'Rooms');
  type S = { action: string; args: Array<{ name: string; id: number }> };
  const arg = (id: number) => ({ name: graph.node(id).className, id });
  const INVERSE: Record<string, string> = { SWITCHOFF: 'SWITCHON', SWITCHON: 'SWITCHOFF', CLOSE: 'OPEN', OPEN: 'CLOSE', PLUGOUT: 'PLUGIN', PLUGIN: 'PLUGOUT' };
  const candidates = function* (action: string): Generator<S[]> {
    const n = CORRECTED_ACTIONS[action];
    if (n === 0) { yield [{ action, args: [] }]; return; }
    if (n === 1) {
      for (const id of objects) yield [{ action, args: [arg(id)] }];
      for (const id of objects) yield [{ action: 'WALK', args: [arg(id)] }, { action, args: [arg(id)] }];
      const inv = INVERSE[action];
      if (inv) for (const id of objects) yield [{ action: 'WALK', args: [arg(id)] }, { action: inv, args: [arg(id)] }, { action, args: [arg(id)] }];
      return;
    }
    for (const a of objects) {
      for (const b of objects) {
        if (a === b) continue;
        yield [{ action, args: [arg(a), arg(b)] }];
        yield [{ action: 'WALK', args: [arg(a)] }, { action: 'GRAB', args: [arg(a)] }, { action, args: [arg(a), arg(b)] }];
        yield [{ action: 'WALK', args: [arg(a)] }, { action: 'GRAB', args: [arg(a)] }, { action: 'WALK', args: [arg(b)] }, { action, args: [arg(a), arg(b)] }];
      }
    }
  };
  const goalsHeld = goalsHold(graph, task.nodeGoals, task.edgeGoals);
  for (const group of [...new Set(task.actionGoals)]) {
    let done = false;
    for (const action of group.split('|').map((a) => a.trim().toUpperCase())) {
      if (!Object.hasOwn(CORRECTED_ACTIONS, action)) continue;
      for (const seq of candidates(action)) {
        const mark = ex.mark();
        // The appended steps must execute and keep the goals the plan reached.
        if (seq.every((s, i) => exec(s, steps.length + i + 1)) && (!goalsHeld || goalsHold(graph, task.nodeGoals, task.edgeGoals))) {
          steps.push(...seq); done = true; break;
        }
        ex.rollback(mark);
      }
      if (done) break;
      // Else insert it earlier (POUR water into the coffee maker before the plan closes it):
      // replay the whole program with the steps inserted, latest position first.
      const end = ex.mark();
      ex.rollback(start);
      outer: for (let at = steps.length - 1; at >= 0 && !done; at--) {
        for (const seq of candidates(action)) {
          const trial = [...steps.slice(0, at), ...seq, ...steps.slice(at)];
          if (trial.every((s, i) => exec(s, i + 1)) && (!goalsHeld || goalsHold(graph, task.nodeGoals, task.edgeGoals))) {
            steps.splice(at, 0, ...seq); done = true; break outer;
          }
          ex.rollback(start);
        }
      }
      if (!done) steps.forEach((s, i) => exec(s, i + 1));
      void end;
      if (done) break;
    }
  }
  // No goal to reach (the annotation has none): one step that executes, since EAI wants a non-empty plan.
  if (steps.length === 0) {
    for (const seq of [[{ action: 'STANDUP', args: [] }], ...objects.map((id) => [{ action: 'WALK', args: [arg(id)] }])] as S[][]) {
      const mark = ex.mark();
      if (seq.every((s, i) => exec(s, i + 1))) { steps.push(...seq); break; }
      ex.rollback(mark);
    }
  }
  if (steps.length === 0) return '{}';
  return `{\n${steps.map((s) => `  ${JSON.stringify(s.action)}: ${JSON.stringify(s.args.flatMap((a) => [a.name, String(a.id)]))}`).join(',\n')}\n}`;
}

/** `planner` → null; `checkpoint:DIR` → a local checkpoint; `http:URL` → an OpenAI-compatible server. */
function agentSource(agent: string): ModelSource | null {
  if (agent === 'planner') return null;
  if (agent.startsWith('checkpoint:') && agent.length > 11) return { checkpoint: agent.slice(11) };
  if (agent.startsWith('http:') || agent.startsWith('https:')) return { baseUrl: agent.startsWith('http:http') ? agent.slice(5) : agent };
  throw new HearthError('cli.usage', `--agent must be planner, checkpoint:DIR or http:URL, got "${agent}"`, `usage: ${USAGE}`);
}

async function run(p: ParsedArgs): Promise<number> {
  only(p, ['agent', 'protocol', 'out', 'eai-data', 'json', 'count', 'max-tokens'], 'run');
  const agent = requireFlag(p, 'agent', USAGE);
  const protocol = stringFlag(p, 'protocol') ?? 'one-shot';
  if (protocol !== 'one-shot') throw new HearthError('cli.usage', `--protocol ${protocol} is not available here (closed-loop comes with the suites' EAI task set)`, 'use --protocol one-shot');
  const source = agentSource(agent);
  const out = requireFlag(p, 'out', USAGE);
  checkOutputDir(out, '--out');
  const data = new EaiData(eaiDataDir(stringFlag(p, 'eai-data')));
  const count = stringFlag(p, 'count') === undefined ? data.tasks.length : parseIntStrict(stringFlag(p, 'count')!, '--count', 1);
  const tasks = data.tasks.slice(0, count);
  let records: OutputRecord[];
  if (source === null) {
    records = tasks.map((t) => ({ identifier: t.id, llm_output: plannerOutput(data, t) }));
  } else {
    // One-shot: EAI's prompt in, the model's text out, as EAI's generate step does.
    const model = await openLanguageModel(source);
    try {
      const template = promptTemplate(data.dir);
      records = [];
      const maxTokens = stringFlag(p, 'max-tokens') === undefined ? 1024 : parseIntStrict(stringFlag(p, 'max-tokens')!, '--max-tokens', 1, 1 << 16);
      for (let i = 0; i < tasks.length; i += 16) {
        const batch = tasks.slice(i, i + 16);
        const texts = await model.generate(batch.map((t) => eaiPrompt(data, t, template)), { maxTokens, temperature: 0 });
        batch.forEach((t, k) => records.push({ identifier: t.id, llm_output: texts[k] ?? '' }));
      }
    } finally {
      await model.dispose?.();
    }
  }
  const ev = new EaiEvaluator(data);
  const corrected = ev.evaluate(records, 'corrected');
  const official = officialOrNote(ev, records, corrected);
  const diffs = official ? differences(ev, records, official, corrected) : [];
  makeDirs(out);
  writeFileAtomic(join(out, 'outputs.json'), JSON.stringify(records, null, 4), { what: 'EAI outputs file' });
  if (official) writeFileAtomic(join(out, 'official.json'), JSON.stringify({ scoring: 'official', summary: official.summary, tasks: official.tasks, notes: official.notes }, null, 1), { what: 'official scoring' });
  writeFileAtomic(join(out, 'corrected.json'), JSON.stringify({ scoring: 'corrected', summary: corrected.summary, tasks: corrected.tasks, notes: corrected.notes, differences: diffs }, null, 1), { what: 'corrected scoring' });
  if (boolFlag(p, 'json')) console.log(JSON.stringify({ official: official?.summary ?? null, corrected: corrected.summary, differences: diffs.length }));
  else {
    if (official) console.log(renderText(join(out, 'outputs.json'), official, null));
    console.log(renderText(join(out, 'outputs.json'), corrected, diffs));
  }
  return 0;
}

export const command: Command = {
  name: 'eai',
  summary: 'EAI action sequencing: prompts, outputs scored as eai-eval 1.0.5 does (official) and corrected',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const [sub, ...rest] = argv;
    const p = parseArgs(rest, FLAGS, USAGE);
    noPositionals(p, USAGE);
    if (sub === 'evaluate') return evaluate(p);
    if (sub === 'prompts') return prompts(p);
    if (sub === 'run') return await run(p);
    throw new HearthError('cli.usage', sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`, `usage: ${USAGE}`);
  },
};
