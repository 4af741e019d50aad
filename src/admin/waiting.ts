import type { WaitingReason } from './types.js';
import type { LeaseInfo } from '../ports/lease.js';
import type { InvocationRecord, JournalEntry, Store } from '../ports/store.js';
import { readQueuesByRow, type ActorQueueRead, type StoreAdmin } from '../ports/admin.js';

/** What explaining a page of pending invocations reads once and shares. */
export interface ExplainContext {
  store: Store;
  admin: StoreAdmin;
  now: number;
  leases: LeaseInfo[];
  /** Whether some worker registers the type; undefined: not known, never reports `unknown-type`. */
  isKnownType: ((actorType: string) => boolean) | undefined;
  /** The queues of the page's actors, read by {@link readQueues} before explaining. */
  queues: Map<string, Queue>;
}

/** An actor's queue: the invocation holding it, how many wait, and how many are ahead of each seq on the page. */
interface Queue {
  head: InvocationRecord | undefined;
  size: number;
  ahead: Map<number, number>;
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
  const queued = queuePlace(rec, ctx);
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

/** Whether an invocation's reason depends on its place in its actor's queue (nothing of its own holds it). */
function needsQueue(rec: InvocationRecord, ctx: Pick<ExplainContext, 'now' | 'isKnownType'>): boolean {
  if (ctx.isKnownType && !ctx.isKnownType(rec.actorType)) return false;
  return rec.waitingOn === undefined && (rec.notBefore === undefined || rec.notBefore <= ctx.now);
}

const actorKey = (actorType: string, actorId: string): string => JSON.stringify([actorType, actorId]);

/**
 * Reads the queues of every actor whose place a page's pending invocations
 * need, at once: one `readQueues` read of the store when it has one, else the
 * per-actor index reads side by side. Fills `ctx.queues`.
 */
export async function readQueues(records: InvocationRecord[], ctx: ExplainContext): Promise<void> {
  const asks = new Map<string, ActorQueueRead>();
  for (const rec of records) {
    if (rec.status !== 'pending' || !needsQueue(rec, ctx)) continue;
    const key = actorKey(rec.actorType, rec.actorId);
    let ask = asks.get(key);
    if (!ask) asks.set(key, (ask = { actorType: rec.actorType, actorId: rec.actorId, seqs: [] }));
    ask.seqs.push(rec.seq);
  }
  if (asks.size === 0) return;
  const actors = [...asks.values()];
  const read = ctx.admin.readQueues ? await ctx.admin.readQueues(actors, HEAD_READ) : await readQueuesByRow(ctx.admin, actors, HEAD_READ);
  actors.forEach((a, i) => {
    const q = read[i]!;
    const ahead = new Map(a.seqs.map((seq, j) => [seq, q.ahead[j]!]));
    ctx.queues.set(actorKey(a.actorType, a.actorId), { head: q.oldest.find((r) => r.started) ?? q.oldest[0], size: q.size, ahead });
  });
}

/**
 * An actor runs its invocations one at a time, in enqueue order, and a started
 * one holds the actor until it ends. The head is the started one, else the
 * oldest; the queue was read for the whole page by {@link readQueues}.
 */
function queuePlace(rec: InvocationRecord, ctx: ExplainContext): WaitingReason | undefined {
  const queue = ctx.queues.get(actorKey(rec.actorType, rec.actorId));
  const head = queue?.head;
  if (!queue || !head || head.id === rec.id || queue.size <= 1) return undefined;
  const ahead = queue.ahead.get(rec.seq) ?? 0;
  const position = ahead - (head.seq < rec.seq ? 1 : 0) + 1;
  return { kind: 'queued', position, of: queue.size - 1, head: { id: head.id, method: head.method } };
}
