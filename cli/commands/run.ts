/**
 * `hearth run`: one headless episode of a task with a built-in agent, written to an episode
 * log step by step.
 *
 *   --agent planner      the teacher in closed loop: at every step it plans from the
 *                        episode's actual state (bindings read from the history) and takes
 *                        the first action, as an E2CL corrector would; END when the goal holds.
 *                        `--format nl` (default) speaks E2CL actions, which must ground to the
 *                        meant instance (a name keeps its first instance), `--format script`
 *                        gives script lines with ids
 *   --agent random       seeded random NL actions over the scene's objects (a baseline and a
 *                        source of failures for feedback data)
 *   --agent script:FILE  the actions of a file, one per line: NL actions (`Walk to kitchen`),
 *                        or script lines (`[WALK] <kitchen> (11)`) if every line is one
 */
import { readText } from '../../env/text.ts';
import { resolve } from 'node:path';
import { Episode, type AgentView, type StepOutcome } from '../../env/episode.ts';
import { EpisodeLogWriter } from '../../env/episode-log.ts';
import { HearthError, isHearthError } from '../../env/errors.ts';
import { NL_TEMPLATES } from '../../env/nl.ts';
import { Prng } from '../../env/prng.ts';
import type { Task } from '../../env/task.ts';
import { nextActionForEpisode } from '../../exploration/teacher/episode-teacher.ts';
import type { Command } from '../main.ts';
import { intFlag, onlyWith, parseArgs, requireFlag, stringFlag } from '../args.ts';
import { checkOutputFile } from '../output-paths.ts';
import { loadTask } from './plan.ts';

const USAGE = 'hearth run --task ID --agent planner|random|script:FILE [--log OUT.jsonl] [--seed S] [--max-steps N] '
  + '[--format nl|script] [--compat v1|master] [--quiet] [--data DIR]';

type Agent = (view: AgentView, episode: Episode) => string;

interface AgentSpec {
  name: string;
  describe: Record<string, unknown>;
  act: Agent;
  format: 'nl' | 'script';
  /** Why the agent stopped early, if it says (the planner: an unreachable goal). */
  notes?: string[];
}

function plannerAgent(format: 'nl' | 'script'): AgentSpec {
  const notes: string[] = [];
  return {
    name: 'planner', format, notes, describe: { name: 'planner', kind: 'symbolic teacher, replanning every step', format },
    act: (_view, episode) => {
      const a = nextActionForEpisode(episode);
      if (a.kind === 'act') return format === 'nl' ? a.step.nl : a.step.script;
      if (a.kind === 'stuck') notes.push(a.reason);
      return 'END';
    },
  };
}

/** Every NL action the templates can form over the scene's class names, drawn with a seeded PRNG. */
function randomAgent(task: Task, seed: number): AgentSpec {
  const rng = new Prng(seed);
  const names = [...new Set(task.scene.nodes.map((n) => n.class_name))]
    .filter((c) => c !== 'character').map((c) => c.replace(/_/g, ' '));
  const templates = NL_TEMPLATES.filter((t) => t.action !== 'RELEASE');
  return {
    name: 'random', format: 'nl', describe: { name: 'random', seed },
    act: () => {
      const tp = rng.pick(templates);
      return tp.template.replace(/\{\}/g, () => rng.pick(names)).replace(/^./, (c) => c.toUpperCase());
    },
  };
}

function scriptAgent(path: string): AgentSpec {
  let text: string;
  try {
    text = readText(path, 'file'); // strict UTF-8, BOM stripped
  } catch (e) {
    if (!isHearthError(e) || !e.kind.startsWith('file.')) throw e;
    throw new HearthError('run.script', `cannot read the agent script: ${e.message}`, 'give --agent script:FILE with a text file of actions, one per line');
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length === 0) {
    throw new HearthError('run.script', `the agent script ${path} has no actions`, 'write one action per line, e.g. "Walk to kitchen"');
  }
  const format = lines.every((l) => l.startsWith('[')) ? 'script' : 'nl';
  let i = 0;
  return {
    name: 'script', format, describe: { name: 'script', file: path, actions: lines.length, format },
    act: () => (i < lines.length ? lines[i++] : 'END'),
  };
}

