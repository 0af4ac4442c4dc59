/**
 * `hearth e2cl diagnose` (issue 13 item 1) on a run directory built from real generated tasks
 * and the real simulator: episodes are recorded by executing scripted actions (a proposal a
 * correction replaced, a gate that fired on a good action, an unknown object the gate let
 * through), then the diagnosis must replay them and count exactly what was scripted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Episode } from '../../env/episode.ts';
import { GeneratedTaskSet } from '../../env/tasks/generated/index.ts';
import type { Task } from '../../env/task.ts';
import type { EvalEpisode } from '../../exploration/pipeline.ts';
import { nlExpert } from '../../exploration/task-source.ts';
import { accuracy } from '../../suites/diagnose/analyse.ts';
import { diagnoseRunDir, diagnosisChart, diagnosisMarkdown } from '../../suites/diagnose/index.ts';
import { affordanceRule, parseFeedbackPrompt, promptRule } from '../../suites/diagnose/rules.ts';
import { feedbackPrompt } from '../../alignment/datasets/prompts.ts';
import { runDiagnose } from '../../cli/commands/e2cl-diagnose.ts';
import { HearthError } from '../../env/errors.ts';

const SEED = 42;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

interface Scripted { action: string; proposed?: string; predicted: string }

/** Execute the scripted steps in the real simulator and record them as the pipeline does. */
function record(task: Task, speculative: boolean, steps: Scripted[]): EvalEpisode {
  const ep = new Episode(task, { seed: SEED, maxSteps: 26, lenient: true });
  ep.reset(SEED);
  let goal = { satisfied: 0, total: task.goal.length };
  const out: EvalEpisode['steps'] = [];
  for (const s of steps) {
    const o = ep.step(s.action);
    goal = o.goal;
    const corrected = s.proposed !== undefined && s.proposed !== s.action;
    out.push({ action: s.action, ok: o.ok, predictedFeedback: speculative ? s.predicted : null, corrected, proposed: speculative ? (s.proposed ?? s.action) : undefined });
  }
  return { taskId: task.id, split: 'unseen', speculative, success: goal.satisfied === goal.total, goal, steps: out, expert: task.expertNL, reason: 'end', calls: 0 };
}

/** The first unseen tasks whose expert program starts `Walk to X`, `Grab X`, with different objects. */
function pickTasks(): [Task, Task] {
  const found: Task[] = [];
  for (const t of new GeneratedTaskSet().list({ split: 'unseen', seed: SEED, count: 40 })) {
    const e = nlExpert(t, SEED);
    if (!('actions' in e) || e.actions.length < 3 || !e.actions[0].startsWith('Walk to ') || !e.actions[1].startsWith('Grab ')) continue;
    if (e.actions[0].slice(8) !== e.actions[1].slice(5)) continue;
    const task = { ...t, expertNL: e.actions };
    if (found.length && found[0].expertNL!.some((a) => a.endsWith(e.actions[1].slice(5)))) continue;
    found.push(task);
    if (found.length === 2) return [found[0], found[1]];
  }
  throw new Error('no two suitable unseen tasks');
}

