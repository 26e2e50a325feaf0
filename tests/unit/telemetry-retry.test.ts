import { willRetry } from '../../activities/telemetry/retry';
import { ApplicationFailure } from '@temporalio/common';

const policy = {
  maximumAttempts: 3,
  nonRetryableErrorTypes: ['Model:AuthFailed', 'Prompt:UnknownTemplate'],
};

describe('willRetry: the activity retry policy, as the server applies it', () => {
  it.each([
    ['a retryable failure on attempt 1 of 3', 1, ApplicationFailure.retryable('x', 'Model:Unavailable'), true],
    ['a retryable failure on the last attempt', 3, ApplicationFailure.retryable('x', 'Model:Unavailable'), false],
    ['a failure flagged non-retryable', 1, ApplicationFailure.nonRetryable('x', 'Model:Unavailable'), false],
    ['a type the policy lists as non-retryable', 1, ApplicationFailure.retryable('x', 'Model:AuthFailed'), false],
    [
      'a plain error whose name the policy lists',
      1,
      Object.assign(new Error('x'), { name: 'Prompt:UnknownTemplate' }),
      false,
    ],
    ['a plain error', 2, new Error('x'), true],
  ])('%s', (_title, attempt, err, expected) => {
    expect(willRetry({ attempt, retryPolicy: policy }, err)).toBe(expected);
  });

  it('retries without limit when the policy sets no maximum', () => {
    expect(willRetry({ attempt: 500, retryPolicy: { nonRetryableErrorTypes: [] } }, new Error('x'))).toBe(true);
    expect(willRetry({ attempt: 500, retryPolicy: undefined }, new Error('x'))).toBe(true);
  });
});
