import type { TraceEventView } from '../../api/client.js';
import { time } from '../../components/format.js';

/** Trace events with their references as links to what they name. */
export function Traces({ events }: { events: TraceEventView[] }) {
  if (events.length === 0) return <p className="note">No trace events recorded for this invocation (traces are kept when a store-backed trace sink is configured).</p>;
  return (
    <table className="rows traces">
      <thead><tr><th>at</th><th>event</th><th>references</th></tr></thead>
      <tbody>
        {events.map((e, i) => (
          <tr key={i}>
            <td>{time(e.at)}</td>
            <td className="mono">{e.type}</td>
            <td>
              {e.links.map((l) => <a key={l.href + l.label} href={l.href} className="ref">{l.label}</a>)}
              {Object.entries(e.refs).filter(([k]) => !e.links.some((l) => l.label.startsWith(k))).map(([k, v]) => <span key={k} className="ref muted">{k}: {JSON.stringify(v)}</span>)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
