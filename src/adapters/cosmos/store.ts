import { randomUUID } from 'node:crypto';
import type { CosmosClient } from '@azure/cosmos';
import { LoomError, NoActorDataError, StoreError, outcomeUnknown } from '../../core/errors.js';
import { describeInvocation, describeTurn, encodeEach, placeResults } from '../../ports/encode-items.js';
import { pendingRecord, promiseOwner, unlessFailed, type ItemFailure, type CommitResult, type EnqueueResult, type InvocationRecord, type JournalEntry, type NewInvocation, type PromiseResolution, type StateRecord, type Store, type TurnWrite, type WriteResult } from '../../ports/store.js';
import { Docs, openClient, statusOf, type CosmosConnection } from './container.js';
import { bare, ids, LOOSE_PROMISES_PK, META_PK, pkOf, toDoc, toRecord, type ActorIdempotencyDoc, type SystemFields, type InvocationDoc, type KeyDoc, type PromiseDoc, type StateDoc } from './docs.js';
import { CosmosAdmin } from './admin.js';
import { CosmosLeases } from './leases.js';
import { Locator } from './locator.js';
import { Relay } from './relay.js';
import { applyResolution, turnBatch } from './turn.js';

/** Options of {@link CosmosStore}. */
export interface CosmosStoreOptions {
  /** Database id; created when missing. Default `loom`. */
  database?: string;
  /** Container id; created when missing with partition key `/pk` and per-item TTL on. Default `loom`. */
  container?: string;
  /** Throughput (RU/s) of a container this store creates; default: the account's default. */
  throughput?: number;
  /** The workers' `partitions` (default 64): where an operator's first state write for an actor goes. */
  partitions?: number;
}

/** How often a turn retries when a concurrent wake-up changed its invocation document under it. */
const TURN_RETRIES = 10;
/** Operations in one transactional batch, at most (a Cosmos DB limit). */
const MAX_BATCH = 100;

/**
 * The Cosmos DB store. One container, partitioned by Loom partition (`/pk` =
 * `p<N>`), so that a turn — its invocation, journal, state, idempotency
 * records, outbox and the conditional read of its lease — is one transactional
 * batch under one partition key. Effects on other partitions (messages to
 * actors there, replies to their callers) are an outbox document in that batch,
 * relayed right after the commit and again by the partition's owner if the
 * process died in between; each relayed message is deduplicated by its id.
 *
 * @example
 * import { CosmosClient } from '@azure/cosmos';
 * import { DefaultAzureCredential } from '@azure/identity';
 * const store = new CosmosStore(new CosmosClient({ endpoint: process.env.COSMOS_ENDPOINT!, aadCredentials: new DefaultAzureCredential() }));
 */
export class CosmosStore implements Store {
  readonly capabilities = { durable: true, shared: true, batchConcurrency: 4 };
  readonly leases: CosmosLeases;
  /** Queries and operator actions (see `StoreAdmin`). */
  readonly admin: CosmosAdmin;
  private docsOrNull: Docs | undefined;
  private client: { client: CosmosClient; owned: boolean } | undefined;
  private readonly locator = new Locator(() => this.docs);
  private readonly relay: Relay;

  constructor(private readonly connection: CosmosConnection, private readonly options: CosmosStoreOptions = {}) {
    this.leases = new CosmosLeases(() => this.docs);
    this.relay = new Relay(() => this.docs, (items) => this.enqueue(items), (r) => this.resolvePromise(r));
    this.admin = new CosmosAdmin({
      docs: () => this.docs,
      locator: this.locator,
      nextSeq: (n) => this.nextSeq(n),
      resolvePromise: (r) => this.resolvePromise(r),
      partitions: options.partitions ?? 64,
    });
  }

  /** Cosmos operations and request units this store has used, for measurement. */
  get usage(): { operations: number; requestUnits: number } {
    return { operations: this.docsOrNull?.ops ?? 0, requestUnits: this.docsOrNull?.charge ?? 0 };
  }

