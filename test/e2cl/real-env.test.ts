/**
 * The engine on the real simulator (env/episode.ts) and teacher: speculative rollouts on the
 * built-in demo house with episode logs that validate against the schema, and teacher-free
 * corrections from the planner verified by execution. The model is a scripted double that
 * answers with the expert's next action (or a wrong one where told), so these tests pin the
 * plumbing to the real episode layer, not model quality.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { demoTask } from '../../env/scenes/demo-house.ts';
import { BatchedDecoder } from '../../exploration/batching.ts';
import { plannerCorrector } from '../../exploration/correctors.ts';
import { episodeLogSink } from '../../exploration/episode-logs.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { DEFAULT_POLICY } from '../../exploration/policy.ts';
import { runRollout } from '../../exploration/rollout.ts';
import { teacherFree } from '../../exploration/teacher-free.ts';
import { teacherGuided } from '../../exploration/teacher-guided.ts';
import { episodeFactory, planner } from '../../exploration/world.ts';
import { ScriptedModel } from './doubles.ts';

const task = demoTask();
const experts = new Map([[task.title, task.expertNL!]]);

describe('E2CL engine on the real simulator', () => {
  it('the demo expert program executes and satisfies the goal', () => {
    const r = expertTrajectory(task, episodeFactory, 0);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.trajectory.satisfied).toBe(true);
  });

  it('writes schema-valid episode logs with the speculative trace of every step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2cl-logs-'));
    // wrong proposals at step index 2 ("Grab cupish"): predicted Error, corrected to the expert action
    const model = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 2 });
    const sink = episodeLogSink(dir, () => task, () => ({ name: model.name, speculative: true }), 0);
    const [ep] = await runRollout([{ task, speculative: true }], new BatchedDecoder(model), {
      factory: episodeFactory, policy: DEFAULT_POLICY, speculative: false, seed: 0,
    }, sink.onEvent).promise;
    expect(ep.success).toBe(true);
    expect(ep.steps.every((s) => s.ok)).toBe(true);
    expect(ep.steps.filter((s) => s.corrected)).toHaveLength(1);
    const log = readEpisodeLog(sink.paths[0]);
    expect(log.error).toBeUndefined();
    expect(log.steps).toHaveLength(task.expertNL!.length);
    expect(log.end?.success).toBe(true);
    const corrected = log.steps.find((s) => s.speculative?.used);
    expect(corrected?.speculative).toMatchObject({ proposed: 'Grab cupish', correction: 'Grab cup', correctionFeedback: 'True' });
    expect(log.steps[0].prompt?.startsWith('You are a robot agent.')).toBe(true);
  });

  it('teacher-free: the planner corrects failed steps from the actual state, verified by execution', async () => {
    const model = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 1 });
    const { records, stats } = await teacherFree([task], new BatchedDecoder(model), {
      factory: episodeFactory, seed: 0, policy: DEFAULT_POLICY, detail: 'specific', corrector: plannerCorrector(planner()), maxSteps: 4,
    });
    expect(stats.failed).toBe(3);
    expect(stats.corrected).toBe(3);
    const corr = records.filter((r) => r.kind === 'correction');
    // the same state three times (the failed action changes nothing), so the same verified correction
    expect(new Set(corr.map((r) => r.output)).size).toBe(1);
    expect(corr[0].output).toMatch(/cup/);
    expect(corr[0].input).toContain('step2: Grab cupish\n A corrective step would be');
    const err = records.filter((r) => r.kind === 'feedback' && r.output.startsWith('Error'));
    expect(err[0].output).toBe("Error, cupish isn't available in the environment.");
  });

  it('teacher-guided: failed proposals along the expert path, corrected by the expert or by the planner', async () => {
    const r = expertTrajectory(task, episodeFactory, 0);
    if (!r.ok) throw new Error(r.reason);
    const model = new ScriptedModel({ experts, wrongAt: (_t, k) => k === 4 || k === 9 });
    for (const correction of ['expert', 'planner'] as const) {
      const { records, stats } = await teacherGuided([r.trajectory], new BatchedDecoder(model), {
        factory: episodeFactory, seed: 0, prompt: {}, detail: 'specific', correction, planner: planner(), samples: 1, temperature: 1, maxTokens: 12,
      });
      expect(stats.failed).toBe(2);
      const corr = records.filter((x) => x.kind === 'correction');
      expect(corr).toHaveLength(2);
      if (correction === 'expert') expect(corr.map((x) => x.output)).toEqual([task.expertNL![4], task.expertNL![9]]);
      else for (const c of corr) expect(c.output).not.toMatch(/ish$/);
      expect(records.filter((x) => x.kind === 'feedback' && x.output === 'True')).toHaveLength(task.expertNL!.length - 2);
    }
  });
});