function makeRun(flipOk = false): { dir: string; a: Task; b: Task } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-diagnose-'));
  dirs.push(dir);
  const [a, b] = pickTasks();
  const ea = a.expertNL!, eb = b.expertNL!;
  const x = ea[1].slice(5), y = eb[1].slice(5);
  const plainA = record(a, false, ea.map((action) => ({ action, predicted: 'True' })));
  const plainB = record(b, false, eb.map((action) => ({ action, predicted: 'True' })));
  // A: the agent proposes to grab before walking; the gate fires; the correction walks there.
  const specA = record(a, true, [
    { proposed: `Grab ${x}`, action: ea[0], predicted: 'True' },
    ...ea.slice(1).map((action) => ({ action, predicted: 'True' })),
  ]);
  // B: walk; a good grab is replaced by the same walk again (gate fired on a good action);
  // then an unknown object the gate lets through.
  const specB = record(b, true, [
    { action: eb[0], predicted: 'True' },
    { proposed: `Grab ${y}`, action: eb[0], predicted: 'True' },
    { action: 'Grab spaceship', predicted: 'True' },
  ]);
  if (flipOk) specB.steps[2].ok = true;
  mkdirSync(join(dir, 'eval'), { recursive: true });
  mkdirSync(join(dir, 'datasets'), { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ format: 'hearth-run/1', command: 'e2cl', identity: { seed: SEED, recipe: { maxSteps: 26, prompt: {} }, data: { tasks: 'generated', dir: null, generator: 'v2' } } }));
  writeFileSync(join(dir, 'eval', 'm.json'), JSON.stringify([plainA, plainB, specA, specB]));
  // Training experts name task A's objects only: A is familiar, B novel.
  writeFileSync(join(dir, 'datasets', 'planning.records.jsonl'), ea.map((o) => JSON.stringify({ input: '', output: o })).join('\n') + '\n');
  return { dir, a, b };
}

describe('diagnosis of a run directory', () => {
  it('replays every episode and counts gate, corrections, failures and groups as scripted', () => {
    const { dir, a, b } = makeRun();
    const d = diagnoseRunDir(dir).diagnosis;
    expect(d.replay).toEqual({ episodes: 4, steps: 2 * a.expertNL!.length + b.expertNL!.length + 3, mismatches: 0 });
    const g = d.gate.find((r) => r.model === 'm' && r.split === 'unseen')!;
    // A: 1 true positive (grab before walking) + the rest true negatives; B: tn, fp, fn.
    expect(g.proposals).toEqual({ n: a.expertNL!.length + 3, tp: 1, fp: 1, fn: 1, tn: a.expertNL!.length - 1 + 1 });
    expect(g.unknown).toBe(0);
    // Per executed action the corrected steps show their correction's `True`: no true positive there.
    expect(g.executed.tp).toBe(0);
    // The rules read the prompts: grabbing before walking is "not close", the spaceship is unmentioned, the good grab passes.
    expect(g.rules).toEqual({ n: g.proposals.n, tp: 2, fp: 0, fn: 0, tn: g.proposals.n - 2 });
    const c = d.corrections.find((r) => r.model === 'm')!;
    expect(c).toMatchObject({ corrections: 2, correctionsOk: 2, repeatPrevious: 1, walks: 2, replacedGood: 1, lostSuccesses: 1, gainedSuccesses: 0 });
    const spec = d.readability.find((r) => r.mode === 'speculative')!;
    expect(spec).toMatchObject({ failed: 1, prompt: 1, affordance: 0, hidden: 0 });
    expect(d.failures.filter((f) => f.mode === 'speculative')).toEqual([
      { model: 'm', split: 'unseen', mode: 'speculative', code: 'unknown_object', cause: 'unknown_object: exists', readable: 'prompt', count: 1 },
    ]);
    expect(d.familiarity).toBe(true);
    const groups = Object.fromEntries(d.groups.filter((r) => r.mode === 'plain').map((r) => [r.group, r.episodes]));
    expect(groups).toEqual({ familiar: 1, novel: 1 });
    const md = diagnosisMarkdown(d);
    expect(md).toMatch(/\| m \| unseen \| speculative \| unknown_object: exists \| prompt \| 1 \|/);
    expect(diagnosisChart(d)).toMatch(/^<svg[\s\S]*feedback acc\. \(prompt-only rules\)/);
    expect(accuracy(g.rules)).toBe(1);
  });

  it('reads the gate from the proposal\'s own recorded feedback, and counts repeating corrections a guard refused', () => {
    const { dir } = makeRun();
    const path = join(dir, 'eval', 'm.json');
    const eps = JSON.parse(readFileSync(path, 'utf8')) as EvalEpisode[];
    // Episode A, step 2: the executed action's feedback says True, the proposal's said Error and its correction was refused.
    Object.assign(eps[2].steps[1], { proposalFeedback: 'Error', repeats: 'previous', refused: true });
    writeFileSync(path, JSON.stringify(eps));
    const d = diagnoseRunDir(dir).diagnosis;
    expect(d.gate[0].proposals).toMatchObject({ tp: 1, fp: 2, fn: 1 });
    expect(d.corrections[0]).toMatchObject({ corrections: 2, proposedRepeats: 1, refused: 1 });
  });

  it('counts a recorded outcome the replay does not reproduce', () => {
    const { dir } = makeRun(true);
    expect(diagnoseRunDir(dir).diagnosis.replay.mismatches).toBe(1);
  });

  it('the CLI writes diagnosis.md and .svg, prints JSON, and refuses a directory that is not a run', async () => {
    const { dir } = makeRun();
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => { writes.push(String(s)); return true; }) as typeof process.stdout.write;
    try { expect(await runDiagnose([dir, '--json', '--quiet'])).toBe(0); } finally { process.stdout.write = orig; }
    const j = JSON.parse(writes.join('')) as { gate: Array<{ proposals: { tp: number; recall: number } }> };
    expect(j.gate[0].proposals).toMatchObject({ tp: 1, recall: 0.5 });
    expect(readFileSync(join(dir, 'diagnosis.md'), 'utf8')).toMatch(/^# Diagnosis of /);
    expect(readFileSync(join(dir, 'diagnosis.svg'), 'utf8')).toMatch(/^<svg/);
    const empty = mkdtempSync(join(tmpdir(), 'hearth-notrun-'));
    dirs.push(empty);
    await expect(runDiagnose([empty])).rejects.toThrow(HearthError);
    await expect(runDiagnose([empty])).rejects.toThrow(/no run\.json/);
    await expect(runDiagnose([])).rejects.toThrow(/missing the run directory/);
  });
});

