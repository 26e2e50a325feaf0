import { useCallback, useState, type FormEvent, type ReactNode } from 'react';
import {
  EXECUTING_STATUSES,
  request,
  REVIEWER_ROLES,
  type Contracts,
  type Duplicates,
  type PromptLineage,
  type RunDetail,
} from './api';
import { hasAnyRole, type Session } from './auth';
import { json, runtime, text, time } from './format';
import { useLoad, type Loaded } from './hooks';
import { isRetry } from './lifecycle';
import { promotionBlocker, samePerson, TARGETS } from './rules';
import { NotAvailable, ProblemMessage } from './Problem';
import { hrefFor } from './route';

interface Bundle {
  run: RunDetail;
  duplicates: Loaded<Duplicates>;
  contracts: Loaded<Contracts>;
  prompts: Loaded<PromptLineage>;
}

async function settle<T>(p: Promise<T>): Promise<Loaded<T>> {
  try {
    return { state: 'ok', data: await p };
  } catch (err) {
    const e = err as Error & { status?: number };
    if (e.name === 'ApiError' && (e.status === 404 || e.status === 501)) {
      return { state: 'unavailable', error: err as never };
    }
    return { state: 'error', error: e };
  }
}

async function loadBundle(token: string, runId: string): Promise<Bundle> {
  const id = encodeURIComponent(runId);
  const run = await request<RunDetail>(token, 'GET', `/runs/${id}`);
  // Started but not yet recorded: its evidence does not exist yet, so don't ask for it.
  if (run.pending)
    return { run, duplicates: { state: 'loading' }, contracts: { state: 'loading' }, prompts: { state: 'loading' } };
  const [duplicates, contracts, prompts] = await Promise.all([
    settle(request<Duplicates>(token, 'GET', `/runs/${id}/duplicates`)),
    settle(request<Contracts>(token, 'GET', `/runs/${id}/contracts`)),
    settle(request<PromptLineage>(token, 'GET', `/prompts/${id}`)),
  ]);
  return { run, duplicates, contracts, prompts };
}

/** One run, one region per concern: authority, duplicates, contracts, prompt lineage, telemetry. */
export function RunDetailView({ session, runId }: { session: Session; runId: string }) {
  const [loaded, reload] = useLoad<Bundle>(`${session.token}:${runId}`, () => loadBundle(session.token, runId), {
    pollMs: 1000,
    shouldPoll: (b) => EXECUTING_STATUSES.has(b.run.status) || b.run.pending === true,
  });

  if (loaded.state === 'loading' || loaded.state === 'idle') return <p aria-busy="true">Loading run {runId}…</p>;
  if (loaded.state === 'unavailable' || loaded.state === 'error') {
    return (
      <div>
        <p>
          <a href={hrefFor.ledger()}>Back to the run ledger</a>
        </p>
        <ProblemMessage error={loaded.error} prefix={`Could not read run ${runId}`} />
      </div>
    );
  }
  const { run, duplicates, contracts, prompts } = loaded.data;
  return (
    <article className="run-detail" aria-labelledby="run-heading">
      <p>
        <a href={hrefFor.ledger()}>Back to the run ledger</a>
      </p>
      <h3 id="run-heading">
        Run {run.capabilityKey ?? ''} <span className="mono muted">{run.runId}</span>{' '}
        <span className={`status status-${run.status}`}>{run.status}</span>
      </h3>
      <div className="regions">
        <Region title="Authority" id="authority">
          <AuthorityPanel run={run} />
        </Region>
        <Region title="Duplicates" id="duplicates">
          <DuplicatesPanel session={session} run={run} duplicates={duplicates} onChanged={reload} />
        </Region>
        <Region title="Contracts" id="contracts">
          <ContractsPanel
            session={session}
            run={run}
            contracts={contracts}
            duplicates={duplicates}
            onChanged={reload}
          />
        </Region>
        <Region title="Prompt lineage" id="prompt-lineage">
          <PromptPanel prompts={prompts} />
        </Region>
        <Region title="Telemetry" id="telemetry">
          <TelemetryPanel run={run} />
        </Region>
      </div>
    </article>
  );
}

