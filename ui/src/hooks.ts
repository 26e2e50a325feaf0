import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from './api';
import { isNotAvailable } from './api';

export type Loaded<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ok'; data: T }
  | { state: 'unavailable'; error: ApiError }
  | { state: 'error'; error: Error };

/**
 * Loads `fetcher()` whenever `key` changes; `reload()` fetches again keeping the old data on screen.
 * With `pollMs`, it reloads on that interval while `shouldPoll(data)` holds.
 */
export function useLoad<T>(
  key: string | null,
  fetcher: () => Promise<T>,
  opts: { pollMs?: number; shouldPoll?: (data: T) => boolean } = {},
): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'idle' });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const optsRef = useRef(opts);
  optsRef.current = opts;
  const keyRef = useRef(key);
  keyRef.current = key;

  const run = useCallback(async (forKey: string | null) => {
    if (forKey === null) return;
    try {
      const data = await fetcherRef.current();
      if (keyRef.current === forKey) setLoaded({ state: 'ok', data });
    } catch (err) {
      if (keyRef.current !== forKey) return;
      if (isNotAvailable(err)) setLoaded({ state: 'unavailable', error: err as ApiError });
      else setLoaded({ state: 'error', error: err instanceof Error ? err : new Error(String(err)) });
    }
  }, []);

  useEffect(() => {
    if (key === null) {
      setLoaded({ state: 'idle' });
      return;
    }
    setLoaded({ state: 'loading' });
    void run(key);
  }, [key, run]);

  useEffect(() => {
    const { pollMs, shouldPoll } = optsRef.current;
    if (!pollMs || loaded.state !== 'ok' || !shouldPoll || !shouldPoll(loaded.data)) return;
    const t = setTimeout(() => void run(keyRef.current), pollMs);
    return () => clearTimeout(t);
  }, [loaded, run]);

  const reload = useCallback(() => run(keyRef.current), [run]);
  return [loaded, reload];
}
