/**
 * EAI in suites (issue 18): a one-shot suite on the `eai` task set writes EAI's metric JSON
 * (both scorings: error-type rates, goal satisfaction by kind) per agent; the planner with
 * `eaiGoals` is 100% executable and goal-satisfying under corrected scoring; the outputs it
 * writes are EAI outputs files that `hearth eai evaluate` scores the same; the closed-loop
 * protocol runs the same tasks. Needs eai-eval's data (HEARTH_EAI_DATA) and the VirtualHome
 * folder (HEARTH_VH_DATA, default ../shared/virtualhome); skips with a message without them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLineErrors, hearth } from '../support/tiny-checkpoint.ts';

const EAI = process.env.HEARTH_EAI_DATA;
const VH = process.env.HEARTH_VH_DATA ?? resolve(import.meta.dirname, '../../../shared/virtualhome');
const HAVE = Boolean(EAI && existsSync(join(EAI, 'resources'))) && existsSync(join(VH, 'eai_resources'));
if (!HAVE) console.warn(`[hearth] EAI suite tests skipped: set HEARTH_EAI_DATA to eai-eval's virtualhome_eval folder (now ${EAI ?? 'unset'}) and have ${VH}/eai_resources`);
const maybe = HAVE ? describe : describe.skip;

interface Group { agent: string; tasks: number; corrected: Summary; official: Summary | null; outputs: string }
interface Summary {
  goal_evaluation: Record<string, number | null>;
  trajectory_evaluation: { execution_success_rate: number | null; grammar_error: Record<string, number | null>; runtime_error: Record<string, number | null> };
}

maybe('EAI task set in suites', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-eai-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const suite = (protocol: string, agents: unknown[]): string => {
    const f = join(dir, `${protocol}.json`);
    writeFileSync(f, JSON.stringify({ name: `eai-${protocol}`, tasks: { set: 'eai', data: VH, splits: ['seen', 'unseen'], count: 4 }, protocol, budgets: { maxSteps: 60 }, agents }));
    return f;
  };

  it('one-shot: eai.json per agent; the EAI-goal planner is 100% executable and successful; its outputs re-score the same; closed loop runs the same tasks', async () => {
    const out = join(dir, 'one-shot');
    const r = await hearth(['suite', 'run', suite('one-shot', [{ name: 'eai-planner', kind: 'planner', eaiGoals: true }, { name: 'random', kind: 'random' }]), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const eai = JSON.parse(readFileSync(join(out, 'eai.json'), 'utf8')) as { groups: Group[] };
    expect(eai.groups.map((g) => g.agent)).toEqual(['eai-planner', 'random']);
    const [planner, random] = eai.groups;
    expect(planner.tasks).toBe(8);
    expect(planner.corrected.trajectory_evaluation.execution_success_rate).toBe(100);
    expect(planner.corrected.goal_evaluation).toMatchObject({ task_success_rate: 100, total_goal: 100 });
    for (const k of ['state_goal', 'relation_goal', 'action_goal'] as const) expect([100, null]).toContain(planner.corrected.goal_evaluation[k]);
    expect(Object.values(planner.corrected.trajectory_evaluation.grammar_error).every((x) => x === 0)).toBe(true);
    // The random agent's plans fail: EAI names how (its error types' rates add up to the failed plans).
    expect(random.corrected.trajectory_evaluation.execution_success_rate!).toBeLessThan(100);
    const errors = [...Object.values(random.corrected.trajectory_evaluation.grammar_error), ...Object.values(random.corrected.trajectory_evaluation.runtime_error)];
    expect(errors.reduce((a, b) => a! + (b ?? 0), 0)).toBeGreaterThan(0);
    // The outputs file is EAI's format: `hearth eai evaluate` gives the same summaries.
    for (const g of eai.groups) {
      const again = await hearth(['eai', 'evaluate', '--outputs', join(out, g.outputs), '--json', '--eai-data', EAI!]);
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as { summary: Summary }).summary).toEqual(g.corrected);
    }
    // Closed loop: the same tasks, step by step.
    const closed = join(dir, 'closed');
    const c = await hearth(['suite', 'run', suite('closed-loop', [{ name: 'planner', kind: 'planner' }]), '--out', closed, '--quiet']);
    expect(c.code, c.stderr).toBe(0);
    const tasksOf = (d: string) => (JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as { episodes: Array<{ task: string; agent: string }> }).episodes
      .filter((e) => e.agent.includes('planner')).map((e) => e.task);
    expect(tasksOf(closed)).toEqual(tasksOf(out));
    expect(tasksOf(closed).every((t) => t.startsWith('eai/'))).toBe(true);
    expect(existsSync(join(closed, 'eai.json'))).toBe(false); // EAI's protocol is one-shot
  }, 240_000);

  it('eaiGoals outside an EAI one-shot suite is one error line naming the file and line', async () => {
    await expectOneLineErrors([[['suite', 'check', suite('closed-loop', [{ name: 'p', kind: 'planner', eaiGoals: true }])], /closed-loop\.json:1: planner "p" has eaiGoals, which needs tasks.set eai and protocol one-shot/]]);
  }, 60_000);
});
