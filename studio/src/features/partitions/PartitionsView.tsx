import type { PartitionsView as View } from '../../api/client.js';
import { useLive } from '../../api/live.js';
import { ThroughputChart } from './ThroughputChart.js';
import { ago } from '../../components/format.js';

/** Partitions: owner and lease epoch of each, the live members, and throughput when the store can count it. */
export function PartitionsView() {
  const { data, error, live } = useLive<View>({ view: 'partitions' });
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  const owners = [...new Set(data.partitions.flatMap((p) => (p.owner && p.live ? [p.owner] : [])))].sort();
  const colour = (o: string | undefined) => (o ? `hsl(${(210 + owners.indexOf(o) * 67) % 360} 55% 50%)` : undefined);
  return (
    <section>
      <h1>Queues and partitions {live && <span className="live">● live</span>}</h1>
      <h2>Members ({data.members.length})</h2>
      <ul className="members">{data.members.map((m) => <li key={m}><span className="swatch" style={{ background: colour(m) }} /> <span className="mono">{m}</span></li>)}</ul>
      <h2>Partitions</h2>
      <div className="grid">
        {data.partitions.map((p) => (
          <div key={p.partition} className={`cell ${p.live ? 'held' : 'free'}`} style={{ background: p.live ? colour(p.owner) : undefined }}
            title={p.owner ? `p${p.partition} owner ${p.owner} epoch ${p.epoch ?? ''}${p.live ? '' : ' (expired)'}` : `p${p.partition}: no owner`}>
            <b>{p.partition}</b><small>{p.epoch !== undefined ? `e${p.epoch}` : '—'}</small>
          </div>
        ))}
      </div>
      <h2>Queues</h2>
      {data.queues ? (
        <table className="rows queues">
          <thead><tr><th>partition</th><th>pending</th><th>oldest pending</th><th>owner</th><th>epoch</th></tr></thead>
          <tbody>
            {data.queues.length === 0 && <tr><td colSpan={5} className="empty">No pending invocations.</td></tr>}
            {[...data.queues].sort((a, b) => b.depth - a.depth).map((q) => {
              const p = data.partitions[q.partition];
              return <tr key={q.partition}><td>{q.partition}</td><td>{q.depth}{data.depthCapped ? '+' : ''}</td><td>{q.oldestAt ? ago(q.oldestAt) : ''}</td><td className="mono">{p?.live ? p.owner : <span className="error">no owner</span>}</td><td>{p?.epoch ?? ''}</td></tr>;
            })}
          </tbody>
        </table>
      ) : <p className="note">Queue depths need the admin capability of this store.</p>}
      <h2>Throughput (finished per 10 s)</h2>
      {data.throughput ? <ThroughputChart points={data.throughput} /> : <p className="note">Throughput needs the admin API's counts on this store.</p>}
    </section>
  );
}
