import { LoomError, OutcomeUnknownError, StoreError } from './errors.js';
import type { Envelope } from './envelope.js';
import type { GroupCommitter } from './group-commit.js';
import type { Mailbox } from './mailbox.js';
import type { PrepareExtra } from './prepare.js';
import type { ResultWaiters } from './waiters.js';
import type { EngineObserver } from './observer.js';
import type { EnqueueResult, InvocationMeta, InvocationRecord, NewInvocation } from '../ports/store.js';

/** Options of one call or send. */
export interface MessageOptions {
  /** Delay before the invocation may run, ms. */
  delayMs?: number;
  meta?: InvocationMeta;
}

/** What accepting messages needs from the engine. */
export interface AcceptHost {
  readonly committer: GroupCommitter;
  readonly results: ResultWaiters;
  /** Throws unless the engine takes messages. */
  assertAccepting(): void;
  now(): number;
  prepare(env: Envelope, extra?: PrepareExtra): NewInvocation;
  /** Whether the message may start before its enqueue is stored (see `Engine.canStartEagerly`). */
  canStartEagerly(inv: NewInvocation): boolean;
  /** Dispatches it now; `box.loading` is its actor's state read, if one started. */
  startEagerly(inv: NewInvocation): { rec: InvocationRecord; box: Mailbox | undefined };
  /** Whether an eagerly dispatched record is running or finished here. */
  tookOver(rec: InvocationRecord, box: Mailbox | undefined): boolean;
  /** Dispatches a stored invocation and announces it; `fresh`: this engine stored it a moment ago. */
  admit(rec: InvocationRecord, fresh: boolean): void;
  awaitResult(id: string): Promise<InvocationRecord>;
}

/** What accepting a message gave: the stored record, and for a call its result when it is already awaited. */
interface Accepted {
  record: InvocationRecord;
  duplicate: boolean;
  result: Promise<InvocationRecord> | undefined;
}

const NO_OPTIONS: MessageOptions = Object.freeze({});
const ignore = (): void => {};

/**
 * `send` and `call` up to the stored record: validation, the enqueue (at once on
 * a store in the process, otherwise through the group committer), the eager
 * start, and the result waiter.
 */
export class Acceptor {
  /** Lifecycle hooks, set by the engine. */
  obs: EngineObserver | undefined;

  constructor(private readonly host: AcceptHost) {}

  /** Durably accepts a message; resolves with the stored record (an existing one for a duplicate key). */
  async accept(env: Envelope, options: MessageOptions = NO_OPTIONS): Promise<{ record: InvocationRecord; duplicate: boolean }> {
    const accepting = this.acceptMessage(env, options, false);
    const { record, duplicate } = accepting instanceof Promise ? await accepting : accepting;
    return { record, duplicate };
  }

  /**
   * Accepts a message and waits for it to finish; resolves with the terminal record.
   * Not an async function: on a store in the process nothing in here waits.
   */
  call(env: Envelope, options: MessageOptions = NO_OPTIONS): Promise<InvocationRecord> {
    let accepting: Accepted | Promise<Accepted>;
    try {
      accepting = this.acceptMessage(env, options, true);
    } catch (err) {
      return Promise.reject(err);
    }
    return accepting instanceof Promise ? accepting.then((a) => this.resultOf(a)) : this.resultOf(accepting);
  }

  private resultOf({ record, duplicate, result }: Accepted): Promise<InvocationRecord> {
    if (duplicate && record.status !== 'pending') return Promise.resolve(record);
    return result ?? this.host.awaitResult(record.id);
  }

  /** Accepted at once where the store is in the process, otherwise once the enqueue's round trip returns. */
  private acceptMessage(env: Envelope, options: MessageOptions, wait: boolean): Accepted | Promise<Accepted> {
    const host = this.host;
    host.assertAccepting();
    let extra: { notBefore?: number; meta?: InvocationMeta } | undefined;
    if (options.delayMs || options.meta) {
      extra = {};
      if (options.delayMs) extra.notBefore = host.now() + options.delayMs;
      if (options.meta) extra.meta = options.meta;
    }
    const inv = host.prepare(env, extra);
    let res: EnqueueResult | undefined;
    try {
      res = host.committer.enqueueNow(inv);
    } catch (cause) {
      throw notAccepted(env, cause, false);
    }
    if (!res) return this.acceptLater(env, inv, wait);
    this.obs?.accepted?.(res.record, res.duplicate, inv.meta?.trace);
    // The handler starts on a later microtask, so a waiter registered now cannot miss its end.
    const result = wait && !res.duplicate ? host.results.wait(inv.id) : undefined;
    if (!res.duplicate) host.admit(res.record, true);
    return { record: res.record, duplicate: res.duplicate, result };
  }

  /**
   * With `wait`, a message started eagerly gets its result waiter before it is
   * dispatched: it may finish before its enqueue's round trip returns.
   */
  private async acceptLater(env: Envelope, inv: NewInvocation, wait: boolean): Promise<Accepted> {
    const host = this.host;
    const eager = host.canStartEagerly(inv);
    // An eager call whose actor state must be read first holds its enqueue until the read is back,
    // so that the enqueue and the first turn share a round trip. Sends do not wait: they resolve on the enqueue.
    let openGate: ((loading: Promise<unknown> | undefined) => void) | undefined;
    const gate = eager && wait ? new Promise<unknown>((r) => (openGate = r)) : undefined;
    const enqueued = host.committer.enqueue(inv, gate);
    let result: Promise<InvocationRecord> | undefined;
    let started: { rec: InvocationRecord; box: Mailbox | undefined } | undefined;
    if (eager) {
      if (wait) {
        // Its store checks wait until the enqueue is in the store.
        result = host.results.wait(inv.id, false);
        // Awaited only once the enqueue returns; a rejection before that (stop()) must not count as unhandled.
        result.catch(ignore);
      }
      started = host.startEagerly(inv);
      openGate?.(started.box?.loading);
    }
    let res: EnqueueResult;
    try {
      res = await enqueued;
    } catch (cause) {
      const err = notAccepted(env, cause, eager);
      if (result) host.results.reject(inv.id, err);
      throw err;
    }
    this.obs?.accepted?.(res.record, res.duplicate, inv.meta?.trace);
    if (result) host.results.arm(inv.id);
    // An eager start that is running or done needs no second dispatch; one still queued takes the stored record's place in line.
    if (!res.duplicate && !(started && host.tookOver(started.rec, started.box))) host.admit(res.record, false);
    return { record: res.record, duplicate: res.duplicate, result };
  }
}

/**
 * What a caller is told when its message's enqueue failed. Only a store failure
 * (nothing was applied) says "nothing was enqueued"; an unknown outcome says so
 * and how to retry safely; an error of the message itself (the store refused
 * it, alone) reaches the caller as it is.
 */
function notAccepted(env: Envelope, cause: unknown, eager: boolean): LoomError {
  const to = `the message to ${env.actorType}/${env.actorId}.${env.method}`;
  const started = eager ? ' Its handler may have started here; its first durable write fails the same way, so it stops there.' : '';
  if (cause instanceof OutcomeUnknownError) {
    return new OutcomeUnknownError(`${to} may or may not have been stored: ${cause.message}`, { cause });
  }
  if (cause instanceof LoomError && !(cause instanceof StoreError)) return cause;
  return new StoreError(
    `could not accept ${to}: the store failed (${(cause as Error)?.message ?? String(cause)}). ` +
      `Nothing was enqueued: sending it again once the store works is safe.` + started,
    { cause },
  );
}
