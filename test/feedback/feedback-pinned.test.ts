/**
 * Feedback text pinned exactly (issue 24): every generic reason, the detail levels, the
 * simulator-message detector and the rewrite's edge cases (cut at position 0, no cut,
 * whitespace runs), so a mutated string or condition changes an asserted value.
 */
import { describe, expect, it } from 'vitest';
import { isSimulatorMessage, rewriteFailR, rewriteFailRaw } from '../../feedback/rewrite.ts';
import { DETAIL_LEVELS, errorFeedback, failureReason, feedbackTarget, isDetailLevel, predictsError } from '../../feedback/targets.ts';

describe('generic feedback reasons', () => {
  const expected: Record<string, string> = {
    parse: 'the action could not be understood',
    unknown_action: 'the robot agent cannot do this action',
    unknown_object: 'the object is not available in the environment',
    wrong_arity: 'the action has the wrong number of objects',
    missing_step: 'a precondition of the action is not met',
    affordance: 'the object does not afford this action',
    wrong_order: 'a precondition of the action no longer holds',
    already: 'the effect of the action already holds',
    capacity: 'there is no room for it',
    posture: 'the posture of the robot agent prevents the action',
    no_room: 'the object cannot be reached',
    unsupported: 'the action is not supported',
  };
  for (const [code, text] of Object.entries(expected)) {
    it(`${code} → "${text}"`, () => {
      expect(failureReason({ code, message: 'm' }, 'generic')).toBe(text);
      expect(errorFeedback({ code, message: 'm' }, 'generic')).toBe(`Error, ${text}`);
    });
  }
  it('an unknown or missing code gets the catch-all sentence', () => {
    expect(failureReason({ code: 'weird', message: 'm' }, 'generic')).toBe('the action cannot be executed');
    expect(failureReason({ message: 'm' }, 'generic')).toBe('the action cannot be executed');
  });
});

describe('detail levels', () => {
  const f = { code: 'missing_step', message: '<character> (65) is not close to <tv> (264) when executing "[SWITCHON] <tv> (264) [1]"' };
  it('none gives an empty reason and plain Error', () => {
    expect(failureReason(f, 'none')).toBe('');
    expect(errorFeedback(f, 'none')).toBe('Error');
  });
  it('specific is the default level', () => {
    expect(errorFeedback(f)).toBe('Error, Robot agent is not close to tv');
    expect(feedbackTarget({ ok: false, failure: f })).toBe('Error, Robot agent is not close to tv');
  });
  it('a failed step without a failure object gives plain Error at every level', () => {
    expect(feedbackTarget({ ok: false })).toBe('Error');
    expect(feedbackTarget({ ok: false, failure: null }, 'generic')).toBe('Error, the action cannot be executed');
    expect(feedbackTarget({ ok: false }, 'none')).toBe('Error');
  });
  it('finished wins over ok and failure', () => {
    expect(feedbackTarget({ ok: false, failure: f, finished: true })).toBe('Task finished');
    expect(feedbackTarget({ ok: true, finished: false })).toBe('True');
  });
  it('knows its levels', () => {
    expect(DETAIL_LEVELS).toEqual(['none', 'generic', 'specific']);
    for (const l of DETAIL_LEVELS) expect(isDetailLevel(l)).toBe(true);
    expect(isDetailLevel('verbose')).toBe(false);
    expect(isDetailLevel('')).toBe(false);
    expect(predictsError('Error, x')).toBe(true);
    expect(predictsError('True')).toBe(false);
  });
});

describe('isSimulatorMessage', () => {
  it('detects the "when executing" tail alone', () => {
    expect(isSimulatorMessage('something when executing "x"')).toBe(true);
  });
  it('detects <name> (id) with any spacing, and only with a digit', () => {
    expect(isSimulatorMessage('<tv> (264) is off')).toBe(true);
    expect(isSimulatorMessage('<tv>(264) is off')).toBe(true);
    expect(isSimulatorMessage('<tv>  ( 264) is off')).toBe(true);
    expect(isSimulatorMessage('<tv> (x) is off')).toBe(false);
    expect(isSimulatorMessage('<> (1) is off')).toBe(false);
    expect(isSimulatorMessage('tv is off')).toBe(false);
  });
});

describe('rewrite edge cases', () => {
  it('a message starting with "when executing" leaves nothing', () => {
    expect(rewriteFailRaw('when executing "[WALK] <tv> (1) [1]"')).toBe('');
  });
  it('without the tail nothing is cut off', () => {
    expect(rewriteFailRaw('<tv> (264) is on')).toBe('tv is on');
    expect(rewriteFailR('<character> (65) does not face <tv> (264)')).toBe('Robot agent does not face tv');
  });
  it('only whole-word character becomes Robot agent', () => {
    expect(rewriteFailRaw('<characters> (1) x')).toBe('characters x');
  });
  it('harness messages are trimmed and their whitespace runs collapsed', () => {
    expect(rewriteFailR('  cup not  in\thand.  ')).toBe('cup not in hand.');
  });
});