function Region({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="region" aria-labelledby={`region-${id}`}>
      <h4 id={`region-${id}`}>{title}</h4>
      {children}
    </section>
  );
}

function Facts({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Unloaded<T>({ loaded, what }: { loaded: Loaded<T>; what: string }) {
  if (loaded.state === 'unavailable') return <NotAvailable what={what} error={loaded.error} />;
  if (loaded.state === 'error') return <ProblemMessage error={loaded.error} prefix={`Could not read ${what}`} />;
  return <p aria-busy="true">Loading {what}…</p>;
}

function AuthorityPanel({ run }: { run: RunDetail }) {
  const a = run.authority;
  return (
    <>
      <Facts
        rows={[
          ['Decision', a ? a.decision : run.pending ? 'pending' : '—'],
          ['Reason code', text(a?.reasonCode)],
          ['Reason', text(a?.reason)],
          ['Subject', text(a?.subject ?? run.requestedBy)],
          ['Policy version', text(a?.policyVersion)],
          ['Governance decision', <span className="mono">{text(a?.governanceDecisionId)}</span>],
          ['Execution snapshot', <span className="mono">{text(run.executionSnapshotId)}</span>],
          ['Runtime identity', runtime(run.runtime)],
          ['Fallback', run.fallbackUsed ? 'fallback used' : 'no'],
          ['Requester', text(run.requestedBy)],
          ['Language / target runtime', `${text(run.language)} / ${text(run.targetRuntime)}`],
          ['Correlation id', <span className="mono">{text(run.correlationId)}</span>],
          ['Failure reason', text(run.failureReason)],
          ['Created', time(run.createdAtUtc)],
        ]}
      />
      {run.governanceDecisions && run.governanceDecisions.length > 0 ? (
        <table aria-label="Governance decisions">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Decision</th>
              <th scope="col">Reason</th>
              <th scope="col">Subject</th>
              <th scope="col">At</th>
            </tr>
          </thead>
          <tbody>
            {run.governanceDecisions.map((d) => (
              <tr key={d.id}>
                <td>{d.kind}</td>
                <td>{d.decision}</td>
                <td>{[d.reasonCode, d.reason].filter(Boolean).join(': ') || '—'}</td>
                <td>{text(d.subject)}</td>
                <td>{time(d.decidedAtUtc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

function useAction(onChanged: () => Promise<void>) {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const act = useCallback(
    async (fn: () => Promise<string>) => {
      setBusy(true);
      setError(null);
      setDone(null);
      try {
        setDone(await fn());
        await onChanged();
      } catch (err) {
        setError(err as Error);
        await onChanged();
      } finally {
        setBusy(false);
      }
    },
    [onChanged],
  );
  return { error, busy, done, act };
}

function DuplicatesPanel(props: {
  session: Session;
  run: RunDetail;
  duplicates: Loaded<Duplicates>;
  onChanged: () => Promise<void>;
}) {
  const { session, run, duplicates } = props;
  if (duplicates.state !== 'ok') return <Unloaded loaded={duplicates} what="duplicate checks" />;
  const d = duplicates.data;
  return (
    <>
      <Facts rows={[['Outcome', text(d.outcome)]]} />
      {d.checks.length === 0 ? <p className="muted">No duplicate check recorded yet.</p> : null}
      {d.checks.map((c, i) => (
        <div key={c.id} className="check">
          <p>
            Check {i + 1}: <strong>{c.outcome}</strong> · adjudication {text(c.adjudication.state)}
            {c.adjudication.adjudicatedBy
              ? ` by ${c.adjudication.adjudicatedBy} at ${time(c.adjudication.adjudicatedAtUtc)}`
              : ''}
          </p>
          {c.adjudication.comment ? <blockquote className="comment">{c.adjudication.comment}</blockquote> : null}
          <details>
            <summary>Strategies and thresholds</summary>
            <pre>{json({ strategies: c.strategies, thresholds: c.thresholds })}</pre>
          </details>
          <table aria-label={`Duplicate matches of check ${i + 1}`}>
            <thead>
              <tr>
                <th scope="col">Matched capability</th>
                <th scope="col">Dimension</th>
                <th scope="col">Score</th>
                <th scope="col">Tier</th>
                <th scope="col">Per-dimension scores and rationale</th>
              </tr>
            </thead>
            <tbody>
              {c.matches.length === 0 ? (
                <tr>
                  <td colSpan={5}>No matches.</td>
                </tr>
              ) : (
                c.matches.map((m) => (
                  <tr key={m.id}>
                    <td>{text(m.capabilityKey)}</td>
                    <td>{m.dimension}</td>
                    <td>{typeof m.score === 'number' ? m.score.toFixed(3) : text(m.score)}</td>
                    <td>
                      {m.tier}
                      {m.verdict ? ` · ${text(m.verdict)}` : ''}
                    </td>
                    <td>
                      <Rationale text={m.rationale} />
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      ))}
      <Adjudication session={session} run={run} onChanged={props.onChanged} />
    </>
  );
}

function Adjudication({
  session,
  run,
  onChanged,
}: {
  session: Session;
  run: RunDetail;
  onChanged: () => Promise<void>;
}) {
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  const { error, busy, done, act } = useAction(onChanged);
  if (run.status !== 'AWAITING_ADJUDICATION') {
    return done ? <p role="status">{done}</p> : null;
  }
  if (!hasAnyRole(session, REVIEWER_ROLES)) {
    return (
      <p className="hint">
        This run waits for a reviewer to adjudicate its potential duplicate; that needs the role{' '}
        {REVIEWER_ROLES.join(' or ')}.
      </p>
    );
  }
  const own = !!run.requestedBy && samePerson(session.subject, run.requestedBy);
  function decide(decision: 'ACCEPT' | 'REJECT') {
    if (comment.trim() === '') {
      setMissing(true);
      return;
    }
    setMissing(false);
    void act(async () => {
      const r = await request<{ status: string }>(session.token, 'POST', `/runs/${run.runId}/adjudicate`, {
        decision,
        comment,
      });
      return `Recorded ${decision === 'ACCEPT' ? 'accepted' : 'rejected'}; the run is now ${r.status}.`;
    });
  }
  return (
    <form className="adjudication" onSubmit={(e) => e.preventDefault()} aria-label="Adjudicate the potential duplicate">
      <label htmlFor="adjudication-comment">Comment</label>
      <textarea
        id="adjudication-comment"
        required
        aria-required="true"
        aria-invalid={missing}
        aria-describedby="adjudication-help"
        rows={3}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
      />
      <p id="adjudication-help" className={missing ? 'problem' : 'hint'}>
        {missing
          ? 'A comment is required: it is the audit record of your decision.'
          : 'Accepting lets the run continue as a Draft; rejecting ends it as a confirmed duplicate. A comment is required.'}
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={busy || own}
          aria-describedby={own ? 'adjudication-own' : undefined}
          onClick={() => decide('ACCEPT')}
        >
          Accept duplicate
        </button>
        <button
          type="button"
          disabled={busy || own}
          aria-describedby={own ? 'adjudication-own' : undefined}
          onClick={() => decide('REJECT')}
        >
          Reject duplicate
        </button>
      </div>
      {own ? (
        <p id="adjudication-own" className="why">
          Four eyes: you ({session.subject}) requested this run, so another reviewer must adjudicate it.
        </p>
      ) : null}
      <ProblemMessage error={error} prefix="Adjudication refused" />
    </form>
  );
}

function ContractsPanel(props: {
  session: Session;
  run: RunDetail;
  contracts: Loaded<Contracts>;
  duplicates: Loaded<Duplicates>;
  onChanged: () => Promise<void>;
}) {
  const { session, run, contracts } = props;
  if (contracts.state !== 'ok') return <Unloaded loaded={contracts} what="contracts" />;
  const c = contracts.data;
  const dupOutcome = props.duplicates.state === 'ok' ? props.duplicates.data.outcome : (run.duplicateOutcome ?? null);
  const compatibility = c.compatibility;
  return (
    <>
      <Facts
        rows={[
          ['Lifecycle state', text(c.lifecycleState)],
          ['Validation', text(c.validationOutcome)],
          ['Capability version', text(c.capabilityVersion)],
          ['Revision of', text(c.revisionOf)],
        ]}
      />
      <Promotion session={session} run={run} contracts={c} duplicateOutcome={dupOutcome} onChanged={props.onChanged} />
      <h5>Drafts and revisions</h5>
      {c.drafts.length === 0 ? <p className="muted">No contract drafted yet.</p> : null}
      {c.drafts.map((d) => (
        <details key={d.id} open={c.drafts.length === 1}>
          <summary>
            {d.capabilityKey}
            {d.revision !== undefined && d.revision !== null ? ` revision ${d.revision}` : ''}
            {d.version ? ` · version ${text(d.version)}` : ''} · {d.lifecycleState} · {time(d.createdAtUtc)}
          </summary>
          {d.revisionReason ? <p>Revision reason: {text(d.revisionReason)}</p> : null}
          {d.definitionHash ? (
            <p>
              Definition hash <span className="mono">{text(d.definitionHash)}</span>
            </p>
          ) : null}
          <h6>Manifest</h6>
          <pre>{json(d.manifest)}</pre>
          <h6>Input schema</h6>
          <pre>{json(d.inputSchema)}</pre>
          <h6>Output schema</h6>
          <pre>{json(d.outputSchema)}</pre>
          <h6>Runtime constraints</h6>
          <pre>{json(d.runtimeConstraints)}</pre>
        </details>
      ))}
      <h5>Validation</h5>
      {c.validations.map((v) => (
        <table key={v.id} aria-label={`Validation gates (${v.outcome})`}>
          <caption>
            {v.outcome} · strict mode {v.strictMode ? 'on' : 'off'} · {time(v.validatedAtUtc)}
          </caption>
          <thead>
            <tr>
              <th scope="col">Gate</th>
              <th scope="col">Result</th>
              <th scope="col">Severity</th>
              <th scope="col">Errors (with JSON paths)</th>
            </tr>
          </thead>
          <tbody>
            {v.gates.map((g) => (
              <tr key={g.gate} className={g.passed ? 'gate-pass' : 'gate-fail'}>
                <td>{g.gate}</td>
                <td>{g.passed ? 'passed' : 'failed'}</td>
                <td>{text(g.severity)}</td>
                <td>
                  {g.messages && g.messages.length > 0 ? (
                    <ul>
                      {g.messages.map((m, i) => (
                        <li key={i}>{m}</li>
                      ))}
                    </ul>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <h5>Compatibility with the previous version</h5>
      <CompatibilityDiff compatibility={compatibility} />
      <AcceptBreak session={session} run={run} contracts={c} onChanged={props.onChanged} />
      {Array.isArray(c.acceptedBreaks) && c.acceptedBreaks.length > 0 ? (
        <table aria-label="Accepted breaks">
          <thead>
            <tr>
              <th scope="col">Rules</th>
              <th scope="col">Reason</th>
              <th scope="col">Owner</th>
              <th scope="col">Accepted by</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {(c.acceptedBreaks as Array<Record<string, unknown>>).map((b, i) => (
              <tr key={String(b.governanceDecisionId ?? i)}>
                <td>{Array.isArray(b.ruleIds) ? b.ruleIds.join(', ') : text(b.ruleIds)}</td>
                <td>{text(b.reason)}</td>
                <td>{text(b.owner)}</td>
                <td>{text(b.acceptedBy)}</td>
                <td>{typeof b.expiresAtUtc === 'string' ? time(b.expiresAtUtc) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h5>Promotions</h5>
      {c.promotions.length === 0 ? (
        <p className="muted">No promotions yet.</p>
      ) : (
        <table aria-label="Promotions">
          <thead>
            <tr>
              <th scope="col">From → to</th>
              <th scope="col">By</th>
              <th scope="col">Comment</th>
              <th scope="col">Evidence (governance decision)</th>
              <th scope="col">At</th>
            </tr>
          </thead>
          <tbody>
            {c.promotions.map((p) => (
              <tr key={p.id}>
                <td>
                  {p.fromState} → {p.toState}
                </td>
                <td>{p.requestedBy}</td>
                <td>{text(p.comment)}</td>
                <td>
                  <span className="mono">{p.governanceDecisionId}</span>
                  {p.evidence && p.evidence.length > 0 ? (
                    <ul>
                      {p.evidence.map((e, i) => (
                        <li key={i}>
                          {text(e.role)}: {text(e.kind)} {text(e.decision)}
                          {e.subject ? ` by ${e.subject}` : ''}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {p.definitionHash ? <span className="mono muted"> definition {text(p.definitionHash)}</span> : null}
                </td>
                <td>{time(p.promotedAtUtc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Breaking rules of the diff, when the run is held at the gate for them. */
function breakingRules(c: Contracts): string[] {
  const diff = c.compatibility as { breaking?: boolean; findings?: Array<{ rule: string; breaking: boolean }> } | null;
  if (!diff?.breaking || !Array.isArray(diff.findings)) return [];
  return [...new Set(diff.findings.filter((f) => f.breaking).map((f) => f.rule))];
}

/**
 * A breaking revision waits at the gate until a reviewer accepts the named rules, with a reason,
 * an owner and an expiry; then it continues as a Draft with a major version.
 */
function AcceptBreak(props: {
  session: Session;
  run: RunDetail;
  contracts: Contracts;
  onChanged: () => Promise<void>;
}) {
  const { session, run } = props;
  const rules = breakingRules(props.contracts);
  const weekAhead = new Date(Date.now() + 7 * 86_400_000 - new Date().getTimezoneOffset() * 60_000)
    .toISOString()
    .slice(0, 16);
  const [accepted, setAccepted] = useState<string[]>(rules);
  const [reason, setReason] = useState('');
  const [owner, setOwner] = useState('');
  const [expires, setExpires] = useState(weekAhead);
  const [missing, setMissing] = useState<string | null>(null);
  const { error, busy, done, act } = useAction(props.onChanged);
  if (run.status !== 'BLOCKED' || rules.length === 0) return done ? <p role="status">{done}</p> : null;
  if (!hasAnyRole(session, REVIEWER_ROLES)) {
    return <p className="hint">Accepting a breaking change needs the role {REVIEWER_ROLES.join(' or ')}.</p>;
  }
  const own = !!run.requestedBy && samePerson(session.subject, run.requestedBy);
  function submit(e: FormEvent) {
    e.preventDefault();
    const expiresAt = new Date(expires);
    if (accepted.length === 0) return setMissing('Choose the rules you accept.');
    if (!reason.trim() || !owner.trim()) return setMissing('A reason and an owner are required.');
    if (Number.isNaN(expiresAt.getTime())) return setMissing('Give the acceptance an expiry.');
    setMissing(null);
    void act(async () => {
      const r = await request<{ status: string; capabilityVersion?: string }>(
        session.token,
        'POST',
        `/runs/${run.runId}/accept-break`,
        { ruleIds: accepted, reason, owner, expiresAtUtc: expiresAt.toISOString() },
      );
      return `Break accepted; the run is now ${r.status}${r.capabilityVersion ? ` as version ${r.capabilityVersion}` : ''}.`;
    });
  }
  return (
    <form className="adjudication" onSubmit={submit} aria-label="Accept the breaking change">
      <fieldset disabled={busy || own}>
        <legend>Accept the breaking change</legend>
        {rules.map((rule) => (
          <label key={rule} className="check">
            <input
              type="checkbox"
              checked={accepted.includes(rule)}
              onChange={(e) => setAccepted((a) => (e.target.checked ? [...a, rule] : a.filter((x) => x !== rule)))}
            />{' '}
            Accept rule {rule}
          </label>
        ))}
        <label htmlFor="break-reason">Reason</label>
        <textarea id="break-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        <label htmlFor="break-owner">Owner</label>
        <input id="break-owner" type="text" value={owner} onChange={(e) => setOwner(e.target.value)} />
        <label htmlFor="break-expires">Expires</label>
        <input id="break-expires" type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        <div className="actions">
          <button type="submit">Accept break</button>
        </div>
      </fieldset>
      {own ? (
        <p className="why">
          Four eyes: you ({session.subject}) requested this run, so another reviewer must accept it.
        </p>
      ) : null}
      {missing ? <p className="problem">{missing}</p> : null}
      <ProblemMessage error={error} prefix="Acceptance refused" />
    </form>
  );
}

function Promotion(props: {
  session: Session;
  run: RunDetail;
  contracts: Contracts;
  duplicateOutcome: string | null;
  onChanged: () => Promise<void>;
}) {
  const { session, run } = props;
  const { error, busy, done, act } = useAction(props.onChanged);
  const [comment, setComment] = useState('');
  if (!hasAnyRole(session, REVIEWER_ROLES)) {
    return <p className="hint">Promotion needs the role {REVIEWER_ROLES.join(' or ')}.</p>;
  }
  function promote(target: string) {
    void act(async () => {
      const r = await request<{ toState: string }>(session.token, 'POST', `/runs/${run.runId}/promote`, {
        targetState: target,
        ...(comment.trim() ? { comment } : {}),
      });
      setComment('');
      return `Promoted to ${r.toState}.`;
    });
  }
  return (
    <div className="promotion" role="group" aria-label="Promotion">
      <label htmlFor="promotion-comment">Promotion comment (optional)</label>
      <input id="promotion-comment" type="text" value={comment} onChange={(e) => setComment(e.target.value)} />
      <ul className="actions">
        {TARGETS.map((target) => {
          const blocker = promotionBlocker(session, run, props.contracts, props.duplicateOutcome, target);
          const whyId = `why-promote-${target}`;
          return (
            <li key={target}>
              <button
                type="button"
                disabled={busy || blocker !== null}
                aria-describedby={blocker ? whyId : undefined}
                onClick={() => promote(target)}
              >
                Promote to {target}
              </button>
              {blocker ? (
                <span id={whyId} className="why">
                  {blocker}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
      {done ? <p role="status">{done}</p> : null}
      <ProblemMessage error={error} prefix="Promotion refused" />
    </div>
  );
}

function PromptPanel({ prompts }: { prompts: Loaded<PromptLineage> }) {
  if (prompts.state !== 'ok') return <Unloaded loaded={prompts} what="prompt lineage" />;
  const p = prompts.data;
  if (p.promptRuns.length === 0) return <p className="muted">No prompt assembled yet.</p>;
  return (
    <>
      {p.promptRuns.map((r) => (
        <div key={r.id} className="prompt-run">
          <Facts
            rows={[
              ['Template', `${r.templateId}@${r.templateVersion}`],
              ['Prompt hash', <span className="mono">{text(r.promptHash)}</span>],
              ['Tokens', `${text(r.tokenEstimate)} of ${text(r.tokenBudget)}`],
              ['Provider / model', `${text(r.runtimeProvider)} / ${text(r.modelIdentity)}`],
              ['Redactions', text(r.redactions)],
            ]}
          />
          <details>
            <summary>Sections (redacted)</summary>
            <pre className="sections">{json(r.sections)}</pre>
          </details>
          <table aria-label="Model attempts">
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Kind</th>
                <th scope="col">Provider</th>
                <th scope="col">Model</th>
                <th scope="col">Error</th>
                <th scope="col">Latency</th>
              </tr>
            </thead>
            <tbody>
              {r.artifacts.map((a) => (
                <tr key={a.id}>
                  <td>{text(a.attempt)}</td>
                  <td>{a.kind}</td>
                  <td>{text(a.runtimeProvider)}</td>
                  <td>{text(a.modelIdentity)}</td>
                  <td>{a.errorType ? `${a.errorType}: ${text(a.errorMessage)}` : '—'}</td>
                  <td>{a.latencyMs === null ? '—' : `${a.latencyMs} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </>
  );
}

function TelemetryPanel({ run }: { run: RunDetail }) {
  const t = run.telemetry ?? [];
  const retries = t.filter(isRetry).length;
  const fallbacks = t.filter((e) => e.eventType === 'MODEL_FALLBACK').length;
  const denials = t.filter((e) => e.eventType === 'RUN_DENIED').length;
  const failures = t.filter((e) => e.outcome === 'FAILED' || /FAILED$/.test(e.eventType)).length;
  return (
    <>
      <p>
        Retries {retries} · fallbacks {fallbacks} · denials {denials} · failures {failures}
      </p>
      <ol className="timeline">
        {t.map((e) => {
          const err = e.fields.error;
          const fb = e.eventType === 'MODEL_FALLBACK' ? e.fields.fallback?.reason : null;
          return (
            <li key={e.id} className={`event outcome-${e.outcome}`}>
              <time dateTime={e.occurredAtUtc ?? undefined}>{time(e.occurredAtUtc)}</time>{' '}
              <strong>{e.eventType}</strong> · {e.step} · {e.outcome}
              {e.fields.attempt ? ` · attempt ${e.fields.attempt}` : ''}
              {err ? ` · ${err.type}: ${err.message}` : ''}
              {fb ? ` · fallback: ${fb}` : ''}
            </li>
          );
        })}
      </ol>
    </>
  );
}

interface Finding {
  rule: string;
  path: string;
  direction?: string;
  breaking: boolean;
  old?: unknown;
  new?: unknown;
}

/** The compatibility diff against the previous Active version, rule by rule. */
function CompatibilityDiff({ compatibility }: { compatibility: Contracts['compatibility'] }) {
  if (compatibility === undefined) {
    return <p className="not-available">The compatibility diff is not available on this server yet.</p>;
  }
  if (compatibility === null) return <p className="muted">A first version: there is no previous version to compare.</p>;
  const c = compatibility as { previousVersion?: unknown; version?: unknown; breaking?: boolean; findings?: Finding[] };
  const findings = Array.isArray(c.findings) ? c.findings : [];
  return (
    <>
      <p>
        Version {text(c.previousVersion)} → {text(c.version)}: {c.breaking ? 'breaking' : 'compatible'} ·{' '}
        {findings.length} finding{findings.length === 1 ? '' : 's'}
      </p>
      {findings.length > 0 ? (
        <table aria-label="Compatibility findings">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">JSON path</th>
              <th scope="col">Direction</th>
              <th scope="col">Breaking</th>
              <th scope="col">Old → new</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f, i) => (
              <tr key={i} className={f.breaking ? 'gate-fail' : undefined}>
                <td>{f.rule}</td>
                <td className="mono">{f.path}</td>
                <td>{text(f.direction)}</td>
                <td>{f.breaking ? 'yes' : 'no'}</td>
                <td>
                  {text(f.old)} → {text(f.new)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** The detector writes one rationale per match, its dimensions separated by " | ": one line each. */
function Rationale({ text: rationale }: { text: string | null | undefined }) {
  const parts = (rationale ?? '').split(' | ').filter((p) => p.trim() !== '');
  if (parts.length <= 1) return <>{text(rationale)}</>;
  return (
    <ul className="rationale">
      {parts.map((p, i) => (
        <li key={i}>{p}</li>
      ))}
    </ul>
  );
}
