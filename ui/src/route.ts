import { useEffect, useState } from 'react';

/** Hash routes: the API serves one index.html under /admin, so the SPA keeps its place in the fragment. */
export type Route =
  | { view: 'ledger' }
  | { view: 'run'; runId: string }
  | { view: 'inbox' }
  | { view: 'catalog'; capabilityKey: string | null }
  | { view: 'trends' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'runs':
      return parts[1] ? { view: 'run', runId: parts[1] } : { view: 'ledger' };
    case 'inbox':
      return { view: 'inbox' };
    case 'catalog':
      return { view: 'catalog', capabilityKey: parts[1] || null };
    case 'trends':
      return { view: 'trends' };
    default:
      return { view: 'ledger' };
  }
}

export const hrefFor = {
  ledger: () => '#/ledger',
  run: (runId: string) => `#/runs/${encodeURIComponent(runId)}`,
  inbox: () => '#/inbox',
  catalog: (key?: string) => (key ? `#/catalog/${encodeURIComponent(key)}` : '#/catalog'),
  trends: () => '#/trends',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
