/**
 * The runner's protocols and feedback detail (issue 18), in process: one-shot plans stop at
 * their first failed action; closed-loop observations carry the environment's error at the
 * suite's detail level; scripted agents per task; seeds and repetitions in the keys; the
 * EAI task set runs closed loop with the planner.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Task } from '../../env/task.ts';
import { Episode } from '../../env/episode.ts';
import { hazardRulesOf } from '../../feedback/hazards.ts';
import { feedbackFactory, loadSuiteTasks, planEpisodes, runSuite, runSyncEpisode } from '../../suites/runner.ts';
import { checkSuite, type LoadedSuite, specHash } from '../../suites/spec.ts';
import { HAVE_VH_DATA, vhPath } from '../support/vh-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-suite-proto-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suite(data: Record<string, unknown>): LoadedSuite {
  const spec = checkSuite(data, 'test.json', dir);
  return { spec, file: join(dir, 'test.json'), hash: specHash(spec) };
}

const TASKS = { set: 'generated', splits: ['seen'], count: 3, maxExpertSteps: 6 };

describe('suite protocols', () => {
  it('one-shot: an expert script solves every task; a plan with a bad first action stops there (plan-failed)', async () => {
    const probe = suite({ name: 'p', tasks: TASKS, agents: [{ name: 'planner', kind: 'planner' }] });
    const tasks = loadSuiteTasks(probe.spec);
    const byTask = Object.fromEntries(tasks.map(({ task }) => [task.id, task.expertNL!]));
    const bad = Object.fromEntries(tasks.map(({ task }) => [task.id, ['Fly to the moon', ...task.expertNL!]]));
    const s = suite({
      name: 'oneshot', protocol: 'one-shot', tasks: TASKS,
      agents: [{ name: 'expert', kind: 'scripted', byTask }, { name: 'bad', kind: 'scripted', byTask: bad }, { name: 'planner', kind: 'planner' }],
    });
    const run = await runSuite(s, { out: join(dir, 'oneshot'), resume: false, quiet: true });
    const of = (a: string) => run.records.filter((r) => r.agent === a);
    expect(of('expert').every((r) => r.success && r.reason === 'end' && r.steps.every((x) => x.ok))).toBe(true);
    expect(of('bad').every((r) => !r.success && r.reason === 'plan-failed' && r.steps.length === 1)).toBe(true);
    expect(of('planner')).toHaveLength(3);
    const res = JSON.parse(readFileSync(join(dir, 'oneshot', 'results.json'), 'utf8')) as { protocol: string; summary: Array<{ agent: string; metrics: { successRate: { value: number } } }> };
    expect(res.protocol).toBe('one-shot');
    expect(res.summary.find((r) => r.agent === 'expert')!.metrics.successRate.value).toBe(1);
  });

  it('closed-loop: the scripted agent continues after a failure and says END after its actions', async () => {
    const s = suite({ name: 'closed', tasks: TASKS, agents: [{ name: 's', kind: 'scripted', actions: ['Fly to the moon', 'Walk to kitchen'] }] });
    const run = await runSuite(s, { out: join(dir, 'closed'), resume: false, quiet: true });
    for (const r of run.records) {
      expect(r.steps.map((x) => x.ok)).toEqual([false, true]);
      expect(r.steps[0].failure).toBeTypeOf('string');
      expect(r.reason).toBe('end');
    }
  });

  it('hazards: each record carries the hazards its actions brought about, and results.json their rate', async () => {
    const s = suite({ name: 'hazard', tasks: TASKS, agents: [{ name: 'stove', kind: 'scripted', actions: ['Walk to stove', 'Switch on stove'] }, { name: 'planner', kind: 'planner' }] });
    const run = await runSuite(s, { out: join(dir, 'hazard'), resume: false, quiet: true });
    for (const r of run.records) expect(Array.isArray(r.hazards), `${r.key} checked for hazards`).toBe(true);
    const stove = run.records.filter((r) => r.agent === 'stove');
    // Switching an empty stove on is a hazard wherever both steps ran and nothing was on it.
    expect(stove.some((r) => r.steps.every((x) => x.ok) && r.hazards!.includes('empty-stove-on'))).toBe(true);
    for (const r of stove) if (!r.steps[1]?.ok) expect(r.hazards).toEqual([]);
    const res = JSON.parse(readFileSync(join(dir, 'hazard', 'results.json'), 'utf8')) as { summary: Array<{ agent: string; metrics: { hazardRate: { value: number } } }> };
    const rate = res.summary.find((x) => x.agent === 'stove')!.metrics.hazardRate.value;
    expect(rate).toBeCloseTo(stove.filter((r) => r.hazards!.length > 0).length / stove.length, 10);
  });

  it('hazards watched as episodes run are those a replay of their actions finds (both protocols)', () => {
    // Planner, random and scripted episodes are watched step by step (HazardWatch); batched LM
    // rollouts are replayed after the run. Both must say the same of the same actions.
    let found = 0;
    for (const protocol of ['closed-loop', 'one-shot']) {
      const s = suite({
        name: `watch-${protocol}`, protocol, tasks: { set: 'generated', splits: ['seen', 'unseen'], count: 30, maxExpertSteps: 8 }, seeds: [0, 1],
        budgets: { maxSteps: 40 }, agents: [{ name: 'random', kind: 'random' }, { name: 'planner', kind: 'planner' }],
      });
      for (const p of planEpisodes(s.spec, loadSuiteTasks(s.spec))) {
        const r = runSyncEpisode(p, s.spec);
        const replay = hazardRulesOf(new Episode(p.task, { seed: p.seed, maxSteps: Math.max(40, r.steps.length), lenient: true }), p.seed, r.steps.map((x) => x.action));
        expect(r.hazards, `${r.key} (${protocol})`).toEqual(replay.hazards);
        found += r.hazards!.length;
      }
    }
    expect(found, 'the episodes brought hazards about').toBeGreaterThan(10);
  });

  it('feedback detail: failed actions\' observations start with the error at that detail; none leaves them alone', () => {
    const probe = suite({ name: 'p', tasks: TASKS, agents: [{ name: 'planner', kind: 'planner' }] });
    const task: Task = loadSuiteTasks(probe.spec)[0].task;
    const obs = (detail: 'none' | 'generic' | 'specific') => {
      const ep = feedbackFactory(detail)(task, { seed: 0, maxSteps: 5 });
      ep.reset(0);
      return { bad: ep.step('Fly to the moon').observation, good: ep.step('Walk to kitchen') };
    };
    const none = obs('none');
    const generic = obs('generic');
    const specific = obs('specific');
    expect(none.bad).not.toMatch(/^Error/);
    expect(generic.bad).toMatch(/^Error, [a-z].*\. /);
    expect(specific.bad).toMatch(/^Error/);
    expect(generic.bad.endsWith(none.bad)).toBe(true);
    expect(specific.bad.endsWith(none.bad)).toBe(true);
    expect(generic.good.observation).toBe(none.good.observation);
  });

  it('seeds × repetitions make distinct keys, and a random agent differs between repetitions', async () => {
    const s = suite({ name: 'reps', tasks: { ...TASKS, count: 2 }, seeds: [0, 5], repetitions: 2, budgets: { maxSteps: 5 }, agents: [{ name: 'r', kind: 'random' }] });
    expect(planEpisodes(s.spec, loadSuiteTasks(s.spec)).map((p) => p.key)).toHaveLength(8);
    const run = await runSuite(s, { out: join(dir, 'reps'), resume: false, quiet: true });
    expect(new Set(run.records.map((r) => r.key)).size).toBe(8);
    const acts = (seed: number, rep: number) => run.records.filter((r) => r.seed === seed && r.repetition === rep).map((r) => r.steps.map((x) => x.action).join('|'));
    expect(acts(0, 0)).not.toEqual(acts(0, 1));
    expect(acts(0, 0)).not.toEqual(acts(5, 0));
  });

  // The EAI task set reads the reference data (HEARTH_VH_DATA): skipped where it is absent.
  it.skipIf(!HAVE_VH_DATA || !existsSync(vhPath('eai_resources')))('runs EAI tasks closed loop with the planner (100% success)', async () => {
    const s = suite({ name: 'eai', tasks: { set: 'eai', splits: ['seen', 'unseen'], count: 2 }, budgets: { maxSteps: 40 }, agents: [{ name: 'planner', kind: 'planner' }] });
    const run = await runSuite(s, { out: join(dir, 'eai'), resume: false, quiet: true });
    expect(run.records).toHaveLength(4);
    expect(run.records.every((r) => r.success)).toBe(true);
  });
});
