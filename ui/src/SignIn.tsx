import { useState, type FormEvent } from 'react';
import { request } from './api';
import { readToken, type Session } from './auth';
import { ProblemMessage } from './Problem';

/**
 * Development sign-in: paste a bearer token (`npm run token`). The API verifies it on every call;
 * signing in checks it once against the ledger so a bad token is reported at once. The token is
 * kept in memory only: a reload signs out.
 */
export function SignIn(props: { session: Session | null; onSignIn: (s: Session) => void; onSignOut: () => void }) {
  const [raw, setRaw] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const session = readToken(raw);
      await request(session.token, 'GET', '/runs?limit=1');
      props.onSignIn(session);
      setRaw('');
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  }

  const s = props.session;
  return (
    <div className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label htmlFor="bearer-token">Bearer token</label>
        <input
          id="bearer-token"
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={raw}
          onChange={(e) => setRaw(e.target.value)}
          placeholder="eyJ…"
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <button type="button" onClick={props.onSignOut} disabled={!s}>
          Sign out
        </button>
      </form>
      <p className="identity" aria-live="polite">
        {s
          ? `Signed in as ${s.subject} · tenant ${s.tenantId} · roles ${s.roles.join(', ') || '(none)'}`
          : 'Signed out'}
      </p>
      <ProblemMessage error={error} prefix="Sign-in failed" />
    </div>
  );
}
