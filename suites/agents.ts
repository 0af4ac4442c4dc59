/**
 * The agents a suite can name, built from their spec:
 *
 * - `planner`, `random`, `scripted`: synchronous step functions over an env `Episode` (the
 *   same agents as `hearth run`): the planner replans from the episode's state every step and
 *   says END when the goal holds (or when it is stuck); the random agent draws NL actions
 *   over the scene's classes with a seed of its own per (task, seed, repetition); the
 *   scripted agent plays its actions, then END.
 * - `checkpoint`, `gguf`, `openai`: a `LanguageModel` (agent/backends/open-model.ts) with the
 *   E2CL policy's prompts and token budgets. A checkpoint is prompted the way it was trained
 *   (its `e2cl.json`), unless the suite says otherwise.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveCheckpointDir } from '../agent/checkpoint.ts';
import type { LanguageModel } from '../agent/language-model.ts';
import { mixSeed } from '../alignment/datasets/rng.ts';
import type { PromptOptions } from '../alignment/datasets/prompts.ts';
import type { Episode } from '../env/episode.ts';
import { HearthError } from '../env/errors.ts';
import { NL_TEMPLATES } from '../env/nl.ts';
import { Prng } from '../env/prng.ts';
import type { Task } from '../env/task.ts';
import { readText } from '../env/text.ts';
import type { PolicyConfig } from '../exploration/policy.ts';
import { QUICK } from '../exploration/recipes.ts';
import { nextActionForEpisode } from '../exploration/teacher/episode-teacher.ts';
import type { AgentSpec, Budgets, LmAgent, ScriptedAgent } from './spec.ts';

/** A non-LM agent for one episode: the next action (NL, or `END`). */
export interface SyncAgent {
  act(episode: Episode): string;
  /** The whole plan from the initial state (one-shot protocol). */
  plan(episode: Episode, maxSteps: number): string[];
}

function scriptedActions(a: ScriptedAgent, task: Task): string[] {
  if (a.byTask && Object.hasOwn(a.byTask, task.id)) return a.byTask[task.id];
  if (a.actions) return a.actions;
  if (a.file) {
    const text = readText(a.file, `actions file of agent "${a.name}"`);
    return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  }
  return [];
}

export function syncAgent(a: AgentSpec, task: Task, seed: number, repetition: number): SyncAgent {
  switch (a.kind) {
    case 'planner': {
      const limits = { timeLimitMs: a.planTimeMs ?? 1000 };
      return {
        act(episode) {
          const r = nextActionForEpisode(episode, { limits });
          return r.kind === 'act' ? r.step.nl : 'END';
        },
        plan(episode) {
          const r = nextActionForEpisode(episode, { limits });
          return r.kind === 'act' ? r.plan.steps.map((s) => s.nl) : [];
        },
      };
    }
    case 'random': {
      const rng = new Prng(mixSeed(seed, 'random-agent', repetition, task.id));
      const names = [...new Set(task.scene.nodes.map((n) => n.class_name))].filter((c) => c !== 'character').map((c) => c.replace(/_/g, ' '));
      const templates = NL_TEMPLATES.filter((t) => t.action !== 'RELEASE');
      const draw = (): string => rng.pick(templates).template.replace(/\{\}/g, () => rng.pick(names)).replace(/^./, (c) => c.toUpperCase());
      return { act: draw, plan: (_e, n) => Array.from({ length: n }, draw) };
    }
    case 'scripted': {
      const actions = scriptedActions(a, task);
      let i = 0;
      return { act: () => (i < actions.length ? actions[i++] : 'END'), plan: () => [...actions] };
    }
    default:
      throw new Error(`agent kind ${a.kind} is not a synchronous agent`);
  }
}

