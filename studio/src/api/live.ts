import { useEffect, useState } from 'react';
import { api } from './client.js';

/** The stream index.html opened before the bundle loaded, with the last update it received. */
interface EarlyStream { url: string; es: EventSource; last: string | undefined }

/** Takes index.html's early stream when it is the one asked for and still open; closes it otherwise. */
function adoptEarly(url: string): EarlyStream | undefined {
  const w = window as { __loomLive?: EarlyStream };
  const early = w.__loomLive;
  w.__loomLive = undefined;
  if (!early) return undefined;
  if (early.url === url && early.es.readyState !== EventSource.CLOSED) return early;
  early.es.close();
  return undefined;
}

/** A view kept fresh by server-sent events: the server pushes it when it changes (within a second). */
export function useLive<T>(params: Record<string, string | number | undefined> | undefined): { data: T | undefined; error: string | undefined; live: boolean } {
  const url = params ? api.liveUrl(params) : undefined;
  // The first render already shows what index.html's early stream received: no frame without the rows.
  const [data, setData] = useState<T | undefined>(() => {
    const early = (window as { __loomLive?: EarlyStream }).__loomLive;
    return early?.url === url && early?.last !== undefined ? (JSON.parse(early.last) as T) : undefined;
  });
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!url) return;
    setError(undefined);
    const early = adoptEarly(url);
    const es = early?.es ?? new EventSource(url);
    setData(early?.last === undefined ? undefined : (JSON.parse(early.last) as T));
    if (es.readyState === EventSource.OPEN) setLive(true);
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
