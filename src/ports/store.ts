import type { ErrorInfo } from '../core/errors.js';
import type { LeaseManager } from './lease.js';
import type { TraceStore } from './trace.js';
import type { ScheduleStore } from './schedules.js';
import type { DiscoveryStore } from './discovery.js';
import type { StoreAdmin } from './admin.js';
import type { ActorDataStore, ActorDataWrite } from './actor-data.js';

/**
 * The Store port: everything Loom keeps durably. One atomic, fenced commit per
 * actor turn; the core batches many turns into one `commit()` call (group commit)
 * and the adapter applies each turn atomically and independently of the others.
 *
 * All values crossing this port are JSON-safe; timestamps are epoch milliseconds
 * from the store's clock where the store has one.
 */
/** What the runtime passes to {@link Store.init}. */
export interface StoreInitOptions {
  /** `error`: for what stops the store from taking writes (e.g. its file was deleted). */
  logger?: { warn(msg: string): void; error?(msg: string): void };
}

export interface Store {
  /**
   * Creates tables/keys, runs migrations. Safe to call from several processes at once.
   * `options.logger`: the runtime's logger, for advice about the store's settings
   * when the store was given no logger of its own.
   */
  init(options?: StoreInitOptions): Promise<void>;
  close(): Promise<void>;
  /** What the adapter supports beyond the base contract. */
  readonly capabilities: StoreCapabilities;
  /** Fenced partition leases, issued by this store so that its commits can check their epochs. */
  readonly leases: LeaseManager;
  /** Optional: keeps trace events beside the data they refer to (the store-backed trace sink). */
  readonly traces?: TraceStore;
  /** Durable schedules for `createScheduleTrigger` (optional: a store without it runs no schedules). */
  readonly schedules?: ScheduleStore;
  /** Service discovery entries with TTLs (optional: a store without it cannot register or find actors). */
  readonly discovery?: DiscoveryStore;

  /**
   * Durably accepts new invocations, each atomically: when an invocation with the
   * same (actorType, actorId, idempotencyKey) exists and has not expired, nothing
   * is inserted and that one is returned with `duplicate: true`.
   */
  enqueue(items: NewInvocation[]): Promise<EnqueueResult[]>;

  /** One invocation by id, or undefined when unknown or swept. */
  getInvocation(id: string): Promise<InvocationRecord | undefined>;

  /**
   * Non-terminal invocations in the given partitions whose `wakeSeq` is greater
   * than `afterWakeSeq`, in `wakeSeq` order, at most `limit`. Used for recovery
   * (afterWakeSeq = 0) and to pick up work enqueued or woken by other processes.
   */
  pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]>;

  /** The committed state of an actor, or undefined when it has none yet. */
  loadState(actorType: string, actorId: string): Promise<StateRecord | undefined>;

  /** The journal of an unfinished invocation, ordered by position. */
  loadJournal(invocationId: string): Promise<JournalEntry[]>;

  /**
   * Applies each turn atomically and fenced: a turn whose epoch is not the
   * partition's current lease epoch is rejected whole (`'fenced'`), and a turn
   * whose state write expects another version is rejected whole (`'conflict'`).
   * One turn's rejection never affects another's. Results are in input order.
   */
  commit(turns: TurnWrite[]): Promise<CommitResult[]>;

  /**
   * Optional: `enqueue(enqueues)` then `commit(turns)` in one round trip (one
   * transaction, fsync or pipeline where the store has them). Every item is
   * applied exactly as those two methods apply it, enqueues first and in order,
   * so a turn may belong to an invocation enqueued by the same call. Items stay
   * independent: one item's rejection never affects another. Without it the
   * core makes the two calls one after the other.
   *
   * An item the store cannot take (a value it cannot encode, a write that failed
   * on its own) is answered `{ failed }` in its slot while the others apply.
   * How `write`, `enqueue` and `commit` reject says what became of the batch:
   * - `OutcomeUnknownError`: some of it may have been applied (a connection lost
   *   after sending, a timeout, a script that failed after writing);
   * - `StoreError`: the store failed or is unreachable, and nothing was applied;
   * - any other error: the store refused the batch's content, and nothing was
   *   applied; the core then writes the items in smaller batches, so that only
   *   the item at fault fails.
   */
  write?(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult>;

  /**
   * Optional, for stores that live in the process and do no I/O: one enqueue or
   * one turn applied synchronously, exactly as `enqueue` and `commit` apply it.
   * The core then writes each item as it comes instead of gathering a batch for
   * the next round trip, since there is no round trip to share. A wrapper that
   * intercepts writes must hide it, or the writes go around the wrapper.
   */
  readonly immediate?: ImmediateWrites;

  /**
   * Resolves (or rejects) a durable promise; the first resolution wins. Wakes the
   * invocation waiting on it, if any, in the same atomic operation.
   * Returns false when the promise was already resolved.
   */
  resolvePromise(resolution: PromiseResolution): Promise<boolean>;

  /** A durable promise's resolution, or undefined while unresolved. */
  getPromise(id: string): Promise<PromiseResolution | undefined>;

  /** Reads an actor-scoped idempotency record written with `storeIdempotency`. */
  getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined>;

  /** Invocations that exhausted their retries, newest first. */
  listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]>;

  /**
   * Puts a dead-lettered invocation back to pending with attempt 0, keeping its
   * journal. Returns the record, or undefined when it is not dead-lettered.
   */
  redrive(id: string): Promise<InvocationRecord | undefined>;

  /** Deletes terminal invocations and idempotency records whose TTL has passed. Returns how many. */
  sweep(now: number): Promise<number>;

  /** Lists actors (for inspection tools), ordered by type and id. */
  listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]>;

  /** The store's clock, epoch ms. Adapters without a server clock use Date.now(). */
  now(): Promise<number>;

  /** Optional capability: indexed queries and operator actions (see `StoreAdmin`). Every built-in store has it. */
  readonly admin?: StoreAdmin;
  /** Optional capability: per-key state and append-only logs (`this.kv`, `this.log(name)`); see ports/actor-data.ts. */
  readonly actorData?: ActorDataStore;
}

