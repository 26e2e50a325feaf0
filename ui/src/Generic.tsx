import { text, time } from './format';
import { hrefFor } from './route';

/**
 * A table of whatever scalar fields the rows carry. Used by panels whose endpoints are still
 * settling (inbox, catalog), so a new field shows up without a UI change. Values are text.
 */
export function rowsOf(body: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(body)) return body as Array<Record<string, unknown>>;
  if (body && typeof body === 'object') {
    for (const key of ['items', 'entries', 'groups', 'rows', 'versions', 'data']) {
      const v = (body as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as Array<Record<string, unknown>>;
    }
  }
  return [];
}

function humanize(key: string): string {
  return key
    .replace(/Utc$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}

export function GenericTable(props: {
  label: string;
  rows: Array<Record<string, unknown>>;
  columns?: string[];
  linkKey?: (row: Record<string, unknown>) => { href: string; label: string } | null;
}) {
  const columns =
    props.columns ??
    Array.from(
      new Set(
        props.rows.flatMap((r) =>
          Object.keys(r).filter((k) => r[k] === null || ['string', 'number', 'boolean'].includes(typeof r[k])),
        ),
      ),
    );
  return (
    <div className="table-scroll">
      <table aria-label={props.label}>
        <thead>
          <tr>
            {props.linkKey ? <th scope="col">Open</th> : null}
            {columns.map((c) => (
              <th key={c} scope="col">
                {humanize(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => {
            const link = props.linkKey?.(r) ?? null;
            return (
              <tr key={String(r.id ?? r.runId ?? i)}>
                {props.linkKey ? <td>{link ? <a href={link.href}>{link.label}</a> : '—'}</td> : null}
                {columns.map((c) => (
                  <td key={c}>{/AtUtc$/.test(c) && typeof r[c] === 'string' ? time(r[c]) : text(r[c])}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export const runLink = (r: Record<string, unknown>) =>
  typeof r.runId === 'string' ? { href: hrefFor.run(r.runId), label: `Run ${r.runId.slice(0, 8)}` } : null;
