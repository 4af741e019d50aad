import { matchesFilter } from '../../admin/filter.js';
import type { ErrorInfo } from '../../core/errors.js';
import { partitionOf } from '../../core/ids.js';
import type { AdminWriteOutcome, StoreAdmin, StoreFilter, StoreQuery } from '../../ports/admin.js';
import { pendingRecord, type InvocationRecord, type JournalEntry, type NewInvocation, type PromiseResolution } from '../../ports/store.js';
import type { Docs } from './container.js';
import { bare, ids, pkOf, toDoc, toRecord, type InvocationDoc, type KeyDoc, type StateDoc } from './docs.js';
import type { Locator } from './locator.js';

/** What the admin capability needs of `CosmosStore`. */
export interface CosmosInternals {
  docs(): Docs;
  locator: Locator;
  nextSeq(n: number): Promise<number>;
  resolvePromise(r: PromiseResolution): Promise<boolean>;
  /** The partition count the workers use: where an actor with no state yet gets its first. */
  partitions: number;
}

/**
 * The Cosmos DB store's admin capability. Each write is one replace
 * conditional on the document's ETag (retried when a turn got there first), so
 * it never races a turn: whichever commits second finds the invocation changed.
 * Queries narrow by type, status and actor type in the query and sort by `seq`;
 * the remaining filter fields are applied to what that returns.
 */
export class CosmosAdmin implements StoreAdmin {
  constructor(private readonly c: CosmosInternals) {}

  async listInvocations(q: StoreQuery): Promise<InvocationRecord[]> {
    const rows = await this.query(q.filter, q.newest, q.afterSeq);
    return rows.slice(0, q.limit);
  }

  async countInvocations(filter: StoreFilter): Promise<number> {
    return (await this.query(filter, true, undefined)).length;
  }

  private async query(f: StoreFilter, newest: boolean, afterSeq: number | undefined): Promise<InvocationRecord[]> {
    if (f.statuses && f.statuses.length === 0) return [];
    const where = ["c.type = 'inv'"];
    const params: { name: string; value: unknown }[] = [];
    if (f.statuses) {
      where.push(`c.status IN (${f.statuses.map((_, i) => `@s${i}`).join(', ')})`);
      f.statuses.forEach((s, i) => params.push({ name: `@s${i}`, value: s }));
    }
    if (f.actorType !== undefined) {
      where.push('c.actorType = @type');
      params.push({ name: '@type', value: f.actorType });
    }
    if (afterSeq !== undefined) {
      where.push(newest ? 'c.rec.seq < @after' : 'c.rec.seq > @after');
      params.push({ name: '@after', value: afterSeq });
    }
    const rows = await this.c.docs().query<InvocationDoc>(`SELECT * FROM c WHERE ${where.join(' AND ')}`, params);
    return rows
      .map(toRecord)
      .filter((r) => matchesFilter(r, f))
      .sort((a, b) => (newest ? b.seq - a.seq : a.seq - b.seq));
  }

  async cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome> {
    for (;;) {
      const doc = await this.c.locator.find(id);
      if (!doc) return 'not-found';
      if (doc.rec.status !== 'pending') return 'not-pending';
      const now = Date.now();
      const rec = structuredClone(doc.rec);
      rec.status = 'failed';
      rec.error = error;
      rec.expiresAt = now + rec.ttlMs;
      rec.updatedAt = now;
      delete rec.waitingOn;
      delete rec.notBefore;
      const next = toDoc(rec, bare(doc));
      next.journal = {};
      next.promises = {};
      if (!(await this.c.docs().replace(next, doc._etag!))) continue;
      // The caller's promise lives with the caller, maybe under another partition key: resolved after, like a turn's outbox.
      if (rec.replyTo) await this.c.resolvePromise({ id: rec.replyTo, error });
      await this.wakeNextOf(rec);
      return 'ok';
    }
  }

