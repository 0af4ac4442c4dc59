/**
 * Correctors for teacher-free exploration (issue 5 item 4): given the state before a failed
 * step, propose replacement actions. The caller verifies every candidate by executing it in
 * a fork of the state; only a candidate that executes becomes a correction record.
 * - `planner` (default): the teacher's next action from the agent's actual state;
 * - `llm`: any LanguageModel (e.g. an OpenAI-compatible endpoint) with the prompt of the
 *   authors' `gen_correction.py` (spec/e2cl.md §3), output cut at the first newline;
 * - `sample`: the agent itself, K sampled outputs of its correction prompt.
 */
import type { LanguageModel } from '../agent/language-model.ts';
import { ACTION_LIST } from '../env/actions.ts';
import type { Task } from '../env/task.ts';
import { type HistoryStep, type PromptOptions, cleanOutput, correctionPrompt, promptBody } from '../alignment/datasets/prompts.ts';
import type { EpisodeLike } from './env-adapter.ts';
import type { Decode } from './policy.ts';

export interface CorrectionContext {
  task: Task;
  /** The prompt history before the failed step. */
  history: readonly HistoryStep[];
  wrongAction: string;
  /** The environment feedback of the failure (`Error, ...`). */
  feedback: string;
  /** A fresh fork at the state before the failed step. */
  fork: () => EpisodeLike;
  decode: Decode;
}

export interface Corrector {
  readonly name: string;
  candidates(ctx: CorrectionContext): Promise<string[]>;
}

/** What the teacher must offer (exploration/teacher's planner, adapted). */
export interface TeacherPlanner {
  /** The next NL action from the episode's current state toward the task's goal; null if none (done or unreachable). */
  nextAction(episode: EpisodeLike, task: Task): string | null;
}

export function plannerCorrector(planner: TeacherPlanner): Corrector {
  return {
    name: 'planner',
    async candidates(ctx) {
      const a = planner.nextAction(ctx.fork(), ctx.task);
      return a ? [a] : [];
    },
  };
}

export function sampleCorrector(k: number, temperature: number, seed: number, prompt: PromptOptions = {}): Corrector {
  return {
    name: 'sample',
    async candidates(ctx) {
      const p = correctionPrompt(ctx.task, ctx.history, ctx.wrongAction, ctx.feedback, prompt);
      const outs = await Promise.all(Array.from({ length: k }, (_, i) => ctx.decode(p, { maxTokens: 16, stop: ['\n'], temperature, seed: seed + i })));
      return [...new Set(outs.map(cleanOutput).filter((a) => a && a !== ctx.wrongAction))];
    },
  };
}

/** The authors' replanner prompt (spec §3). */
export function llmCorrectionPrompt(task: Task, history: readonly HistoryStep[], wrongAction: string): string {
  const objects = [...new Set(task.scene.nodes.map((n) => n.class_name))].sort().join(', ');
  const actions = ACTION_LIST.map((a) => a.name).join(', ');
  const env = `In the environment, all available objects are ${objects}. And all executable action are ${actions}. When generating the plans. Robot agent only can execute these actions and interact with available objects.`;
  const body = promptBody(task, history);
  return `You are a replanner. Given the original plan, you are expected to generate the new plan according to the feedback. ${env}${body}step${history.length + 1}: ${wrongAction}\n A corrective step would be`;
}

export function llmCorrector(model: LanguageModel, options: { maxTokens?: number } = {}): Corrector {
  return {
    name: 'llm',
    async candidates(ctx) {
      const [out] = await model.generate([llmCorrectionPrompt(ctx.task, ctx.history, ctx.wrongAction)], { maxTokens: options.maxTokens ?? 24, stop: ['\n'] });
      const a = cleanOutput((out ?? '').replace(/^[:\s]+/, ''));
      return a ? [a] : [];
    },
  };
}