/** What an adapter supports beyond the base contract. */
export interface StoreCapabilities {
  /** Durable across process restarts (false for the in-memory store). */
  durable: boolean;
  /** Several processes may share the store. */
  shared: boolean;
  /**
   * Batches of each kind (enqueues, turns) the core may have in flight at once.
   * Default 1. Stores that run batches on several connections can take more; turns
   * of one invocation are never in two batches at once.
   */
  batchConcurrency?: number;
}

export type InvocationStatus = 'pending' | 'completed' | 'failed' | 'dead';

/** An invocation as the core hands it to the store. */
export interface NewInvocation {
  id: string;
  actorType: string;
  actorId: string;
  method: string;
  /** The arguments, already serialized to JSON by the core. */
  argsJson: string;
  idempotencyKey?: string;
  partition: number;
  /** Earliest time it may run (delayed send), epoch ms. */
  notBefore?: number;
  /** Trace context, headers and per-call policy; stored as given. */
  meta?: InvocationMeta;
  /** When set, completing this invocation resolves that promise with its outcome (actor-to-actor call). */
  replyTo?: string;
  /** Idempotency TTL to apply once terminal, in ms. */
  ttlMs: number;
}

/** Per-message extras carried with an invocation. */
export interface InvocationMeta {
  trace?: unknown;
  headers?: Record<string, string>;
  /** Per-call retry policy, over the actor type's. */
  retryPolicy?: { maxAttempts?: number; backoff?: 'fixed' | 'exponential'; initialDelayMs?: number; maxDelayMs?: number; multiplier?: number };
  /** Per-call handler timeout, ms. */
  timeoutMs?: number;
  /**
   * Set by a handler's `this.call`: the actors waiting for this invocation, as
   * `[actorType, actorId]` pairs, the outermost first (see core/call-chain.ts).
   */
  callChain?: [actorType: string, actorId: string][];
}

/** An invocation as stored. */
export interface InvocationRecord extends NewInvocation {
  /** Store-assigned, increasing in enqueue order: FIFO order per actor. */
  seq: number;
  status: InvocationStatus;
  /** True once any turn of it committed (journal or suspension): it then holds its actor until terminal. */
  started: boolean;
  /** Failed attempts so far. */
  attempt: number;
  /** Set while suspended on a durable promise (`promise:<id>`), including an awaited call. */
  waitingOn?: string;
  /** Bumped by the store on enqueue and on every wake-up; orders `pollPending`. */
  wakeSeq: number;
  resultJson?: string;
  error?: ErrorInfo;
  createdAt: number;
  updatedAt: number;
  /** Set once terminal: when the record (and its idempotency key) may be swept. */
  expiresAt?: number;
}

/** See `Store.immediate`. Each call may throw as the asynchronous methods reject. */
export interface ImmediateWrites {
  enqueue(item: NewInvocation): EnqueueResult;
  commit(turn: TurnWrite): CommitResult;
}

/**
 * What `Store.write` did: results in input order, as `enqueue` and `commit`
 * return them, or the failure of an item that failed alone.
 */
export interface WriteResult {
  enqueued: (EnqueueResult | ItemFailure)[];
  committed: (CommitResult | ItemFailure)[];
}

/**
 * One item of a `write` that failed on its own while the rest of the batch was
 * applied. `failed` is an `OutcomeUnknownError` when the item may have been
 * applied; any other error means nothing of it was.
 */
export interface ItemFailure {
  failed: Error;
}

/** Whether a slot of a {@link WriteResult} is a failure. */
export function isItemFailure(r: object): r is ItemFailure {
  return 'failed' in r;
}

