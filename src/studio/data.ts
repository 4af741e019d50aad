import type { InvocationRecord, JournalEntry, Store } from '../ports/store.js';
import { promiseOwner } from '../ports/store.js';
import type {
  ActorDetail, ActorRow, InvocationDetail, InvocationPage, InvocationQuery, PartitionsView, TimelineEntry,
} from './api-types.js';
import { rowOf } from './reasons.js';
import { StudioInputError } from './errors.js';

const parse = (json: string | undefined): unknown => (json === undefined ? undefined : JSON.parse(json));

/**
 * Studio's reads, one method per view. Each makes as few store queries as the
 * view needs: the live hub runs them at most once a second per open view.
 */
export class StudioData {
  constructor(private readonly store: Store) {}

  /** The invocations list. Dead letters are listed by the store; other tabs need the admin API's queries. */
  async invocations(q: InvocationQuery): Promise<InvocationPage> {
    // Wall clock, for display only: no decision is taken on it, and it saves a store query per refresh.
    const now = Date.now();
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    if (q.actorId && !q.actorType && q.tab !== 'dead') {
      const rec = await this.store.getInvocation(q.actorId);
      if (rec) return { items: [rowOf(rec, now)] };
    }
    if (q.tab === 'dead' || q.status === 'dead') {
      const dead = await this.store.listDeadLetters({ limit, ...(q.actorType ? { actorType: q.actorType } : {}) });
      const items = dead.filter((r) => matches(r, q)).map((r) => rowOf(r, now));
      return { items };
    }
    return { items: [], unsupported: ['listing invocations other than dead letters needs the admin API of this store'] };
  }

  /** One invocation, its journal as a timeline, its caller and callees. */
  async invocation(id: string): Promise<InvocationDetail | undefined> {
    const rec = await this.store.getInvocation(id);
    if (!rec) return undefined;
    const now = Date.now();
    const journal = rec.status === 'completed' ? [] : await this.store.loadJournal(id);
    const timeline = journal.map((e) => timelineEntry(rec, e));
    const callees = timeline.flatMap((t) => (t.ref?.invocationId ? [t.ref.invocationId] : []));
    const caller = rec.replyTo ? promiseOwner(rec.replyTo) : undefined;
    const inv: InvocationDetail['invocation'] = { ...rowOf(rec, now), partition: rec.partition, args: parse(rec.argsJson) };
    if (rec.resultJson !== undefined) inv.result = parse(rec.resultJson);
    if (rec.notBefore !== undefined) inv.notBefore = rec.notBefore;
    if (rec.waitingOn !== undefined) inv.waitingOn = rec.waitingOn;
    if (rec.replyTo !== undefined) inv.replyTo = rec.replyTo;
    if (rec.meta !== undefined) inv.meta = rec.meta;
    if (rec.expiresAt !== undefined) inv.expiresAt = rec.expiresAt;
    const waitingPromise = rec.status === 'pending' && rec.waitingOn?.startsWith('promise:') ? rec.waitingOn : undefined;
    const detail: InvocationDetail = {
      invocation: inv,
      timeline,
      journalKept: rec.status !== 'completed',
      callees,
      traces: [],
      actions: { redrive: rec.status === 'dead', ...(waitingPromise ? { resolvePromise: waitingPromise } : {}) },
    };
    if (caller) detail.caller = caller;
    return detail;
  }

  /** Actors by type, ordered by type and id. */
  async actors(actorType: string | undefined, limit: number): Promise<ActorRow[]> {
    const rows = await this.store.listActors({ limit: Math.min(Math.max(limit, 1), 500), ...(actorType ? { actorType } : {}) });
    return rows.map((s) => ({ actorType: s.actorType, actorId: s.actorId, version: s.version, state: parse(s.stateJson) }));
  }

  async actor(actorType: string, actorId: string): Promise<ActorDetail> {
    const st = await this.store.loadState(actorType, actorId);
    return { actorType, actorId, version: st?.version ?? 0, state: st ? parse(st.stateJson) : null, exists: st !== undefined, editable: false };
  }

  /** Partitions with their lease holders, and the live members. */
  async partitions(count: number): Promise<PartitionsView> {
    const [leases, members] = await Promise.all([this.store.leases.list(), this.store.leases.members()]);
    const now = Date.now();
    const byPartition = new Map(leases.map((l) => [l.partition, l]));
    const max = Math.max(count, ...leases.map((l) => l.partition + 1));
    const partitions = Array.from({ length: max }, (_, p) => {
      const l = byPartition.get(p);
      return l ? { partition: p, owner: l.owner, epoch: l.epoch, expiresAt: l.expiresAt, live: l.expiresAt > now } : { partition: p, live: false };
    });
    return { now, members, partitions };
  }
}

function matches(r: InvocationRecord, q: InvocationQuery): boolean {
  if (q.actorId && r.actorId !== q.actorId) return false;
  if (q.idempotencyKey && r.idempotencyKey !== q.idempotencyKey) return false;
  if (q.errorCode && r.error?.code !== q.errorCode) return false;
  if (q.since !== undefined && r.createdAt < q.since) return false;
  if (q.until !== undefined && r.createdAt > q.until) return false;
  return true;
}

function timelineEntry(rec: InvocationRecord, e: JournalEntry): TimelineEntry {
  const t: TimelineEntry = { position: e.seq, kind: e.kind, name: e.name, status: e.status };
  if (e.valueJson !== undefined) {
    t.resultSize = Buffer.byteLength(e.valueJson);
    t.value = parse(e.valueJson);
  }
  if (e.error) t.error = e.error;
  if (e.kind === 'call') t.ref = { invocationId: `${rec.id}:c${e.seq}`, promiseId: `call:${rec.id}:c${e.seq}` };
  if (e.kind === 'promise') t.ref = { promiseId: `promise:${rec.id}#${e.name}` };
  if (e.kind === 'send') t.ref = { invocationId: `${rec.id}:s${e.seq}` };
  return t;
}

/** Throws a clear error for a request value that is not a string. */
export function requireString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v === '') throw new StudioInputError(`${what} must be a non-empty string`);
  return v;
}
