import { allHandlersFinished, condition } from '@temporalio/workflow';
import type { GenerationRunInput, RunState } from '../domain/types';
import { failOnError } from './phases/failure';
import { gates } from './phases/gates';
import { generate } from './phases/generate';
import { openInbox } from './phases/inbox';
import { intake } from './phases/intake';
import { review } from './phases/review';
import { newRun } from './phases/run';

/**
 * One governed generation run, the canonical lifecycle read top to bottom:
 * intake (request → authority → snapshot) → generate (prompt → model, with fallback) →
 * gates (contract → duplicates → policy → adjudication) → Draft, then review
 * (Review → Approved → Active by reviewers' updates). Each phase returns null/false when the run
 * ended there, with its final status already recorded.
 */
export async function generationRun(input: GenerationRunInput): Promise<RunState> {
  const run = newRun(input);
  const inbox = openInbox(run);
  try {
    const snapshot = await intake(run);
    if (!snapshot) return run.state;

    const generated = await generate(run, snapshot);
    if (!generated) return run.state;

    const draft = await gates(run, inbox, snapshot, generated);
    if (!draft) return run.state;

    await review(run, inbox, snapshot);
    await condition(allHandlersFinished);
    return run.state;
  } catch (err) {
    await failOnError(run, err);
    return run.state;
  }
}
