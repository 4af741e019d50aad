import { RedisSchedules } from './schedules.js';
import { RedisDiscovery } from './discovery.js';
import type { Redis, RedisOptions } from 'ioredis';
import { StoreError, outcomeUnknown } from '../../core/errors.js';
import { consoleLogger } from '../../core/logger.js';
import {
  unlessFailed,
  type ItemFailure,
  type CommitResult,
  type EnqueueResult,
  type InvocationRecord,
  type JournalEntry,
  type NewInvocation,
  type PromiseResolution,
  type StateRecord,
  type Store,
  type StoreInitOptions,
  type TurnWrite,
  type WriteResult,
} from '../../ports/store.js';
import { decodeInvocation, decodeJournal, pairs, resolveSpec } from './codec.js';
import { RedisConnection, SentUnanswered, type Settled } from './connection.js';
import { callError, commitCall, decodeCommit, decodeEnqueue, enqueueCall } from './batch.js';
import { describeInvocation, describeTurn, encodeEach, placeResults } from '../../ports/encode-items.js';
import { checkDurability, type DurabilityLogger } from './durability.js';
import { KIND, SCHEMA_VERSION, actorIdempotencyKey, stateKey } from './keys.js';
import { RedisLeases } from './leases.js';
import { RedisTraces } from './traces.js';
import { RedisAdmin } from './admin.js';
import { RedisActorData } from './actor-data.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key Loom writes; one prefix per Loom deployment. Default `'loom:'`. */
  prefix?: string;
  /** Receives `init()`'s warnings about Redis settings that can lose data (once per process). Default: the runtime's logger, else console warnings. */
  logger?: DurabilityLogger;
  /** Most expired records one sweep script deletes before yielding to other clients. Default 500. */
  sweepBatch?: number;
}

/**
 * The Store port on Redis. Each turn is one Lua script (fence check, version
 * check and every write of the turn, atomically); a batch of turns is one
 * pipeline, as are the enqueues and turns of one `write()`. Times come from
 * the Redis clock. Give Redis `maxmemory-policy noeviction` and AOF
 * (`appendonly yes`) or accepted messages can be lost.
 */
export class RedisStore implements Store {
  readonly capabilities = { durable: true, shared: true };
  readonly leases: RedisLeases;
  readonly traces: RedisTraces;
  readonly schedules: RedisSchedules;
  readonly discovery: RedisDiscovery;
  /** Queries and operator actions (see `StoreAdmin`). */
  readonly admin: RedisAdmin;
  /** Reads of actor data (`this.kv`, `this.log(name)`); written by the commit script. */
  readonly actorData: RedisActorData;
  private readonly conn: RedisConnection;
  private readonly log: DurabilityLogger | undefined;
  private readonly sweepBatch: number;

  /**
   * @param redis An ioredis client (left open by `close()`), its options, or a
   *   `redis://` URL (the store then owns the client and quits it on `close()`).
   */
  constructor(redis: Redis | RedisOptions | string, options: RedisStoreOptions = {}) {
    this.conn = new RedisConnection(redis, options.prefix ?? 'loom:');
    this.log = options.logger;
    this.sweepBatch = Math.max(1, Math.floor(options.sweepBatch ?? 500));
    this.leases = new RedisLeases(this.conn);
    this.traces = new RedisTraces(this.conn);
    this.schedules = new RedisSchedules(this.conn);
    this.discovery = new RedisDiscovery(this.conn);
    this.admin = new RedisAdmin(this.conn);
    this.actorData = new RedisActorData(this.conn);
  }

  private get client(): Redis {
    return this.conn.client;
  }

  private key(suffix: string): string {
    return this.conn.prefix + suffix;
  }

  async init(options: StoreInitOptions = {}): Promise<void> {
    await this.conn.connect();
    const schema = this.key(KIND.schema);
    const found = await this.conn.run('init', async () => {
      await this.client.set(schema, String(SCHEMA_VERSION), 'NX');
      return this.client.get(schema);
    });
    if (found !== String(SCHEMA_VERSION)) {
      throw new StoreError(
        `Redis store: the keys under "${this.conn.prefix}" at ${this.conn.where} have layout version ${found}, this Loom reads version ${SCHEMA_VERSION}. ` +
          `Upgrade Loom on every worker, or give this deployment another prefix.`,
      );
    }
    await checkDurability(this.client, this.conn.where, this.log ?? options.logger ?? consoleLogger);
    await this.admin.backfill();
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  async now(): Promise<number> {
    const [sec, usec] = await this.conn.run('reading the clock', () => this.client.time());
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }

  async enqueue(items: NewInvocation[]): Promise<EnqueueResult[]> {
    return unlessFailed((await this.write(items, [])).enqueued);
  }

  async getInvocation(id: string): Promise<InvocationRecord | undefined> {
    const f = await this.conn.run(`reading invocation ${id}`, () => this.client.hgetall(this.key(KIND.inv + id)));
    return Object.keys(f).length === 0 ? undefined : decodeInvocation(f);
  }

  async pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    const parts = [...new Set(partitions)].map(String);
    const max = Math.floor(limit);
    if (parts.length === 0 || !(max > 0)) return [];
    const reply = (await this.conn.run('polling pending invocations', () =>
      this.conn.script('pollPending', String(afterWakeSeq), String(max), ...parts),
    )) as string[][];
    return reply.map((f) => decodeInvocation(pairs(f)));
  }

  async loadState(actorType: string, actorId: string): Promise<StateRecord | undefined> {
    const [json, version] = await this.conn.run(`loading the state of ${actorType}/${actorId}`, () =>
      this.client.hmget(this.key(stateKey(actorType, actorId)), 'json', 'version'),
    );
    if (json === null || json === undefined) return undefined;
    return { actorType, actorId, stateJson: json, version: Number(version) };
  }

