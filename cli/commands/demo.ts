/**
 * `hearth demo`: a scripted episode on the built-in demo house. Prints every step (the NL
 * action, the grounded script line, the result, the observation and the goal progress) and
 * writes the episode log, step by step, to `--log` (default runs/demo/episode.jsonl).
 */
import { resolve } from 'node:path';
import { Episode, type StepOutcome } from '../../env/episode.ts';
import { EpisodeLogWriter } from '../../env/episode-log.ts';
import { HearthError } from '../../env/errors.ts';
import { goalDetail } from '../../env/goal.ts';
import { DEMO_ACTIONS, demoTask } from '../../env/scenes/demo-house.ts';
import type { Command } from '../main.ts';
import { intFlag, parseArgs, stringFlag } from '../args.ts';
import { checkOutputFile } from '../output-paths.ts';

const USAGE = 'hearth demo [--log OUT.jsonl] [--seed S] [--compat v1|master] [--quiet]';
const DEFAULT_LOG = 'runs/demo/episode.jsonl';

function describeStep(o: StepOutcome): string[] {
  const head = `step ${String(o.t).padStart(2)}  ${o.action}`;
  if (o.info.end) return [`${head}  → episode ends (goal ${o.goal.satisfied}/${o.goal.total})`];
  const result = o.ok ? 'ok' : `FAILED (${o.failure?.code}): ${o.failure?.message}`;
  return [
    `${head}${o.script ? `  → ${o.script}` : ''}`,
    `         ${result}`,
    `         observation: ${o.observation === '' ? '(nothing close)' : JSON.stringify(o.observation)}`,
    `         goal ${o.goal.satisfied}/${o.goal.total}${o.truncated ? '  (truncated: step limit reached)' : ''}`,
  ];
}

export const command: Command = {
  name: 'demo',
  summary: 'run a scripted demo episode on the built-in demo house and write its episode log',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      log: { type: 'string' }, seed: { type: 'string' }, compat: { type: 'string' }, quiet: { type: 'boolean' },
    }, USAGE);
    if (args.positionals.length > 0) {
      throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    }
    const seed = intFlag(args, 'seed', 0);
    const compat = stringFlag(args, 'compat') ?? 'v1';
    if (compat !== 'v1' && compat !== 'master') {
      throw new HearthError('cli.usage', `--compat must be v1 or master, got "${compat}"`, `usage: ${USAGE}`);
    }
    const logPath = resolve(stringFlag(args, 'log') ?? DEFAULT_LOG);
    checkOutputFile(logPath, stringFlag(args, 'log') !== undefined ? '--log' : 'the episode log');
    const quiet = args.flags.quiet === true;

    const task = demoTask();
    const episode = new Episode(task, { seed, compat });
    const { observation, info } = episode.reset(seed);
    const log = EpisodeLogWriter.forEpisode(logPath, episode, { agent: { name: 'scripted-demo', actions: DEMO_ACTIONS.length } });
    const print = (s: string): void => { if (!quiet) console.log(s); };
    print(`Task: ${task.title}`);
    print(`Description: ${task.description}`);
    print(`Goal: ${goalDetail(episode.graph, task.goal).map((d) => d.text).join(', ')}`);
    print(`seed ${seed}, compat ${compat}, goal ${info.goal.satisfied}/${info.goal.total} at start`);
    print(`observation: ${observation === '' ? '(nothing close)' : JSON.stringify(observation)}`);
    print('');
    let last: StepOutcome | undefined;
    try {
      for (const action of DEMO_ACTIONS) {
        if (episode.finished) break;
        last = episode.step(action);
        log.step(last);
        for (const line of describeStep(last)) print(line);
      }
      log.end();
    } finally {
      log.close();
    }
    const executed = episode.history.filter((h) => h.action.trim().toUpperCase() !== 'END');
    const failed = executed.filter((h) => !h.ok).length;
    const unmet = goalDetail(episode.graph, task.goal).filter((d) => !d.holds).map((d) => d.text);
    if (unmet.length > 0) print(`unmet: ${unmet.join(', ')}`);
    console.log(`\n${last?.info.success ? 'Success' : 'Not solved'}: goal ${last?.goal.satisfied ?? 0}/${last?.goal.total ?? 0}, `
      + `${executed.length} actions (${failed} failed), episode log: ${logPath}`);
    return 0;
  },
};
