import { SqliteTraces } from './traces.js';
import type Database from 'better-sqlite3';
import { ConfigError, StoreError, type LoomError } from '../../core/errors.js';
import { consoleLogger, type Logger } from '../../core/logger.js';
import { SqliteLeases } from './leases.js';
import { SqliteSchedules } from './schedules.js';
import { SqliteDiscovery } from './discovery.js';
import { SqliteAdmin } from './admin.js';
import { SqliteActorData } from './actor-data.js';
import { prepareStatements, type Statements } from './statements.js';
import { toEntry, toRecord, type InvocationRow, type JournalRow } from './rows.js';
import { openDatabase } from './open.js';
import { transactionError } from './errors.js';
import { FileWatch } from './file-watch.js';
import { encodeInsert, encodeTurn, type EncodedInsert, type EncodedTurn } from './encode.js';
import { describeInvocation, describeTurn, encodeEach, placeResults } from '../../ports/encode-items.js';
import {
  promiseOwner,
  unlessFailed,
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

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `':memory:'` for a private in-memory database. Default `./.loom/loom.db`. */
  path?: string;
  /**
   * `'FULL'` (default): every acknowledged commit survives power loss.
   * `'NORMAL'`: survives a process crash, may lose the last commits on power loss; faster.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock, ms. Default 5000. */
  busyTimeoutMs?: number;
  /** Where the loss of the database file is reported. Default: the runtime's logger, else console errors. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * The embedded store and Loom's zero-setup default: one SQLite file in WAL mode.
 * A group commit is one transaction (one fsync) for many actor turns. Several
 * processes may share the file: writes serialize on SQLite's lock and every
 * turn is fenced by the partition lease epoch kept in the same database.
 */
export class SqliteStore implements Store {
  readonly capabilities = { durable: true, shared: true };
  readonly leases: SqliteLeases;
  readonly traces: SqliteTraces;
  readonly schedules = new SqliteSchedules(() => this.handle());
  readonly discovery = new SqliteDiscovery(() => this.handle());
  /** Queries and operator actions (see `StoreAdmin`). */
  readonly admin = new SqliteAdmin(() => this.handle());
  /** Per-key state and logs (`this.kv`, `this.log`), written by `commit` with the turn. */
  readonly actorData = new SqliteActorData(() => this.handle());
  readonly path: string;
  private db: Database.Database | undefined;
  private st!: Statements;
  private readonly options: Required<Omit<SqliteStoreOptions, 'logger'>>;
  private log: Pick<Logger, 'error'> | undefined;
  private readonly watch: FileWatch;

  constructor(options: SqliteStoreOptions = {}) {
    const sync = options.synchronous ?? 'FULL';
    if (sync !== 'FULL' && sync !== 'NORMAL') throw new ConfigError(`SqliteStore synchronous must be 'FULL' or 'NORMAL', got ${String(sync)}`);
    this.options = { path: options.path ?? './.loom/loom.db', synchronous: sync, busyTimeoutMs: options.busyTimeoutMs ?? 5000 };
    this.path = this.options.path;
    this.log = options.logger;
    this.watch = new FileWatch(this.path, (err) => (this.log ?? consoleLogger).error(err.message, { path: this.path }));
    this.leases = new SqliteLeases(() => this.handle());
    this.traces = new SqliteTraces(this.path, () => this.handle(), this.options.busyTimeoutMs);
  }

  async init(options: StoreInitOptions = {}): Promise<void> {
    if (this.db) return;
    const error = options.logger?.error?.bind(options.logger);
    if (!this.log && error) this.log = { error };
    const db = openDatabase(this.options);
    this.db = db;
    this.st = prepareStatements(db);
    if (this.path !== ':memory:') this.watch.start();
  }

  /** The open database (for the lease manager and inspection tools). Throws once its file was deleted under it. */
  handle(): Database.Database {
    if (!this.db) throw new StoreError(`the SQLite store at ${this.path} is not open: call init() (runtime.start() does) first`);
    if (this.watch.lost) throw this.watch.lost;
    return this.db;
  }

  async close(): Promise<void> {
    this.watch.stop();
    await this.traces.close();
    this.db?.close();
    this.db = undefined;
  }

  /** The clock; also what the health check probes, so a store whose file was deleted reports it there. */
  async now(): Promise<number> {
    if (this.watch.lost) throw this.watch.lost;
    return Date.now();
  }

  private transact<T>(what: string, fn: () => T): T {
    const db = this.handle();
    try {
      return db.transaction(fn).immediate();
    } catch (cause) {
      // A failed write may be the first sign that the file is gone.
      throw this.watch.check() ?? this.failure(what, cause);
    }
  }

  private failure(what: string, cause: unknown): LoomError {
    return transactionError(this.path, what, cause, this.db?.open === true);
  }

  async enqueue(items: NewInvocation[]): Promise<EnqueueResult[]> {
    return unlessFailed((await this.write(items, [])).enqueued);
  }

  private counters(): { seq: number; wake: number } {
    const rows = this.st.counters.all() as { name: string; value: number }[];
    const get = (n: string) => rows.find((r) => r.name === n)?.value ?? 0;
    return { seq: get('seq'), wake: get('wake') };
  }

  private saveCounters(c: { seq: number; wake: number }): void {
    this.st.setCounter.run(c.seq, 'seq');
    this.st.setCounter.run(c.wake, 'wake');
  }

  private insert({ item, metaJson }: EncodedInsert, now: number, c: { seq: number; wake: number }): EnqueueResult {
    const same = this.st.getInvocation.get(item.id) as InvocationRow | undefined;
    if (same) return { record: toRecord(same), duplicate: true };
    if (item.idempotencyKey !== undefined) {
      const existing = this.st.byKey.get(item.actorType, item.actorId, item.idempotencyKey) as InvocationRow | undefined;
      if (existing) {
        if (!(existing.expires_at !== null && existing.expires_at <= now)) return { record: toRecord(existing), duplicate: true };
        this.deleteInvocation(existing.id);
      }
    }
    const row: InvocationRow = {
      id: item.id,
      seq: ++c.seq,
      actor_type: item.actorType,
      actor_id: item.actorId,
      method: item.method,
      args_json: item.argsJson,
      idempotency_key: item.idempotencyKey ?? null,
      partition: item.partition,
      status: 'pending',
      started: 0,
      attempt: 0,
      not_before: item.notBefore ?? null,
      waiting_on: null,
      wake_seq: ++c.wake,
      reply_to: item.replyTo ?? null,
      ttl_ms: item.ttlMs,
      meta_json: metaJson,
      result_json: null,
      error_json: null,
      created_at: now,
      updated_at: now,
      expires_at: null,
    };
    this.st.insertInvocation.run(row);
    return { record: toRecord(row), duplicate: false };
  }

  private deleteInvocation(id: string): void {
    this.st.deleteInvocation.run(id);
    this.st.deleteJournal.run(id);
    this.st.deletePromisesOf.run(id);
  }

  async getInvocation(id: string): Promise<InvocationRecord | undefined> {
    const row = this.st.getInvocation.get(id) as InvocationRow | undefined;
    return row && toRecord(row);
  }

  async pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    if (partitions.length === 0) return [];
    const rows = this.st.pollPending.all(JSON.stringify(partitions), afterWakeSeq, limit) as InvocationRow[];
    return rows.map(toRecord);
  }

  async loadState(actorType: string, actorId: string): Promise<StateRecord | undefined> {
    const r = this.st.getState.get(actorType, actorId) as { state_json: string; version: number } | undefined;
    return r && { actorType, actorId, stateJson: r.state_json, version: r.version };
  }

  async loadJournal(invocationId: string): Promise<JournalEntry[]> {
    return (this.st.getJournal.all(invocationId) as JournalRow[]).map(toEntry);
  }

  async commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    return unlessFailed((await this.write([], turns)).committed);
  }

  /**
   * Enqueues, then turns, in one transaction: one fsync for both. Each item is
   * encoded first, on its own; one that cannot be fails alone and stays out of
   * the transaction. The transaction either commits or rolls back whole.
   */
  async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    if (enqueues.length === 0 && turns.length === 0) return { enqueued: [], committed: [] };
    const e = encodeEach(enqueues, encodeInsert, describeInvocation);
    const t = encodeEach(turns, encodeTurn, describeTurn);
    let written: { enqueued: EnqueueResult[]; committed: CommitResult[] } = { enqueued: [], committed: [] };
    if (e.ok.length > 0 || t.ok.length > 0) {
      // Checked before each write, not only on the timer: a write into a deleted file is acknowledged and then lost.
      const lost = this.watch.check();
      if (lost) throw lost;
      written = this.transact(turns.length === 0 ? 'enqueue' : enqueues.length === 0 ? 'commit' : 'write', () => {
        const counters = this.counters();
        const now = Date.now();
        const enqueued = e.ok.map((item) => this.insert(item, now, counters));
        const committed = t.ok.map((turn) => this.commitOne(turn, now, counters));
        this.saveCounters(counters);
        return { enqueued, committed };
      });
    }
    return { enqueued: placeResults(enqueues.length, e, written.enqueued), committed: placeResults(turns.length, t, written.committed) };
  }

  private commitOne(enc: EncodedTurn, now: number, c: { seq: number; wake: number }): CommitResult {
    const turn = enc.turn;
    const lease = this.st.leaseEpoch.get(turn.partition) as { epoch: number; owner: string | null } | undefined;
    if (!lease || lease.owner === null || lease.epoch !== turn.epoch) return { outcome: 'fenced' };
    const inv = this.st.getInvocation.get(turn.invocationId) as InvocationRow | undefined;
    if (!inv || inv.status !== 'pending') return { outcome: 'conflict' };
    if (turn.state) {
      const cur = this.st.getState.get(turn.state.actorType, turn.state.actorId) as { version: number } | undefined;
      if ((cur?.version ?? 0) !== turn.state.expectedVersion) return { outcome: 'conflict' };
    }
    for (const { e, errorJson } of enc.journal ?? []) {
      this.st.upsertJournal.run(inv.id, e.seq, e.kind, e.name, e.status, e.valueJson ?? null, errorJson);
    }
    const t = turn.transition;
    if (!t) this.st.markStarted.run(now, inv.id);
    else if (t.status === 'pending') {
      let waitingOn = t.waitingOn ?? null;
      let wake = inv.wake_seq;
      if (waitingOn !== null && this.st.getPromise.get(waitingOn)) {
        waitingOn = null;
        wake = ++c.wake;
      }
      this.st.toPending.run(t.attempt, t.notBefore ?? null, waitingOn, enc.errorJson ?? inv.error_json, wake, now, inv.id);
    } else {
      const error = t.status === 'completed' ? null : enc.errorJson;
      const attempt = t.status === 'completed' ? inv.attempt : t.attempt;
      this.st.toTerminal.run(t.status, t.status === 'completed' ? t.resultJson : null, error, attempt, t.expiresAt, now, inv.id);
      if (t.status !== 'dead') {
        this.st.deleteJournal.run(inv.id);
        this.st.deletePromisesOf.run(inv.id);
      }
    }
    if (turn.state) {
      const s = turn.state;
      this.st.upsertState.run(s.actorType, s.actorId, s.stateJson, s.expectedVersion + 1, now);
    }
    if (turn.data) this.actorData.apply(turn.data);
    for (const r of turn.idempotency ?? []) this.st.upsertActorIdempotency.run(r.actorType, r.actorId, r.key, r.resultJson, r.expiresAt);
    const enqueued = (enc.outbox ?? []).map((m) => this.insert(m, now, c));
    for (const { r, errorJson } of enc.resolve ?? []) this.resolveOne(r, errorJson, now, c);
    return { outcome: 'ok', enqueued };
  }

  async resolvePromise(resolution: PromiseResolution): Promise<boolean> {
    const errorJson = resolution.error ? JSON.stringify(resolution.error) : null;
    return this.transact('resolvePromise', () => {
      const c = this.counters();
      const first = this.resolveOne(resolution, errorJson, Date.now(), c);
      this.saveCounters(c);
      return first;
    });
  }

  private resolveOne(r: PromiseResolution, errorJson: string | null, now: number, c: { seq: number; wake: number }): boolean {
    if (this.st.getPromise.get(r.id)) return false;
    const owner = promiseOwner(r.id) ?? null;
    if (owner !== null) {
      const o = this.st.getInvocation.get(owner) as InvocationRow | undefined;
      if (o && (o.status === 'completed' || o.status === 'failed')) return false;
    }
    this.st.insertPromise.run(r.id, owner, r.valueJson ?? null, errorJson, now);
    this.st.wakeWaiter.run(++c.wake, now, r.id);
    return true;
  }

  async getPromise(id: string): Promise<PromiseResolution | undefined> {
    const r = this.st.getPromise.get(id) as { value_json: string | null; error_json: string | null } | undefined;
    if (!r) return undefined;
    const out: PromiseResolution = { id };
    if (r.value_json !== null) out.valueJson = r.value_json;
    if (r.error_json !== null) out.error = JSON.parse(r.error_json) as PromiseResolution['error'];
    return out;
  }

  async getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined> {
    const r = this.st.getActorIdempotency.get(actorType, actorId, key) as { result_json: string; expires_at: number } | undefined;
    if (!r || r.expires_at <= now) return undefined;
    return { result: JSON.parse(r.result_json) as unknown };
  }

  async listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]> {
    const rows = this.st.deadLetters.all({ type: query.actorType ?? null, limit: query.limit }) as InvocationRow[];
    return rows.map(toRecord);
  }

  async redrive(id: string): Promise<InvocationRecord | undefined> {
    return this.transact('redrive', () => {
      const row = this.st.getInvocation.get(id) as InvocationRow | undefined;
      if (!row || row.status !== 'dead') return undefined;
      const c = this.counters();
      this.st.redrive.run(++c.wake, Date.now(), id);
      this.saveCounters(c);
      return toRecord(this.st.getInvocation.get(id) as InvocationRow);
    });
  }

  async sweep(now: number): Promise<number> {
    return this.transact('sweep', () => {
      const expired = this.st.expiredInvocations.all(now) as { id: string }[];
      for (const { id } of expired) this.deleteInvocation(id);
      const idem = this.st.sweepActorIdempotency.run(now).changes;
      return expired.length + idem;
    });
  }

  async listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]> {
    const rows = this.st.listActors.all({ type: query.actorType ?? null, limit: query.limit }) as { actor_type: string; actor_id: string; state_json: string; version: number }[];
    return rows.map((r) => ({ actorType: r.actor_type, actorId: r.actor_id, stateJson: r.state_json, version: r.version }));
  }
}
