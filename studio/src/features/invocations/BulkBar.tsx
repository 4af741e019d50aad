import { useEffect, useState } from 'react';
import { api, type BulkAction, type BulkJob } from '../../api/client.js';

const FOR_TAB: Record<string, BulkAction[]> = { dead: ['redrive', 'purge'], all: ['cancel', 'retry', 'redrive', 'purge'], 'not-running': ['cancel', 'retry'], 'backing-off': ['retry', 'cancel'] };
const LABEL: Record<BulkAction, string> = { cancel: 'Cancel', retry: 'Retry now', redrive: 'Re-drive', purge: 'Purge' };

/** A bulk action over the current filter: the count and a confirmation first, then progress while it runs. */
export function BulkBar({ tab, query }: { tab: string; query: string }) {
  const [action, setAction] = useState<BulkAction>();
  const [count, setCount] = useState<number>();
  const [job, setJob] = useState<BulkJob>();
  const [error, setError] = useState<string>();
  useEffect(() => { setAction(undefined); setCount(undefined); }, [query]);
  useEffect(() => {
    if (!job?.running) return;
    const t = setTimeout(() => { api.bulkJob(job.id).then(setJob, (e: Error) => setError(e.message)); }, 400);
    return () => clearTimeout(t);
  }, [job]);
  const ask = (a: BulkAction) => {
    setAction(a);
    setCount(undefined);
    setJob(undefined);
    setError(undefined);
    api.bulkCount(a, query).then((r) => setCount(r.total), (e: Error) => setError(e.message));
  };
  const r = job?.result;
  return (
    <div className="bulk">
      <span className="muted">Bulk over this filter:</span>{' '}
      {(FOR_TAB[tab] ?? FOR_TAB.all!).map((a) => <button key={a} disabled={job?.running} onClick={() => ask(a)}>{LABEL[a]}…</button>)}
      {action && count !== undefined && !job && (
        <span className="confirm">
          {' '}{LABEL[action]} <b className="bulk-count">{count}</b> invocation{count === 1 ? '' : 's'} matching this filter?{' '}
          <button className="danger" disabled={count === 0} onClick={() => api.bulkStart(action, query).then(setJob, (e: Error) => setError(e.message))}>Yes, {LABEL[action].toLowerCase()} {count}</button>{' '}
          <button onClick={() => setAction(undefined)}>No</button>
        </span>
      )}
      {job && r && (
        <span className="progress">
          {' '}{LABEL[job.action]}: <progress max={Math.max(1, r.total)} value={r.done} /> <b className="bulk-done">{r.done}</b> / {r.total}
          {' '}({r.succeeded} done, {r.skipped} skipped, {r.failed} failed)
          {job.running ? <button onClick={() => api.bulkStop(job.id).then(setJob, () => {})}>Stop</button> : <b className="bulk-finished"> {r.interrupted ? 'stopped — run again to finish' : 'finished'}</b>}
        </span>
      )}
      {error && <p className="error">{error}</p>}
      {r && r.errors.length > 0 && <ul className="error">{r.errors.slice(0, 20).map((e) => <li key={e.id}>{e.id}: {e.code} {e.message}</li>)}</ul>}
    </div>
  );
}
