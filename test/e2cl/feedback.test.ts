import { describe, expect, it } from 'vitest';
import { rewriteFailR } from '../../feedback/rewrite.ts';
import { errorFeedback, feedbackTarget, predictsError } from '../../feedback/targets.ts';

describe('rewrite_failR', () => {
  it('rewrites the spec example', () => {
    expect(rewriteFailR('<character> (65) is not close to <tv> (264) when executing "[SWITCHON] <tv> (264) [1]"'))
      .toBe('Robot agent is not close to tv');
  });
  it('drops ids and brackets of two objects, collapses spaces', () => {
    expect(rewriteFailR('<cup> (12)  is not   inside <fridge> (3) when executing "[PUTIN] <cup> (12) <fridge> (3) [4]"'))
      .toBe('cup is not inside fridge');
  });
  it('keeps harness-level messages verbatim', () => {
    expect(rewriteFailR("television isn't available in the environment.")).toBe("television isn't available in the environment.");
    expect(rewriteFailR('cup not in hand. Robot agent should hold cup firstly.')).toBe('cup not in hand. Robot agent should hold cup firstly.');
  });
});

describe('feedback targets', () => {
  const failure = { code: 'missing_step', message: '<character> (65) is not close to <tv> (264) when executing "[SWITCHON] <tv> (264) [1]"' };
  it('renders the three detail levels', () => {
    expect(errorFeedback(failure, 'specific')).toBe('Error, Robot agent is not close to tv');
    expect(errorFeedback(failure, 'generic')).toBe('Error, a precondition of the action is not met');
    expect(errorFeedback(failure, 'none')).toBe('Error');
  });
  it('labels True, Error and Task finished', () => {
    expect(feedbackTarget({ ok: true })).toBe('True');
    expect(feedbackTarget({ ok: false, failure })).toBe('Error, Robot agent is not close to tv');
    expect(feedbackTarget({ ok: true, finished: true })).toBe('Task finished');
  });
  it('gates on the substring Error only', () => {
    expect(predictsError('Error, x')).toBe(true);
    expect(predictsError('True')).toBe(false);
    expect(predictsError('error')).toBe(false);
  });
});
