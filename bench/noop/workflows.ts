import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

/**
 * The fixed reference for the pipeline: 8 regular (not local) no-op activities in sequence, the
 * generation workflow's step count when the bench was written. It stays 8 when ours changes, so
 * the ratio shows what our round trips cost against Temporal's floor for that many steps. Same
 * timeout and retry shape as the pipeline's persistence steps.
 */
const { noopStep } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export const REFERENCE_STEPS = 8;

export async function noopReference(): Promise<number> {
  let done = 0;
  for (let i = 0; i < REFERENCE_STEPS; i++) done += (await noopStep(i)) >= 0 ? 1 : 0;
  return done;
}
