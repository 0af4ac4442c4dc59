/**
 * `hearth eval`: score a checkpoint on fresh tasks and print the metrics as one JSON object
 * (rates in 0..1, each with its 95% bootstrap interval under `ci95`). The checkpoint is
 * prompted the way it was trained (its `e2cl.json`, written by `hearth e2cl`; the quick
 * recipe's settings otherwise).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describeCheckpoint, resolveCheckpointDir } from '../../agent/checkpoint.ts';
import { HearthError } from '../../env/errors.ts';
import { BACKENDS, backendDetail } from '../../agent/tfjs.ts';
import { readText } from '../../env/text.ts';
import { checkConfig, SETTINGS_SCHEMA } from '../config-schemas.ts';
import { checkOutputDir } from '../output-paths.ts';
import { episodeLogSink, safeName } from '../../exploration/episode-logs.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import { type EvalJob, type InferenceSettings, evaluateJobs, inferenceSettings } from '../../exploration/pipeline.ts';
import { QUICK } from '../../exploration/recipes.ts';
import { loadTaskSet, solvableTasks, withExperts } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { summarise, summaryJson } from '../../suites/metrics.ts';
import { cell, COLUMNS } from '../../suites/report.ts';
import type { Command } from '../main.ts';
import type { LanguageModel } from '../../agent/language-model.ts';
import { openLanguageModel } from '../../agent/backends/open-model.ts';
import { MODEL_FLAGS, modelSourceFromArgs } from './serve.ts';
import { backendFlag, boolFlag, intFlag, parseArgs, requireFlag, stringFlag } from '../args.ts';

const USAGE = 'hearth eval (--checkpoint DIR [--backend B] | --base-url URL [--model M] [--api completions|chat] [--settings e2cl.json] [--cache FILE [--cache-mode auto|record|replay]]) '
  + '[--tasks generated|vh-programs] [--data DIR] [--split seen|unseen|train] [--seed S] [--count N] [--speculative [--correction-attempts K] [--oracle-gate]] [--replan-on-failure] [--json] [--log DIR] [--all-tasks] [--quiet]';

export function settingsFor(dir: string): InferenceSettings {
  for (const d of [dir, dirname(dir)]) {
    const f = join(d, 'e2cl.json');
    if (existsSync(f)) {
      const fix = 'restore it from the run directory or delete it to use the quick recipe\'s settings';
      let json: unknown;
      try {
        json = JSON.parse(readText(f, 'settings file'));
      } catch (e) {
        if (e instanceof HearthError) throw e;
        throw new HearthError('checkpoint.settings', `${f} is not valid JSON (${(e as Error).message})`, fix);
      }
      // Checked now, before tasks are listed and the model is loaded, naming the file and the field.
      checkConfig(json, SETTINGS_SCHEMA, f, 'checkpoint.settings', 'field', fix);
      return json as InferenceSettings;
    }
  }
  return inferenceSettings(QUICK.recipe);
}

export const command: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint on fresh tasks (optionally with speculative inference) and print the E2CL metrics',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv, {
      ...MODEL_FLAGS, tasks: { type: 'string' }, data: { type: 'string' }, split: { type: 'string' }, seed: { type: 'string' },
      count: { type: 'string' }, speculative: { type: 'boolean' }, json: { type: 'boolean' }, log: { type: 'string' },
      quiet: { type: 'boolean' }, 'all-tasks': { type: 'boolean' }, settings: { type: 'string' },
      'correction-attempts': { type: 'string' }, 'replan-on-failure': { type: 'boolean' }, 'oracle-gate': { type: 'boolean' },
    }, USAGE);
    if (args.positionals.length) throw new HearthError('cli.usage', `unexpected argument "${args.positionals[0]}"`, `usage: ${USAGE}`);
    const speculative = boolFlag(args, 'speculative');
    // Inference options beyond the paper (exploration/policy.ts); they override the checkpoint's settings.
    const attemptsFlag = stringFlag(args, 'correction-attempts') !== undefined ? intFlag(args, 'correction-attempts', 1, 1, 16) : undefined;
    // A diagnostic: the simulator as the feedback head (exploration/policy.ts oracleGatedAction).
    const oracleGate = boolFlag(args, 'oracle-gate');
    if (oracleGate && !speculative) throw new HearthError('cli.usage', '--oracle-gate goes with --speculative (it replaces the model\'s feedback head in speculative inference)', `usage: ${USAGE}`);
    if (attemptsFlag !== undefined && !speculative) throw new HearthError('cli.usage', '--correction-attempts goes with --speculative (corrections are tried only by speculative inference)', `usage: ${USAGE}`);
    // A model behind an OpenAI-compatible server (or a GGUF file, or a replay cache) instead of a checkpoint loaded here.
    const remote = ['base-url', 'gguf', 'cache'].some((k) => stringFlag(args, k) !== undefined);
    if (remote && stringFlag(args, 'checkpoint') !== undefined) {
      throw new HearthError('cli.usage', '--checkpoint and --base-url (or --gguf, --cache) name two models', 'give one: --checkpoint DIR evaluates it in process; --base-url URL over HTTP (--settings DIR/e2cl.json for its prompts)');
    }
    if (!remote && stringFlag(args, 'settings') !== undefined) throw new HearthError('cli.usage', '--settings goes with --base-url (a checkpoint\'s own e2cl.json is read beside it)', `usage: ${USAGE}`);
    const resolved = remote ? undefined : resolveCheckpointDir(requireFlag(args, 'checkpoint', USAGE));
    const dir = resolved?.dir;
    const settingsDir = stringFlag(args, 'settings');
    if (settingsDir !== undefined && ![settingsDir, dirname(settingsDir)].some((d) => existsSync(join(d, 'e2cl.json')))) {
      throw new HearthError('cli.usage', `--settings ${settingsDir}: no e2cl.json there or one level up`, 'give the checkpoint (or run) directory the served model was trained in, or leave --settings out for the quick recipe\'s prompts');
    }
    const split = stringFlag(args, 'split') ?? 'unseen';
    if (split !== 'seen' && split !== 'unseen' && split !== 'train') throw new HearthError('cli.usage', `--split must be seen, unseen or train, got "${split}"`);
    const seed = intFlag(args, 'seed', 0);
    const count = intFlag(args, 'count', 50, 1);
    const quiet = boolFlag(args, 'quiet') || boolFlag(args, 'json');
    backendFlag(args, BACKENDS);
    const settingsOf = dir ?? (settingsDir !== undefined && /\.json$/i.test(settingsDir) ? dirname(settingsDir) : settingsDir);
    const s = settingsOf !== undefined ? settingsFor(settingsOf) : inferenceSettings(QUICK.recipe);
    const logFlag = stringFlag(args, 'log');
    if (logFlag !== undefined) checkOutputDir(logFlag, '--log');
    const set = await loadTaskSet(stringFlag(args, 'tasks') ?? 'generated', stringFlag(args, 'data'));
    // Like `hearth e2cl`: tasks an expert can solve with NL actions, unless --all-tasks.
    const tasks = boolFlag(args, 'all-tasks') ? withExperts(set.list({ split, seed, count }), true, seed).tasks
      : solvableTasks(set, split, seed, count, s.maxExpertSteps ?? Infinity).tasks;
    let model: { lm: LanguageModel; dispose?: () => unknown };
    if (resolved && dir) {
      model = await localProvider({ config: {}, lr: 0, backend: stringFlag(args, 'backend') }).load(dir, 'eval');
      process.stderr.write(`${describeCheckpoint(resolved)}\ncompute: ${backendDetail()}\n`);
    } else {
      const lm = await openLanguageModel(modelSourceFromArgs(args));
      model = { lm, dispose: () => lm.dispose?.() };
      process.stderr.write(`model: ${lm.name} (${lm.backend})${stringFlag(args, 'cache') ? ` through the cache ${stringFlag(args, 'cache')}` : ''}\n`);
    }
    const jobs: EvalJob[] = tasks.map((task) => ({ split: split === 'seen' ? 'seen' : 'unseen', speculative, task }));
    const logDir = stringFlag(args, 'log');
    const sink = logDir
      ? episodeLogSink(resolve(logDir), (i) => jobs[i].task, () => ({ name: model.lm.name, ...(dir ? { checkpoint: dir } : { baseUrl: stringFlag(args, 'base-url') }), speculative }), seed, undefined,
        (i) => `${String(i).padStart(4, '0')}-${safeName(jobs[i].task.id)}.jsonl`)
      : undefined;
    const correctionAttempts = attemptsFlag ?? s.correctionAttempts;
    const replanOnFailure = boolFlag(args, 'replan-on-failure') || s.replanOnFailure === true;
    const eps = await evaluateJobs(model.lm, jobs, {
      prompt: s.prompt, actionTokens: s.actionTokens, feedbackTokens: s.feedbackTokens, maxSteps: s.maxSteps, seed,
      concurrency: 64, maxBatch: 64, correctionGuard: s.correctionGuard,
      correctionAttempts, replanOnFailure, detail: s.detail, oracleGate,
    }, episodeFactory, `eval ${split}`, quiet, sink ? (_j, e) => sink.onEvent(e) : undefined);
    await model.dispose?.();
    const summary = summarise(eps, { seed, resamples: 1000 });
    const hazardsByRule: Record<string, number> = {};
    for (const e of eps) for (const r of new Set(e.hazards ?? [])) hazardsByRule[r] = (hazardsByRule[r] ?? 0) + 1;
    const json = {
      ...(dir ? { checkpoint: dir } : { model: model.lm.name, ...(stringFlag(args, 'base-url') ? { baseUrl: stringFlag(args, 'base-url') } : {}) }), tasks: set.name, split, seed, count: tasks.length, speculative,
      ...(correctionAttempts ? { correctionAttempts } : {}), ...(replanOnFailure ? { replanOnFailure } : {}), ...(oracleGate ? { oracleGate } : {}), ...summaryJson(summary), hazardsByRule,
    };
    if (boolFlag(args, 'json')) {
      process.stdout.write(`${JSON.stringify(json)}\n`);
    } else {
      process.stdout.write(`${dir ?? model.lm.name} on ${tasks.length} ${split} tasks${speculative ? ' with speculative inference' : ''}:\n`);
      for (const c of COLUMNS) process.stdout.write(`  ${c.head.padEnd(12)} ${cell(summary[c.key] as never, c.rate)}\n`);
    }
    return 0;
  },
};
