import { AdminActions } from './actions.js';
import { runBulk } from './bulk.js';
import { checkListQuery } from './filter.js';
import { buildInvocation } from './messages.js';
import { AdminQueries, stateView } from './queries.js';
import { actorDataReads, type ActorKeyView, type ActorLogInfo, type ActorLogPage, type NamePage } from './actor-data.js';
import type {
  ActorStateView,
  AdminApi,
  AdminFilter,
  AdminQuery,
  BulkAction,
  BulkOptions,
  BulkResult,
  InvocationDetail,
  InvocationView,
  InvocationViewPage,
} from './types.js';
import { ConfigError, RuntimeStateError } from '../core/errors.js';
import { checkOptions, clientOptionsSchema } from '../core/options.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../core/envelope.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { outcomeOf } from '../core/outcome.js';
import { ResultWaiters } from '../core/waiters.js';
import type { CallMessage, SendReceipt } from '../runtime/actor-runtime.js';
import type { Store } from '../ports/store.js';
import { agreePartitionCount } from '../core/partition-count.js';

/** Options of {@link LoomClient}. */
export interface LoomClientOptions {
  /** The store the workers use. */
  store: Store;
  /** Number of partitions; must match the workers'. Default 64. */
  partitions?: number;
  /** Actor types the workers register: pending invocations of any other type report `unknown-type`. Default: not checked. */
  actorTypes?: readonly string[];
  /** How long a result answers a duplicate idempotency key, seconds. Default 86400 (the workers' default). */
  idempotencyTtlSeconds?: number;
  /** Largest message, as JSON bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  logger?: Logger;
}

/**
 * A client of a Loom store that is not a worker: it sends, calls, awaits
 * results, settles durable promises and runs the admin queries and actions,
 * with no registered actors and no partition leases. The workers that own the
 * partitions run what it enqueues. The CLI and Studio use it.
 *
 * @example
 * const client = new LoomClient({ store: new PostgresStore({ connectionString }) });
 * await client.send({ actorType: 'Orders', actorId: 'o-1', method: 'place', args: [order] });
 * const stuck = await client.listInvocations({ filter: { status: 'pending', waiting: 'backing-off' } });
 * await client.close();
 */
export class LoomClient implements AdminApi {
  private readonly storeOf: () => Store;
  private readonly queries: AdminQueries;
  private readonly actions: AdminActions;
  private readonly waiters: ResultWaiters;
  private readonly partitions: number;
  private readonly ttlMs: number;
  private readonly maxPayloadBytes: number;
  private opening: Promise<void> | undefined;
  private agreed: Promise<void> | undefined;
  private closed = false;

  /**
   * @param host For `ActorRuntime.admin`: the runtime opens (and closes) the store, and knows its actor types.
   */
  constructor(options: LoomClientOptions, private readonly host?: { ready: () => Promise<void>; store: () => Store; isKnownType: (actorType: string) => boolean }) {
    if (!host) checkOptions(clientOptionsSchema, options, { whole: 'LoomClient options', prefix: 'LoomClient option ' });
    if (!host && (!options || typeof options.store !== 'object' || options.store === null)) throw new ConfigError('new LoomClient({ store }) needs the store the workers use');
    this.storeOf = host?.store ?? (() => options.store);
    this.partitions = options.partitions ?? 64;
    if (!Number.isInteger(this.partitions) || this.partitions <= 0) throw new ConfigError(`LoomClient option partitions must be a positive integer, got ${String(options.partitions)}`);
    this.ttlMs = (options.idempotencyTtlSeconds ?? 86_400) * 1000;
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    const types = options.actorTypes ? new Set(options.actorTypes) : undefined;
    this.queries = new AdminQueries(this.storeOf, host?.isKnownType ?? (types ? (t) => types.has(t) : undefined));
    this.actions = new AdminActions(this.storeOf, this.queries);
    this.waiters = new ResultWaiters({ getInvocation: (id: string) => this.store.getInvocation(id) } as Store, options.logger ?? consoleLogger, () => !this.closed);
  }

  /** The store this client works on. */
  get store(): Store {
    return this.storeOf();
  }

