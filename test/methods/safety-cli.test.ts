/**
 * `hearth safety` end to end on a tiny checkpoint (seconds, not a measurement): align writes a
 * loadable aligned agent with its prompt settings; probe runs both attacks over 2 seeds and
 * writes results.json / report.md / SVGs with every residual point and both claims; detox runs
 * the four agents and reports hazard rates; user errors are one line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLineErrors, hearth, trainTinyActionModel } from '../support/tiny-checkpoint.ts';

const root = mkdtempSync(join(tmpdir(), 'hearth-safety-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('hearth safety', () => {
  it('align, probe and detox run end to end on a tiny model', async () => {
    const base = await trainTinyActionModel(join(root, 'base'));
    const aligned = join(root, 'aligned');
    const a = await hearth(['safety', 'align', '--tiny', '--checkpoint', base, '--out', aligned, '--json'], 300_000);
    expect(a.code, a.stderr).toBe(0);
    const al = JSON.parse(a.stdout) as { steps: number; data: { refusal: number; planning: number } };
    expect(al.steps).toBe(3);
    expect(al.data.refusal).toBeGreaterThan(0);
    expect(existsSync(join(aligned, 'manifest.json')) && existsSync(join(aligned, 'e2cl.json'))).toBe(true);

    const p = await hearth(['safety', 'probe', '--tiny', '--aligned', aligned, '--out', join(root, 'probe'), '--json'], 300_000);
    expect(p.code, p.stderr).toBe(0);
    const pr = JSON.parse(p.stdout) as { points: string[]; claims: Array<{ held: boolean }>; attacks: Record<string, { seeds: unknown[] }> };
    expect(pr.points).toEqual(['blocks.0.hook_resid_pre', 'blocks.0.hook_resid_mid', 'blocks.0.hook_resid_post']);
    expect(Object.keys(pr.attacks)).toEqual(['eha', 'isa']);
    expect(pr.attacks.eha.seeds).toHaveLength(2);
    expect(pr.claims).toHaveLength(2);
    for (const f of ['results.json', 'report.md', 'probe-accuracy.svg', 'refusal.svg']) expect(existsSync(join(root, 'probe', f)), f).toBe(true);
    expect(readFileSync(join(root, 'probe', 'report.md'), 'utf8')).toMatch(/## Claims/);

    const d = await hearth(['safety', 'detox', '--tiny', '--checkpoint', aligned, '--out', join(root, 'detox'), '--json'], 300_000);
    expect(d.code, d.stderr).toBe(0);
    const dr = JSON.parse(d.stdout) as { tasks: number; summaries: Record<string, { hazardRate: { value: number } }> };
    expect(dr.tasks).toBe(3);
    expect(Object.keys(dr.summaries)).toEqual(['plain', 'plain+detox', 'prefixed', 'prefixed+detox']);
    for (const s of Object.values(dr.summaries)) expect(s.hazardRate.value).toBeGreaterThanOrEqual(0);
  }, 900_000);

  it('user errors are one line', async () => {
    await expectOneLineErrors([
      [['safety'], /needs a subcommand/],
      [['safety', 'probe'], /--aligned/],
      [['safety', 'probe', '--aligned', join(root, 'nope')], /does not exist/],
      [['safety', 'probe', '--aligned', root, '--attacks', 'eha,xyz'], /unknown attack "xyz"/],
      [['safety', 'detox', '--checkpoint', join(root, 'nope'), '--count', '0'], /--count/],
    ]);
  }, 120_000);
});
