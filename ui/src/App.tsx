import { lazy, Suspense, useCallback, useState } from 'react';
import { request, type RunDetail } from './api';
import { type Session } from './auth';
import { Catalog } from './Catalog';
import { Inbox } from './Inbox';
import { Ledger } from './Ledger';
import { OutputPanel } from './OutputPanel';
import { hrefFor, useRoute, type Route } from './route';
import { RunDetailView } from './RunDetail';
import { SignIn } from './SignIn';
import { StartForm, type StartValues } from './StartForm';

// Chart.js is most of the bundle and only the trends need it: loaded when they are opened.
const Trends = lazy(() => import('./Trends').then((m) => ({ default: m.Trends })));

/**
 * The fixed shell (plan §8): header, navigation, input panel, output panel and workspace. These
 * five never change, before, during or after a run; views render inside the workspace and the
 * live run inside the output panel.
 */
export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [watched, setWatched] = useState<{ runId: string | null; error: Error | null; starting: boolean }>({
    runId: null,
    error: null,
    starting: false,
  });
  const [executing, setExecuting] = useState(false);
  const route = useRoute();

  const start = useCallback(
    async (values: StartValues) => {
      if (!session) return;
      setWatched({ runId: null, error: null, starting: true });
      setExecuting(true);
      try {
        const started = await request<{ runId: string }>(session.token, 'POST', '/runs', values);
        setWatched({ runId: started.runId, error: null, starting: false });
        window.location.hash = hrefFor.run(started.runId);
      } catch (err) {
        setWatched({ runId: null, error: err as Error, starting: false });
        setExecuting(false);
      }
    },
    [session],
  );

  const onWatchedUpdate = useCallback((run: RunDetail | null, stillExecuting: boolean) => {
    void run;
    setExecuting(stillExecuting);
  }, []);

  const signOut = useCallback(() => {
    setSession(null);
    setWatched({ runId: null, error: null, starting: false });
    setExecuting(false);
  }, []);

  return (
    <div className="shell">
      <header className="shell-header">
        <h1>ToolNexus · AI Generation</h1>
        <SignIn session={session} onSignIn={setSession} onSignOut={signOut} />
      </header>
      <nav className="shell-nav" aria-label="Sections">
        <ul>
          <NavLink route={route} view="ledger" href={hrefFor.ledger()} label="Run ledger" />
          <NavLink route={route} view="inbox" href={hrefFor.inbox()} label="Review inbox" />
          <NavLink route={route} view="catalog" href={hrefFor.catalog()} label="Catalog" />
          <NavLink route={route} view="trends" href={hrefFor.trends()} label="Trends" />
        </ul>
      </nav>
      <main className="shell-main">
        <section className="panel panel-input" aria-labelledby="input-heading">
          <h2 id="input-heading">Input</h2>
          <StartForm session={session} locked={executing} onStart={start} />
        </section>
        <section className="panel panel-output" aria-labelledby="output-heading">
          <h2 id="output-heading">Output</h2>
          <OutputPanel
            session={session}
            runId={watched.runId}
            starting={watched.starting}
            startError={watched.error}
            onUpdate={onWatchedUpdate}
          />
        </section>
        <section className="panel panel-workspace" aria-labelledby="workspace-heading">
          <h2 id="workspace-heading">Workspace</h2>
          <Workspace route={route} session={session} />
        </section>
      </main>
    </div>
  );
}

function NavLink(props: { route: Route; view: Route['view']; href: string; label: string }) {
  const current = props.route.view === props.view || (props.view === 'ledger' && props.route.view === 'run');
  return (
    <li>
      <a href={props.href} aria-current={current ? 'page' : undefined}>
        {props.label}
      </a>
    </li>
  );
}

function Workspace({ route, session }: { route: Route; session: Session | null }) {
  if (!session) {
    return (
      <p className="hint">
        Sign in with a bearer token to see the run ledger, the review inbox, the catalog and the trends.
      </p>
    );
  }
  switch (route.view) {
    case 'run':
      return <RunDetailView key={route.runId} session={session} runId={route.runId} />;
    case 'inbox':
      return <Inbox session={session} />;
    case 'catalog':
      return <Catalog session={session} capabilityKey={route.capabilityKey} />;
    case 'trends':
      return (
        <Suspense fallback={<p aria-busy="true">Loading the charts…</p>}>
          <Trends session={session} />
        </Suspense>
      );
    default:
      return <Ledger session={session} />;
  }
}