describe('prompt-only rules', () => {
  const task = { title: 'Put the cup in the fridge', description: 'Put the cup (it is on the table in the kitchen) in the fridge.' };
  const rule = (history: Array<{ action: string; observation: string }>, action: string) => promptRule(parseFeedbackPrompt(feedbackPrompt(task, history, action)));
  it('flags what the prompt shows and passes what it allows', () => {
    expect(rule([], 'Fetch cup')).toBe('parse');
    expect(rule([], 'Walk to spaceship')).toBe('unmentioned');
    expect(rule([], 'Walk to cup')).toBeNull();
    expect(rule([], 'Grab cup')).toBe('not-close');
    const atCup = [{ action: 'Walk to cup', observation: 'cup is CLEAN, table. ' }];
    expect(rule(atCup, 'Grab cup')).toBeNull();
    const atFridge = [...atCup, { action: 'Grab cup', observation: 'cup is CLEAN. You have cup. ' }, { action: 'Walk to fridge', observation: 'fridge is OPEN and OFF. You have cup. ' }];
    expect(rule(atFridge, 'Open fridge')).toBe('already');
    expect(rule(atFridge, 'Close fridge')).toBeNull();
    expect(rule(atFridge, 'Put cup in fridge')).toBeNull();
    const emptyHanded = [...atCup, { action: 'Walk to fridge', observation: 'fridge is CLOSED and OFF. ' }];
    expect(rule(emptyHanded, 'Put cup in fridge')).toBe('not-held');
  });
  it('the affordance check reads the catalogue', () => {
    expect(affordanceRule('Switch on bed')).toBe(true);
    expect(affordanceRule('Switch on tv')).toBe(false);
    expect(affordanceRule('Grab sofa')).toBe(true);
    expect(affordanceRule('Walk to sofa')).toBeNull();
    expect(affordanceRule('Switch on spaceship')).toBeNull();
  });
});
