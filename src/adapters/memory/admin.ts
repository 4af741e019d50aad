import { matchesFilter } from '../../admin/filter.js';
import { pendingRecord, type InvocationRecord, type JournalEntry, type PromiseResolution, type StateRecord } from '../../ports/store.js';
import type { AdminWriteOutcome, StoreAdmin, StoreFilter, StoreQuery } from '../../ports/admin.js';
import type { ErrorInfo } from '../../core/errors.js';

/** The parts of MemoryStore the admin capability works on (its private fields, by name). */
export interface MemoryInternals {
  invocations: Map<string, InvocationRecord>;
  pending: Map<string, InvocationRecord>;
  byKey: Map<string, string>;
  journals: Map<string, Map<number, JournalEntry>>;
  states: Map<string, StateRecord>;
  waiting: Map<string, string>;
  seq: number;
  wakeSeq: number;
  dropJournalAndPromises(invocationId: string): void;
  resolveOne(resolution: PromiseResolution): boolean;
}

const actorKey = (type: string, id: string) => `${type}\u0000${id}`;

/**
 * The memory store's admin capability. Queries scan (the memory store is for
 * tests and development); every write runs to completion synchronously, so it
 * is atomic with respect to turns like the store's commits.
 */
export class MemoryAdmin implements StoreAdmin {
  constructor(private readonly m: MemoryInternals) {}

  async listInvocations(q: StoreQuery): Promise<InvocationRecord[]> {
    const out = this.matching(q.filter).filter((r) => q.afterSeq === undefined || (q.newest ? r.seq < q.afterSeq : r.seq > q.afterSeq));
    out.sort((a, b) => (q.newest ? b.seq - a.seq : a.seq - b.seq));
    return out.slice(0, q.limit).map((r) => ({ ...r }));
  }

  async countInvocations(filter: StoreFilter): Promise<number> {
    return this.matching(filter).length;
  }

  private matching(filter: StoreFilter): InvocationRecord[] {
    const source = filter.statuses?.length === 1 && filter.statuses[0] === 'pending' ? this.m.pending : this.m.invocations;
    return [...source.values()].filter((r) => matchesFilter(r, filter));
  }

  async cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome> {
    const inv = this.m.invocations.get(id);
    if (!inv) return 'not-found';
    if (inv.status !== 'pending') return 'not-pending';
    const now = Date.now();
    if (inv.waitingOn) this.m.waiting.delete(inv.waitingOn);
    inv.status = 'failed';
    inv.error = { ...error };
    inv.expiresAt = now + inv.ttlMs;
    inv.updatedAt = now;
    delete inv.waitingOn;
    delete inv.notBefore;
    this.m.pending.delete(id);
    this.m.dropJournalAndPromises(id);
    if (inv.replyTo) this.m.resolveOne({ id: inv.replyTo, error: { ...error } });
    this.wakeNextOf(inv);
    return 'ok';
  }

  /**
   * A worker may still hold the cancelled invocation in memory as its actor's
   * suspended holder: waking the next one queued behind it makes the worker look
   * again, find the holder ended, and move on.
   */
  private wakeNextOf(inv: InvocationRecord): void {
    let next: InvocationRecord | undefined;
    for (const r of this.m.pending.values()) {
      if (r.actorType === inv.actorType && r.actorId === inv.actorId && (!next || r.seq < next.seq)) next = r;
    }
    if (next) next.wakeSeq = ++this.m.wakeSeq;
  }

  async retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<AdminWriteOutcome> {
    const inv = this.m.invocations.get(id);
    if (!inv) return 'not-found';
    if (inv.status !== 'pending') return 'not-pending';
    const sleeping = inv.notBefore !== undefined && [...(this.m.journals.get(id)?.values() ?? [])].some((e) => e.kind === 'sleep' && e.status === 'pending');
    if (!sleeping || options.wakeSleep) delete inv.notBefore;
    // A sleep's replay waits for the time it recorded: woken early, it records now instead.
    if (sleeping && options.wakeSleep) for (const e of this.m.journals.get(id)!.values()) if (e.kind === 'sleep' && e.status === 'pending') e.valueJson = String(Date.now());
    inv.wakeSeq = ++this.m.wakeSeq;
    inv.updatedAt = Date.now();
    return 'ok';
  }

  async purge(id: string): Promise<AdminWriteOutcome> {
    const inv = this.m.invocations.get(id);
    if (!inv) return 'not-found';
    if (inv.status === 'pending') return 'not-terminal';
    this.m.invocations.delete(id);
    this.m.dropJournalAndPromises(id);
    if (inv.idempotencyKey !== undefined) {
      const key = `${actorKey(inv.actorType, inv.actorId)}\u0000${inv.idempotencyKey}`;
      if (this.m.byKey.get(key) === id) this.m.byKey.delete(key);
    }
    return 'ok';
  }

  async enqueueWithJournal(invocation: Parameters<StoreAdmin['enqueueWithJournal']>[0], journal: JournalEntry[]): Promise<AdminWriteOutcome> {
    if (this.m.invocations.has(invocation.id)) return 'duplicate';
    const rec = pendingRecord(invocation, ++this.m.seq, ++this.m.wakeSeq, Date.now());
    rec.started = journal.length > 0;
    this.m.invocations.set(rec.id, rec);
    this.m.pending.set(rec.id, rec);
    if (journal.length) this.m.journals.set(rec.id, new Map(journal.map((e) => [e.seq, { ...e }])));
    return 'ok';
  }

  async setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok' | 'conflict'; version: number }> {
    const key = actorKey(actorType, actorId);
    const version = this.m.states.get(key)?.version ?? 0;
    if (version !== expectedVersion) return { outcome: 'conflict', version };
    this.m.states.set(key, { actorType, actorId, stateJson, version: version + 1 });
    return { outcome: 'ok', version: version + 1 };
  }
}
