/**
 * NL mode: the planner's model of E2CL grounding (nl-grounding.ts) must agree with the
 * episode's real grounder (env/nl.ts), draws of the seeded PRNG included, and NL plans must
 * replay in NL episodes step for step.
 */
import { describe, expect, it } from 'vitest';
import { Episode } from '../../env/episode.ts';
import { Executor } from '../../env/executor.ts';
import { SceneGraph } from '../../env/graph.ts';
import { NL_TEMPLATES } from '../../env/nl.ts';
import { Prng } from '../../env/prng.ts';
import { parseScriptLine } from '../../env/script.ts';
import { getTaskSet } from '../../env/tasks/index.ts';
import { episodeKnowledge, nextActionForEpisode } from '../../exploration/teacher/episode-teacher.ts';
import { NLTracker } from '../../exploration/teacher/nl-grounding.ts';
import { plan } from '../../exploration/teacher/planner.ts';

const tasks = getTaskSet('generated').list({ seed: 21, count: 12 });

describe('the grounding model agrees with env/nl.ts', () => {
  it('predicts the ids every grounded NL action got, over random episodes', () => {
    let checked = 0;
    for (const [k, task] of tasks.entries()) {
      const seed = 100 + k;
      const ep = new Episode(task, { seed, maxSteps: 60 });
      const rng = new Prng(seed);
      // Random actions over names close to the agent make the grounding rules matter.
      const names = [...new Set(task.scene.nodes.map((n) => n.class_name))].filter((c) => c !== 'character');
      const g = SceneGraph.fromJSON(task.scene, { lenient: true });
      const ex = new Executor(g);
      const tracker = new NLTracker({ seed });
      while (!ep.finished) {
        const tp = rng.pick(NL_TEMPLATES.filter((t) => t.arity === 1 && t.action !== 'RELEASE'));
        const action = tp.template.replace('{}', rng.pick(names).replace(/_/g, ' '));
        const out = ep.step(action);
        if (!out.script) continue;
        const r = parseScriptLine(out.script, 1);
        if (!r.ok) throw new Error(out.script);
        const said = tracker.check(g, ex.character, r.line);
        expect(said.ok, `${task.id} step ${out.t}: ${action} → ${out.script}: ${said.ok ? '' : said.reason}`).toBe(true);
        if (said.ok) tracker.commit(r.line, said.draws);
        ex.executeLine(r.line);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('NL plans', () => {
  it('replay step for step in an NL episode when the planner says they can be said', () => {
    let replayed = 0;
    for (const task of tasks) {
      const seed = 5;
      const g = SceneGraph.fromJSON(task.scene, { lenient: true });
      const p = plan(g, task.goal, { nl: { seed } });
      if (!p.solved) {
        expect(p.reason).toBeTruthy();
        continue;
      }
      const ep = new Episode(task, { seed, maxSteps: p.steps.length + 1 });
      for (const s of p.steps) {
        const out = ep.step(s.nl);
        expect(out.script, `${task.id}: "${s.nl}"`).toBe(s.line.text); // grounded to the same ids
        expect(out.ok).toBe(true);
      }
      expect(ep.step('END').info.success).toBe(true);
      replayed++;
    }
    expect(replayed).toBeGreaterThan(0);
  });

  it('the closed-loop teacher in an NL episode only takes steps that succeed', () => {
    for (const task of tasks.slice(0, 6)) {
      const ep = new Episode(task, { seed: 1, maxSteps: 60 });
      while (!ep.finished) {
        const a = nextActionForEpisode(ep);
        const out = ep.step(a.kind === 'act' ? a.step.nl : 'END');
        if (!out.info.end) expect(out.ok, `${task.id}: ${out.action}: ${out.failure?.message}`).toBe(true);
      }
    }
  });

  it('reading a growing history step by step knows what a full replay knows', () => {
    // episodeKnowledge keeps its replay per history array and reads only new entries; a copy of
    // the array is a fresh replay from the initial scene. Random actions (some fail, some draw
    // from the PRNG) make the bindings, last object and draw count differ from step to step.
    let totalDraws = 0;
    for (const [k, task] of tasks.slice(0, 6).entries()) {
      const seed = 40 + k;
      const ep = new Episode(task, { seed, maxSteps: 25 });
      const rng = new Prng(seed);
      const names = [...new Set(task.scene.nodes.map((n) => n.class_name))].filter((c) => c !== 'character');
      const replay = { scene: task.scene, seed };
      while (!ep.finished) {
        const tp = rng.pick(NL_TEMPLATES.filter((t) => t.arity === 1));
        ep.step(tp.template.replace('{}', rng.pick(names).replace(/_/g, ' ')));
        const incremental = episodeKnowledge(ep.history, {}, { ...replay });
        const full = episodeKnowledge([...ep.history], {}, replay);
        expect(incremental, `${task.id} after ${ep.history.length} steps`).toEqual(full);
        totalDraws += full.nl.draws ?? 0;
      }
      // A history that is not the one read so far (same array, an entry replaced) is read again.
      const h = ep.history as unknown as { script?: string; ok: boolean }[];
      const firstOk = h.findIndex((x) => x.ok && x.script);
      if (firstOk >= 0) {
        const fresh = () => episodeKnowledge([...h], {}, replay);
        h[h.length - 1] = { ok: false };
        expect(episodeKnowledge(h, {}, replay)).toEqual(fresh());
      }
    }
    expect(totalDraws, 'some steps drew from the grounding PRNG').toBeGreaterThan(0);
  });
});
