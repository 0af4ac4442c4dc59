/**
 * Reading an EAI outputs file and rendering scorings: the one-line errors a user can cause
 * (missing, non-UTF-8, huge, non-JSON, empty, malformed or unknown records) and the text table.
 */
import { statSync } from 'node:fs';
import { HearthError } from '../../env/errors.ts';
import { parseJSONText } from '../../env/load.ts';
import { readText } from '../../env/text.ts';
import type { EaiData } from './data.ts';
import { checkOutputs, type Difference, type Evaluation, type OutputRecord } from './evaluate.ts';

/** Outputs files beyond this are refused (EAI's full set is ~338 outputs, well under 1 MB per model). */
export const MAX_OUTPUTS_BYTES = 64 * 1024 * 1024;

/** The records of an outputs file; identifiers are checked against `data` when given. */
export function readOutputs(file: string, data: EaiData | null): OutputRecord[] {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    size = -1; // readText names a missing or unreadable file
  }
  if (size > MAX_OUTPUTS_BYTES) {
    throw new HearthError('eai.outputs', `${file}: ${(size / 1048576).toFixed(0)} MB is too large for an EAI outputs file (limit ${MAX_OUTPUTS_BYTES / 1048576} MB)`, 'pass the JSON list of {identifier, llm_output} that EAI\'s generate step expects');
  }
  const text = readText(file, 'EAI outputs file');
  if (text.trim() === '') throw new HearthError('eai.outputs', `${file}: the file is empty`, 'write a JSON list of {identifier, llm_output}');
  return checkOutputs(parseJSONText(text, file), file, data);
}

const pct = (x: number | null) => (x === null ? 'n/a' : String(x));

export function renderText(file: string, ev: Evaluation, diffs: Difference[] | null): string {
  const s = ev.summary;
  const counts: Record<string, number> = {};
  for (const t of Object.values(ev.tasks)) counts[t.outcome] = (counts[t.outcome] ?? 0) + 1;
  const lines = [
    `EAI action sequencing, ${ev.scoring} scoring: ${file} (${Object.keys(ev.tasks).length} tasks)`,
    `  task success ${pct(s.goal_evaluation.task_success_rate)}  execution success ${pct(s.trajectory_evaluation.execution_success_rate)}`,
    `  goals: state ${pct(s.goal_evaluation.state_goal)}  relation ${pct(s.goal_evaluation.relation_goal)}  action ${pct(s.goal_evaluation.action_goal)}  total ${pct(s.goal_evaluation.total_goal)}`,
    `  grammar errors: parsing ${pct(s.trajectory_evaluation.grammar_error.parsing)}  hallucination ${pct(s.trajectory_evaluation.grammar_error.hallucination)}  arguments ${pct(s.trajectory_evaluation.grammar_error.predicate_argument_number)}`,
    `  runtime errors: wrong order ${pct(s.trajectory_evaluation.runtime_error.wrong_order)}  missing step ${pct(s.trajectory_evaluation.runtime_error.missing_step)}  affordance ${pct(s.trajectory_evaluation.runtime_error.affordance_error)}  additional step ${pct(s.trajectory_evaluation.runtime_error.additional_step)}`,
    `  outcomes: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    ...ev.notes.map((n) => `  note: ${n}`),
  ];
  if (diffs) {
    lines.push(`  ${diffs.length} task(s) with a different verdict under the other scoring:`);
    for (const d of diffs) {
      lines.push(`    ${d.id}: official ${d.official.outcome}/${d.official.success} → corrected ${d.corrected.outcome}/${d.corrected.success}: ${d.causes.join('; ')}`);
    }
  }
  return lines.join('\n');
}
