import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { HearthError } from '../../env/errors.ts';
import { checkTimeBudget, minimumTrainingSteps, timeTrainingStep } from '../../exploration/preflight.ts';
import { localProvider } from '../../exploration/local-provider.ts';
import { FULL } from '../../exploration/recipes.ts';

describe('pricing a run before it trains', () => {
  it('counts the FULL recipe at 23,430 steps (bc-init 10,014 of 50,060 records, 4 × 3,354 fine-tuning)', () => {
    // 16,760 planning records and 33,300 renamed copies: what `e2cl --full` builds from its 2,000 tasks.
    const steps = minimumTrainingSteps({ initRecords: 16760 + 33300, planningRecords: 16760, batchSize: FULL.recipe.batchSize,
      initEpochs: FULL.recipe.initEpochs, finetuneEpochs: FULL.recipe.finetuneEpochs });
    expect(steps).toBe(6 * Math.ceil(50060 / 30) + 4 * 6 * Math.ceil(16760 / 30));
    expect(steps).toBe(23430);
  });

  it('refuses over budget with the numbers and three ways on; passes within it', () => {
    expect(() => checkTimeBudget('full', { steps: 100, secondsPerStep: 36, hours: 1 }, 1)).not.toThrow();
    let err: unknown;
    try { checkTimeBudget('full', { steps: 23430, secondsPerStep: 6, hours: 39.06 }, 8); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HearthError);
    const line = (err as HearthError).oneLine();
    expect(line).toContain("the 'full' recipe needs at least 39.1 h of training on this machine (23,430 optimizer steps × 6.00 s measured), more than --max-hours 8");
    expect(line).toMatch(/--max-hours 59 to run it anyway, use --quick .*tfjs-node-gpu/);
  });

  it('times a real training step of the local model', async () => {
    const provider = localProvider({ config: { layers: 1, d: 16, heads: 2, ctx: 64, vocabSize: 280 }, lr: 1e-2, backend: 'wasm' });
    const recs = Array.from({ length: 8 }, (_, i) => ({ input: `walk to the kitchen ${i}`, output: 'grab cup' }));
    const s = await timeTrainingStep(provider, recs.map((r) => r.input + r.output), recs, 4, 1);
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(30);
  });

  it('e2cl refuses before training when the budget is too small, and writes no checkpoint', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hearth-preflight-')), 'run');
    const errs: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
    const w = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try { code = await main(['e2cl', '--tiny', '--quiet', '--max-hours', '0.0000001', '--out', out]); } finally { spy.mockRestore(); w.mockRestore(); }
    expect(code).toBe(2);
    expect(errs.join('\n')).toMatch(/the 'tiny' recipe needs at least .* more than --max-hours 1e-7 \(pass --max-hours /);
    expect(existsSync(join(out, 'checkpoints', 'bc-init'))).toBe(false);
    // A bad --max-hours is refused before the run directory exists (none left behind).
    expect(await main(['e2cl', '--max-hours', 'soon', '--out', `${out}-typo`])).toBe(2);
    expect(existsSync(`${out}-typo`)).toBe(false);
  }, 120_000);
});