  /** Wakes the actor's next queued invocation, so that a worker holding the cancelled one looks again. */
  private async wakeNextOf(inv: InvocationRecord): Promise<void> {
    const pk = pkOf(inv.partition);
    const rows = await this.c.docs().query<InvocationDoc>(
      "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'inv' AND c.status = 'pending' AND c.rec.actorType = @t AND c.rec.actorId = @a",
      [{ name: '@pk', value: pk }, { name: '@t', value: inv.actorType }, { name: '@a', value: inv.actorId }],
      pk,
    );
    const next = rows.sort((a, b) => a.rec.seq - b.rec.seq)[0];
    if (!next) return;
    const rec = structuredClone(next.rec);
    rec.wakeSeq = await this.c.nextSeq(1);
    await this.c.docs().replace(toDoc(rec, bare(next)), next._etag!);
  }

  async retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<AdminWriteOutcome> {
    for (;;) {
      const doc = await this.c.locator.find(id);
      if (!doc) return 'not-found';
      if (doc.rec.status !== 'pending') return 'not-pending';
      const rec = structuredClone(doc.rec);
      const journal = structuredClone(doc.journal);
      const sleeps = Object.values(journal).filter((e) => e.kind === 'sleep' && e.status === 'pending');
      const sleeping = rec.notBefore !== undefined && sleeps.length > 0;
      if (!sleeping || options.wakeSleep) delete rec.notBefore;
      // A sleep's replay waits for the time it recorded: woken early, it records now instead.
      if (sleeping && options.wakeSleep) for (const e of sleeps) e.valueJson = String(Date.now());
      rec.wakeSeq = await this.c.nextSeq(1);
      rec.updatedAt = Date.now();
      const next = toDoc(rec, bare(doc));
      next.journal = journal;
      if (await this.c.docs().replace(next, doc._etag!)) return 'ok';
    }
  }

  async purge(id: string): Promise<AdminWriteOutcome> {
    const doc = await this.c.locator.find(id);
    if (!doc) return 'not-found';
    if (doc.rec.status === 'pending') return 'not-terminal';
    const r = doc.rec;
    if (r.idempotencyKey !== undefined) {
      const keyId = ids.key(r.actorType, r.actorId, r.idempotencyKey);
      const key = await this.c.docs().read<KeyDoc>(keyId, doc.pk);
      if (key?.invocationId === r.id) await this.c.docs().delete(keyId, doc.pk);
    }
    await this.c.docs().delete(doc.id, doc.pk);
    this.c.locator.forget(id);
    return 'ok';
  }

  async enqueueWithJournal(invocation: NewInvocation, journal: JournalEntry[]): Promise<AdminWriteOutcome> {
    if (await this.c.locator.find(invocation.id)) return 'duplicate';
    const seq = await this.c.nextSeq(1);
    const rec = pendingRecord(invocation, seq, seq, Date.now());
    rec.started = journal.length > 0;
    const doc = toDoc(rec);
    for (const e of journal) doc.journal[String(e.seq)] = e;
    if (!(await this.c.docs().create(doc))) return 'duplicate';
    this.c.locator.remember(rec.id, rec.partition);
    return 'ok';
  }

  async setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok' | 'conflict'; version: number }> {
    const id = ids.state(actorType, actorId);
    const rows = await this.c.docs().query<StateDoc>("SELECT * FROM c WHERE c.id = @id AND c.type = 'state'", [{ name: '@id', value: id }]);
    const cur = rows[0];
    const version = cur?.version ?? 0;
    if (version !== expectedVersion) return { outcome: 'conflict', version };
    if (cur) {
      const done = await this.c.docs().replace<StateDoc>({ ...bare(cur), stateJson, version: version + 1 }, cur._etag!);
      return done ? { outcome: 'ok', version: version + 1 } : this.setState(actorType, actorId, stateJson, expectedVersion);
    }
    const pk = pkOf(partitionOf(actorType, actorId, this.c.partitions));
    const made = await this.c.docs().create<StateDoc>({ id, pk, type: 'state', actorType, actorId, stateJson, version: 1 });
    return made ? { outcome: 'ok', version: 1 } : this.setState(actorType, actorId, stateJson, expectedVersion);
  }
}
