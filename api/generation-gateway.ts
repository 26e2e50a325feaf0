import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { generationRunWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { adjudicateDuplicateUpdate, promoteUpdate } from '../workflows/messages';
import { CorrelationIdKey, GenerationStatusKey, TenantIdKey } from '../workflows/search-attributes';
import type {
  AdjudicationRequest,
  GenerationRunInput,
  PromotionRequest,
  PromotionResult,
  RunState,
} from '../workflows/types';
import { ConflictError, NotFoundError } from './errors';

/**
 * What the API needs from Temporal, behind an interface so handlers never see the SDK. Every
 * call is scoped to the caller's tenant: a run of another tenant is "not found".
 */
export interface GenerationGateway {
  startRun(input: GenerationRunInput): Promise<{ workflowId: string }>;
  /** Live state of a run whose rows may not be written yet; null when no such run of this tenant. */
  pendingRun(tenantId: string, runId: string): Promise<PendingRun | null>;
  promote(tenantId: string, runId: string, request: PromotionRequest): Promise<PromotionResult>;
  adjudicate(tenantId: string, runId: string, request: AdjudicationRequest): Promise<RunState>;
}

/** A run Temporal knows whose first row is not written yet (or never was, when it failed first). */
export interface PendingRun {
  runId: string;
  status: 'REQUESTED' | 'FAILED';
  workflowId: string;
  workflowStatus: string;
}

export function createTemporalGateway(client: Client, taskQueue = TASK_QUEUE): GenerationGateway {
  async function tenantHandle(tenantId: string, runId: string) {
    const handle = client.workflow.getHandle(generationRunWorkflowId(runId));
    try {
      const description = await handle.describe();
      if (description.typedSearchAttributes.get(TenantIdKey) !== tenantId) return null;
      return { handle, description };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  function updateError(err: unknown, what: string): never {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new ConflictError(`${what} refused: ${err.cause?.message ?? err.message}`);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new ConflictError(`${what} refused: the run is closed and no longer accepts decisions`);
    }
    throw err;
  }

  return {
    async startRun(input) {
      const workflowId = generationRunWorkflowId(input.runId);
      try {
        await client.workflow.start('generationRun', {
          taskQueue,
          workflowId,
          args: [input],
          typedSearchAttributes: [
            { key: TenantIdKey, value: input.tenantId },
            { key: CorrelationIdKey, value: input.correlationId },
            { key: GenerationStatusKey, value: 'REQUESTED' },
          ],
          memo: { requestedBy: input.principal.subject, capabilityName: input.intent.name },
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError)
          throw new ConflictError(`run ${input.runId} already exists`);
        throw err;
      }
      return { workflowId };
    },

    async pendingRun(tenantId, runId) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) return null;
      const workflowStatus = found.description.status.name;
      return {
        runId,
        workflowId: found.description.workflowId,
        workflowStatus,
        status: workflowStatus === 'RUNNING' || workflowStatus === 'COMPLETED' ? 'REQUESTED' : 'FAILED',
      };
    },

    async promote(tenantId, runId, request) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) throw new NotFoundError(`run ${runId} not found`);
      try {
        return await found.handle.executeUpdate(promoteUpdate, { args: [request] });
      } catch (err) {
        updateError(err, 'promotion');
      }
    },

    async adjudicate(tenantId, runId, request) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) throw new NotFoundError(`run ${runId} not found`);
      try {
        return await found.handle.executeUpdate(adjudicateDuplicateUpdate, { args: [request] });
      } catch (err) {
        updateError(err, 'adjudication');
      }
    },
  };
}
