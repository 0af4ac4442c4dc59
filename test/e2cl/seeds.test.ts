/**
 * `hearth e2cl --seeds N` (issue 13 item 8): every seed runs into its own run directory (a
 * real tiny run each), then seeds.md / seeds.json judge the claim per seed and pooled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planSeeds } from '../../cli/commands/e2cl-seeds.ts';
import { HEARTH, REPO } from '../support/tmpfs.ts';

const out = mkdtempSync(join(tmpdir(), 'hearth-seeds-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('hearth e2cl --seeds', () => {
  it('plans S, S+1, … into OUT/seed-S with the other flags kept', () => {
    const p = planSeeds(['--tiny', '--seeds', '3', '--seed=7', '--out', '/x/y', '--eval', '2'], 42, 'runs/z');
    expect(p.seeds).toEqual([7, 8, 9]);
    expect(p.runArgv(8)).toEqual(['--tiny', '--eval', '2', '--seed', '8', '--out', '/x/y/seed-8']);
    expect(planSeeds(['--seeds', '2'], 42, '/r').seeds).toEqual([42, 43]);
    expect(() => planSeeds(['--seeds', '0'], 42, '/r')).toThrow(/--seeds/);
    expect(() => planSeeds(['--seeds', 'two'], 42, '/r')).toThrow(/--seeds/);
  });

  it('runs two tiny seeds and judges the claim per seed and pooled', () => {
    const r = spawnSync(process.execPath, [HEARTH, 'e2cl', '--tiny', '--train', '2', '--eval', '2', '--eval-seen', '1', '--quiet', '--workers', '1', '--seeds', '2', '--seed', '5', '--out', out],
      { encoding: 'utf8', timeout: 600_000, cwd: REPO });
    expect(r.status, r.stderr).toBe(0);
    for (const s of [5, 6]) {
      expect(existsSync(join(out, `seed-${s}`, 'report.md'))).toBe(true);
      expect(JSON.parse(readFileSync(join(out, `seed-${s}`, 'run.json'), 'utf8')).identity.seed).toBe(s);
      expect(readFileSync(join(out, `seed-${s}`, 'report.md'), 'utf8')).toMatch(/## Paired comparisons[\s\S]*Split: unseen[\s\S]*## Diagnosis/);
    }
    const j = JSON.parse(readFileSync(join(out, 'seeds.json'), 'utf8')) as { seeds: number[]; perSeed: Array<{ seed: number }>; pooled: Array<{ pairs: number }>; pass: boolean; checks: Array<{ name: string }> };
    expect(j.seeds).toEqual([5, 6]);
    expect(j.perSeed.map((p) => p.seed)).toEqual([5, 6]);
    // Pooled: both seeds' unseen tasks, paired.
    expect(j.pooled.map((p) => p.pairs)).toEqual([4, 4]);
    expect(j.checks.map((c) => c.name)).toContain('seed 6, unseen: e2cl + spec ≥ bc + 5 points in success');
    expect(readFileSync(join(out, 'seeds.md'), 'utf8')).toMatch(/^# Hearth E2CL over 2 seeds \(5, 6\)/);
    expect(r.stdout).toMatch(/Claim \(issue 13\)/);
  });
});
