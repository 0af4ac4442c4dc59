/**
 * E2CL's supervised records (spec/e2cl.md §4): planning (behaviour cloning), feedback
 * (self-feedback) and correction (self-correction), all `{input, output}` pairs for one
 * model. `kind` and `taskId` travel with a record inside the harness; the exports drop them.
 */
import {
  type HistoryStep, type PromptOptions, type PromptTask, END_ACTION, correctionPrompt, feedbackPrompt, planningPrompt,
} from './prompts.ts';

export type RecordKind = 'planning' | 'feedback' | 'correction';

export interface E2CLRecord {
  input: string;
  output: string;
  kind: RecordKind;
  /** Where the record came from: `expert`, `teacher-guided`, `teacher-free`. */
  source: string;
  taskId: string;
}

export interface RecordTask extends PromptTask {
  id: string;
}

/** The authors drop inputs longer than 1024 whitespace-separated words. */
export const MAX_INPUT_WORDS = 1024;

export function withinWordLimit(r: { input: string }): boolean {
  let words = 0;
  for (const w of r.input.split(/\s+/)) if (w) words++;
  return words <= MAX_INPUT_WORDS;
}

/**
 * Behaviour-cloning records from an expert trajectory (its actions and the observations they
 * produced): one per step, plus `END` after the last step.
 */
export function planningRecords(task: RecordTask, expert: readonly HistoryStep[], opts: PromptOptions = {},
  source = 'expert'): E2CLRecord[] {
  const out: E2CLRecord[] = [];
  for (let k = 0; k <= expert.length; k++) out.push(planningRecord(task, expert.slice(0, k), k < expert.length ? expert[k].action : END_ACTION, source, opts));
  return out;
}

/** One planning record: the planning prompt after `history`, with `target` as the next action. */
export function planningRecord(task: RecordTask, history: readonly HistoryStep[], target: string, source: string, opts: PromptOptions = {}): E2CLRecord {
  return { input: planningPrompt(task, history, opts), output: target, kind: 'planning', source, taskId: task.id };
}

export function feedbackRecord(task: RecordTask, history: readonly HistoryStep[], action: string, target: string,
  source: string, opts: PromptOptions = {}): E2CLRecord {
  return { input: feedbackPrompt(task, history, action, opts), output: target, kind: 'feedback', source, taskId: task.id };
}

export function correctionRecord(task: RecordTask, history: readonly HistoryStep[], wrongAction: string,
  feedback: string | undefined, corrected: string, source: string, opts: PromptOptions = {}): E2CLRecord {
  return {
    input: correctionPrompt(task, history, wrongAction, feedback, opts), output: corrected,
    kind: 'correction', source, taskId: task.id,
  };
}

/** Counts per kind and per label, for the report. */
export function recordStats(records: readonly E2CLRecord[]): Record<string, number> {
  const s: Record<string, number> = { total: records.length, planning: 0, feedback: 0, correction: 0, feedbackTrue: 0, feedbackError: 0, feedbackFinished: 0 };
  for (const r of records) {
    s[r.kind]++;
    if (r.kind === 'feedback') {
      if (r.output === 'True') s.feedbackTrue++;
      else if (r.output.startsWith('Error')) s.feedbackError++;
      else s.feedbackFinished++;
    }
  }
  return s;
}
