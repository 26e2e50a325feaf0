import { useState } from 'react';
import { request } from './api';
import type { Session } from './auth';
import { duration, text, time } from './format';
import { rowsOf } from './Generic';
import { useLoad } from './hooks';
import { NotAvailable, ProblemMessage } from './Problem';
import { hrefFor } from './route';

interface InboxItem {
  kind: string;
  runId: string;
  capabilityKey?: string;
  capabilityName?: string;
  status?: string;
  reason?: string | null;
  requestedBy?: string;
  waitingSinceUtc?: string;
  waitedMs?: number;
  expiresAtUtc?: string | null;
  mayAct?: { roles?: string[]; notSubject?: string };
}

const KINDS = ['ADJUDICATION', 'ACCEPTED_BREAK', 'REVIEW', 'APPROVAL', 'ACTIVATION'];

/** What waits for a human (adjudications, accepted breaks, reviews, approvals, activations), oldest first. */
export function Inbox({ session }: { session: Session }) {
  const [kind, setKind] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const params = new URLSearchParams();
  if (kind) params.set('kind', kind);
  if (cursor) params.set('cursor', cursor);
  const path = `/inbox${params.size ? `?${params.toString()}` : ''}`;
  const [loaded, reload] = useLoad<{ nextCursor?: string | null }>(`${session.token}:${path}`, () =>
    request(session.token, 'GET', path),
  );
  const items = loaded.state === 'ok' ? (rowsOf(loaded.data) as unknown as InboxItem[]) : [];
  const next = loaded.state === 'ok' ? (loaded.data.nextCursor ?? null) : null;
  return (
    <section className="region" aria-labelledby="inbox-heading">
      <h3 id="inbox-heading">Review inbox</h3>
      <div className="filters">
        <div className="field">
          <label htmlFor="inbox-kind">Waiting for</label>
          <select
            id="inbox-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setCursors([null]);
            }}
          >
            <option value="">anything</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => void reload()}>
          Refresh inbox
        </button>
      </div>
      {loaded.state === 'unavailable' ? <NotAvailable what="The review inbox" error={loaded.error} /> : null}
      {loaded.state === 'error' ? <ProblemMessage error={loaded.error} prefix="Could not read the inbox" /> : null}
      {loaded.state === 'ok' && items.length === 0 ? <p>Nothing waits for a reviewer.</p> : null}
      {items.length > 0 ? (
        <div className="table-scroll">
          <table aria-label="Waiting items">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Waiting for</th>
                <th scope="col">Capability</th>
                <th scope="col">Requester</th>
                <th scope="col">Waited</th>
                <th scope="col">Expires</th>
                <th scope="col">Who may act</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const own = i.requestedBy === session.subject;
                return (
                  <tr key={`${i.runId}:${i.kind}`}>
                    <td>
                      <a href={hrefFor.run(i.runId)} aria-label={`Run ${text(i.capabilityKey)} ${i.runId}`}>
                        {i.runId.slice(0, 8)}
                      </a>
                    </td>
                    <td>{i.kind}</td>
                    <td>{text(i.capabilityKey)}</td>
                    <td>{text(i.requestedBy)}</td>
                    <td>
                      <span title={i.waitingSinceUtc ? `since ${time(i.waitingSinceUtc)}` : undefined}>
                        {duration(i.waitedMs)}
                      </span>
                    </td>
                    <td>{time(i.expiresAtUtc)}</td>
                    <td>
                      {(i.mayAct?.roles ?? []).join(' or ') || '—'}
                      {i.mayAct?.notSubject ? `, not ${i.mayAct.notSubject}` : ''}
                      {own ? ' (not you: you requested it)' : ''}
                    </td>
                    <td>{text(i.reason)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Earlier items
        </button>
        <button type="button" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
          More items
        </button>
      </div>
    </section>
  );
}
