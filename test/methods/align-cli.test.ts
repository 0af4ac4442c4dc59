/**
 * `hearth align` end to end on a small model trained here on expert planning records (so the
 * pipeline runs for real: sampling, execution, pairs, SAE, three arms, evaluation, report),
 * Muffin's arms on facet-labelled contexts with the unhelpful-plan rate, and its user errors: an
 * unknown method, no E2CL run to start from.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../agent/tfjs.ts';
import { planningRecords } from '../../alignment/datasets/records.ts';
import { Trainer } from '../../alignment/trainer.ts';
import { expertTrajectory } from '../../exploration/expert.ts';
import { inferenceSettings } from '../../exploration/pipeline.ts';
import { QUICK } from '../../exploration/recipes.ts';
import { loadSplits } from '../../exploration/task-source.ts';
import { episodeFactory } from '../../exploration/world.ts';
import { HEARTH } from '../support/tiny-checkpoint.ts';
import { runCliCaptured } from '../support/run-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'align-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => { await initBackend('wasm'); });

describe('hearth align: user errors', () => {
  it('an unknown method names the methods', async () => {
    const r = await runCliCaptured(['align', '--method', 'kto']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown method "kto".*dpo, ipo, simpo, fpo/);
  });

  it('with no E2CL run under runs/ it says to run npm start first, without a stack trace', () => {
    const cwd = join(root, 'empty');
    mkdirSync(cwd);
    const r = spawnSync(process.execPath, [HEARTH, 'align', '--method', 'dpo', '--tiny'], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no E2CL bc checkpoint found under runs\/.*run `npm start`/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

/** A small "bc" model (once per file): SFT on the expert planning records of the tiny run's training tasks. */
let bcDir: Promise<string> | undefined;
function tinyBc(): Promise<string> {
  bcDir ??= (async () => {
    const s = inferenceSettings(QUICK.recipe);
    const { train } = await loadSplits('generated', undefined, 42, { train: 24, seen: 0, unseen: 0 }, s.maxExpertSteps);
    const records = train.flatMap((task) => { const r = expertTrajectory(task, episodeFactory, 42); return r.ok ? planningRecords(task, r.trajectory.steps, s.prompt) : []; });
    const t = await Trainer.create({ corpus: records.map((r) => r.input + r.output), seed: 1, config: { vocabSize: 512, ctx: 256, layers: 1, d: 48, heads: 2 },
      trainer: { lr: 1e-2, warmupSteps: 5, totalSteps: 150 } });
    for (let i = 0; i < 150; i++) await t.trainStep(records.slice((i * 16) % records.length).concat(records).slice(0, 16));
    const bc = join(root, 'bc');
    t.saveCheckpoint(bc);
    writeFileSync(join(bc, 'e2cl.json'), JSON.stringify(s));
    t.dispose();
    return bc;
  })();
  return bcDir;
}

describe('hearth align --method fpo --tiny', () => {
  it('trains FPO, DPO and SimPO from one start on executed household pairs and writes the report', async () => {
    const bc = await tinyBc();
    const out = join(root, 'out');
    const r = await runCliCaptured(['align', '--method', 'fpo', '--tiny', '--seeds', '2', '--from', bc, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out) as { summaries: Record<string, { seeds: number; success: { value: number; lo: number; hi: number }; stepExec: { value: number }; secondsPerStep: number | null; peakMiB: number | null }>; sae: { heldOut: { l0: number; fvu: number } }; claim: { held: boolean | null; detail: string } };
    expect(Object.keys(json.summaries)).toEqual(['bc (start)', 'fpo', 'dpo', 'simpo']);
    for (const name of ['fpo', 'dpo', 'simpo']) {
      const a = json.summaries[name];
      expect(a.seeds).toBe(2);
      expect(a.success.lo).toBeLessThanOrEqual(a.success.value);
      expect(a.success.hi).toBeGreaterThanOrEqual(a.success.value);
      expect(a.stepExec.value).toBeGreaterThanOrEqual(0);
      expect(a.secondsPerStep).toBeGreaterThan(0);
      expect(a.peakMiB).toBeGreaterThan(0);
    }
    expect(json.sae.heldOut.l0).toBeLessThanOrEqual(8);
    expect(json.claim.detail).toMatch(/FPO − DPO on the same unseen tasks/);
    for (const f of ['report.md', 'results.json', 'plots/quality.svg', 'plots/loss.svg', 'sae/sae.json', 'datasets/pairs.train.jsonl', 'datasets/pairs.heldout.jsonl', 'checkpoints/fpo-seed1/manifest.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| fpo \| 2 \|/);
    // The training pairs carry the offline reference (TRL's columns).
    const first = JSON.parse(readFileSync(join(out, 'datasets', 'pairs.train.jsonl'), 'utf8').split('\n')[0]) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['prompt', 'chosen', 'rejected', 'ref_chosen_logps', 'ref_rejected_logps']));
  }, 400_000);
});

describe('hearth align --method muffin --tiny', () => {
  it('judges sampled plans by facets, trains Muffin and its nll-only ablation on branch contexts, and reports unhelpful-plan rates', async () => {
    const bc = await tinyBc();
    const out = join(root, 'muffin');
    const r = await runCliCaptured(['align', '--method', 'muffin', '--tiny', '--seeds', '2', '--from', bc, '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    type I = { value: number; lo: number; hi: number };
    const json = JSON.parse(r.out) as { summaries: Record<string, { seeds: number; success: I; unhelpful?: I; facetFail?: Record<string, I>; perSeed: { unhelpful?: number[] } }>; claim: { held: boolean | null; detail: string } };
    expect(Object.keys(json.summaries)).toEqual(['bc (start)', 'muffin', 'nll-only']);
    for (const name of ['bc (start)', 'muffin', 'nll-only']) {
      const a = json.summaries[name];
      const u = a.unhelpful!;
      expect(u.lo).toBeLessThanOrEqual(u.value);
      expect(u.hi).toBeGreaterThanOrEqual(u.value);
      // Unhelpful = fails some facet: at least the share failing any one facet, at most their sum.
      const fails = Object.values(a.facetFail!).map((x) => x.value);
      expect(Object.keys(a.facetFail!)).toEqual(['executes', 'progress', 'safe', 'efficient']);
      expect(u.value).toBeGreaterThanOrEqual(Math.max(...fails) - 1e-12);
      expect(u.value).toBeLessThanOrEqual(fails.reduce((x, y) => x + y, 0) + 1e-12);
    }
    expect(json.summaries.muffin.perSeed.unhelpful).toHaveLength(2);
    expect(json.claim.detail).toMatch(/unhelpful-plan rate on 8 unseen tasks: Muffin .* vs start/);
    for (const f of ['report.md', 'results.json', 'plots/quality.svg', 'datasets/muffin.train.jsonl', 'checkpoints/muffin-seed1/manifest.json', 'checkpoints/nll-only-seed0/manifest.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const contexts = readFileSync(join(out, 'datasets', 'muffin.train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; candidates: string[]; labels: number[]; gold?: string });
    expect(contexts.length).toBeGreaterThan(0);
    for (const c of contexts) {
      expect(c.candidates.length).toBeGreaterThanOrEqual(2);
      expect(new Set(c.candidates).size).toBe(c.candidates.length);
      expect(c.labels.every((l) => l === 0 || l === 1)).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { muffin: { train: { contexts: number }; sampled: { plans: number } } };
    expect(results.muffin.train.contexts).toBe(contexts.length);
    expect(results.muffin.sampled.plans).toBe(24 * 4);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/## Facets \(Muffin\)[\s\S]*\| muffin \|/);
  }, 400_000);
});