/** What a checkpoint was trained with (`e2cl.json` beside it or one level up), if anything. */
function checkpointSettings(dir: string): { prompt?: PromptOptions; actionTokens?: number; feedbackTokens?: number } {
  for (const d of [dir, dirname(dir), dirname(dirname(dir))]) {
    const f = join(d, 'e2cl.json');
    if (!existsSync(f)) continue;
    let json: unknown;
    try {
      json = JSON.parse(readText(f, 'settings file'));
    } catch (e) {
      if (e instanceof HearthError) throw e;
      throw new HearthError('suite.checkpoint', `${f} is not valid JSON (${(e as Error).message})`, 'restore it, or delete it to use the quick recipe\'s prompts');
    }
    const s = (json ?? {}) as Record<string, unknown>;
    const out: { prompt?: PromptOptions; actionTokens?: number; feedbackTokens?: number } = {};
    if (s.prompt && typeof s.prompt === 'object') out.prompt = s.prompt as PromptOptions;
    if (Number.isInteger(s.actionTokens)) out.actionTokens = s.actionTokens as number;
    if (Number.isInteger(s.feedbackTokens)) out.feedbackTokens = s.feedbackTokens as number;
    return out;
  }
  return {};
}

export interface OpenedLm {
  lm: LanguageModel;
  policy: PolicyConfig;
  /** What the results say about the model (name, backend, checkpoint). */
  describe: Record<string, unknown>;
}

/** Open an LM agent's model and its policy (prompts, token budgets, sampling). */
export async function openLmAgent(a: LmAgent, budgets: Budgets, seed: number): Promise<OpenedLm> {
  const { openLanguageModel } = await import('../agent/backends/open-model.ts');
  let lm: LanguageModel;
  let trained: ReturnType<typeof checkpointSettings> = {};
  let where: string;
  if (a.kind === 'checkpoint') {
    const dir = resolveCheckpointDir(a.path).dir;
    trained = checkpointSettings(dir);
    lm = await openLanguageModel({ checkpoint: dir, backend: a.backend });
    where = dir;
  } else if (a.kind === 'gguf') {
    if (!existsSync(a.path)) throw new HearthError('suite.agent', `agent "${a.name}": GGUF file ${a.path} does not exist`, 'check "path"');
    lm = await openLanguageModel({ gguf: a.path });
    where = a.path;
  } else {
    const apiKey = a.apiKeyEnv ? process.env[a.apiKeyEnv] : undefined;
    if (a.apiKeyEnv && !apiKey) throw new HearthError('suite.agent', `agent "${a.name}": environment variable ${a.apiKeyEnv} (apiKeyEnv) is not set`, `export ${a.apiKeyEnv}=...`);
    const cache = a.cache !== undefined && a.cacheMode !== 'off' ? a.cache : undefined;
    lm = await openLanguageModel({
      baseUrl: a.baseUrl, model: a.model, api: a.api, apiKey, timeoutMs: budgets.requestTimeoutMs, retries: a.retries,
      promptsPerRequest: a.promptsPerRequest, cache, cacheMode: cache !== undefined ? (a.cacheMode === 'off' ? undefined : a.cacheMode) : undefined,
    });
    where = a.baseUrl;
  }
  const defaults = a.kind === 'checkpoint' ? QUICK.recipe : undefined;
  const prompt: PromptOptions = a.prompt ?? trained.prompt ?? defaults?.prompt ?? {};
  const actionTokens = budgets.maxTokens ?? trained.actionTokens ?? defaults?.actionTokens ?? 24;
  const feedbackTokens = budgets.feedbackTokens ?? trained.feedbackTokens ?? defaults?.feedbackTokens ?? 16;
  const sampling = a.temperature && a.temperature > 0 ? { temperature: a.temperature, seed } : {};
  return {
    lm,
    policy: {
      prompt,
      actionOptions: { maxTokens: actionTokens, stop: ['\n'], ...sampling },
      feedbackOptions: { maxTokens: feedbackTokens, stop: ['\n'], ...sampling },
    },
    describe: { name: lm.name, backend: lm.backend, source: where, speculative: a.speculative, prompt, actionTokens, feedbackTokens },
  };
}
