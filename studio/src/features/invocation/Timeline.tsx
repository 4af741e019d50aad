import type { TimelineEntry } from '../../api/client.js';
import { href } from '../../router.js';
import { json, time } from '../../components/format.js';

const ICON: Record<string, string> = { step: '▣', sleep: '☾', call: '⇄', send: '→', promise: '◇', now: 'T', random: '?', uuid: '#', idempotency: '✓' };

/**
 * The journal as a picture: one lane, a node per durable operation in position
 * order, coloured by outcome, with duration bars where the store kept times.
 */
export function Timeline({ entries, status }: { entries: TimelineEntry[]; status: string }) {
  if (entries.length === 0) return <p className="note">No journal entries{status === 'completed' ? ': the journal is dropped once an invocation completes; its result is kept.' : ' yet.'}</p>;
  const timed = entries.filter((e) => e.startedAt !== undefined && e.finishedAt !== undefined);
  const t0 = Math.min(...timed.map((e) => e.startedAt!));
  const span = Math.max(1, Math.max(...timed.map((e) => e.finishedAt!)) - t0);
  return (
    <ol className="timeline">
      {entries.map((e) => {
        const state = e.error ? 'failed' : e.status;
        return (
          <li key={e.position} className={`tl tl-${state}`} data-kind={e.kind}>
            <span className="tl-dot" title={e.kind}>{ICON[e.kind] ?? '•'}</span>
            <div className="tl-body">
              <div className="tl-head">
                <b>{e.kind}</b> <span className="mono">{e.name}</span> <span className="muted">#{e.position}</span>
                <span className={`badge badge-${state}`}>{state}</span>
                {e.resultSize !== undefined && <span className="muted">{e.resultSize} B</span>}
                {e.startedAt !== undefined && <span className="muted">{time(e.startedAt)}</span>}
                {e.finishedAt !== undefined && e.startedAt !== undefined && <span className="muted">{e.finishedAt - e.startedAt} ms</span>}
              </div>
              {e.startedAt !== undefined && e.finishedAt !== undefined && (
                <div className="tl-bar"><span style={{ left: `${((e.startedAt - t0) / span) * 100}%`, width: `${Math.max(1, ((e.finishedAt - e.startedAt) / span) * 100)}%` }} /></div>
              )}
              {e.kind === 'sleep' && typeof e.value === 'number' && <div className="muted">until {new Date(e.value).toISOString()}</div>}
              {e.ref?.invocationId && <div>→ <a href={href(['invocations', e.ref.invocationId])} className="mono">{e.ref.invocationId}</a></div>}
              {e.ref?.promiseId && e.kind === 'promise' && <div className="muted mono">{e.ref.promiseId}</div>}
              {e.error && <div className="error">{e.error.code ?? e.error.name}: {e.error.message}</div>}
              {e.value !== undefined && e.kind !== 'sleep' && <details><summary>value</summary><pre>{json(e.value)}</pre></details>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
