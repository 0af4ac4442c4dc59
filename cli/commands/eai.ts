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
import { makeDirs, writeFileAtomic } from '../../env/files.ts';
import { EaiData, eaiDataDir } from '../../suites/eai/data.ts';
import { EaiEvaluator, checkIdentifiers, differences, type Evaluation, type OutputRecord, type Scoring } from '../../suites/eai/evaluate.ts';
import { eaiPrompt, eaiPrompts, promptTemplate } from '../../suites/eai/prompts.ts';
import { plannerOutput } from '../../suites/eai/planner.ts';
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
