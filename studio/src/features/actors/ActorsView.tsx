import { useEffect, useState } from 'react';
import { api, type ActorRow } from '../../api/client.js';
import { href, navigate } from '../../router.js';

/** Actors by type and id: search, then open one. */
export function ActorsView({ type }: { type: string | undefined }) {
  const [rows, setRows] = useState<ActorRow[]>();
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState({ type: type ?? '', id: '' });
  useEffect(() => {
    api.actors(type || undefined, 200).then(setRows, (e: Error) => setError(e.message));
  }, [type]);
  return (
    <section>
      <h1>Actors</h1>
      <form className="filters" onSubmit={(e) => {
        e.preventDefault();
        if (draft.type && draft.id) navigate(href(['actors', draft.type, draft.id]));
        else navigate(href(['actors'], { type: draft.type }));
      }}>
        <input name="type" placeholder="actor type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })} />
        <input name="id" placeholder="actor id (opens it)" value={draft.id} onChange={(e) => setDraft({ ...draft, id: e.target.value })} />
        <button type="submit">Search</button>
      </form>
      {error && <p className="error">{error}</p>}
      <table className="rows">
        <thead><tr><th>actor</th><th>version</th><th>state</th></tr></thead>
        <tbody>
          {rows?.map((r) => (
            <tr key={`${r.actorType}/${r.actorId}`}>
              <td><a href={href(['actors', r.actorType, r.actorId])}>{r.actorType}/{r.actorId}</a></td>
              <td>{r.version}</td>
              <td className="mono clip">{JSON.stringify(r.state)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows?.length === 0 && <p className="empty">No actors with committed state{type ? ` of type ${type}` : ''}.</p>}
    </section>
  );
}
