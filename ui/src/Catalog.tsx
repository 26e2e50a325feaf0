import { useState, type FormEvent } from 'react';
import { request } from './api';
import type { Session } from './auth';
import { json } from './format';
import { GenericTable, rowsOf } from './Generic';
import { useLoad } from './hooks';
import { NotAvailable, ProblemMessage } from './Problem';
import { hrefFor } from './route';

const ENTRY_COLUMNS = ['name', 'version', 'lifecycleState', 'source', 'runtime', 'description', 'updatedAtUtc'];
const VERSION_COLUMNS = ['version', 'lifecycleState', 'source', 'externalId', 'sourceRunId', 'createdAtUtc'];

type Row = Record<string, unknown>;
const pick = (rows: Row[], wanted: string[]) => {
  const present = wanted.filter((c) => rows.some((r) => c in r));
  return present.length > 0 ? present : undefined;
};

/** Catalog entries, each with its versions and where it came from (imported or generated). */
export function Catalog({ session, capabilityKey }: { session: Session; capabilityKey: string | null }) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const params = new URLSearchParams();
  if (query) params.set('q', query);
  if (cursor) params.set('cursor', cursor);
  const path = `/catalog${params.size ? `?${params.toString()}` : ''}`;
  const [list] = useLoad<{ nextCursor?: string | null }>(`${session.token}:${path}`, () =>
    request(session.token, 'GET', path),
  );
  const [entry] = useLoad<unknown>(capabilityKey ? `${session.token}:catalog:${capabilityKey}` : null, () =>
    request(session.token, 'GET', `/catalog/${encodeURIComponent(capabilityKey!)}`),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    setQuery(search.trim());
    setCursors([null]);
  }

  const rows = list.state === 'ok' ? rowsOf(list.data) : [];
  const versions = entry.state === 'ok' ? rowsOf(entry.data) : [];
  const next = list.state === 'ok' ? (list.data.nextCursor ?? null) : null;
  return (
    <section className="region" aria-labelledby="catalog-heading">
      <h3 id="catalog-heading">Catalog</h3>
      <form onSubmit={submit} className="filters" aria-label="Search the catalog">
        <div className="field">
          <label htmlFor="catalog-search">Search the catalog</label>
          <input id="catalog-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <button type="submit">Search</button>
      </form>
      {list.state === 'unavailable' ? <NotAvailable what="The catalog" error={list.error} /> : null}
      {list.state === 'error' ? <ProblemMessage error={list.error} prefix="Could not read the catalog" /> : null}
      {list.state === 'ok' && rows.length === 0 ? (
        <p>{query ? 'No catalog entry matches.' : 'The catalog is empty.'}</p>
      ) : null}
      {rows.length > 0 ? (
        <>
          <GenericTable
            label="Catalog entries"
            rows={rows}
            columns={pick(rows, ENTRY_COLUMNS)}
            linkKey={(r) =>
              typeof r.capabilityKey === 'string'
                ? { href: hrefFor.catalog(r.capabilityKey), label: r.capabilityKey }
                : null
            }
          />
          <div className="pager">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous entries
            </button>
            <button type="button" disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
              More entries
            </button>
          </div>
        </>
      ) : null}
      {capabilityKey ? (
        <section className="region" aria-labelledby="catalog-entry-heading">
          <h4 id="catalog-entry-heading">Versions of {capabilityKey}</h4>
          {entry.state === 'unavailable' ? <NotAvailable what="This catalog entry" error={entry.error} /> : null}
          {entry.state === 'error' ? <ProblemMessage error={entry.error} /> : null}
          {entry.state === 'ok' ? (
            <>
              <GenericTable
                label={`Versions of ${capabilityKey}`}
                rows={versions}
                columns={pick(versions, VERSION_COLUMNS)}
                linkKey={(r) =>
                  typeof r.sourceRunId === 'string'
                    ? { href: hrefFor.run(r.sourceRunId), label: `Generating run ${r.sourceRunId.slice(0, 8)}` }
                    : null
                }
              />
              <details>
                <summary>Entry as recorded</summary>
                <pre>{json(entry.data)}</pre>
              </details>
            </>
          ) : null}
        </section>
      ) : null}
    </section>
  );
}
