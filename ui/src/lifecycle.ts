import { EXECUTING_STATUSES, UNSUCCESSFUL_STATUSES, type RunDetail, type TelemetryItem } from './api';

/** Reads a run's live progress from its telemetry ledger (or, before rows exist, the workflow's own steps). */
export interface Progress {
  status: string;
  currentStep: string;
  steps: Array<{ step: string; eventType: string; outcome: string; at: string | null }>;
  retries: TelemetryItem[];
  fallbacks: NonNullable<RunDetail['fallbacks']>;
  why: string | null;
  executing: boolean;
}

export function isRetry(t: TelemetryItem): boolean {
  return /ATTEMPT_FAILED$/.test(t.eventType) && t.outcome === 'RETRYING';
}

export function progressOf(run: RunDetail): Progress {
  const telemetry = run.telemetry ?? [];
  const steps = telemetry.length
    ? telemetry.map((t) => ({ step: t.step, eventType: t.eventType, outcome: t.outcome, at: t.occurredAtUtc }))
    : (run.steps ?? []).map((s) => ({ step: s, eventType: '', outcome: 'DONE', at: null }));
  const last = steps[steps.length - 1];
  const executing = EXECUTING_STATUSES.has(run.status) || run.pending === true;
  let why: string | null = null;
  if (run.status === 'DENIED') {
    why = `Denied by authority${run.authority?.reasonCode ? ` (${run.authority.reasonCode})` : ''}: ${
      run.authority?.reason ?? run.failureReason ?? 'no reason recorded'
    }`;
  } else if (UNSUCCESSFUL_STATUSES.has(run.status) || run.status === 'AWAITING_ADJUDICATION') {
    why = run.failureReason ?? null;
  }
  return {
    status: run.status,
    currentStep: last ? `${last.step}${last.eventType ? ` · ${last.eventType}` : ''}` : 'request',
    steps,
    retries: telemetry.filter(isRetry),
    fallbacks: run.fallbacks ?? [],
    why,
    executing,
  };
}
