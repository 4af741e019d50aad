import { useState } from 'react';
import type { InvocationPage } from '../../api/client.js';
import { useLive } from '../../api/live.js';
import { href, navigate, type Route } from '../../router.js';
import { Status } from '../../components/Status.js';
import { ago } from '../../components/format.js';
import { BulkBar } from './BulkBar.js';
import { useEffect } from 'react';
import { api } from '../../api/client.js';

const TABS: [string, string][] = [['all', 'All'], ['not-running', 'Not running'], ['backing-off', 'Backing off'], ['dead', 'Dead letters']];
const FILTERS: [string, string][] = [['status', 'status or waiting reason'], ['type', 'actor type'], ['id', 'actor id'], ['method', 'method'], ['key', 'idempotency key'], ['error', 'error code'], ['attempt', 'attempt ≥'], ['since', 'since (ISO)']];

/** The invocations list: tabs, filters, cursor paging, live. */
export function InvocationsView({ route }: { route: Route }) {
  const params = Object.fromEntries(route.params);
  const tab = params.tab ?? 'all';
  const [draft, setDraft] = useState<Record<string, string>>(params);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const { data, error, live } = useLive<InvocationPage>({ view: 'invocations', ...params, cursor, limit: 50 });
  const filterKey = new URLSearchParams(Object.entries(params).filter(([k]) => k !== 'cursor')).toString();
  const [total, setTotal] = useState<number | null>();
  useEffect(() => {
    setTotal(undefined);
    api.count(params).then((r) => setTotal(r.total), () => setTotal(null));
  }, [filterKey]);
  const go = (p: Record<string, string | undefined>) => {
    setCursors([]);
    navigate(href(['invocations'], p));
  };
  return (
    <section>
      <h1>Invocations {live && <span className="live" title="updates live">● live</span>}</h1>
      <nav className="tabs">
        {TABS.map(([id, label]) => (
          <a key={id} href={href(['invocations'], { ...params, tab: id })} className={tab === id ? 'active' : ''} onClick={() => setCursors([])}>{label}</a>
        ))}
      </nav>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); go({ ...draft, tab }); }}>
        {FILTERS.map(([k, label]) => (
          <input key={k} name={k} placeholder={label} value={draft[k] ?? ''} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
        ))}
        <button type="submit">Filter</button>
        <button type="button" onClick={() => { setDraft({}); go({ tab }); }}>Clear</button>
      </form>
      {error && <p className="error">{error}</p>}
      {data?.unsupported?.map((u) => <p key={u} className="note">{u}</p>)}
      {data && <BulkBar tab={tab} query={filterKey} />}
      <table className="rows">
        <thead><tr><th>invocation</th><th>actor</th><th>method</th><th>status</th><th>why</th><th>attempt</th><th>updated</th></tr></thead>
        <tbody>
          {data?.items.map((r) => (
            <tr key={r.id} data-id={r.id}>
              <td><a href={href(['invocations', r.id])} className="mono">{r.id}</a></td>
              <td><a href={href(['actors', r.actorType, r.actorId])}>{r.actorType}/{r.actorId}</a></td>
              <td>{r.method}</td>
              <td><Status row={r} /></td>
              <td className="reason">{r.why}</td>
              <td>{r.attempt}</td>
              <td title={new Date(r.updatedAt).toISOString()}>{ago(r.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.items.length === 0 && <p className="empty">No invocations match.</p>}
      <div className="pager">
        <button disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Newer</button>
        {typeof total === 'number' && <span className="total">{total.toLocaleString()} match</span>}
        <button disabled={!data?.nextCursor} onClick={() => data?.nextCursor && setCursors([...cursors, data.nextCursor])}>Older →</button>
      </div>
    </section>
  );
}
