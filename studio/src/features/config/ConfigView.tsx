import type { OverviewView } from '../../api/client.js';
import { json } from '../../components/format.js';

/** Effective settings per registered actor type. Secrets appear as their references; Studio never sees values. */
export function ConfigView({ overview }: { overview: OverviewView }) {
  return (
    <section>
      <h1>Configuration</h1>
      <p>Store: <span className="mono">{overview.store}</span></p>
      {overview.types.length === 0 && <p className="note">No registered types known here: run Studio from <code>loom dev</code> or with <code>--module</code> to see each type's settings.</p>}
      <table className="rows">
        <thead><tr><th>type</th><th>handlers</th><th>effective settings</th></tr></thead>
        <tbody>
          {overview.types.map((t) => (
            <tr key={t.name}>
              <td><b>{t.name}</b></td>
              <td className="mono">{t.methods.join(', ')} <span className="muted">(default {t.defaultHandler})</span></td>
              <td><pre>{json(t.settings)}</pre></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