function makeAgent(spec: string, task: Task, seed: number, format: 'nl' | 'script'): AgentSpec {
  if (spec === 'planner') return plannerAgent(format);
  if (spec === 'random') return randomAgent(task, seed);
  if (spec.startsWith('script:') && spec.length > 'script:'.length) return scriptAgent(resolve(spec.slice('script:'.length)));
  throw new HearthError('cli.usage', `unknown agent "${spec}"`, 'use --agent planner, --agent random or --agent script:FILE');
}

function describeStep(o: StepOutcome): string {
  if (o.info.end) return `${String(o.t).padStart(3)}  END  (goal ${o.goal.satisfied}/${o.goal.total})`;
  const result = o.ok ? 'ok' : `FAILED ${o.failure?.code}: ${o.failure?.message}`;
  return `${String(o.t).padStart(3)}  ${o.action}${o.script && o.script !== o.action ? `  → ${o.script}` : ''}  ${result}  `
    + `(goal ${o.goal.satisfied}/${o.goal.total})`;
}

export const command: Command = {
  name: 'run',
  summary: 'run a headless episode of a task with the planner, a random or a scripted agent, and write its episode log',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      task: { type: 'string' }, agent: { type: 'string' }, log: { type: 'string' }, seed: { type: 'string' },
      'max-steps': { type: 'string' }, compat: { type: 'string' }, quiet: { type: 'boolean' }, data: { type: 'string' },
      format: { type: 'string' },
    }, USAGE);
    if (args.positionals.length > 0) {
      throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    }
    const task = loadTask(requireFlag(args, 'task', USAGE), stringFlag(args, 'data'));
    const seed = intFlag(args, 'seed', 0);
    const compat = stringFlag(args, 'compat') ?? 'v1';
    if (compat !== 'v1' && compat !== 'master') {
      throw new HearthError('cli.usage', `--compat must be v1 or master, got "${compat}"`, `usage: ${USAGE}`);
    }
    const format = stringFlag(args, 'format') ?? 'nl';
    if (format !== 'nl' && format !== 'script') {
      throw new HearthError('cli.usage', `--format must be nl or script, got "${format}"`, `usage: ${USAGE}`);
    }
    const logFlag = stringFlag(args, 'log');
    if (logFlag !== undefined) checkOutputFile(logFlag, '--log');
    const agentSpec = requireFlag(args, 'agent', USAGE);
    onlyWith(args, ['format'], agentSpec === 'planner', '--agent planner (the other agents choose their own format)');
    const agent = makeAgent(agentSpec, task, seed, format);
    // The planner's programs find every object first, so they can be longer than E2CL's
    // 26-step cap; its default cap leaves room for that.
    const maxSteps = intFlag(args, 'max-steps', agent.name === 'planner' ? 100 : 26, 1);
    const quiet = args.flags.quiet === true;
    const safeId = task.id.replace(/[^A-Za-z0-9_.-]+/g, '_');
    const logPath = resolve(stringFlag(args, 'log') ?? `runs/run/${safeId}.${agent.name}.jsonl`);

    const episode = new Episode(task, { seed, compat, maxSteps, actionFormat: agent.format, lenient: true });
    episode.reset(seed);
    const log = EpisodeLogWriter.forEpisode(logPath, episode, { agent: agent.describe });
    const print = (s: string): void => { if (!quiet) console.log(s); };
    print(`Task ${task.id}: ${task.title}`);
    print(`agent ${agent.name}, seed ${seed}, max ${maxSteps} steps`);
    let last: StepOutcome | undefined;
    try {
      while (!episode.finished) {
        const action = agent.act(episode.view(), episode);
        last = episode.step(action);
        log.step(last);
        print(describeStep(last));
      }
      log.end();
    } finally {
      log.close();
    }
    const executed = episode.history.filter((h) => h.action.trim().toUpperCase() !== 'END');
    const failed = executed.filter((h) => !h.ok).length;
    const success = last?.info.success ?? false;
    console.log(`${success ? 'Success' : 'Not solved'}: goal ${last?.goal.satisfied ?? 0}/${last?.goal.total ?? task.goal.length}, `
      + `${executed.length} actions (${failed} failed)${last?.truncated ? ', truncated at the step limit' : ''}; episode log: ${logPath}`);
    for (const n of agent.notes ?? []) console.log(`${agent.name}: ${n}`);
    return 0;
  },
};
