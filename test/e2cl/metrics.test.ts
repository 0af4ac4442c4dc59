import { describe, expect, it } from 'vitest';
import { bootstrap, disjoint } from '../../suites/bootstrap.ts';
import { lcsLength, normalisedLcs } from '../../suites/lcs.ts';
import { type MetricEpisode, summarise, summaryJson } from '../../suites/metrics.ts';
import { htmlReport, markdownReport } from '../../suites/report.ts';

const ep = (success: boolean, oks: boolean[], extra: Partial<MetricEpisode> = {}): MetricEpisode => ({
  taskId: `t${Math.random()}`, success, goal: { satisfied: success ? 2 : 1, total: 2 },
  steps: oks.map((ok, i) => ({ action: `a${i}`, ok })), expert: ['a0', 'a1', 'a2'], ...extra,
});

describe('LCS', () => {
  it('computes classic values', () => {
    expect(lcsLength([...'ABCBDAB'], [...'BDCABA'])).toBe(4);
    expect(normalisedLcs(['Walk to kitchen', 'Open fridge'], ['walk to  kitchen', 'Grab cup', 'Open fridge'])).toBeCloseTo(2 / 3);
    expect(normalisedLcs([], [])).toBe(1);
    expect(normalisedLcs(['a'], [])).toBe(0);
  });
});

describe('metrics', () => {
  it('pools step executability and averages per-episode rates', () => {
    const s = summarise([ep(true, [true, true, true]), ep(false, [true, false])], { seed: 1, resamples: 200 });
    expect(s.successRate.value).toBe(0.5);
    expect(s.stepExecutability.value).toBeCloseTo(4 / 5);
    expect(s.episodeExecutability.value).toBe(0.5);
    expect(s.goalConditionRecall.value).toBeCloseTo(0.75);
    expect(s.avgSteps.value).toBe(2.5);
    expect(s.lcs.value).toBeCloseTo((1 + 2 / 3) / 2);
    expect(Number.isNaN(s.feedbackAccuracy.value)).toBe(true);
  });
  it('scores self-feedback with precision and recall of Error, and corrections', () => {
    const e: MetricEpisode = {
      taskId: 'x', success: false, goal: { satisfied: 0, total: 1 },
      steps: [
        { action: 'a', ok: true, predictedFeedback: 'True' },
        { action: 'b', ok: false, predictedFeedback: 'Error, x' },
        { action: 'c', ok: false, predictedFeedback: 'True' },
        { action: 'd', ok: true, predictedFeedback: 'Error, y', corrected: true },
        { action: 'e', ok: false, predictedFeedback: 'True', corrected: true },
      ],
    };
    const s = summarise([e], { resamples: 10 });
    expect(s.feedbackAccuracy.value).toBeCloseTo(2 / 5);
    expect(s.feedbackErrorPrecision.value).toBeCloseTo(1 / 2);
    expect(s.feedbackErrorRecall.value).toBeCloseTo(1 / 3);
    expect(s.correctionRate.value).toBeCloseTo(2 / 5);
    expect(s.correctionSuccess.value).toBeCloseTo(1 / 2);
    const j = summaryJson(s);
    for (const k of ['successRate', 'goalConditionRecall', 'stepExecutability', 'episodeExecutability', 'lcs', 'avgSteps', 'feedbackAccuracy', 'correctionRate', 'correctionSuccess', 'episodes']) {
      expect(j).toHaveProperty(k);
    }
  });
  it('bootstrap intervals are seeded and contain the estimate', () => {
    const xs = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const mean = (s: readonly number[]): number => s.reduce((a, b) => a + b, 0) / s.length;
    const a = bootstrap(xs, mean, { seed: 3 });
    expect(bootstrap(xs, mean, { seed: 3 })).toEqual(a);
    expect(a.lo).toBeLessThanOrEqual(a.value);
    expect(a.hi).toBeGreaterThanOrEqual(a.value);
    expect(a.hi - a.lo).toBeGreaterThan(0.1);
    expect(a.hi - a.lo).toBeLessThan(0.5);
    expect(disjoint({ value: 0, lo: 0, hi: 0.2 }, { value: 1, lo: 0.3, hi: 1 })).toBe(true);
    expect(disjoint({ value: 0, lo: 0, hi: 0.4 }, { value: 1, lo: 0.3, hi: 1 })).toBe(false);
  });
});

describe('report', () => {
  it('renders a Markdown table per split and an HTML page with SVG curves and bars', () => {
    const s = summarise([ep(true, [true]), ep(false, [false])], { resamples: 50 });
    const input = {
      title: 'E2CL run', notes: ['quick recipe'],
      rows: [{ model: 'bc', speculative: false, split: 'unseen', summary: s }, { model: 'e2cl', speculative: true, split: 'unseen', summary: s }],
      curves: [{ name: 'bc', points: [{ x: 1, y: 3 }, { x: 2, y: 2 }] }],
      checks: [{ name: 'x', pass: false, detail: 'y' }],
    };
    const md = markdownReport(input);
    expect(md).toContain('| Model | N | Success |');
    expect(md).toContain('| e2cl + spec | 2 | 50.0 [');
    expect(md).toContain('MISS: x');
    const html = htmlReport(input);
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    expect(html).toContain('<polyline');
    expect(html).toContain('e2cl + spec');
  });
});
