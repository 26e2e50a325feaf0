import { useState, type FormEvent } from 'react';
import { request, RUN_STATUSES, type LedgerItem, type LedgerPage } from './api';
import type { Session } from './auth';
import { age, runtime } from './format';
import { useLoad } from './hooks';
import { ProblemMessage } from './Problem';
import { hrefFor } from './route';

interface Filters {
  status: string;
  capabilityKey: string;
  from: string;
  to: string;
  limit: string;
}

const EMPTY: Filters = { status: '', capabilityKey: '', from: '', to: '', limit: '10' };

/** `datetime-local` values are local wall time; the API wants ISO 8601 with an offset. */
function toIso(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function queryOf(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.capabilityKey.trim()) q.set('capabilityKey', f.capabilityKey.trim());
  const from = toIso(f.from);
  const to = toIso(f.to);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  q.set('limit', f.limit || '10');
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** Denial happens only at the authority step, so a run's status tells its authority decision. */
function authorityOf(item: LedgerItem): string {
  if (item.authorityDecision) return item.authorityDecision;
  if (item.status === 'DENIED') return 'DENY';
  return item.authorityDecisionId ? 'ADMIT' : 'pending';
}

/** The run ledger: newest first, filtered by status, capability key and time range, paged by cursor. */
export function Ledger({ session }: { session: Session }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  // Cursors of the pages before the current one, so "Previous page" can walk back.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const query = queryOf(applied, cursor);
  const [loaded, reload] = useLoad<LedgerPage>(`${session.token}?${query}`, () =>
    request<LedgerPage>(session.token, 'GET', `/runs?${query}`),
  );

  function apply(e: FormEvent) {
    e.preventDefault();
    setApplied(draft);
    setCursors([null]);
  }
  function clear() {
    setDraft(EMPTY);
    setApplied(EMPTY);
    setCursors([null]);
  }
  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));

  const page = loaded.state === 'ok' ? loaded.data : null;
  const now = Date.now();
  return (
    <div className="ledger">
      <form className="filters" onSubmit={apply} aria-label="Ledger filters">
        <div className="field">
          <label htmlFor="ledger-status">Status</label>
          <select id="ledger-status" value={draft.status} onChange={set('status')}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ledger-capability">Capability key</label>
          <input id="ledger-capability" type="text" value={draft.capabilityKey} onChange={set('capabilityKey')} />
        </div>
        <div className="field">
          <label htmlFor="ledger-from">From</label>
          <input id="ledger-from" type="datetime-local" value={draft.from} onChange={set('from')} />
        </div>
        <div className="field">
          <label htmlFor="ledger-to">To</label>
          <input id="ledger-to" type="datetime-local" value={draft.to} onChange={set('to')} />
        </div>
        <div className="field">
          <label htmlFor="ledger-limit">Page size</label>
          <select id="ledger-limit" value={draft.limit} onChange={set('limit')}>
            {['5', '10', '25', '50', '100'].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Apply filters</button>
        <button type="button" onClick={clear}>
          Clear filters
        </button>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </form>
      {loaded.state === 'error' ? <ProblemMessage error={loaded.error} prefix="Could not read the ledger" /> : null}
      <div className="table-scroll">
        <table aria-label="Run ledger" aria-busy={loaded.state === 'loading'}>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Authority decision</th>
              <th scope="col">Runtime identity</th>
              <th scope="col">Fallback</th>
              <th scope="col">Snapshot id</th>
              <th scope="col">Capability key</th>
              <th scope="col">Requester</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((item) => (
              <tr key={item.runId}>
                <td>
                  <a href={hrefFor.run(item.runId)} aria-label={`Run ${item.capabilityKey} ${item.runId}`}>
                    {item.runId.slice(0, 8)}
                  </a>
                </td>
                <td>
                  <span className={`status status-${item.status}`}>{item.status}</span>
                </td>
                <td>{authorityOf(item)}</td>
                <td>{runtime(item.runtime)}</td>
                <td>{item.fallbackUsed ? 'fallback used' : 'no'}</td>
                <td className="mono">{item.executionSnapshotId ?? '—'}</td>
                <td>{item.capabilityKey}</td>
                <td>{item.requestedBy}</td>
                <td>
                  <time dateTime={item.createdAtUtc} title={item.createdAtUtc}>
                    {age(item.createdAtUtc, now)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted" aria-live="polite">
        {page ? `Page ${cursors.length}: ${page.items.length} run${page.items.length === 1 ? '' : 's'}` : 'Loading…'}
      </p>
      <div className="pager">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.nextCursor}
          onClick={() => page?.nextCursor && setCursors((c) => [...c, page.nextCursor])}
        >
          Next page
        </button>
      </div>
    </div>
  );
}
