import { useState } from 'react';
import { api, type InvocationDetail } from '../../api/client.js';
import { useLive } from '../../api/live.js';
import { href } from '../../router.js';
import { Status } from '../../components/Status.js';
import { dateTime, json } from '../../components/format.js';
import { Timeline } from './Timeline.js';
import { Traces } from './Traces.js';

/** One invocation: status and why, actions, the journal timeline, arguments and result, traces, caller and callees. */
export function InvocationView({ id }: { id: string }) {
  const { data, error, live } = useLive<InvocationDetail>({ view: 'invocation', id });
  const [message, setMessage] = useState<string>();
  const [promiseValue, setPromiseValue] = useState('true');
  const [restartFrom, setRestartFrom] = useState(0);
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>Loading {id}…</p>;
  const inv = data.invocation;
  const act = (p: Promise<{ message: string }>) => p.then((r) => setMessage(r.message), (e: Error) => setMessage(e.message));
  return (
    <section>
      <h1 className="mono">{inv.id} {live && <span className="live">● live</span>}</h1>
      <div className="facts">
        <span><a href={href(['actors', inv.actorType, inv.actorId])}>{inv.actorType}/{inv.actorId}</a>.{inv.method}</span>
        <Status row={inv} />
        <span className="reason">{inv.why}</span>
        <span>attempt {inv.attempt}</span>
        <span>partition {inv.partition}</span>
        <span>created {dateTime(inv.createdAt)}</span>
        <span>updated {dateTime(inv.updatedAt)}</span>
        {inv.idempotencyKey && <span>key <span className="mono">{inv.idempotencyKey}</span></span>}
      </div>
      <div className="actions">
        {data.actions.redrive && <button onClick={() => act(api.act(inv.id, 'redrive'))}>Re-drive</button>}
        {data.actions.retryNow && <button onClick={() => act(api.act(inv.id, 'retry'))}>Retry now</button>}
        {data.actions.cancel && <button className="danger" onClick={() => { if (window.confirm(`Cancel ${inv.id}? Its caller sees LOOM_CANCELLED.`)) act(api.act(inv.id, 'cancel')); }}>Cancel</button>}
        {data.actions.restart && (
          <span>
            <button onClick={() => act(api.restart(inv.id, restartFrom).then((r) => { if (r.invocationId) window.location.hash = `#/invocations/${encodeURIComponent(r.invocationId)}`; return r; }))}>Restart from step</button>
            <input aria-label="restart from step" type="number" min={0} max={data.timeline.length} value={restartFrom} onChange={(e) => setRestartFrom(Number(e.target.value))} style={{ width: 60 }} />
          </span>
        )}
        {data.actions.resolvePromise && (
          <span>
            <input aria-label="promise value" value={promiseValue} onChange={(e) => setPromiseValue(e.target.value)} />
            <button onClick={() => {
              let value: unknown;
              try { value = JSON.parse(promiseValue); } catch { return setMessage('the promise value must be JSON'); }
              act(api.resolvePromise(data.actions.resolvePromise!, { value }));
            }}>Resolve promise</button>
            <button onClick={() => act(api.resolvePromise(data.actions.resolvePromise!, { error: 'rejected from Studio' }))}>Reject</button>
          </span>
        )}
        {message && <span className="message">{message}</span>}
      </div>
      {inv.error && <div className="error-box"><b>{inv.error.code ?? inv.error.name}</b>: {inv.error.message}</div>}
      <div className="relations">
        {data.caller && <span>called by <a href={href(['invocations', data.caller])} className="mono">{data.caller}</a></span>}
        {data.callees.length > 0 && <span>calls {data.callees.map((c) => <a key={c} href={href(['invocations', c])} className="mono">{c} </a>)}</span>}
      </div>
      <h2>Timeline</h2>
      <Timeline entries={data.timeline} status={inv.status} />
      <div className="two">
        <div><h2>Arguments</h2><pre>{json(inv.args)}</pre></div>
        <div><h2>Result</h2><pre>{inv.result === undefined ? '—' : json(inv.result)}</pre></div>
      </div>
      <h2>Trace events</h2>
      <Traces events={data.traces} />
    </section>
  );
}