  async loadJournal(invocationId: string): Promise<JournalEntry[]> {
    const values = await this.conn.run(`loading the journal of invocation ${invocationId}`, () =>
      this.client.hvals(this.key(KIND.journal + invocationId)),
    );
    return decodeJournal(values);
  }

  async commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    return unlessFailed((await this.write([], turns)).committed);
  }

  /**
   * Every item is its own script (atomic alone), all in one pipeline, enqueues
   * first: a turn's script then sees an invocation enqueued by this write.
   * Each item is answered alone: a pipeline is not a transaction, so the
   * scripts that ran stay applied whatever happened to the others.
   */
  async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    if (enqueues.length === 0 && turns.length === 0) return { enqueued: [], committed: [] };
    const e = encodeEach(enqueues, enqueueCall, describeInvocation);
    const t = encodeEach(turns, commitCall, describeTurn);
    const op = `write of ${e.ok.length} invocation(s) and ${t.ok.length} turn(s)`;
    let replies: Settled[];
    try {
      replies = await this.conn.sendEach([...e.ok.map((x) => x.call), ...t.ok.map((x) => x.call)]);
    } catch (err) {
      if (err instanceof SentUnanswered) throw outcomeUnknown(`Redis store: the ${op} was sent to ${this.conn.where} and no answer came back (${err.message})`, err.original);
      throw this.conn.error(op, err);
    }
    const cut = e.ok.length;
    const enqueued = e.ok.map((x, i) => this.answer(replies[i]!, (v) => decodeEnqueue(x.spec, v), `the message ${x.spec.id}`));
    const committed = t.ok.map((x, i) => this.answer(replies[cut + i]!, (v) => decodeCommit(x.spec, v), `the write of invocation ${x.spec.id}`));
    return { enqueued: placeResults(enqueues.length, e, enqueued), committed: placeResults(turns.length, t, committed) };
  }

  /** One item's result, or its failure as `callError` reports it. */
  private answer<R>(reply: Settled, decode: (value: unknown) => R, what: string): R | ItemFailure {
    return reply.ok ? decode(reply.value) : { failed: callError(this.conn, what, reply.err) };
  }

  async resolvePromise(resolution: PromiseResolution): Promise<boolean> {
    const [id, owner, json] = resolveSpec(resolution);
    const reply = await this.conn.run(`resolving promise ${id}`, () => this.conn.script('resolvePromise', id, owner, json));
    return reply === 1;
  }

  async getPromise(id: string): Promise<PromiseResolution | undefined> {
    const json = await this.conn.run(`reading promise ${id}`, () => this.client.get(this.key(KIND.promise + id)));
    return json === null ? undefined : (JSON.parse(json) as PromiseResolution);
  }

  async getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined> {
    const [resultJson, expiresAt] = await this.conn.run(`reading idempotency key "${key}" of ${actorType}/${actorId}`, () =>
      this.client.hmget(this.key(actorIdempotencyKey(actorType, actorId, key)), 'r', 'e'),
    );
    if (resultJson === null || resultJson === undefined || Number(expiresAt) <= now) return undefined;
    return { result: JSON.parse(resultJson) as unknown };
  }

  async listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    const index = query.actorType ? KIND.deadType + query.actorType : KIND.dead;
    const reply = (await this.conn.run('listing dead letters', () =>
      this.conn.script('listDeadLetters', index, String(limit)),
    )) as string[][];
    return reply
      .map((f) => decodeInvocation(pairs(f)))
      .filter((r) => r.status === 'dead')
      .sort((a, b) => b.updatedAt - a.updatedAt || b.seq - a.seq)
      .slice(0, limit);
  }

  async redrive(id: string): Promise<InvocationRecord | undefined> {
    const reply = await this.conn.run(`redriving invocation ${id}`, () => this.conn.script('redrive', id));
    return Array.isArray(reply) ? decodeInvocation(pairs(reply as string[])) : undefined;
  }

  async sweep(now: number): Promise<number> {
    return this.conn.run('sweep', async () => {
      let total = 0;
      for (;;) {
        const [n, invocations, records] = (await this.conn.script('sweep', String(now), String(this.sweepBatch))) as number[];
        total += n ?? 0;
        if ((invocations ?? 0) < this.sweepBatch && (records ?? 0) < this.sweepBatch) return total;
      }
    });
  }

  async listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]> {
    return this.conn.run('listing actors', async () => {
      const index = this.key(KIND.actors);
      // Members are JSON ["type","id"]: a type's members share the prefix ["type",
      const from = query.actorType ? `[[${JSON.stringify(query.actorType)},` : '-';
      const to = query.actorType ? Buffer.concat([Buffer.from(`([${JSON.stringify(query.actorType)},`), Buffer.from([0xff])]) : '+';
      const members = await this.client.zrangebylex(index, from, to);
      // Ordered like the reference store (localeCompare), hence sorted here rather than by Redis' byte order.
      const actors = members
        .map((m) => JSON.parse(m) as [string, string])
        .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]))
        .slice(0, Math.max(0, Math.floor(query.limit)));
      const pipe = this.client.pipeline();
      for (const [type, id] of actors) pipe.hmget(this.key(stateKey(type, id)), 'json', 'version');
      const rows = (await pipe.exec()) ?? [];
      const out: StateRecord[] = [];
      rows.forEach(([err, value], i) => {
        if (err) throw err;
        const [json, version] = value as (string | null)[];
        const actor = actors[i];
        if (actor && typeof json === 'string') out.push({ actorType: actor[0], actorId: actor[1], stateJson: json, version: Number(version) });
      });
      return out;
    });
  }
}