  private get docs(): Docs {
    if (!this.docsOrNull) throw new StoreError('the Cosmos DB store is not open: call init() (or runtime.start()) first');
    return this.docsOrNull;
  }

  async init(): Promise<void> {
    this.client ??= await openClient(this.connection);
    const { database } = await this.client.client.databases.createIfNotExists({ id: this.options.database ?? 'loom' });
    const spec = { id: this.options.container ?? 'loom', partitionKey: { paths: ['/pk'] }, defaultTtl: -1 };
    const { container } = await database.containers.createIfNotExists(this.options.throughput ? { ...spec, throughput: this.options.throughput } : spec);
    this.docsOrNull = new Docs(container);
    await this.docs.create({ id: ids.counter, pk: META_PK, type: 'counter', value: 0 });
  }

  async close(): Promise<void> {
    await this.relay.idle();
    if (this.client?.owned) this.client.client.dispose();
    this.client = undefined;
    this.docsOrNull = undefined;
  }

  async now(): Promise<number> {
    return Date.now();
  }

  /** Takes `n` consecutive sequence numbers from the counter document; returns the first. */
  private async nextSeq(n: number): Promise<number> {
    const res = await this.docs.container.item(ids.counter, META_PK).patch<{ value: number }>([{ op: 'incr', path: '/value', value: n }]);
    this.docs.ops++;
    return res.resource!.value - n + 1;
  }

  async enqueue(items: NewInvocation[]): Promise<EnqueueResult[]> {
    return unlessFailed(await this.enqueueEach(items));
  }

  /**
   * Each item is its own operations, so each is answered alone: one that fails
   * leaves the others applied. (A failure to take the sequence numbers first
   * applied nothing.)
   */
  private async enqueueEach(all: NewInvocation[]): Promise<(EnqueueResult | ItemFailure)[]> {
    const encoded = encodeEach(all, jsonChecked, describeInvocation);
    return placeResults(all.length, encoded, await this.insertEach(encoded.ok));
  }

  private async insertEach(items: NewInvocation[]): Promise<(EnqueueResult | ItemFailure)[]> {
    if (items.length === 0) return [];
    const first = await this.nextSeq(items.length);
    const now = Date.now();
    const out: (EnqueueResult | ItemFailure)[] = new Array(items.length);
    // Items of one partition in order (a later one may duplicate an earlier one's key); partitions side by side.
    const byPk = new Map<number, number[]>();
    items.forEach((it, i) => byPk.set(it.partition, [...(byPk.get(it.partition) ?? []), i]));
    await Promise.all([...byPk.values()].map(async (idx) => {
      for (const i of idx) {
        const item = items[i]!;
        out[i] = await this.insert(item, first + i, now).catch((err: unknown) => ({ failed: itemError(err, describeInvocation(item)) }));
      }
    }));
    return out;
  }

  private async insert(item: NewInvocation, seq: number, now: number): Promise<EnqueueResult> {
    const pk = pkOf(item.partition);
    for (;;) {
      const same = await this.docs.read<InvocationDoc>(ids.inv(item.id), pk);
      if (same) return { record: toRecord(same), duplicate: true };
      const doc = toDoc(pendingRecord(item, seq, seq, now));
      if (item.idempotencyKey === undefined) {
        const made = await this.docs.create(doc);
        if (!made) continue;
        this.seen(item);
        return { record: toRecord(made), duplicate: false };
      }
      const keyId = ids.key(item.actorType, item.actorId, item.idempotencyKey);
      const key = await this.docs.read<KeyDoc>(keyId, pk);
      if (key) {
        const holder = await this.docs.read<InvocationDoc>(ids.inv(key.invocationId), pk);
        if (holder && !(holder.rec.expiresAt !== undefined && holder.rec.expiresAt <= now)) return { record: toRecord(holder), duplicate: true };
      }
      const keyDoc: KeyDoc = { id: keyId, pk, type: 'key', invocationId: item.id };
      const ops = [
        key ? { operationType: 'Replace' as const, id: keyId, partitionKey: pk, ifMatch: key._etag!, resourceBody: keyDoc as never } : { operationType: 'Create' as const, partitionKey: pk, resourceBody: keyDoc as never },
        { operationType: 'Create' as const, partitionKey: pk, resourceBody: doc as never },
      ];
      const res = await this.docs.batch(ops, pk);
      if (res.index >= 0) continue; // another enqueue took the key or the id first: read again
      this.seen(item);
      return { record: doc.rec, duplicate: false };
    }
  }

