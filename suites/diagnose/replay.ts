/**
 * Replaying a run's evaluation episodes in the simulator (issue 13 item 1). A run stores per
 * step only the executed action, whether it ran, the predicted feedback and the proposal;
 * replaying the actions in a fresh episode of the same task and seed gives back everything
 * else: the failure (code, predicate), the observations, hence the exact prompts the agent
 * had, and, for a proposal that a correction replaced, what the proposal itself would have
 * done (executed in a copy of the state before the step). A replay that disagrees with the
 * recorded outcome is counted (`mismatches`), never hidden.
 */
import type { PromptOptions } from '../../alignment/datasets/prompts.ts';
import { feedbackPrompt } from '../../alignment/datasets/prompts.ts';
import type { Task } from '../../env/task.ts';
import { type EpisodeFactory, type StepOutcomeLike, tryInFork } from '../../exploration/env-adapter.ts';
import type { EvalEpisode } from '../../exploration/pipeline.ts';

export interface FailureInfo {
  code: string;
  predicate: string;
  message: string;
}

export interface ReplayedAction {
  action: string;
  ok: boolean;
  failure: FailureInfo | null;
  /** The feedback prompt for this action at this step (what a feedback head, or the rules, read). */
  prompt: string;
}

export interface ReplayedStep {
  executed: ReplayedAction;
  /** The proposal before speculative inference (= executed when not replaced); null when the run did not record it. */
  proposal: ReplayedAction | null;
  /** The model predicted `Error` for the proposal (the gate fired); null outside speculative inference or when unknown. */
  gate: boolean | null;
  corrected: boolean;
  /** Recorded outcome of the executed action (the replay's must agree). */
  recordedOk: boolean;
}

export interface ReplayedEpisode {
  episode: EvalEpisode;
  task: Task;
  steps: ReplayedStep[];
  mismatches: number;
}

function failureOf(o: StepOutcomeLike): FailureInfo | null {
  if (o.ok) return null;
  const f = o.failure as { code?: string; predicate?: string; message: string } | null | undefined;
  return { code: f?.code ?? 'unknown', predicate: f?.predicate ?? '', message: f?.message ?? '' };
}

const predictsError = (f: string | null | undefined): boolean => (f ?? '').includes('Error');

export function replayEpisode(ep: EvalEpisode, task: Task, options: { factory: EpisodeFactory; seed: number; maxSteps: number; prompt: PromptOptions }): ReplayedEpisode {
  const { factory, seed, maxSteps, prompt } = options;
  const env = factory(task, { seed, maxSteps });
  env.reset(seed);
  const history: Array<{ action: string; observation: string }> = [];
  const steps: ReplayedStep[] = [];
  let mismatches = 0;
  for (const s of ep.steps) {
    const promptFor = (a: string): string => feedbackPrompt(task, history, a, prompt);
    const proposedText = s.corrected ? s.proposed : s.action;
    let proposal: ReplayedAction | null = null;
    if (proposedText !== undefined && proposedText !== s.action) {
      const o = tryInFork(factory, task, { seed, maxSteps }, history.map((h) => h.action), proposedText);
      proposal = { action: proposedText, ok: o.ok, failure: failureOf(o), prompt: promptFor(proposedText) };
    }
    const execPrompt = promptFor(s.action);
    const out = env.step(s.action);
    const executed: ReplayedAction = { action: s.action, ok: out.ok, failure: failureOf(out), prompt: execPrompt };
    if (proposedText === s.action) proposal = executed;
    if (out.ok !== s.ok) mismatches++;
    // The gate saw the proposal's feedback: when a correction was used its feedback is the
    // correction's (not Error), and the proposal's was Error; otherwise it is the proposal's.
    // Runs that record the proposal's own predicted feedback (`proposalFeedback`) say it directly.
    const gate = !ep.speculative ? null : typeof s.proposalFeedback === 'string' ? predictsError(s.proposalFeedback)
      : s.corrected ? true : s.predictedFeedback === undefined || s.predictedFeedback === null ? null : predictsError(s.predictedFeedback);
    steps.push({ executed, proposal, gate, corrected: s.corrected ?? false, recordedOk: s.ok });
    history.push({ action: s.action, observation: out.observation });
  }
  return { episode: ep, task, steps, mismatches };
}
