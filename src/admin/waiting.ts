import type { WaitingReason } from './types.js';
import type { LeaseInfo } from '../ports/lease.js';
import type { InvocationRecord, JournalEntry, Store } from '../ports/store.js';
import type { StoreAdmin } from '../ports/admin.js';

/** What explaining a page of pending invocations reads once and shares. */
export interface ExplainContext {
  store: Store;
  admin: StoreAdmin;
  now: number;
  leases: LeaseInfo[];
  /** Whether some worker registers the type; undefined: not known, never reports `unknown-type`. */
  isKnownType: ((actorType: string) => boolean) | undefined;
  /** Each actor's queue head and length, read once per page. */
  queues: Map<string, Promise<{ head: InvocationRecord | undefined; size: number }>>;
}

/** Oldest pending invocations of an actor read to find the one holding it (a started one, else the oldest). */
const HEAD_READ = 4;

/**
 * The one reason a pending invocation is not running, read from the store:
 * first what the invocation itself waits for, then its place in its actor's
 * queue, then whether anything can run it.
 */
export async function explain(rec: InvocationRecord, ctx: ExplainContext): Promise<WaitingReason> {
  if (ctx.isKnownType && !ctx.isKnownType(rec.actorType)) return { kind: 'unknown-type', actorType: rec.actorType };
  const own = await ownWait(rec, ctx);
  if (own) return own;
  const queued = await queuePlace(rec, ctx);
  if (queued) return queued;
  const lease = ctx.leases.find((l) => l.partition === rec.partition && l.expiresAt > ctx.now);
  if (!lease) return { kind: 'no-owner', partition: rec.partition };
  return { kind: 'running', partition: rec.partition, owner: lease.owner };
}

async function ownWait(rec: InvocationRecord, ctx: ExplainContext): Promise<WaitingReason | undefined> {
  if (rec.waitingOn !== undefined) {
    if (!rec.waitingOn.startsWith('call:')) return { kind: 'awaiting-promise', promiseId: rec.waitingOn };
    const reason: WaitingReason = { kind: 'awaiting-call', promiseId: rec.waitingOn };
    // A call's promise is `call:<callee invocation id>`: the callee is read by its id.
    const callee = await ctx.store.getInvocation(rec.waitingOn.slice('call:'.length));
    if (callee) reason.callee = { id: callee.id, actorType: callee.actorType, actorId: callee.actorId, method: callee.method, status: callee.status };
    return reason;
  }
  if (rec.notBefore === undefined || rec.notBefore <= ctx.now) return undefined;
  if (!rec.started) return { kind: 'delayed', until: rec.notBefore };
  const journal: JournalEntry[] = await ctx.store.loadJournal(rec.id);
  const sleep = journal.find((e) => e.kind === 'sleep' && e.status === 'pending' && e.valueJson === String(rec.notBefore));
  if (sleep) return { kind: 'sleeping', until: rec.notBefore };
  const reason: WaitingReason = { kind: 'backing-off', attempt: rec.attempt, until: rec.notBefore };
  if (rec.error) reason.lastError = rec.error;
  return reason;
}

/**
 * An actor runs its invocations one at a time, in enqueue order, and a started
 * one holds the actor until it ends. The head is the started one, else the
 * oldest. Three index reads: the oldest few, how many wait, how many are ahead.
 */
async function queuePlace(rec: InvocationRecord, ctx: ExplainContext): Promise<WaitingReason | undefined> {
  const actor = { actorType: rec.actorType, actorId: rec.actorId, statuses: ['pending' as const] };
  const key = JSON.stringify([rec.actorType, rec.actorId]);
  let reading = ctx.queues.get(key);
  if (!reading) {
    reading = (async () => {
      const oldest = await ctx.admin.listInvocations({ filter: actor, limit: HEAD_READ, newest: false });
      const size = oldest.length < HEAD_READ ? oldest.length : await ctx.admin.countInvocations(actor);
      return { head: oldest.find((r) => r.started) ?? oldest[0], size };
    })();
    ctx.queues.set(key, reading);
  }
  const queue = await reading;
  const head = queue.head;
  if (!head || head.id === rec.id || queue.size <= 1) return undefined;
  const ahead = await ctx.admin.countInvocations({ ...actor, seqBelow: rec.seq });
  const position = ahead - (head.seq < rec.seq ? 1 : 0) + 1;
  return { kind: 'queued', position, of: queue.size - 1, head: { id: head.id, method: head.method } };
}
