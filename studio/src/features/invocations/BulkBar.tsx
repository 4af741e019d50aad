import { useState } from 'react';
import { api, type InvocationRow } from '../../api/client.js';

/** Re-drive every listed dead letter: a count and a confirmation first, progress while it runs, errors per item. */
export function BulkBar({ rows, total }: { rows: InvocationRow[]; total: number | undefined }) {
  const [phase, setPhase] = useState<'idle' | 'confirm' | 'running' | 'done'>('idle');
  const [done, setDone] = useState(0);
  const [failures, setFailures] = useState<string[]>([]);
  const [count, setCount] = useState(0);
  const targets = rows.filter((r) => r.status === 'dead');
  if (targets.length === 0 && phase === 'idle') return null;
  const run = async () => {
    setPhase('running');
    setDone(0);
    setCount(targets.length);
    const errs: string[] = [];
    for (const r of targets) {
      try { await api.redrive(r.id); } catch (err) { errs.push(`${r.id}: ${(err as Error).message}`); }
      setDone((n) => n + 1);
    }
    setFailures(errs);
    setPhase('done');
  };
  return (
    <div className="bulk">
      {phase === 'idle' && <button onClick={() => setPhase('confirm')}>Re-drive all shown…</button>}
      {phase === 'confirm' && (
        <span>
          Re-drive <b>{targets.length}</b> dead letter{targets.length === 1 ? '' : 's'}{total !== undefined && total > targets.length ? ` (of ${total} matching; the rest on later pages)` : ''}?{' '}
          <button className="danger" onClick={() => void run()}>Yes, re-drive {targets.length}</button>{' '}
          <button onClick={() => setPhase('idle')}>Cancel</button>
        </span>
      )}
      {(phase === 'running' || phase === 'done') && (
        <span>
          <progress max={count} value={done} /> {done} / {count}
          {phase === 'done' && <> — done{failures.length ? `, ${failures.length} failed` : ''} <button onClick={() => setPhase('idle')}>OK</button></>}
        </span>
      )}
      {failures.length > 0 && <ul className="error">{failures.map((f) => <li key={f}>{f}</li>)}</ul>}
    </div>
  );
}
