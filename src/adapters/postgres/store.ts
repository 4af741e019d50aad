import { PostgresTraces } from './traces.js';
import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';
import { ConfigError } from '../../core/errors.js';
import { consoleLogger, type Logger } from '../../core/logger.js';
import {
  unlessFailed,
  type CommitResult,
  type EnqueueResult,
  type InvocationRecord,
  type JournalEntry,
  type NewInvocation,
  type PromiseResolution,
  type StateRecord,
  type Store,
  type StoreCapabilities,
  type TurnWrite,
  type WriteResult,
} from '../../ports/store.js';
import { resolveArgs } from './commit.js';
import { describeTarget, storeError, writeError } from './errors.js';
import { PostgresLeases } from './leases.js';
import { ExtraTables } from './extra-tables.js';
import { PostgresSchedules } from './schedules.js';
import { PostgresDiscovery } from './discovery.js';
import { PostgresAdmin } from './admin.js';
import { PostgresActorData } from './actor-data.js';
import { migrate } from './migrate.js';
import { toInvocation, toJournalEntry, toState, type InvocationRow, type JournalRow, type StateRow } from './rows.js';
import { callAtomic, Session, type AtomicMode } from './session.js';
import { bindQueries, type Queries, type QueryName } from './sql/index.js';
import { encodeWrite, writeStatement } from './write.js';
import { placeResults } from '../../ports/encode-items.js';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** The schema holding Loom's tables, created by `init()`. Default `loom`. Lower-case letters, digits and `_`. */
  schema?: string;
  /** Where migrations and pool errors are reported. Default: console warnings and errors. */
  logger?: Logger;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The PostgreSQL store: durable, shared by every worker that connects to the
 * same database and schema. Each commit batch is one transaction; leases,
 * timestamps and `now()` come from the database clock.
 */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = { durable: true, shared: true };
  readonly leases: PostgresLeases;
  readonly traces: PostgresTraces;
  readonly schedules: PostgresSchedules;
  readonly discovery: PostgresDiscovery;
  /** Queries and operator actions (see `StoreAdmin`). */
  readonly admin: PostgresAdmin;
  /** Reads of actor data (`this.kv`, `this.log(name)`); written by the turn's commit (migration 007). */
  readonly actorData: PostgresActorData;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly schema: string;
  private readonly queries: Queries;
  private readonly session: Session;
  private readonly log: Logger;
  private readonly target: string;
  private readonly atomicMode: AtomicMode = { explicit: false };
  private closed = false;

  /**
   * @param pool an existing pool (left open by `close()`), or the pool config or
   *   connection string of one this store creates and closes.
   */
  constructor(pool: Pool | PoolConfig | string, options: PostgresStoreOptions = {}) {
    const schema = options.schema ?? 'loom';
    if (!SCHEMA_NAME.test(schema)) {
      throw new ConfigError(`PostgresStore: schema "${schema}" is not a plain lower-case identifier; use letters a-z, digits and _ (at most 63), starting with a letter or _`);
    }
    this.schema = schema;
    this.log = options.logger ?? consoleLogger;
    this.ownsPool = !isPool(pool);
    this.pool = isPool(pool) ? pool : new pg.Pool(typeof pool === 'string' ? { connectionString: pool } : pool);
    // An idle client's error is emitted on the pool; unheard, it would crash the process.
    if (this.ownsPool) this.pool.on('error', (err) => this.log.warn(`postgres: idle connection failed: ${err.message}`));
    this.target = describeTarget(this.pool);
    this.queries = bindQueries(schema);
    this.session = new Session(this.pool, this.queries);
    this.leases = new PostgresLeases(this.session, (op, fn) => this.guard(op, fn));
    this.traces = new PostgresTraces(this.pool, schema, (op, fn) => this.guard(op, fn));
    const extra = new ExtraTables(this.pool, schema);
    this.schedules = new PostgresSchedules(this.pool, extra, (op, fn) => this.guard(op, fn));
    this.discovery = new PostgresDiscovery(this.pool, extra, (op, fn) => this.guard(op, fn));
    this.admin = new PostgresAdmin(this.pool, schema, (op, fn) => this.guard(op, fn));
    this.actorData = new PostgresActorData(this.session, (op, fn) => this.guard(op, fn));
  }

  init(): Promise<void> {
    return this.guard('init', () => migrate(this.pool, this.schema, this.log));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  now(): Promise<number> {
    return this.guard('now', async () => {
      const res = await this.session.run<{ now: number }>('now', []);
      return res.rows[0]!.now;
    });
  }

  enqueue(items: NewInvocation[]): Promise<EnqueueResult[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.write(items, []).then((w) => unlessFailed(w.enqueued));
  }

  getInvocation(id: string): Promise<InvocationRecord | undefined> {
    return this.guard('getInvocation', async () => {
      const res = await this.session.run<InvocationRow>('getInvocation', [id]);
      return res.rows[0] && toInvocation(res.rows[0]);
    });
  }

  pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    if (partitions.length === 0 || limit <= 0) return Promise.resolve([]);
    return this.guard('pollPending', async () => {
      const res = await this.session.run<InvocationRow>('pollPending', [partitions, afterWakeSeq, limit]);
      return res.rows.map(toInvocation);
    });
  }

  loadState(actorType: string, actorId: string): Promise<StateRecord | undefined> {
    return this.guard('loadState', async () => {
      const res = await this.session.run<StateRow>('loadState', [actorType, actorId]);
      return res.rows[0] && toState(res.rows[0]);
    });
  }

  loadJournal(invocationId: string): Promise<JournalEntry[]> {
    return this.guard('loadJournal', async () => {
      const res = await this.session.run<JournalRow>('loadJournal', [invocationId]);
      return res.rows.map(toJournalEntry);
    });
  }

  commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    if (turns.length === 0) return Promise.resolve([]);
    return this.write([], turns).then((w) => unlessFailed(w.committed));
  }

  /**
   * One statement, one round trip, one transaction: `loom_enqueue_batch`,
   * `loom_commit_batch`, or both in `loom_write_batch`. Each item is encoded
   * on its own first; one with text PostgreSQL cannot hold fails alone and is
   * not sent.
   */
  async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    if (enqueues.length === 0 && turns.length === 0) return { enqueued: [], committed: [] };
    const encoded = encodeWrite(enqueues, turns);
    let written: { enqueued: EnqueueResult[]; committed: CommitResult[] } = { enqueued: [], committed: [] };
    if (encoded.enqueues.ok.length > 0 || encoded.turns.ok.length > 0) {
      const statement = writeStatement(encoded);
      const op = statement.name === 'enqueueBatch' ? 'enqueue' : statement.name === 'commitBatch' ? 'commit' : 'write';
      try {
        written = statement.decode(await this.atomic<string>(statement.name, statement.args));
      } catch (err) {
        throw writeError(op, err, { target: this.target, schema: this.schema });
      }
    }
    return {
      enqueued: placeResults(enqueues.length, encoded.enqueues, written.enqueued),
      committed: placeResults(turns.length, encoded.turns, written.committed),
    };
  }

  async resolvePromise(resolution: PromiseResolution): Promise<boolean> {
    try {
      return await this.atomic<boolean>('resolvePromise', resolveArgs(resolution));
    } catch (err) {
      throw writeError('resolvePromise', err, { target: this.target, schema: this.schema });
    }
  }

  getPromise(id: string): Promise<PromiseResolution | undefined> {
    return this.guard('getPromise', async () => {
      const res = await this.session.run<{ id: string; value_json: string | null; error_json: string | null }>('getPromise', [id]);
      const row = res.rows[0];
      if (!row) return undefined;
      const out: PromiseResolution = { id: row.id };
      if (row.value_json !== null) out.valueJson = row.value_json;
      if (row.error_json !== null) out.error = JSON.parse(row.error_json) as PromiseResolution['error'];
      return out;
    });
  }

  getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined> {
    return this.guard('getActorIdempotency', async () => {
      const res = await this.session.run<{ result_json: string }>('getActorIdempotency', [actorType, actorId, key, now]);
      const row = res.rows[0];
      return row && { result: JSON.parse(row.result_json) as unknown };
    });
  }

  listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]> {
    return this.guard('listDeadLetters', async () => {
      const res = await this.session.run<InvocationRow>('listDeadLetters', [query.limit, query.actorType ?? null]);
      return res.rows.map(toInvocation);
    });
  }

  redrive(id: string): Promise<InvocationRecord | undefined> {
    return this.guard('redrive', async () => {
      const res = await this.session.run<InvocationRow>('redrive', [id]);
      return res.rows[0] && toInvocation(res.rows[0]);
    });
  }

  sweep(now: number): Promise<number> {
    return this.guard('sweep', async () => {
      const res = await this.session.run<{ n: string }>('sweep', [now]);
      return Number(res.rows[0]?.n ?? 0);
    });
  }

  listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]> {
    return this.guard('listActors', async () => {
      const res = await this.session.run<StateRow>('listActors', [query.limit, query.actorType ?? null]);
      return res.rows.map(toState);
    });
  }

  /** One write, one round trip: a call of a function of migration 003 or 004 (see `callAtomic`). */
  private atomic<T>(name: QueryName, values: unknown[]): Promise<T> {
    return callAtomic<T>(this.pool, this.queries, this.atomicMode, name, values);
  }

  private async guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw storeError(op, err, { target: this.target, schema: this.schema });
    }
  }
}

/** Duck-typed: a pool from another copy of pg is still a pool. */
function isPool(x: Pool | PoolConfig | string): x is Pool {
  return typeof x === 'object' && typeof (x as Pool).connect === 'function' && typeof (x as Pool).query === 'function';
}
