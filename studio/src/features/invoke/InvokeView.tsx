import { useEffect, useMemo, useState } from 'react';
import { api, type InvokeResponse, type OverviewView } from '../../api/client.js';
import { href } from '../../router.js';
import { json } from '../../components/format.js';

/** Manual invocation: pick a type and method, edit JSON arguments (validated as you type), call or send. */
export function InvokeView({ overview }: { overview: OverviewView }) {
  const [type, setType] = useState(overview.types[0]?.name ?? '');
  const methods = overview.types.find((t) => t.name === type)?.methods ?? [];
  const [method, setMethod] = useState('');
  const [actorId, setActorId] = useState('');
  const [args, setArgs] = useState('[]');
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [out, setOut] = useState<InvokeResponse | { failure: string }>();
  useEffect(() => { if (methods.length > 0 && !methods.includes(method)) setMethod(methods[0] ?? ''); }, [type]);
  const argsError = useMemo(() => {
    try {
      return Array.isArray(JSON.parse(args)) ? undefined : 'arguments must be a JSON array, e.g. [50]';
    } catch (e) {
      return `not JSON: ${(e as Error).message}`;
    }
  }, [args]);
  const submit = (mode: 'call' | 'send') => {
    setBusy(true);
    setOut(undefined);
    api.invoke({ actorType: type, actorId, method, args: JSON.parse(args) as unknown[], mode, ...(key ? { idempotencyKey: key } : {}) })
      .then(setOut, (e: Error) => setOut({ failure: e.message }))
      .finally(() => setBusy(false));
  };
  return (
    <section>
      <h1>Invoke a handler</h1>
      <form className="invoke" onSubmit={(e) => { e.preventDefault(); submit('call'); }}>
        <label>Type <input name="type" list="loom-types" value={type} onChange={(e) => setType(e.target.value)} required /></label>
        <datalist id="loom-types">{overview.types.map((t) => <option key={t.name} value={t.name} />)}</datalist>
        <label>Method <input name="method" list="loom-methods" value={method} onChange={(e) => setMethod(e.target.value)} required /></label>
        <datalist id="loom-methods">{methods.map((m) => <option key={m} value={m} />)}</datalist>
        <label>Actor id <input name="actorId" value={actorId} onChange={(e) => setActorId(e.target.value)} required /></label>
        <label>Arguments (JSON array)<textarea name="args" rows={5} value={args} onChange={(e) => setArgs(e.target.value)} className={argsError ? 'invalid' : ''} /></label>
        {argsError && <p className="error">{argsError}</p>}
        <label>Idempotency key <input name="key" value={key} onChange={(e) => setKey(e.target.value)} placeholder="optional" /></label>
        <div>
          <button type="submit" disabled={busy || !!argsError || !actorId || !method}>Call (wait for result)</button>{' '}
          <button type="button" disabled={busy || !!argsError || !actorId || !method} onClick={() => submit('send')}>Send</button>
        </div>
      </form>
      {out && 'failure' in out && <p className="error">{out.failure}</p>}
      {out && !('failure' in out) && (
        <div className="outcome">
          {out.invocationId && <p>Invocation <a href={href(['invocations', out.invocationId])} className="mono">{out.invocationId}</a>{out.duplicate ? ' (duplicate: the key was used before)' : ''}</p>}
          {'result' in out && <><h2>Result</h2><pre className="result">{json(out.result)}</pre></>}
          {out.error && <p className="error">{out.error.code ?? out.error.name}: {out.error.message}</p>}
          {!('result' in out) && !out.error && <p className="note">Accepted; open the invocation to follow it.</p>}
        </div>
      )}
    </section>
  );
}
