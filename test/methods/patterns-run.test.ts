/**
 * The ICL-vs-fine-tuning experiment on a tiny model: prompts are tokenised the same way for
 * training, scoring and the served model's text; the control's answer is in its context;
 * meta-training learns; `hearth patterns run --tiny` writes the report with both curves and
 * the circuit shift; ICL on a served model goes through a real `hearth serve`, recorded and
 * replayed byte-identically; user errors are one line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalModel } from '../../agent/local-model.ts';
import { episodeExample, promptIds, promptText, answerText, ruleItems } from '../../methods/patterns/episodes.ts';
import { controlQueries, createBase, FT_ADAPTER, ftCurve, metaTrain, TINY_PATTERNS } from '../../methods/patterns/experiment.ts';
import { chooseAnswers, demosShown, fittedPrompt } from '../../methods/patterns/score.ts';
import { WASH_PARITY, PREFERENCE } from '../../methods/patterns/household.ts';
import { SUITES } from '../../methods/patterns/suites.ts';
import { Prng } from '../../env/prng.ts';
import { expectOneLineErrors, hearth, spawnServe } from '../support/tiny-checkpoint.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hearth-patterns-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let lm: LocalModel;
beforeAll(async () => { lm = await createBase(SUITES, TINY_PATTERNS, 3); });
afterAll(async () => { await lm.dispose(); });

describe('prompts and scoring', () => {
  it('an episode\'s ids are the prompt ids then the answer ids, with loss on exactly the answers', () => {
    const items = ruleItems(PREFERENCE, PREFERENCE.hidden, new Prng(1), 3);
    const ex = episodeExample(lm.tokenizer, items);
    const prompt = promptIds(lm.tokenizer, items.slice(0, 2), items[2].question);
    const answer = lm.tokenizer.encode(answerText(items[2].answer));
    expect(ex.ids).toEqual([...prompt, ...answer]);
    expect(ex.weights).toHaveLength(ex.ids.length - 1);
    // The weighted targets spell the three answers.
    const targets = ex.ids.slice(1).filter((_, t) => ex.weights[t] === 1);
    expect(lm.tokenizer.decode(targets)).toBe(items.map((i) => answerText(i.answer)).join(''));
    // Segment-wise ids are the ids of the whole text (what a served model and scorePairs see).
    expect(prompt).toEqual([lm.tokenizer.bos, ...lm.tokenizer.encode(promptText(items.slice(0, 2), items[2].question))]);
  });

  it('the closed-set choice is the argmax of the model\'s own sequence log-probs', () => {
    const items = ruleItems(WASH_PARITY, WASH_PARITY.hidden, new Prng(2), 6);
    const queries = items.slice(3).map((item) => ({ demos: items.slice(0, 3), item }));
    const got = chooseAnswers(lm, queries, 3);
    queries.forEach((q, i) => {
      const lp = lm.scorePairs(q.item.choices.map((c) => ({ input: promptText(q.demos, q.item.question), output: answerText(c) })), { includeEos: false });
      expect(got[i]).toBe(q.item.choices[lp.indexOf(Math.max(...lp))]);
    });
  });

  it('prompts too long for the context lose their oldest demonstrations, and the count that fit is reported', () => {
    const items = ruleItems(PREFERENCE, PREFERENCE.hidden, new Prng(3), 9);
    const q = { demos: items.slice(0, 8), item: items[8] };
    const ids = fittedPrompt(lm, q);
    const shown = demosShown(lm, [q]);
    expect(shown).toBeLessThan(8);
    expect(ids).toEqual(promptIds(lm.tokenizer, q.demos.slice(8 - shown), q.item.question));
    const longest = Math.max(...q.item.choices.map((c) => lm.tokenizer.encode(answerText(c)).length));
    expect(ids.length + longest).toBeLessThanOrEqual(lm.config.ctx);
    expect(promptIds(lm.tokenizer, q.demos.slice(8 - shown - 1), q.item.question).length + longest).toBeGreaterThan(lm.config.ctx);
  });

  it('a control query repeats one of its demonstrations, with that demonstration\'s label', () => {
    for (const q of controlQueries(PREFERENCE, 4, 3, 20)) {
      expect(q.demos).toHaveLength(3);
      expect(q.demos.some((d) => d.question === q.item.question && d.answer === q.item.answer)).toBe(true);
    }
    expect(controlQueries(PREFERENCE, 4, 0, 5).every((q) => q.demos.length === 0)).toBe(true);
  });
});

describe('learners', () => {
  it('meta-training lowers the loss, and fine-tuning leaves only the adapter asked for', async () => {
    const base = await createBase([WASH_PARITY], TINY_PATTERNS, 5);
    const losses = metaTrain(base, [WASH_PARITY], { ...TINY_PATTERNS, metaSteps: 30, metaLr: 1e-2 }, 5);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.6);
    const pts = ftCurve(base, WASH_PARITY, TINY_PATTERNS, 1, 16);
    expect(pts.map((p) => [p.learner, p.x, p.correct.length])).toEqual([['ft', 4, 10], ['ft', 16, 10]]);
    expect(base.model.adapterNames()).toEqual([FT_ADAPTER]);
    expect(base.model.activeAdapter).toBeNull();
    await base.dispose();
  });
});

describe('hearth patterns', () => {
  it('run --tiny writes curves with intervals, the claim per suite and the circuit figure; a served model gets the ICL curve, replayed identically', async () => {
    const a = join(tmp, 'a');
    const r = await hearth(['patterns', 'run', '--tiny', '--suite', 'wash-parity,boolean', '--seeds', '2', '--out', a, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { claims: Array<{ held: boolean | null }>; curves: Array<{ suite: string; learner: string; x: number; questions: number; accuracy: { value: number; lo: number; hi: number } }>; circuits: Array<{ shiftIcl: number; shiftFt: number }> };
    expect(j.claims).toHaveLength(2);
    for (const learner of ['icl', 'ft', 'control']) expect(j.curves.filter((c) => c.learner === learner).length, learner).toBe(4);
    for (const c of j.curves) {
      expect(c.questions).toBe(20); // 10 questions × 2 seeds
      expect(c.accuracy.lo).toBeLessThanOrEqual(c.accuracy.value);
      expect(c.accuracy.hi).toBeGreaterThanOrEqual(c.accuracy.value);
    }
    expect(j.circuits).toHaveLength(2);
    for (const c of j.circuits) for (const s of [c.shiftIcl, c.shiftFt]) { expect(s).toBeGreaterThanOrEqual(0); expect(s).toBeLessThanOrEqual(1); }
    const results = JSON.parse(readFileSync(join(a, 'results.json'), 'utf8')) as { circuits: Array<{ conditions: Array<{ name: string; cells: unknown[] }> }> };
    // 1 layer × (2 heads + the MLP), under base, ICL and FT.
    expect(results.circuits[0].conditions.map((c) => [c.name, c.cells.length])).toEqual([['base', 3], ['icl', 3], ['ft', 3]]);
    for (const f of ['report.md', 'plots/summary.svg', 'plots/wash-parity.svg', 'plots/circuit-boolean.svg', 'base/manifest.json']) expect(existsSync(join(a, f)), f).toBe(true);
    expect(readFileSync(join(a, 'report.md'), 'utf8')).toMatch(/ICL at k=2 beat fine-tuning at N=16 on \*\*\d of 2\*\* suites/);

    // Reusing the base: the same ICL outcomes as the run that trained it, with no meta-training.
    const d = await hearth(['patterns', 'run', '--tiny', '--suite', 'wash-parity', '--seeds', '1', '--learners', 'icl', '--base', join(a, 'base'), '--out', join(tmp, 'd'), '--json']);
    expect(d.code, d.stderr).toBe(0);
    const iclPoints = (dir: string) => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { points: Array<{ suite: string; learner: string; seed: number }> }).points
      .filter((p) => p.suite === 'wash-parity' && p.learner === 'icl' && p.seed === 1);
    expect(iclPoints(join(tmp, 'd'))).toEqual(iclPoints(a));
    expect(existsSync(join(tmp, 'd', 'base'))).toBe(false);

    const served = await spawnServe(['--checkpoint', join(a, 'base'), '--quiet', '--model-id', 'tiny']);
    const cache = join(tmp, 'served.jsonl');
    try {
      const b = await hearth(['patterns', 'run', '--tiny', '--suite', 'wash-parity', '--seeds', '1', '--learners', 'icl', '--out', join(tmp, 'b'), '--base-url', served.url, '--model', 'tiny', '--cache', cache, '--cache-mode', 'record', '--json']);
      expect(b.code, b.stderr).toBe(0);
    } finally {
      served.proc.kill('SIGTERM');
      await served.exited;
    }
    const httpCurve = (dir: string) => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { points: Array<{ learner: string }> }).points.filter((p) => p.learner === 'http-icl');
    expect(httpCurve(join(tmp, 'b')).map((p) => (p as unknown as { x: number }).x)).toEqual([0, 2]);
    expect(readFileSync(join(tmp, 'b', 'report.md'), 'utf8')).toMatch(/Served model: openai:tiny/);
    const c = await hearth(['patterns', 'run', '--tiny', '--suite', 'wash-parity', '--seeds', '1', '--learners', 'icl', '--out', join(tmp, 'c'), '--base-url', 'http://127.0.0.1:9/v1', '--model', 'tiny', '--cache', cache, '--cache-mode', 'replay', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(httpCurve(join(tmp, 'c'))).toEqual(httpCurve(join(tmp, 'b')));
  }, 240_000);

  it('list prints every suite with its hidden rule and candidates, as JSON with --json', async () => {
    const j = await hearth(['patterns', 'list', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const rows = JSON.parse(j.stdout) as Array<{ name: string; kind: string; hiddenRule: string; rules: string[] }>;
    expect(rows.map((r) => r.name)).toEqual(SUITES.map((s) => s.name));
    for (const [i, r] of rows.entries()) {
      expect(r.hiddenRule).toBe(SUITES[i].hiddenRule);
      expect(r.rules).toContain(SUITES[i].hidden);
      expect(r.rules.length, r.name).toBeGreaterThanOrEqual(2);
    }
    const t = await hearth(['patterns', 'list']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout.trim().split('\n')).toHaveLength(SUITES.length);
  });

  it('user errors are one line', async () => {
    await expectOneLineErrors([
      [['patterns'], /needs a subcommand/],
      [['patterns', 'run', '--suite', 'nope', '--tiny'], /unknown "nope".*wash-parity/],
      [['patterns', 'run', '--learners', 'icl,sft', '--tiny'], /--learners: unknown "sft"/],
      [['patterns', 'run', '--model', 'x', '--tiny'], /--model needs --base-url/],
      [['patterns', 'run', '--tiny', '--full'], /tiny|full/],
      [['patterns', 'run', '--tiny', '--meta-steps', '0'], /--meta-steps must be an integer in \[1, /],
      [['patterns', 'run', '--tiny', '--learners', 'ft', '--base-url', 'http://127.0.0.1:9/v1'], /leaves icl out/],
      [['patterns', 'run', '--tiny', '--base', join(tmp, 'nowhere')], /--base .*nowhere holds no model/],
      [['patterns', 'run', '--tiny', '--base', tmp, '--meta-steps', '3'], /base|meta-steps/],
      [['patterns', 'run', '--tiny', '--base-url', 'http://127.0.0.1:9/v1', '--api', 'rest'], /--api must be completions or chat, got "rest" \(use --api completions/],
      [['patterns', 'run', '--tiny', '--base-url', 'http://127.0.0.1:9/v1', '--cache-mode', 'save'], /--cache-mode must be one of .*got "save" \(record calls the model/],
    ]);
  }, 120_000);
});
