import { useEffect } from 'react';
import { request, type RunDetail } from './api';
import type { Session } from './auth';
import { runtime, time } from './format';
import { useLoad } from './hooks';
import { progressOf } from './lifecycle';
import { ProblemMessage } from './Problem';
import { hrefFor } from './route';

const POLL_MS = 500;

/**
 * The output panel: the live lifecycle of the run started from the input panel, step by step,
 * polled until the run stops executing. Its layout is the same before, during and after a run;
 * only the values change.
 */
export function OutputPanel(props: {
  session: Session | null;
  runId: string | null;
  starting: boolean;
  startError: Error | null;
  onUpdate: (run: RunDetail | null, executing: boolean) => void;
}) {
  const { session, runId, onUpdate } = props;
  const [loaded] = useLoad<RunDetail>(
    session && runId ? `${session.token}:${runId}` : null,
    () => request<RunDetail>(session!.token, 'GET', `/runs/${runId}`),
    { pollMs: POLL_MS, shouldPoll: (r) => progressOf(r).executing },
  );

  const run = loaded.state === 'ok' ? loaded.data : null;
  const progress = run ? progressOf(run) : null;
  const executing =
    props.starting || (runId !== null && (progress === null ? loaded.state !== 'error' : progress.executing));
  useEffect(() => {
    if (runId !== null || props.starting) onUpdate(run, executing);
  }, [run, executing, runId, props.starting, onUpdate]);

  const status = props.starting ? 'STARTING' : (progress?.status ?? (runId ? 'REQUESTED' : 'No run yet'));
  return (
    <div className="output">
      <dl className="facts">
        <dt>Run</dt>
        <dd>{runId ? <a href={hrefFor.run(runId)}>{runId}</a> : '—'}</dd>
        <dt>Status</dt>
        <dd>
          <output aria-label="Run status" className={`status status-${status}`}>
            {status}
          </output>
        </dd>
        <dt>Current step</dt>
        <dd>
          <output aria-label="Current step">{progress?.currentStep ?? '—'}</output>
        </dd>
        <dt>Retries</dt>
        <dd>
          <output aria-label="Retries">{progress ? String(progress.retries.length) : '—'}</output>
        </dd>
        <dt>Fallbacks</dt>
        <dd>
          <output aria-label="Fallbacks">
            {progress
              ? progress.fallbacks.length === 0
                ? 'none'
                : progress.fallbacks
                    .map(
                      (f) => `${f.fromProvider ?? '?'} → ${f.toProvider ?? 'none'}: ${f.reason ?? f.failureType ?? ''}`,
                    )
                    .join('; ')
              : '—'}
          </output>
        </dd>
        <dt>Runtime</dt>
        <dd>{run ? runtime(run.runtime) : '—'}</dd>
        <dt>Snapshot</dt>
        <dd>{run?.executionSnapshotId ?? '—'}</dd>
        <dt>Why</dt>
        <dd>
          <output aria-label="Why">{progress?.why ?? '—'}</output>
        </dd>
      </dl>
      <h3 id="steps-heading">Steps</h3>
      <ol className="steps" aria-labelledby="steps-heading" aria-live="polite">
        {(progress?.steps ?? []).map((s, i) => (
          <li key={i} className={`outcome-${s.outcome}`}>
            <span className="step-name">{s.step}</span> <span className="muted">{s.eventType}</span>{' '}
            <span className="step-outcome">{s.outcome}</span> <span className="muted">{time(s.at)}</span>
          </li>
        ))}
      </ol>
      <ProblemMessage error={props.startError} prefix="The run was not started" />
      {loaded.state === 'error' ? <ProblemMessage error={loaded.error} prefix="Could not read the run" /> : null}
    </div>
  );
}
