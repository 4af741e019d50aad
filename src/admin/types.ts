import type { ActorKeyView, ActorLogInfo, ActorLogPage, NamePage } from './actor-data.js';
import type { ErrorInfo } from '../core/errors.js';
import type { InvocationFilter, InvocationQuery } from '../ports/admin.js';
import type { InvocationRecord, InvocationStatus } from '../ports/store.js';

/**
 * Why an unfinished invocation is not running, read from the store. Exactly one
 * per pending invocation; a finished one has none.
 *
 * - `running`: it holds its actor, is due and its partition has a live owner; the
 *   owner runs it now or at its next poll.
 * - `queued`: behind the invocation that holds its actor (`head`), at `position`
 *   (1-based) of the `of` invocations waiting for that actor.
 * - `backing-off`: a failed attempt is waiting for its retry at `until`.
 * - `sleeping`: a durable `sleep` until `until`.
 * - `delayed`: a message sent with a delay, not started before `until`.
 * - `awaiting-promise`: suspended on the durable promise `promiseId`.
 * - `awaiting-call`: suspended on a call; `callee` is the called invocation.
 * - `no-owner`: it could run, but no live worker holds its partition.
 * - `unknown-type`: no worker known to the client registers its actor type.
 */
export type WaitingReason =
  | { kind: 'running'; partition: number; owner: string }
  | { kind: 'queued'; position: number; of: number; head: { id: string; method: string } }
  | { kind: 'backing-off'; attempt: number; until: number; lastError?: ErrorInfo }
  | { kind: 'sleeping'; until: number }
  | { kind: 'delayed'; until: number }
  | { kind: 'awaiting-promise'; promiseId: string }
  | { kind: 'awaiting-call'; promiseId: string; callee?: { id: string; actorType: string; actorId: string; method: string; status: InvocationStatus } }
  | { kind: 'no-owner'; partition: number }
  | { kind: 'unknown-type'; actorType: string };

/** The names of {@link WaitingReason} kinds. */
export type WaitingReasonKind = WaitingReason['kind'];

/** Every waiting-reason kind, in the order the CLI and Studio list them. */
export const WAITING_REASON_KINDS: readonly WaitingReasonKind[] = Object.freeze([
  'running',
  'queued',
  'backing-off',
  'sleeping',
  'delayed',
  'awaiting-promise',
  'awaiting-call',
  'no-owner',
  'unknown-type',
]);

/** The status an operator sees: the stored one, with a cancelled failure named as such. */
export type DisplayStatus = InvocationStatus | 'cancelled';

/** An invocation as the admin API shows it: the stored record, its display status and, if unfinished, why it waits. */
export interface InvocationView {
  record: InvocationRecord;
  status: DisplayStatus;
  /** Set for every pending invocation. */
  waiting?: WaitingReason;
}

/** Admin filter: the store's filter plus the waiting reason (applied to pending invocations). */
export interface AdminFilter extends InvocationFilter {
  waiting?: WaitingReasonKind | WaitingReasonKind[];
}

/** An admin page request. */
export interface AdminQuery extends Omit<InvocationQuery, 'filter'> {
  filter?: AdminFilter;
}

/** One page of views, and the cursor of the next. */
export interface InvocationViewPage {
  items: InvocationView[];
  nextCursor?: string;
}

/** One journal entry as the admin API shows it. */
export interface JournalEntryView {
  /** 0-based position in the journal (the replay order). */
  position: number;
  kind: string;
  name: string;
  status: 'done' | 'pending';
  /** Bytes of the recorded value as JSON; 0 when none. */
  resultBytes: number;
  valueJson?: string;
  error?: ErrorInfo;
}

/** An invocation with its journal and waiting reason. */
export interface InvocationDetail extends InvocationView {
  journal: JournalEntryView[];
}

/** An actor's committed state and the version to pass back to `editState`. */
export interface ActorStateView {
  actorType: string;
  actorId: string;
  /** Undefined when the actor has no committed state yet (version 0). */
  state: unknown;
  version: number;
}

/** The actions `bulk` can apply to every invocation matching a filter. */
export type BulkAction = 'cancel' | 'retry' | 'redrive' | 'purge';

