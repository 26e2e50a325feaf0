import { z } from 'zod';
import type { TelemetryEvent } from './telemetry-event';

/**
 * Plan §9 as a schema: every telemetry event carries every field (authority, language, capability,
 * execution snapshot id, conformance metadata, runtime identity, run id, duplicate outcome,
 * contract validation outcome, prompt template/version, fallback usage and reason), and what is
 * known at a step must be filled in on that step's events. Checked at emission; tests check every
 * event of a run against it, so a missing field is a bug they catch.
 */

const runtime = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
  runtimeClass: z.enum(['production', 'development']).optional(),
});

export const telemetryFieldsSchema = z
  .object({
    generationRunId: z.uuid(),
    tenantId: z.string().min(1),
    correlationId: z.string().min(1),
    capability: z.string().min(1),
    language: z.string().min(1),
    targetRuntime: z.string().min(1),
    authority: z.object({
      subject: z.string().min(1),
      roles: z.array(z.string()),
      decision: z.enum(['ADMIT', 'DENY']).nullable(),
      governanceDecisionId: z.uuid().nullable(),
      policyVersion: z.string().nullable(),
    }),
    executionSnapshotId: z.uuid().nullable(),
    runtimeIdentity: runtime.nullable(),
    promptTemplate: z.object({ id: z.string().min(1), version: z.number().int().positive() }).nullable(),
    promptHash: z.string().nullable(),
    duplicateOutcome: z.enum(['NONE', 'POTENTIAL', 'BLOCKING']).nullable(),
    contractValidationOutcome: z.enum(['PASSED', 'FAILED']).nullable(),
    conformance: z.record(z.string(), z.unknown()),
    fallback: z.object({ used: z.boolean(), reason: z.string().nullable() }),
    attempt: z.number().int().positive().nullable(),
    error: z.object({ type: z.string().min(1), message: z.string() }).nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .strict();

/** Steps after which a value must be known, by the field it fills. */
const AFTER_AUTHORITY = new Set(['snapshot', 'prompt', 'model', 'contract', 'duplicates', 'adjudication', 'promotion']);
const AFTER_SNAPSHOT = new Set(['prompt', 'model', 'contract', 'duplicates', 'adjudication', 'promotion']);
const AFTER_MODEL = new Set(['contract', 'duplicates', 'adjudication', 'promotion']);

export const telemetryEventSchema = z
  .object({
    id: z.uuid(),
    eventType: z.string().regex(/^[A-Z][A-Z_]+$/),
    step: z.string().min(1),
    outcome: z.string().min(1),
    fields: telemetryFieldsSchema,
  })
  .strict()
  .superRefine((e, ctx) => {
    const f = e.fields;
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: ['fields', path], message: `${e.eventType}: ${message}` });
    };
    need(Object.keys(f.conformance).length > 0, 'conformance', 'conformance metadata is empty');
    need(!f.fallback.used || !!f.fallback.reason, 'fallback', 'a fallback was used but no reason is recorded');
    if (AFTER_AUTHORITY.has(e.step)) {
      need(f.authority.decision !== null, 'authority', 'the authority decision is known after the authority step');
      need(f.authority.governanceDecisionId !== null, 'authority', 'the governance decision id is known');
    }
    if (AFTER_SNAPSHOT.has(e.step)) {
      need(f.executionSnapshotId !== null, 'executionSnapshotId', 'the snapshot exists after the snapshot step');
      need(f.promptTemplate !== null, 'promptTemplate', 'the prompt template is frozen in the snapshot');
    }
    if (AFTER_MODEL.has(e.step) || e.eventType === 'MODEL_CALL_SUCCEEDED' || e.eventType === 'MODEL_ATTEMPT_FAILED') {
      need(f.runtimeIdentity !== null, 'runtimeIdentity', 'the runtime is known from the model step on');
    }
    if (e.eventType === 'CONTRACT_VALIDATED') {
      need(f.contractValidationOutcome !== null, 'contractValidationOutcome', 'the validation outcome is the event');
    }
    if (e.eventType === 'DUPLICATE_CHECKED') {
      need(f.duplicateOutcome !== null, 'duplicateOutcome', 'the duplicate outcome is the event');
    }
    if (e.outcome === 'FAILED' || e.outcome === 'RETRYING')
      need(f.error !== null, 'error', 'a failure names its error');
  });

/** Null when the event is complete; otherwise what is missing, one line per problem. */
export function validateTelemetryEvent(event: TelemetryEvent): string[] | null {
  const parsed = telemetryEventSchema.safeParse(event);
  if (parsed.success) return null;
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
