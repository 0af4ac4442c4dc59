import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../agent/local-model.ts';
import { readEpisodeLog } from '../../env/episode-log.ts';
import { runCliCaptured } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'hearth-dialogue-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hearth dialogue', () => {
  it('run --method midi --tiny: a report with intervals, claims, plots and episode logs', async () => {
    const out = join(dir, 'midi');
    const r = await runCliCaptured(['dialogue', 'run', '--method', 'midi', '--tiny', '--seeds', '2', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { seeds: number[]; tables: Array<{ arm: string; metrics: Record<string, { value: number; lo: number; hi: number }> }>; claims: Array<{ claim: string; held: boolean | null }> };
    expect(j.seeds).toEqual([1, 2]);
    expect(j.tables.map((t) => t.arm)).toEqual(['midi', 'flat', 'rules-expert', 'generic']);
    // The references bound the scale: the rules expert is always consistent and successful.
    const expert = j.tables.find((t) => t.arm === 'rules-expert')!.metrics;
    expect(expert.consistency.value).toBe(1);
    expect(expert.success.value).toBe(1);
    for (const t of j.tables) for (const m of Object.values(t.metrics)) if (Number.isFinite(m.value)) expect(m.lo <= m.value && m.value <= m.hi).toBe(true);
    // The cache claim is measured: same outputs on and off.
    expect(j.claims.find((c) => c.claim.startsWith('round-level caching'))!.held).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| midi \| /);
    expect(md).toMatch(/Same outputs \(transcripts and decoded tokens\) with and without the cache: 8\/8 dialogues/);
    expect(readFileSync(join(out, 'plots', 'consistency-by-round.svg'), 'utf8')).toMatch(/^<svg/);
    const logs = readdirSync(join(out, 'logs'));
    expect(logs.length).toBe(8); // 4 unseen users x (midi, flat), first seed
    const log = readEpisodeLog(join(out, 'logs', logs[0]));
    expect(log.error).toBeUndefined();
    expect(log.utterances.some((u) => u.kind === 'rules')).toBe(true);
    expect(log.header.user).toBeDefined();
  }, 240_000);

  it('train --method midi --tiny saves the model with its agent, user and flat adapters', async () => {
    const out = join(dir, 'trained');
    const r = await runCliCaptured(['dialogue', 'train', '--method', 'midi', '--tiny', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).adapters).toEqual(['agent', 'user', 'flat']);
    const lm = await loadModel(out);
    expect(lm.model.adapterNames()).toEqual(['agent', 'user', 'flat']);
    await lm.dispose();
  }, 240_000);

  it('run --method spda --tiny: violations per session, evolving vs static profile', async () => {
    const out = join(dir, 'spda');
    const r = await runCliCaptured(['dialogue', 'run', '--method', 'spda', '--tiny', '--seeds', '2', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { tables: Array<{ arm: string; metrics: Record<string, { value: number }> }> };
    expect(j.tables.map((t) => t.arm)).toEqual(['spda', 'spda-unbounded', 'static']);
    const drop = (arm: string) => j.tables.find((t) => t.arm === arm)!.metrics.drop.value;
    expect(drop('spda')).toBeGreaterThan(drop('static'));
    expect(readFileSync(join(out, 'plots', 'violations-by-round.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('run --method cooper --tiny, and train saves the ranker and the single agent', async () => {
    const out = join(dir, 'cooper');
    const r = await runCliCaptured(['dialogue', 'run', '--method', 'cooper', '--tiny', '--seeds', '1', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { tables: Array<{ arm: string; metrics: Record<string, { value: number }> }>; claims: unknown[] };
    expect(j.tables.map((t) => t.arm)).toEqual(['cooper', 'single', 'expert']);
    expect(j.tables.find((t) => t.arm === 'expert')!.metrics.success.value).toBe(1);
    expect(j.claims).toHaveLength(1);
    const saved = join(dir, 'cooper-train');
    const t = await runCliCaptured(['dialogue', 'train', '--method', 'cooper', '--tiny', '--out', saved, '--json']);
    expect(t.code, t.err).toBe(0);
    for (const m of ['ranker', 'single']) expect((await loadModel(join(saved, m))).model.config.d).toBe(32);
  }, 240_000);

  it('user errors are one line naming the fix', async () => {
    for (const [argv, re] of [
      [['dialogue', '--method', 'midi'], /needs a subcommand/],
      [['dialogue', 'play', '--method', 'midi'], /unknown subcommand "play"/],
      [['dialogue', 'run', '--method', 'muffin'], /unknown dialogue method "muffin".*pick one of midi/],
      [['dialogue', 'run'], /--method is required/],
      [['dialogue', 'run', '--method', 'midi', '--tiny', '--quick'], /tiny|quick/],
      [['dialogue', 'run', '--method', 'midi', '--seeds', '0'], /seeds/],
      [['dialogue', 'train', '--method', 'spda', '--out', join(dir, 'none')], /spda has nothing to train/],
    ] as Array<[string[], RegExp]>) {
      const r = await runCliCaptured(argv);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(re);
    }
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
