import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { generationRunWorkflowId, TASK_QUEUE } from '../workflows/ids';
import { acceptBreakUpdate, adjudicateDuplicateUpdate, promoteUpdate } from '../workflows/messages';
import type { AcceptBreakRequest } from '../domain/contracts/accepted-break';
import { CorrelationIdKey, GenerationStatusKey, TenantIdKey } from '../workflows/search-attributes';
import type {
  AdjudicationRequest,
  GenerationRunInput,
  PromotionRequest,
  PromotionResult,
  RunState,
} from '../domain/types';
import { ConflictError, DependencyUnavailableError, NotFoundError, ServiceUnavailableError } from './errors';

/** How long the API waits for Temporal to accept a start (or answer a describe) before a 503. */
export const DEFAULT_TEMPORAL_RPC_TIMEOUT_MS = 5_000;

/**
 * What the API needs from Temporal, behind an interface so handlers never see the SDK. Every
 * call is scoped to the caller's tenant: a run of another tenant is "not found".
 */
export interface GenerationGateway {
  /** The task queue this gateway starts runs on (the start outbox is kept per queue). */
  readonly taskQueue: string;
  /** `idempotentRetry`: the run id came from an Idempotency-Key, so an existing run is the answer. */
  startRun(input: GenerationRunInput, opts?: { idempotentRetry?: boolean }): Promise<{ workflowId: string }>;
  /** Live state of a run whose rows may not be written yet; null when no such run of this tenant. */
  pendingRun(tenantId: string, runId: string): Promise<PendingRun | null>;
  /** `updateId` makes a retried decision get the original answer (Temporal dedupes by it). */
  promote(tenantId: string, runId: string, request: PromotionRequest, updateId?: string): Promise<PromotionResult>;
  adjudicate(tenantId: string, runId: string, request: AdjudicationRequest, updateId?: string): Promise<RunState>;
  /** Records a reviewer's accepted break of a breaking revision (issue 6). */
  acceptBreak(tenantId: string, runId: string, request: AcceptBreakRequest, updateId?: string): Promise<RunState>;
  /** Resolves when Temporal answers within the RPC timeout; throws DependencyUnavailableError otherwise. */
  checkReady(): Promise<void>;
}

/** A run Temporal knows whose first row is not written yet (or never was, when it failed first). */
export interface PendingRun {
  runId: string;
  status: 'REQUESTED' | 'FAILED';
  workflowId: string;
  workflowStatus: string;
}

export function createTemporalGateway(
  client: Client,
  taskQueue = TASK_QUEUE,
  opts: { rpcTimeoutMs?: number; updateTimeoutMs?: number } = {},
): GenerationGateway {
  const rpcTimeoutMs = opts.rpcTimeoutMs ?? DEFAULT_TEMPORAL_RPC_TIMEOUT_MS;
  const updateTimeoutMs = opts.updateTimeoutMs ?? 15_000;

  /**
   * Runs `fn` with a gRPC deadline, so the client's own retries on UNAVAILABLE stop at it, and a
   * timer one second later as a backstop (a retry's backoff can outlive the deadline): a Temporal
   * outage answers 503 within a few seconds instead of blocking for the client's ~20 s of retries.
   */
  async function bounded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const backstop = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DependencyUnavailableError('temporal', `Temporal did not answer ${what} in time`)),
        rpcTimeoutMs + 1_000,
      );
    });
    try {
      return await Promise.race([client.withDeadline(Date.now() + rpcTimeoutMs, fn), backstop]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function tenantHandle(tenantId: string, runId: string) {
    const handle = client.workflow.getHandle(generationRunWorkflowId(runId));
    try {
      const description = await bounded('describe', () => handle.describe());
      if (description.typedSearchAttributes.get(TenantIdKey) !== tenantId) return null;
      return { handle, description };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /**
   * An update waits for a worker to accept and answer it; with none polling it would hang. After
   * `updateTimeoutMs` the caller gets a 503 and may retry with the same update id (same answer).
   */
  async function answeredInTime<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ServiceUnavailableError(
              `no worker answered the ${what} within ${updateTimeoutMs} ms; retry with the same Idempotency-Key`,
            ),
          ),
        updateTimeoutMs,
      );
    });
    try {
      // The RPC deadline falls a little later, so the caller hears why (no worker), not a bare timeout.
      return await Promise.race([client.withDeadline(Date.now() + updateTimeoutMs + 2_000, fn), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function updateError(err: unknown, what: string): never {
    if (err instanceof ServiceUnavailableError) throw err;
    if (err instanceof WorkflowUpdateFailedError) {
      throw new ConflictError(`${what} refused: ${err.cause?.message ?? err.message}`);
    }
    if (err instanceof WorkflowNotFoundError) {
      throw new ConflictError(`${what} refused: the run is closed and no longer accepts decisions`);
    }
    throw err;
  }

  return {
    taskQueue,
    async startRun(input, opts = {}) {
      const workflowId = generationRunWorkflowId(input.runId);
      try {
        await bounded('start', () =>
          client.workflow.start('generationRun', {
            taskQueue,
            workflowId,
            args: [input],
            typedSearchAttributes: [
              { key: TenantIdKey, value: input.tenantId },
              { key: CorrelationIdKey, value: input.correlationId },
              { key: GenerationStatusKey, value: 'REQUESTED' },
            ],
            memo: { requestedBy: input.principal.subject, capabilityName: input.intent.name },
            // A retried start (same idempotency key → same run id) attaches to the running run and
            // never starts a second one, even after the first has closed.
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          if (opts.idempotentRetry) return { workflowId };
          throw new ConflictError(`run ${input.runId} already exists`);
        }
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

    async promote(tenantId, runId, request, updateId) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) throw new NotFoundError(`run ${runId} not found`);
      try {
        return await answeredInTime('promotion', () =>
          found.handle.executeUpdate(promoteUpdate, { args: [request], ...(updateId ? { updateId } : {}) }),
        );
      } catch (err) {
        updateError(err, 'promotion');
      }
    },

    async adjudicate(tenantId, runId, request, updateId) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) throw new NotFoundError(`run ${runId} not found`);
      try {
        return await answeredInTime('adjudication', () =>
          found.handle.executeUpdate(adjudicateDuplicateUpdate, { args: [request], ...(updateId ? { updateId } : {}) }),
        );
      } catch (err) {
        updateError(err, 'adjudication');
      }
    },

    async acceptBreak(tenantId, runId, request, updateId) {
      const found = await tenantHandle(tenantId, runId);
      if (!found) throw new NotFoundError(`run ${runId} not found`);
      try {
        return await answeredInTime('accepted break', () =>
          found.handle.executeUpdate(acceptBreakUpdate, { args: [request], ...(updateId ? { updateId } : {}) }),
        );
      } catch (err) {
        updateError(err, 'accepted break');
      }
    },

    async checkReady() {
      await bounded('a health check', () => client.workflowService.getSystemInfo({}));
    },
  };
}
