import { ApplicationFailure } from '@temporalio/activity';
import { DOMAIN_ERROR_TYPES, StepError } from '../domain/failures';

/**
 * Translates a permanent fault into a non-retryable `ApplicationFailure` with its namespaced type
 * (declared in `domain/failures.ts`); anything else is returned unchanged for the retry policy.
 * The worker's activity interceptor applies this to every activity, so no activity needs to.
 */
export function asPermanentFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof StepError)
    return ApplicationFailure.create({ message: err.message, type: err.type, nonRetryable: true, cause: err });
  if (err instanceof Error) {
    const type = DOMAIN_ERROR_TYPES[err.name];
    if (type) return ApplicationFailure.create({ message: err.message, type, nonRetryable: true, cause: err });
  }
  return err;
}
