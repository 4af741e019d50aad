import { useEffect, useState } from 'react';
import { api } from './client.js';

/** A view kept fresh by server-sent events: the server pushes it when it changes (within a second). */
export function useLive<T>(params: Record<string, string | number | undefined> | undefined): { data: T | undefined; error: string | undefined; live: boolean } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState(false);
  const url = params ? api.liveUrl(params) : undefined;
  useEffect(() => {
    if (!url) return;
    setData(undefined);
    setError(undefined);
    const es = new EventSource(url);
    es.addEventListener('update', (e) => {
      setData(JSON.parse((e as MessageEvent<string>).data) as T);
      setError(undefined);
    });
    es.addEventListener('failure', (e) => setError((JSON.parse((e as MessageEvent<string>).data) as { message: string }).message));
    es.onopen = () => setLive(true);
    es.onerror = () => {
      setLive(false);
      // A 401 or 400 closes the stream for good; find out which with a plain request.
      if (es.readyState === EventSource.CLOSED) fetch(url).then(async (r) => {
        if (r.status === 401) api.overview().catch(() => {});
        else if (!r.ok) setError(((await r.json()) as { error: { message: string } }).error.message);
      }).catch(() => {});
    };
    return () => es.close();
  }, [url]);
  return { data, error, live };
}
