import { useEffect, useState } from 'react';
import { api, type ActorLogPageView } from '../../api/client.js';
import { json } from '../../components/format.js';

const PAGE = 20;

/** An actor's per-key state (this.kv) and logs (this.log), read-only: a key's value, a log a page at a time. */
export function ActorData({ type, id }: { type: string; id: string }) {
  const [keys, setKeys] = useState<string[]>();
  const [logs, setLogs] = useState<{ name: string; first: number; next: number }[]>();
  const [error, setError] = useState<string>();
  const [value, setValue] = useState<{ key: string; found: boolean; value?: unknown }>();
  const [page, setPage] = useState<ActorLogPageView>();
  useEffect(() => {
    Promise.all([api.keys(type, id), api.logs(type, id)]).then(
      ([k, l]) => { setKeys(k.keys); setLogs(l.logs); },
      (e: Error & { code?: string }) => setError(e.code === 'LOOM_NO_ACTOR_DATA' ? undefined : e.message),
    );
  }, [type, id]);
  const openLog = (name: string, q: { from?: number; last?: number }) =>
    api.log(type, id, name, { ...q, limit: PAGE }).then(setPage, (e: Error) => setError(e.message));
  if (error) return <p className="error">{error}</p>;
  if (!keys || !logs || (keys.length === 0 && logs.length === 0)) return null;
  return (
    <>
      {keys.length > 0 && (
        <>
          <h2>Keys (this.kv)</h2>
          <p>{keys.map((k) => <button key={k} className="link mono" onClick={() => api.key(type, id, k).then(setValue, (e: Error) => setError(e.message))}>{k}</button>)}{keys.length >= 100 && <span className="muted"> (first 100)</span>}</p>
          {value && <pre className="state">{value.found ? json(value.value) : 'not set'}</pre>}
        </>
      )}
      {logs.length > 0 && (
        <>
          <h2>Logs (this.log)</h2>
          <table className="rows">
            <tbody>{logs.map((l) => <tr key={l.name}><td><button className="link mono" onClick={() => openLog(l.name, { last: PAGE })}>{l.name}</button></td><td>{l.next - l.first} entries</td><td className="muted">indexes {l.first}–{l.next - 1}</td></tr>)}</tbody>
          </table>
          {page && (
            <div className="log-page">
              <p>
                <strong className="mono">{page.name}</strong>{' '}
                <button disabled={!page.entries.length || page.entries[0]!.index <= page.first} onClick={() => openLog(page.name, { from: Math.max(page.first, page.entries[0]!.index - PAGE) })}>older</button>{' '}
                <button disabled={!page.entries.length || page.entries[page.entries.length - 1]!.index >= page.next - 1} onClick={() => openLog(page.name, { from: page.entries[page.entries.length - 1]!.index + 1 })}>newer</button>
              </p>
              <table className="rows">
                <tbody>{page.entries.map((e) => <tr key={e.index}><td className="mono">{e.index}</td><td><pre>{JSON.stringify(e.value)}</pre></td></tr>)}</tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
