import { useState } from 'react';
import { api, type ActorDetail } from '../../api/client.js';
import { useLive } from '../../api/live.js';
import { href } from '../../router.js';
import { json } from '../../components/format.js';
import { Status } from '../../components/Status.js';
import { ActorData } from './ActorData.js';

/** One actor's committed state and version, live; edit with the optimistic version check. */
export function ActorView({ type, id }: { type: string; id: string }) {
  const { data, error, live } = useLive<ActorDetail>({ view: 'actor', type, id });
  const [edit, setEdit] = useState<{ text: string; version: number }>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  let parsed: { value?: unknown; error?: string } = {};
  if (edit) {
    try { parsed = { value: JSON.parse(edit.text) }; } catch (e) { parsed = { error: (e as Error).message }; }
  }
  const save = () => {
    if (!edit || parsed.error) return;
    api.editState(type, id, parsed.value, edit.version).then(
      (r) => { setEdit(undefined); setMessage({ ok: true, text: `saved as version ${r.version}` }); },
      (e: Error & { code?: string }) => setMessage({ ok: false, text: e.message }),
    );
  };
  return (
    <section>
      <h1>{type}/{id} {live && <span className="live">● live</span>}</h1>
      <p>
        <span className="badge version">version {data.version}</span>{' '}
        <a href={href(['invocations'], { type, id })}>invocations of this actor</a>
      </p>
      {!edit && (data.exists ? <pre className="state">{json(data.state)}</pre> : <p className="note">No committed state yet: the actor starts from its type's initialState.</p>)}
      {!edit && data.editable && <button onClick={() => { setMessage(undefined); setEdit({ text: json(data.state), version: data.version }); }}>Edit state</button>}
      {edit && (
        <div className="edit">
          <p className="muted">Editing version {edit.version}. Saving is refused if the actor commits a newer version first.</p>
          <textarea name="state" rows={10} value={edit.text} onChange={(e) => setEdit({ ...edit, text: e.target.value })} className={parsed.error ? 'invalid' : ''} />
          {parsed.error && <p className="error">not JSON: {parsed.error}</p>}
          <button onClick={save} disabled={!!parsed.error}>Save</button> <button onClick={() => setEdit(undefined)}>Discard</button>
        </div>
      )}
      {message && <p className={message.ok ? 'message' : 'error stale'}>{message.text}</p>}
      {!data.editable && <p className="note">Editing state needs the admin capability of this store.</p>}
      <ActorData type={type} id={id} />
      {data.pending.length > 0 && (
        <>
          <h2>Unfinished invocations</h2>
          <table className="rows">
            <tbody>{data.pending.map((r) => <tr key={r.id}><td><a href={href(['invocations', r.id])} className="mono">{r.id}</a></td><td>{r.method}</td><td><Status row={r} /></td><td className="reason">{r.why}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </section>
  );
}