  /** Opens the store (no leases). Called by every method if needed. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new RuntimeStateError('this LoomClient was closed; make a new one'));
    this.opening ??= this.host ? this.host.ready() : this.store.init();
    return this.opening;
  }

  /** Stops waiting for results and closes the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiters.rejectAll((id) => new RuntimeStateError(`the client closed before invocation ${id} finished; it still runs on the workers`));
    if (this.opening) await this.opening.catch(() => {});
    if (!this.host) await this.store.close();
  }

  /** Durably enqueues a message for the workers; resolves once accepted. */
  async send(msg: CallMessage): Promise<SendReceipt> {
    await this.start();
    // A runtime's own client shares its (checked) count; a standalone one checks before its first enqueue.
    if (!this.host) await (this.agreed ??= agreePartitionCount(this.store.leases, this.partitions, 'this LoomClient').catch((err: unknown) => {
      this.agreed = undefined;
      throw err;
    }));
    const inv = buildInvocation(msg, { partitions: this.partitions, maxPayloadBytes: this.maxPayloadBytes, idempotencyTtlMs: this.ttlMs, now: await this.store.now() });
    const [res] = await this.store.enqueue([inv]);
    return { invocationId: res!.record.id, duplicate: res!.duplicate };
  }

  /** Sends a message and waits for a worker to finish it: its result, or its error thrown as `InvocationFailedError`. */
  async call<T = unknown>(msg: CallMessage): Promise<T> {
    const { invocationId } = await this.send(msg);
    return this.result<T>(invocationId);
  }

  /** Waits for an invocation to finish and returns its result (or throws its error). */
  async result<T = unknown>(invocationId: string): Promise<T> {
    await this.start();
    const rec = await this.store.getInvocation(invocationId);
    if (rec && rec.status !== 'pending') return outcomeOf<T>(rec);
    // The waiters' store checks never hold the process open; an awaited result does, as a pending request would.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      return outcomeOf<T>(await this.waiters.wait(invocationId));
    } finally {
      clearInterval(keepAlive);
    }
  }

  async listInvocations(query?: AdminQuery): Promise<InvocationViewPage> {
    await this.start();
    return this.queries.list(query);
  }

  async countInvocations(filter?: AdminFilter): Promise<number> {
    await this.start();
    return this.queries.count(filter);
  }

  async getInvocation(id: string): Promise<InvocationDetail> {
    await this.start();
    return this.queries.get(id);
  }

  async getState(actorType: string, actorId: string): Promise<ActorStateView> {
    await this.start();
    return this.queries.state(actorType, actorId);
  }

  async getKey(actorType: string, actorId: string, key: string): Promise<ActorKeyView> {
    await this.start();
    return actorDataReads.getKey(this.store, actorType, actorId, key);
  }

  async listKeys(actorType: string, actorId: string, page?: NamePage): Promise<string[]> {
    await this.start();
    return actorDataReads.listKeys(this.store, actorType, actorId, page);
  }

  async listLogs(actorType: string, actorId: string, page?: NamePage): Promise<ActorLogInfo[]> {
    await this.start();
    return actorDataReads.listLogs(this.store, actorType, actorId, page);
  }

  async readLog(actorType: string, actorId: string, name: string, page?: { from?: number; limit?: number; last?: number }): Promise<ActorLogPage> {
    await this.start();
    return actorDataReads.readLog(this.store, actorType, actorId, name, page);
  }

  async listActors(query?: { actorType?: string; limit?: number }): Promise<ActorStateView[]> {
    const checked = checkListQuery(query, 'listActors');
    await this.start();
    const rows = await this.store.listActors(checked);
    return rows.map(stateView);
  }

  async listDeadLetters(query?: { actorType?: string; limit?: number }): Promise<InvocationView[]> {
    const checked = checkListQuery(query, 'listDeadLetters');
    await this.start();
    const rows = await this.store.listDeadLetters(checked);
    return this.queries.views(rows);
  }

  async cancel(id: string, reason?: string): Promise<InvocationView> {
    await this.start();
    return this.actions.cancel(id, reason);
  }

  async retryNow(id: string, options?: { wakeSleep?: boolean }): Promise<InvocationView> {
    await this.start();
    return this.actions.retryNow(id, options);
  }

  async redrive(id: string): Promise<InvocationView> {
    await this.start();
    return this.actions.redrive(id);
  }

  async purge(id: string): Promise<void> {
    await this.start();
    return this.actions.purge(id);
  }

  async restart(id: string, fromStep: number): Promise<InvocationView> {
    await this.start();
    return this.actions.restart(id, fromStep);
  }

  async editState(actorType: string, actorId: string, state: unknown, expectedVersion: number): Promise<ActorStateView> {
    await this.start();
    return this.actions.editState(actorType, actorId, state, expectedVersion);
  }

  async resolvePromise(id: string, value?: unknown): Promise<boolean> {
    await this.start();
    return this.actions.settlePromise(id, { value });
  }

  async rejectPromise(id: string, reason: unknown): Promise<boolean> {
    await this.start();
    return this.actions.settlePromise(id, { reason });
  }

  async bulk(action: BulkAction, filter: AdminFilter, options?: BulkOptions): Promise<BulkResult> {
    await this.start();
    return runBulk(this.queries, this.actions, action, filter, options);
  }
}
