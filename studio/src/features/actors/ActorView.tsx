import type { ActorDetail } from '../../api/client.js';
import { useLive } from '../../api/live.js';
import { href } from '../../router.js';
import { json } from '../../components/format.js';

/** One actor's committed state and version, live. */
export function ActorView({ type, id }: { type: string; id: string }) {
  const { data, error, live } = useLive<ActorDetail>({ view: 'actor', type, id });
  if (error) return <p className="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <section>
      <h1>{type}/{id} {live && <span className="live">● live</span>}</h1>
      <p>
        <span className="badge">version {data.version}</span>{' '}
        <a href={href(['invocations'], { type, id })}>invocations of this actor</a>
      </p>
      {data.exists ? <pre className="state">{json(data.state)}</pre> : <p className="note">No committed state yet: the actor starts from its type's initialState.</p>}
      {!data.editable && <p className="note">Editing state needs the admin API's optimistic edit on this store.</p>}
    </section>
  );
}
