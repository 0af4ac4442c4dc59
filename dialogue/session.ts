/**
 * One interactive episode: a simulated user and an agent take turns over rounds in one house
 * (the state carries over). Per round: the user's move and instruction, up to `maxQuestions`
 * agent questions with the user's answers, the agent's plan (executed action by action in the
 * simulator), the judgement from the simulator state, and the user's reaction. Written to an
 * episode log (utterance records, steps with their round, the user in the header) when asked.
 */
import { Episode, type StepOutcome } from '../env/episode.ts';
import { EpisodeLogWriter } from '../env/episode-log.ts';
import { isQuestion, parsePlan, type Instruction } from './instructions.ts';
import { judgeRound, type RoundJudgement } from './judge.ts';
import type { Utterance } from './schemas.ts';
import { dialogueTask } from './scene.ts';
import { USER_VERSION, type SimulatedUser } from './user.ts';

/** What the agent sees when it speaks: the transcript so far and the current observation. */
export interface DialogueView {
  round: number;
  transcript: readonly Utterance[];
  /** The simulator's observation text (where the character is, what is near). */
  observation: string;
  /** Questions already asked this round. */
  questionsAsked: number;
  /** The live state, for symbolic agents (a language-model agent reads only the transcript). */
  episode: Episode;
}

export type DialogueAgent = (view: DialogueView) => string | Promise<string>;

export interface RoundRecord {
  round: number;
  instruction: Instruction;
  questions: number;
  plan: string;
  /** Executed actions of the plan and how many succeeded. */
  actions: number;
  okActions: number;
  judgement: RoundJudgement;
}

export interface DialogueResult {
  transcript: Utterance[];
  rounds: RoundRecord[];
}

export interface DialogueOptions {
  /** Questions the agent may ask per round before it must plan (default 2). */
  maxQuestions?: number;
  /** Actions of a plan that are executed at most (default 12). */
  maxActions?: number;
  /** Write an episode log here. */
  logPath?: string;
  /** Described in the log header. */
  agentInfo?: Record<string, unknown>;
  /** Seed of the episode's grounding (default the user's seed). */
  seed?: number;
  /** Called after each round (progress). */
  onRound?(r: RoundRecord): void;
}

export async function runDialogue(user: SimulatedUser, agent: DialogueAgent, options: DialogueOptions = {}): Promise<DialogueResult> {
  const rounds = user.tasks.length;
  const maxActions = options.maxActions ?? 12;
  const episode = new Episode(dialogueTask(), { maxSteps: rounds * maxActions + 1, seed: options.seed ?? user.options.seed });
  episode.reset();
  const log = options.logPath ? EpisodeLogWriter.forEpisode(options.logPath, episode, {
    createdAt: false, agent: options.agentInfo,
    user: { version: USER_VERSION, seed: user.options.seed, profile: user.profile, instructions: user.tasks },
  }) : undefined;
  const transcript: Utterance[] = [];
  const say = (u: Utterance, extra: Record<string, unknown> = {}): void => {
    transcript.push(u);
    log?.utterance({ ...u, ...extra });
  };
  const out: RoundRecord[] = [];
  try {
    const opening = user.opening();
    if (opening) say(opening);
    for (let r = 1; r <= rounds; r++) {
      user.prepare(r, episode.graph);
      say(user.instruction(r));
      let questions = 0;
      let reply = '';
      for (;;) {
        reply = (await agent({ round: r, transcript, observation: episode.view().observation, questionsAsked: questions, episode })).trim();
        if (!isQuestion(reply) || questions >= (options.maxQuestions ?? 2)) break;
        questions++;
        say({ round: r, speaker: 'agent', kind: 'question', text: reply });
        say(user.answer(r, reply));
      }
      // A question past the limit (or nothing) is a plan with no actions.
      const plan = isQuestion(reply) || reply === '' ? '' : reply;
      say({ round: r, speaker: 'agent', kind: 'plan', text: plan === '' ? '(no plan)' : plan });
      const before = episode.graph.clone();
      const steps: StepOutcome[] = [];
      for (const action of parsePlan(plan).slice(0, maxActions)) {
        if (episode.finished) break;
        const s = episode.step(action);
        steps.push(s);
        log?.step(s, r);
      }
      const judgement = judgeRound(user.instructionOf(r), user.prefs, before, episode.graph, steps);
      say(user.react(r, judgement), { judgement: { ...judgement } });
      const rec: RoundRecord = {
        round: r, instruction: user.instructionOf(r), questions, plan, actions: steps.length,
        okActions: steps.filter((s) => s.ok).length, judgement,
      };
      out.push(rec);
      options.onRound?.(rec);
    }
    log?.end({ steps: episode.history.length, success: out.every((x) => x.judgement.satisfied), terminated: true, truncated: false });
  } finally {
    log?.close();
  }
  return { transcript, rounds: out };
}
