import type { WaitingReason } from './types.js';
import type { LeaseInfo } from '../ports/lease.js';
import type { InvocationRecord, JournalEntry, Store } from '../ports/store.js';
import { readQueuesByRow, readRecordsByRow, type ActorQueueRead, type StoreAdmin } from '../ports/admin.js';

/** What explaining a page of pending invocations reads once and shares. */
export interface ExplainContext {
  store: Store;
  admin: StoreAdmin;
  now: number;
  leases: LeaseInfo[];
  /** Whether some worker registers the type; undefined: not known, never reports `unknown-type`. */
  isKnownType: ((actorType: string) => boolean) | undefined;
  /** What {@link readPage} read for the page: the actors' queues, the callees, the pending sleeps. */
  queues: Map<string, Queue>;
  callees: Map<string, InvocationRecord | undefined>;
  sleeps: Map<string, JournalEntry[]>;
}

/** An actor's queue: the invocation holding it, how many wait, and how many are ahead of each seq on the page. */
interface Queue {
  head: InvocationRecord | undefined;
  size: number;
  ahead: Map<number, number>;
}

/** Oldest pending invocations of an actor read to find the one holding it (a started one, else the oldest). */
const HEAD_READ = 4;

/** A fresh context, before {@link readPage}. */
export function explainContext(base: Omit<ExplainContext, 'queues' | 'callees' | 'sleeps'>): ExplainContext {
  return { ...base, queues: new Map(), callees: new Map(), sleeps: new Map() };
}

/** What an invocation's reason needs read: its callee, its journal's sleeps, its actor's queue, or nothing. */
type Need = { callee: string } | { sleeps: string } | { queue: true } | undefined;

function need(rec: InvocationRecord, ctx: ExplainContext): Need {
  if (rec.status !== 'pending') return undefined;
  if (ctx.isKnownType && !ctx.isKnownType(rec.actorType)) return undefined;
  if (rec.waitingOn !== undefined) return rec.waitingOn.startsWith('call:') ? { callee: rec.waitingOn.slice('call:'.length) } : undefined;
  if (rec.notBefore === undefined || rec.notBefore <= ctx.now) return { queue: true };
  return rec.started ? { sleeps: rec.id } : undefined;
}

const actorKey = (actorType: string, actorId: string): string => JSON.stringify([actorType, actorId]);

/**
 * Reads what a page's waiting reasons need, for all its rows at once: the
 * actors' queues in one `readQueues` read, the callees and timers in one
 * `readRecords` read, both side by side. A store without them gets the
 * per-row index reads instead (same answers). Fills the context.
 */
export async function readPage(records: InvocationRecord[], ctx: ExplainContext): Promise<void> {
  const asks = new Map<string, ActorQueueRead>();
  const callees = new Set<string>();
  const sleepers = new Set<string>();
  for (const rec of records) {
    const n = need(rec, ctx);
    if (!n) continue;
    if ('callee' in n) callees.add(n.callee);
    else if ('sleeps' in n) sleepers.add(n.sleeps);
    else {
      const key = actorKey(rec.actorType, rec.actorId);
      let ask = asks.get(key);
      if (!ask) asks.set(key, (ask = { actorType: rec.actorType, actorId: rec.actorId, seqs: [] }));
      ask.seqs.push(rec.seq);
    }
  }
  const { admin, store } = ctx;
  const actors = [...asks.values()];
  const [ids, sleepsOf] = [[...callees], [...sleepers]];
  const [queues, extra] = await Promise.all([
    actors.length === 0 ? [] : admin.readQueues ? admin.readQueues(actors, HEAD_READ) : readQueuesByRow(admin, actors, HEAD_READ),
    ids.length + sleepsOf.length === 0 ? { records: [], sleeps: [] } : admin.readRecords ? admin.readRecords(ids, sleepsOf) : readRecordsByRow(store, ids, sleepsOf),
  ]);
  actors.forEach((a, i) => {
    const q = queues[i]!;
    const ahead = new Map(a.seqs.map((seq, j) => [seq, q.ahead[j]!]));
    ctx.queues.set(actorKey(a.actorType, a.actorId), { head: q.oldest.find((r) => r.started) ?? q.oldest[0], size: q.size, ahead });
  });
  ids.forEach((id, i) => ctx.callees.set(id, extra.records[i]));
  sleepsOf.forEach((id, i) => ctx.sleeps.set(id, extra.sleeps[i]!));
}

/**
 * The one reason a pending invocation is not running, from what {@link readPage}
 * read: first what the invocation itself waits for, then its place in its
 * actor's queue, then whether anything can run it.
 */
export function explain(rec: InvocationRecord, ctx: ExplainContext): WaitingReason {
  if (ctx.isKnownType && !ctx.isKnownType(rec.actorType)) return { kind: 'unknown-type', actorType: rec.actorType };
  const own = ownWait(rec, ctx);
  if (own) return own;
  const queued = queuePlace(rec, ctx);
  if (queued) return queued;
  const lease = ctx.leases.find((l) => l.partition === rec.partition && l.expiresAt > ctx.now);
  if (!lease) return { kind: 'no-owner', partition: rec.partition };
  return { kind: 'running', partition: rec.partition, owner: lease.owner };
}

function ownWait(rec: InvocationRecord, ctx: ExplainContext): WaitingReason | undefined {
  if (rec.waitingOn !== undefined) {
    if (!rec.waitingOn.startsWith('call:')) return { kind: 'awaiting-promise', promiseId: rec.waitingOn };
    const reason: WaitingReason = { kind: 'awaiting-call', promiseId: rec.waitingOn };
    // A call's promise is `call:<callee invocation id>`: the callee was read by its id.
    const callee = ctx.callees.get(rec.waitingOn.slice('call:'.length));
    if (callee) reason.callee = { id: callee.id, actorType: callee.actorType, actorId: callee.actorId, method: callee.method, status: callee.status };
    return reason;
  }
  if (rec.notBefore === undefined || rec.notBefore <= ctx.now) return undefined;
  if (!rec.started) return { kind: 'delayed', until: rec.notBefore };
  const sleep = ctx.sleeps.get(rec.id)?.find((e) => e.valueJson === String(rec.notBefore));
  if (sleep) return { kind: 'sleeping', until: rec.notBefore };
  const reason: WaitingReason = { kind: 'backing-off', attempt: rec.attempt, until: rec.notBefore };
  if (rec.error) reason.lastError = rec.error;
  return reason;
}

/**
 * An actor runs its invocations one at a time, in enqueue order, and a started
 * one holds the actor until it ends. The head is the started one, else the
 * oldest; the queue was read for the whole page by {@link readPage}.
 */
function queuePlace(rec: InvocationRecord, ctx: ExplainContext): WaitingReason | undefined {
  const queue = ctx.queues.get(actorKey(rec.actorType, rec.actorId));
  const head = queue?.head;
  if (!queue || !head || head.id === rec.id || queue.size <= 1) return undefined;
  const ahead = queue.ahead.get(rec.seq) ?? 0;
  const position = ahead - (head.seq < rec.seq ? 1 : 0) + 1;
  return { kind: 'queued', position, of: queue.size - 1, head: { id: head.id, method: head.method } };
}
