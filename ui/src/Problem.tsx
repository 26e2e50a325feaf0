import { ApiError } from './api';

/** An error as the reviewer should read it: the server's problem+json title and detail, as text. */
export function ProblemMessage({ error, prefix }: { error: Error | null | undefined; prefix?: string }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const p = error.problem;
    return (
      <div role="alert" className="problem">
        <strong>
          {prefix ? `${prefix}: ` : ''}
          {p.status ? `${p.status} ${p.title ?? ''}` : (p.title ?? 'Error')}
        </strong>
        {p.detail ? <p className="problem-detail">{p.detail}</p> : null}
        {p.invalidFields && p.invalidFields.length > 0 ? (
          <ul>
            {p.invalidFields.map((f) => (
              <li key={f.field}>
                {f.field}: {f.message}
              </li>
            ))}
          </ul>
        ) : null}
        {p.correlationId ? <p className="muted">Correlation id {p.correlationId}</p> : null}
      </div>
    );
  }
  return (
    <div role="alert" className="problem">
      <strong>{prefix ? `${prefix}: ` : ''}Error</strong>
      <p className="problem-detail">{error.message}</p>
    </div>
  );
}

export function NotAvailable({ what, error }: { what: string; error: ApiError }) {
  return (
    <p className="not-available">
      {what} is not available on this server yet ({error.status} {error.problem.title ?? ''}).
    </p>
  );
}