/** The results of `enqueue` or `commit` built on `write`: the first failed item rejects the call. */
export function unlessFailed<T extends object>(results: readonly (T | ItemFailure)[]): T[] {
  for (const r of results) if (isItemFailure(r)) throw r.failed;
  return results as T[];
}

export interface EnqueueResult {
  record: InvocationRecord;
  duplicate: boolean;
}

export interface StateRecord {
  actorType: string;
  actorId: string;
  stateJson: string;
  version: number;
}

/** One durable operation of an invocation, by position. */
export interface JournalEntry {
  seq: number;
  /** `'patch'`: the marker of `patched(name)` taking the new path (name = the patch's name). */
  kind: 'step' | 'sleep' | 'call' | 'send' | 'promise' | 'now' | 'random' | 'uuid' | 'idempotency' | 'patch';
  name: string;
  /** 'pending' only for an awaited call or a sleep whose time has not come. */
  status: 'done' | 'pending';
  valueJson?: string;
  error?: ErrorInfo;
}

/** Everything one actor turn writes; applied atomically by `Store.commit`. */
export interface TurnWrite {
  partition: number;
  /** The fencing token of the writer's lease on `partition`. */
  epoch: number;
  invocationId: string;
  /** Entries to insert or replace, by seq. */
  journal?: JournalEntry[];
  /** The invocation's new status. Omitted for a journal-only write (a step result). */
  transition?: Transition;
  /** The actor's new state; applied only if its version is still `expectedVersion` (0 = none yet). */
  state?: { actorType: string; actorId: string; stateJson: string; expectedVersion: number };
  /** Per-key state and log changes of the turn's actor; written with the turn or not at all. */
  data?: ActorDataWrite;
  /** Actor-scoped idempotency records to write (`storeIdempotency`). */
  idempotency?: { actorType: string; actorId: string; key: string; resultJson: string; expiresAt: number }[];
  /** Messages to other actors, enqueued only if this turn commits (outbox). Deduplicated like `enqueue`. */
  outbox?: NewInvocation[];
  /** Durable promises to resolve if this turn commits (e.g. the reply to a caller). */
  resolve?: PromiseResolution[];
}

export type Transition =
  | { status: 'pending'; attempt: number; notBefore?: number; waitingOn?: string; error?: ErrorInfo }
  | { status: 'completed'; resultJson: string; expiresAt: number }
  | { status: 'failed' | 'dead'; error: ErrorInfo; attempt: number; expiresAt: number };

export type CommitOutcome = 'ok' | 'fenced' | 'conflict';

/** The result of one turn: on success, the outbox messages as enqueued (in outbox order). */
export type CommitResult = { outcome: 'ok'; enqueued: EnqueueResult[] } | { outcome: 'fenced' | 'conflict' };

export interface PromiseResolution {
  id: string;
  valueJson?: string;
  error?: ErrorInfo;
}

/**
 * A new invocation as a pending, unstarted record. Built field by field rather
 * than by spreading, so that every record has the same shape: this runs once per
 * message on the hot path of the in-memory store and the engine.
 */
export function pendingRecord(item: NewInvocation, seq: number, wakeSeq: number, now: number): InvocationRecord {
  const rec: InvocationRecord = {
    id: item.id,
    actorType: item.actorType,
    actorId: item.actorId,
    method: item.method,
    argsJson: item.argsJson,
    partition: item.partition,
    ttlMs: item.ttlMs,
    seq,
    status: 'pending',
    started: false,
    attempt: 0,
    wakeSeq,
    createdAt: now,
    updatedAt: now,
    // Declared from the start, though undefined until the invocation ends: a record that gains
    // properties later changes shape, and that cost the memory store a quarter of its throughput.
    resultJson: undefined,
    expiresAt: undefined,
  };
  if (item.idempotencyKey !== undefined) rec.idempotencyKey = item.idempotencyKey;
  if (item.notBefore !== undefined) rec.notBefore = item.notBefore;
  if (item.meta !== undefined) rec.meta = item.meta;
  if (item.replyTo !== undefined) rec.replyTo = item.replyTo;
  return rec;
}

/**
 * The invocation a durable promise belongs to (`call:<invocationId>:c<n>` or
 * `promise:<invocationId>#<name>`): stores delete an invocation's promises when
 * it ends, so that they do not outlive it. Invocation ids never contain `#`.
 */
export function promiseOwner(promiseId: string): string | undefined {
  if (promiseId.startsWith('call:')) {
    const child = promiseId.slice('call:'.length);
    const cut = child.lastIndexOf(':');
    return cut > 0 ? child.slice(0, cut) : undefined;
  }
  if (promiseId.startsWith('promise:')) {
    const rest = promiseId.slice('promise:'.length);
    const cut = rest.indexOf('#');
    return cut > 0 ? rest.slice(0, cut) : undefined;
  }
  return undefined;
}
