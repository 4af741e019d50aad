import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, unauthorized, type OverviewView } from './api/client.js';
import { useRoute } from './router.js';
import { Login } from './components/Login.js';
import { InvocationsView } from './features/invocations/InvocationsView.js';

// The list is the first view; the others are chunks of their own, fetched once the list is up (when the
// browser is idle), so the first paint waits for none of them and opening one later waits for no request.
const chunks = {
  invocation: () => import('./features/invocation/InvocationView.js'),
  actors: () => import('./features/actors/ActorsView.js'),
  actor: () => import('./features/actors/ActorView.js'),
  partitions: () => import('./features/partitions/PartitionsView.js'),
  invoke: () => import('./features/invoke/InvokeView.js'),
  config: () => import('./features/config/ConfigView.js'),
};
const InvocationView = lazy(() => chunks.invocation().then((m) => ({ default: m.InvocationView })));
const ActorsView = lazy(() => chunks.actors().then((m) => ({ default: m.ActorsView })));
const ActorView = lazy(() => chunks.actor().then((m) => ({ default: m.ActorView })));
const PartitionsView = lazy(() => chunks.partitions().then((m) => ({ default: m.PartitionsView })));
const InvokeView = lazy(() => chunks.invoke().then((m) => ({ default: m.InvokeView })));
const ConfigView = lazy(() => chunks.config().then((m) => ({ default: m.ConfigView })));

function prefetchViews(): () => void {
  const fetchAll = () => { for (const load of Object.values(chunks)) load().catch(() => {}); };
  if (typeof window.requestIdleCallback === 'function') {
    const id = window.requestIdleCallback(fetchAll, { timeout: 3000 });
    return () => window.cancelIdleCallback(id);
  }
  const id = setTimeout(fetchAll, 1000);
  return () => clearTimeout(id);
}

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
  useEffect(prefetchViews, []);
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
