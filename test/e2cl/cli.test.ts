import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { applyModelOverride, applyRecipeOverride } from '../../cli/commands/e2cl.ts';
import { QUICK } from '../../exploration/recipes.ts';

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const errs: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => { errs.push(String(m)); });
  try {
    return { code: await main(argv), err: errs.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('hearth e2cl / eval: user errors are one line and exit 2', () => {
  it('rejects bad e2cl flags naming the flag', async () => {
    expect(await run(['e2cl', '--detail', 'loud'])).toMatchObject({ code: 2, err: expect.stringContaining('--detail must be none, generic or specific') });
    expect(await run(['e2cl', '--quick', '--full'])).toMatchObject({ code: 2, err: expect.stringContaining('choose one of --quick and --full') });
    expect(await run(['e2cl', '--corrector', 'oracle'])).toMatchObject({ code: 2, err: expect.stringContaining('--corrector must be planner, llm or sample') });
    expect(await run(['e2cl', '--corrector', 'llm'])).toMatchObject({ code: 2, err: expect.stringContaining('--llm-url') });
    expect(await run(['e2cl', '--tasks', 'nope'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown task set "nope"') });
    expect(await run(['e2cl', '--recipe', '{oops'])).toMatchObject({ code: 2, err: expect.stringContaining('--recipe is not valid JSON') });
    expect(await run(['e2cl', '--recipe', '{"feedbackBalanse": 2}'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown recipe field "feedbackBalanse"') });
    expect(await run(['e2cl', '--recipe', '{"initEpochs": "4"}'])).toMatchObject({ code: 2, err: expect.stringContaining('"initEpochs" must be a number') });
    expect(await run(['e2cl', '--model', '{"layer": 3}'])).toMatchObject({ code: 2, err: expect.stringContaining('--model: unknown field "layer"') });
    expect(await run(['e2cl', '--model', '{"layers": 2.5}'])).toMatchObject({ code: 2, err: expect.stringContaining('"layers" must be a positive integer') });
    expect(await run(['e2cl', '--workers', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--workers must be an integer ≥ 1, got "0"') });
    expect(await run(['e2cl', '--model', '{"d": 100, "heads": 3}'])).toMatchObject({ code: 2, err: expect.stringContaining('multiple of heads') });
  });
  it('--recipe replaces top-level fields and merges nested ones', () => {
    const r = structuredClone(QUICK.recipe);
    applyRecipeOverride(r, '{"renamedPlanningShare": 0.5, "teacherFree": {"episodesPerTask": 3}, "feedbackBalance": 3}');
    expect(r.renamedPlanningShare).toBe(0.5);
    expect(r.feedbackBalance).toBe(3);
    expect(r.teacherFree).toEqual({ ...QUICK.recipe.teacherFree, episodesPerTask: 3 });
    const m = structuredClone(QUICK.sizes.model);
    applyModelOverride(m, '{"layers": 3, "d": 96}');
    expect(m).toEqual({ ...QUICK.sizes.model, layers: 3, d: 96 });
  });
  it('rejects a missing or bad checkpoint for eval', async () => {
    expect(await run(['eval'])).toMatchObject({ code: 2, err: expect.stringContaining('missing --checkpoint') });
    expect(await run(['eval', '--checkpoint', '/nonexistent/ck'])).toMatchObject({ code: 2, err: expect.stringContaining('/nonexistent/ck does not exist') });
    expect(await run(['eval', '--checkpoint', '/tmp', '--split', 'x'])).toMatchObject({ code: 2 });
    expect(await run(['eval', '--checkpoint', '/nonexistent/ck', '--correction-attempts', '3'])).toMatchObject({ code: 2, err: expect.stringContaining('--correction-attempts goes with --speculative') });
    expect(await run(['eval', '--checkpoint', '/nonexistent/ck', '--oracle-gate'])).toMatchObject({ code: 2, err: expect.stringContaining('--oracle-gate goes with --speculative') });
    expect(await run(['eval', '--checkpoint', '/nonexistent/ck', '--speculative', '--correction-attempts', '0'])).toMatchObject({ code: 2, err: expect.stringContaining('--correction-attempts must be an integer in [1, 16]') });
  });
});