/** Options of a bulk action. */
export interface BulkOptions {
  /** Count what would be acted on, change nothing. */
  dryRun?: boolean;
  /** Called after every item with the counts so far. */
  onProgress?: (progress: BulkProgress) => void;
  /** Stops between items when aborted; rerun to finish (actions skip what is already done). */
  signal?: AbortSignal;
  /** Items read per page. Default 200. */
  pageSize?: number;
  /** For cancel: the message the caller sees. */
  reason?: string;
}

/** Counts of a bulk run so far. */
export interface BulkProgress {
  /** Matching when the run started (the dry-run count). */
  total: number;
  done: number;
  succeeded: number;
  /** Items no longer eligible (already done by an earlier run or another operator). */
  skipped: number;
  failed: number;
}

/** What a bulk run did. */
export interface BulkResult extends BulkProgress {
  dryRun: boolean;
  /** True when stopped by the signal before the end. */
  interrupted: boolean;
  /** One entry per item that failed, with why. */
  errors: { id: string; code: string; message: string }[];
}

/**
 * The admin API: queries and actions over one store. `LoomClient` implements
 * it (no leases, no actors), and so does `ActorRuntime.admin`; the CLI and
 * Studio use nothing else.
 */
export interface AdminApi {
  /** One page of invocations with their waiting reasons. */
  listInvocations(query?: AdminQuery): Promise<InvocationViewPage>;
  /** How many invocations match. */
  countInvocations(filter?: AdminFilter): Promise<number>;
  /** One invocation with its journal and waiting reason; throws `NotFoundError` when unknown. */
  getInvocation(id: string): Promise<InvocationDetail>;
  /** An actor's state and version (version 0 and state undefined when it has none). */
  getState(actorType: string, actorId: string): Promise<ActorStateView>;
  /** One key of an actor's per-key state (`this.kv`); `found: false` when unset. */
  getKey(actorType: string, actorId: string, key: string): Promise<ActorKeyView>;
  /** An actor's keys in ascending order, a page at a time (`after` the last one seen). */
  listKeys(actorType: string, actorId: string, page?: NamePage): Promise<string[]>;
  /** An actor's logs (`this.log(name)`) with their kept range, by name. */
  listLogs(actorType: string, actorId: string, page?: NamePage): Promise<ActorLogInfo[]>;
  /** A page of a log: from `from` (default: the oldest kept), at most `limit` (default 50), or the newest `last`. */
  readLog(actorType: string, actorId: string, name: string, page?: { from?: number; limit?: number; last?: number }): Promise<ActorLogPage>;
  /** Actors with state, by type and id. */
  listActors(query?: { actorType?: string; limit?: number }): Promise<ActorStateView[]>;
  /** Dead letters, newest first. */
  listDeadLetters(query?: { actorType?: string; limit?: number }): Promise<InvocationView[]>;

  /** Cancels a pending invocation (its caller sees `LOOM_CANCELLED`); a running one stops at its next durable operation. */
  cancel(id: string, reason?: string): Promise<InvocationView>;
  /** Runs a backing-off (or delayed, or with `wakeSleep` sleeping) invocation now. */
  retryNow(id: string, options?: { wakeSleep?: boolean }): Promise<InvocationView>;
  /** Puts a dead letter back with a fresh retry budget. */
  redrive(id: string): Promise<InvocationView>;
  /** Deletes a finished invocation now. */
  purge(id: string): Promise<void>;
  /**
   * A new invocation of the same message whose journal is a copy of the first
   * `fromStep` entries of `id`'s: those replay, the rest run anew. Returns the new one.
   */
  restart(id: string, fromStep: number): Promise<InvocationView>;
  /** Replaces an actor's state if `expectedVersion` is still current; throws `StaleStateError` otherwise. */
  editState(actorType: string, actorId: string, state: unknown, expectedVersion: number): Promise<ActorStateView>;
  /** Resolves a durable promise; false when it was already settled. */
  resolvePromise(id: string, value?: unknown): Promise<boolean>;
  /** Rejects a durable promise with a terminal error; false when it was already settled. */
  rejectPromise(id: string, reason: unknown): Promise<boolean>;
  /** Applies `action` to every invocation matching `filter`, page by page. */
  bulk(action: BulkAction, filter: AdminFilter, options?: BulkOptions): Promise<BulkResult>;
}

export type { ActorKeyView, ActorLogInfo, ActorLogPage, NamePage } from './actor-data.js';
