import { loadRuntime } from './load.js';
import { LoomError } from '../core/errors.js';
import { resolveAdapter } from '../seed/deferred.js';

/** `loom inspect`: read-only views of the store behind a worker module. */
export async function runInspect(module: string, what: string, args: string[], limit: number, out: (l: string) => void): Promise<void> {
  const runtime = await loadRuntime(module);
  // Inspection reads the store only: open it without taking partitions.
  const chosen = runtime.options.store ?? runtime.options.stateAdapter;
  const store = chosen && (await resolveAdapter(chosen));
  if (!store) throw new LoomError('LOOM_CLI', `the worker module ${module} sets no store; inspect needs one (the default SQLite path is ./.loom/loom.db)`);
  // Reading needs no advice about the store's durability settings: the workers give it, once per process.
  await store.init({ logger: { warn: () => {} } });
  try {
    switch (what) {
      case 'dead-letters':
        for (const r of await store.listDeadLetters({ limit })) {
          out(`${r.id}  ${r.actorType}/${r.actorId}.${r.method}  attempts=${r.attempt}  ${r.error?.code ?? ''} ${r.error?.message ?? ''}`);
        }
        return;
      case 'invocation': {
        const id = args[0];
        if (!id) throw new LoomError('LOOM_CLI', 'loom inspect <module> invocation <id>');
        const rec = await store.getInvocation(id);
        if (!rec) throw new LoomError('LOOM_CLI', `no invocation ${id} in the store (unknown, or swept after its TTL)`);
        out(JSON.stringify({ ...rec, journal: rec.status === 'completed' ? undefined : await store.loadJournal(id) }, null, 2));
        return;
      }
      case 'state': {
        const [type, id] = args;
        if (!type || !id) throw new LoomError('LOOM_CLI', 'loom inspect <module> state <actorType> <actorId>');
        const st = await store.loadState(type, id);
        out(st ? `${st.stateJson}  (version ${st.version})` : `${type}/${id} has no committed state`);
        return;
      }
      case 'partitions':
        for (const l of await store.leases.list()) out(`p${l.partition}  epoch=${l.epoch}  owner=${l.owner}  expires=${new Date(l.expiresAt).toISOString()}`);
        return;
      default:
        throw new LoomError('LOOM_CLI', `unknown inspect view "${what}" (dead-letters, invocation, state, partitions)`);
    }
  } finally {
    await store.close();
  }
}
