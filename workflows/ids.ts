/** Versioned so a breaking worker change can run beside the old one during a rollout. */
export const TASK_QUEUE = 'ai-generation-v1';

const RUN_WORKFLOW_PREFIX = 'ai-generation-run/';

export function generationRunWorkflowId(runId: string): string {
  return `${RUN_WORKFLOW_PREFIX}${runId}`;
}

export function runIdFromWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(RUN_WORKFLOW_PREFIX) ? workflowId.slice(RUN_WORKFLOW_PREFIX.length) : null;
}