  /** Remembers where an invocation and its actor live, so that their later reads are point reads. */
  private seen(inv: NewInvocation): void {
    this.locator.remember(inv.id, inv.partition);
    this.locator.rememberActor(inv.actorType, inv.actorId, inv.partition);
  }

  async getInvocation(id: string): Promise<InvocationRecord | undefined> {
    const doc = await this.locator.find(id);
    return doc && toRecord(doc);
  }

  async pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    if (partitions.length === 0) return [];
    const pks = partitions.map(pkOf);
    // A full scan is also when a turn's outbox left behind by a crash is relayed.
    if (afterWakeSeq === 0) await this.relay.leftovers(pks);
    const names = pks.map((_, i) => `@p${i}`);
    const rows = await this.docs.query<InvocationDoc>(
      `SELECT TOP @limit * FROM c WHERE c.pk IN (${names.join(', ')}) AND c.type = 'inv' AND c.status = 'pending' AND c.wakeSeq > @after ORDER BY c.wakeSeq`,
      [...pks.map((value, i) => ({ name: names[i]!, value })), { name: '@after', value: afterWakeSeq }, { name: '@limit', value: limit }],
      pks.length === 1 ? pks[0] : undefined,
    );
    const out = rows.sort((a, b) => a.wakeSeq - b.wakeSeq).slice(0, limit).map(toRecord);
    for (const r of out) this.seen(r);
    return out;
  }

  async loadState(actorType: string, actorId: string): Promise<StateRecord | undefined> {
    const d = await this.actorDoc<StateDoc>(ids.state(actorType, actorId), actorType, actorId);
    return d && { actorType: d.actorType, actorId: d.actorId, stateJson: d.stateJson, version: d.version };
  }

  /** An actor's document: a point read where its partition is known here, else one query by id. */
  private async actorDoc<T extends SystemFields & { id: string }>(id: string, actorType: string, actorId: string): Promise<T | undefined> {
    const pk = this.locator.actorPk(actorType, actorId);
    if (pk !== undefined) return this.docs.read<T>(id, pk);
    const rows = await this.docs.query<T>('SELECT * FROM c WHERE c.id = @id', [{ name: '@id', value: id }]);
    return rows[0];
  }

  async loadJournal(invocationId: string): Promise<JournalEntry[]> {
    const doc = await this.locator.find(invocationId);
    if (!doc) return [];
    return Object.values(doc.journal).sort((a, b) => a.seq - b.seq);
  }

  async commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    return unlessFailed(await this.commitEach(turns));
  }

  private async commitEach(all: TurnWrite[]): Promise<(CommitResult | ItemFailure)[]> {
    const encoded = encodeEach(all, jsonChecked, describeTurn);
    const done = await Promise.all(encoded.ok.map((t) => this.commitOne(t).catch((err: unknown) => ({ failed: itemError(err, describeTurn(t)) }))));
    return placeResults(all.length, encoded, done);
  }

  async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    const enqueued = await this.enqueueEach(enqueues);
    return { enqueued, committed: await this.commitEach(turns) };
  }

  private async commitOne(turn: TurnWrite): Promise<CommitResult> {
    // The runtime never sends actor data to a store without the capability; refuse it rather than drop it.
    if (turn.data) throw new NoActorDataError(`the Cosmos DB store keeps no per-key state or logs (this.kv, this.log): keep such data in this.state, or use the SQLite, Redis or PostgreSQL store`);
    const pk = pkOf(turn.partition);
    let fresh = false;
    for (let i = 0; i < TURN_RETRIES; i++) {
      const leaseEtag = await this.leases.fence(turn.partition, turn.epoch, fresh);
      if (!leaseEtag) return { outcome: 'fenced' };
      const inv = await this.docs.read<InvocationDoc>(ids.inv(turn.invocationId), pk);
      if (!inv || inv.rec.status !== 'pending') return { outcome: 'conflict' };
      if (turn.state) this.locator.rememberActor(turn.state.actorType, turn.state.actorId, turn.partition);
      let state: StateDoc | undefined;
      if (turn.state) {
        // Checked here to answer 'conflict' without a batch; the batch's conditional create or replace checks it again.
        state = await this.docs.read<StateDoc>(ids.state(turn.state.actorType, turn.state.actorId), pk);
        if ((state?.version ?? 0) !== turn.state.expectedVersion) return { outcome: 'conflict' };
      }
      const t = turn.transition;
      const wakes = t?.status === 'pending' && t.waitingOn !== undefined && inv.promises[t.waitingOn] !== undefined;
      const wake = wakes ? await this.nextSeq(1) : 0;
      const batch = turnBatch({ turn, leaseEtag, inv, ...(state ? { state } : {}), now: Date.now(), wakeSeq: () => wake, nonce: randomUUID().slice(0, 8) });
      if (batch.ops.length > MAX_BATCH) {
        throw new StoreError(`a turn of invocation ${turn.invocationId} needs ${batch.ops.length} Cosmos DB operations, over the ${MAX_BATCH} of one transactional batch: write fewer storeIdempotency records in one invocation`);
      }
      const res = await this.docs.batch(batch.ops, pk);
      if (res.index < 0) {
        this.locator.remember(turn.invocationId, turn.partition);
        // Committed: a failed relay must not report the turn as failed. Its outbox document is in the batch,
        // and the partition's owner relays it again on a full poll.
        const enqueued = batch.outbox ? await this.relay.deliver(batch.outbox).catch(() => []) : [];
        return { outcome: 'ok', enqueued };
      }
      const role = batch.roles[res.index];
      if (role === 'fence') fresh = true; // the lease document changed (a renewal, or a new owner): check the epoch again
      else if (role === 'state') return { outcome: 'conflict' };
      else if (role !== 'invocation') throw new StoreError(`Cosmos DB rejected a write of invocation ${turn.invocationId} with status ${res.status}; nothing of the turn was applied`);
      // 'invocation': a wake-up or another writer changed the document since it was read: read it again.
    }
    throw new StoreError(`the commit of invocation ${turn.invocationId} lost ${TURN_RETRIES} races in a row on Cosmos DB; nothing of the turn was applied, retry`);
  }

  async resolvePromise(resolution: PromiseResolution): Promise<boolean> {
    const owner = promiseOwner(resolution.id);
    for (;;) {
      const doc = owner === undefined ? undefined : await this.locator.find(owner);
      if (!doc) {
        const made = await this.docs.create<PromiseDoc>({ id: ids.promise(resolution.id), pk: LOOSE_PROMISES_PK, type: 'promise', resolution });
        return made !== undefined;
      }
      const waits = doc.rec.status === 'pending' && doc.rec.waitingOn === resolution.id;
      const wake = waits ? await this.nextSeq(1) : 0;
      const next = applyResolution(doc, resolution, Date.now(), () => wake);
      if (!next) return false;
      if (await this.docs.replace(next, doc._etag!)) return true;
    }
  }

  async getPromise(id: string): Promise<PromiseResolution | undefined> {
    const owner = promiseOwner(id);
    const doc = owner === undefined ? undefined : await this.locator.find(owner);
    const own = doc?.promises[id];
    if (own) return own;
    return (await this.docs.read<PromiseDoc>(ids.promise(id), LOOSE_PROMISES_PK))?.resolution;
  }

  async getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined> {
    const r = await this.actorDoc<ActorIdempotencyDoc>(ids.actorIdempotency(actorType, actorId, key), actorType, actorId);
    return r && r.expiresAt > now ? { result: JSON.parse(r.resultJson) as unknown } : undefined;
  }

  async listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]> {
    const byType = query.actorType === undefined ? '' : ' AND c.actorType = @type';
    const rows = await this.docs.query<InvocationDoc>(
      `SELECT TOP @limit * FROM c WHERE c.type = 'inv' AND c.status = 'dead'${byType} ORDER BY c.updatedAt DESC`,
      [{ name: '@limit', value: query.limit }, ...(query.actorType === undefined ? [] : [{ name: '@type', value: query.actorType }])],
    );
    return rows.map(toRecord).sort((a, b) => b.updatedAt - a.updatedAt || b.seq - a.seq).slice(0, query.limit);
  }

  async redrive(id: string): Promise<InvocationRecord | undefined> {
    for (;;) {
      const doc = await this.locator.find(id);
      if (!doc || doc.rec.status !== 'dead') return undefined;
      const rec = structuredClone(doc.rec);
      rec.status = 'pending';
      rec.attempt = 0;
      rec.wakeSeq = await this.nextSeq(1);
      rec.updatedAt = Date.now();
      delete rec.expiresAt;
      delete rec.notBefore;
      const next = toDoc(rec, bare(doc));
      if (await this.docs.replace(next, doc._etag!)) return structuredClone(rec);
    }
  }

  async sweep(now: number): Promise<number> {
    const gone = await this.docs.query<InvocationDoc>(
      "SELECT * FROM c WHERE c.type = 'inv' AND c.status != 'pending' AND c.expiresAt <= @now",
      [{ name: '@now', value: now }],
    );
    let n = 0;
    for (const d of gone) {
      if (d.rec.idempotencyKey !== undefined) {
        const keyId = ids.key(d.rec.actorType, d.rec.actorId, d.rec.idempotencyKey);
        const key = await this.docs.read<KeyDoc>(keyId, d.pk);
        if (key?.invocationId === d.rec.id) await this.docs.delete(keyId, d.pk);
      }
      await this.docs.delete(d.id, d.pk);
      this.locator.forget(d.rec.id);
      n++;
    }
    const records = await this.docs.query<{ id: string; pk: string }>("SELECT c.id, c.pk FROM c WHERE c.type = 'aidem' AND c.expiresAt <= @now", [{ name: '@now', value: now }]);
    for (const r of records) await this.docs.delete(r.id, r.pk);
    return n + records.length;
  }

  async listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]> {
    const byType = query.actorType === undefined ? '' : ' AND c.actorType = @type';
    const rows = await this.docs.query<StateDoc>(`SELECT * FROM c WHERE c.type = 'state'${byType}`, query.actorType === undefined ? [] : [{ name: '@type', value: query.actorType }]);
    return rows
      .map((d) => ({ actorType: d.actorType, actorId: d.actorId, stateJson: d.stateJson, version: d.version }))
      .sort((a, b) => a.actorType.localeCompare(b.actorType) || a.actorId.localeCompare(b.actorId))
      .slice(0, query.limit);
  }
}

/**
 * An item as it is, once it is known to be JSON: the SDK serializes documents
 * only while sending them, where a failure would look like a lost answer.
 */
function jsonChecked<T>(item: T): T {
  JSON.stringify(item);
  return item;
}

/**
 * Statuses after which a Cosmos DB write may or may not have been applied
 * (request timeout, retry-with, service unavailable): the service's own advice.
 */
const MAYBE_APPLIED = new Set([408, 449, 503]);

/**
 * What an item whose operations failed tells its caller. An error the service
 * answered with a status applied nothing (a batch is transactional, a single
 * operation atomic); without an answer, or with a status that may hide a
 * write, some of the item's operations may have been applied.
 */
function itemError(err: unknown, what: string): Error {
  // This store's own errors (no driver cause) say what was applied.
  if (err instanceof LoomError && (!(err instanceof StoreError) || err.cause === undefined)) return err;
  const status = statusOf(err instanceof StoreError ? err.cause : err);
  if (status !== undefined && !MAYBE_APPLIED.has(status)) return err as Error;
  return outcomeUnknown(`Cosmos DB did not answer whether ${what} was written (${(err as Error)?.message ?? String(err)})`, err);
}
