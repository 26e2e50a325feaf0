import type { Info } from '@temporalio/activity';

/**
 * Whether Temporal will retry this failed attempt, computed the way the server decides it: from
 * the activity's own retry policy (as scheduled, in `info.retryPolicy`), the failure's
 * non-retryable flag, the policy's non-retryable error types, and the attempt limit. (A
 * schedule-to-close timeout that runs out first can still end the retries early; the next
 * attempt, or the workflow's failure record, says so.)
 */
export function willRetry(info: Pick<Info, 'attempt' | 'retryPolicy'>, err: unknown): boolean {
  const e = (err && typeof err === 'object' ? err : {}) as { nonRetryable?: unknown; type?: unknown; name?: unknown };
  if (e.nonRetryable === true) return false;
  const policy = info.retryPolicy;
  const type = typeof e.type === 'string' ? e.type : typeof e.name === 'string' ? e.name : 'Error';
  if (policy?.nonRetryableErrorTypes?.includes(type)) return false;
  const max = policy?.maximumAttempts ?? 0;
  return max === 0 || info.attempt < max;
}
