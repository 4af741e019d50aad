import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, unauthorized, type OverviewView } from './api/client.js';
import { useRoute } from './router.js';
import { Login } from './components/Login.js';
import { InvocationsView } from './features/invocations/InvocationsView.js';

// The list is the first view; the others load when first opened, so the first paint waits for none of them.
const InvocationView = lazy(() => import('./features/invocation/InvocationView.js').then((m) => ({ default: m.InvocationView })));
const ActorsView = lazy(() => import('./features/actors/ActorsView.js').then((m) => ({ default: m.ActorsView })));
const ActorView = lazy(() => import('./features/actors/ActorView.js').then((m) => ({ default: m.ActorView })));
const PartitionsView = lazy(() => import('./features/partitions/PartitionsView.js').then((m) => ({ default: m.PartitionsView })));
const InvokeView = lazy(() => import('./features/invoke/InvokeView.js').then((m) => ({ default: m.InvokeView })));
const ConfigView = lazy(() => import('./features/config/ConfigView.js').then((m) => ({ default: m.ConfigView })));

const NAV: [string, string][] = [['invocations', 'Invocations'], ['actors', 'Actors'], ['partitions', 'Queues & partitions'], ['invoke', 'Invoke'], ['config', 'Configuration']];

export function App() {
  const route = useRoute();
  const [overview, setOverview] = useState<OverviewView>();
  const [needsLogin, setNeedsLogin] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(() => {
    api.overview().then((o) => { setOverview(o); setNeedsLogin(false); }, (e: Error & { status?: number }) => { if (e.status !== 401) setError(e.message); });
  }, []);
  useEffect(() => {
    const on = () => setNeedsLogin(true);
    unauthorized.addEventListener('401', on);
    load();
    return () => unauthorized.removeEventListener('401', on);
  }, [load]);
  if (needsLogin) return <Login onDone={load} />;
  const [page = 'invocations', a, b] = route.parts;
  return (
    <div className="app">
      <header>
        <b className="brand">Loom Studio</b>
        <nav>{NAV.map(([id, label]) => <a key={id} href={`#/${id}`} className={page === id ? 'active' : ''}>{label}</a>)}</nav>
        <span className="store mono">{overview?.store}</span>
      </header>
      <main>
        {error && <p className="error">{error}</p>}
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {page === 'invocations' && !a && <InvocationsView route={route} />}
          {page === 'invocations' && a && <InvocationView key={a} id={a} />}
          {page === 'actors' && (a && b ? <ActorView key={`${a}/${b}`} type={a} id={b} /> : <ActorsView type={route.params.get('type') ?? undefined} />)}
          {page === 'partitions' && <PartitionsView />}
          {page === 'invoke' && overview && <InvokeView overview={overview} />}
          {page === 'config' && overview && <ConfigView overview={overview} />}
        </Suspense>
      </main>
    </div>
  );
}
