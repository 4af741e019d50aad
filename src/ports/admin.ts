import type { ErrorInfo } from '../core/errors.js';
import type { InvocationRecord, InvocationStatus, JournalEntry, NewInvocation, Store } from './store.js';

/**
 * The admin capability of a Store (`store.admin`): the queries and the
 * operator's writes behind `LoomClient`, the `loom` CLI and Studio. Every
 * built-in store implements it with indexes; the shared contract suite
 * (`adminContract` in `loom/testing`) proves each one.
 *
 * Every write here is ONE atomic, conditional operation of the backend, applied
 * only if the invocation (or state) is still as the operator saw it. A turn of a
 * running handler commits only while its invocation is pending, so an action and
 * a turn never both win: the handler's next durable operation after a cancel is
 * rejected (`conflict`) and its attempt stops.
 */
export interface StoreAdmin {
  /**
   * One page of invocations matching `query.filter`, ordered by `seq` (enqueue
   * order): newest first unless `query.order` is `'oldest'`. Served by indexes:
   * the first page costs the same with 100 or 100,000 records.
   */
  listInvocations(query: StoreQuery): Promise<InvocationRecord[]>;
  /** How many invocations match `filter` (index-served where the backend can). */
  countInvocations(filter: StoreFilter): Promise<number>;
  /**
   * Ends a pending invocation as failed with `error` (code `LOOM_CANCELLED`,
   * terminal), in one atomic write that also rejects its caller's promise
   * (`replyTo`), drops its journal and promises, and bumps the `wakeSeq` of the
   * actor's next pending invocation (so that a worker holding the cancelled one in
   * memory looks again and lets the actor go on). `'not-pending'` when it had
   * already ended, `'not-found'` when unknown.
   */
  cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome>;
  /**
   * Makes a pending invocation runnable now: clears `notBefore` (a backoff or a
   * delay; a durable sleep is left alone unless `wakeSleep`), bumps its `wakeSeq`
   * so that pollers see it. `'not-pending'` when it had ended.
   */
  retryNow(id: string, options?: { wakeSleep?: boolean }): Promise<AdminWriteOutcome>;
  /**
   * Deletes a terminal invocation with its journal, promises and idempotency
   * key at once, before its TTL. `'not-terminal'` for a pending one.
   */
  purge(id: string): Promise<AdminWriteOutcome>;
  /**
   * Enqueues `invocation` with `journal` as its journal, already started, in one
   * atomic write: the restart-from-step primitive. Duplicate ids are rejected
   * with `'duplicate'`.
   */
  enqueueWithJournal(invocation: NewInvocation, journal: JournalEntry[]): Promise<AdminWriteOutcome>;
  /**
   * Replaces an actor's state if its version is still `expectedVersion` (0: the
   * actor has no state yet). On success the version goes up by one, exactly as a
   * turn's commit does, so a handler holding the old version conflicts and reloads.
   */
  setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok'; version: number } | { outcome: 'conflict'; version: number }>;
  /**
   * The pending queues of several actors in one read of the backend (one query,
   * or one script): what the waiting reasons of a page of invocations need. The
   * answer is the one {@link readQueuesByRow} gives with `listInvocations` and
   * `countInvocations`, in the order of `actors`. Optional: without it, the admin
   * layer makes those reads one by one.
   */
  readQueues?(actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]>;
  /**
   * Several invocations by id (`undefined` for an unknown one) and the pending
   * `sleep` entries of several journals, in one round trip: the callees and
   * timers a page's waiting reasons name. The answer is {@link readRecordsByRow}'s.
   * Optional, like `readQueues`.
   */
  readRecords?(ids: string[], sleepsOf: string[]): Promise<RecordsRead>;
}

/** What {@link StoreAdmin.readRecords} returns, in the order asked. */
export interface RecordsRead {
  records: (InvocationRecord | undefined)[];
  /** Per journal asked: its entries of kind `sleep` and status `pending`, in journal order. */
  sleeps: JournalEntry[][];
}

/** {@link StoreAdmin.readRecords} from `getInvocation` and `loadJournal`, side by side: the reference, and the fallback. */
export async function readRecordsByRow(store: Pick<Store, 'getInvocation' | 'loadJournal'>, ids: string[], sleepsOf: string[]): Promise<RecordsRead> {
  const [records, sleeps] = await Promise.all([
    Promise.all(ids.map((id) => store.getInvocation(id))),
    Promise.all(sleepsOf.map(async (id) => (await store.loadJournal(id)).filter(isPendingSleep))),
  ]);
  return { records, sleeps };
}

/** A journal entry of a durable sleep not yet over. */
export const isPendingSleep = (e: JournalEntry): boolean => e.kind === 'sleep' && e.status === 'pending';

/** An actor whose queue a page of waiting reasons reads, with the seqs of its invocations on the page. */
export interface ActorQueueRead {
  actorType: string;
  actorId: string;
  /** Seqs of the actor's invocations to place in its queue. */
  seqs: number[];
}

/** An actor's pending queue. */
export interface ActorQueue {
  /** Its `headRead` oldest pending invocations, oldest first. */
  oldest: InvocationRecord[];
  /** How many of its invocations are pending. */
  size: number;
  /** For each of the asked `seqs`, in order: how many of its pending invocations have a lower seq. */
  ahead: number[];
}

/**
 * {@link StoreAdmin.readQueues} from the indexed reads every store has: per
 * actor its oldest few and its count, per seq the count below it (run side by
 * side). The reference answer, and the fallback of a store without `readQueues`.
 */
export function readQueuesByRow(admin: StoreAdmin, actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]> {
  return Promise.all(
    actors.map(async (a) => {
      const filter: StoreFilter = { actorType: a.actorType, actorId: a.actorId, statuses: ['pending'] };
      const [oldest, size, ahead] = await Promise.all([
        admin.listInvocations({ filter, limit: headRead, newest: false }),
        admin.countInvocations(filter),
        Promise.all(a.seqs.map((seq) => admin.countInvocations({ ...filter, seqBelow: seq }))),
      ]);
      return { oldest, size, ahead };
    }),
  );
}

/** What an admin write did. */
export type AdminWriteOutcome = 'ok' | 'not-found' | 'not-pending' | 'not-terminal' | 'duplicate';

/**
 * Which invocations to match; every field narrows (AND). Times are epoch ms on
 * the store's clock. Strings match exactly.
 */
export interface InvocationFilter {
  actorType?: string;
  actorId?: string;
  method?: string;
  /** One status or several. `'cancelled'` matches failed invocations whose error code is `LOOM_CANCELLED`. */
  status?: FilterStatus | FilterStatus[];
  idempotencyKey?: string;
  /** Enqueued at or after. */
  createdAfter?: number;
  /** Enqueued before. */
  createdBefore?: number;
  /** Finished (terminal) at or after; implies a terminal status. */
  finishedAfter?: number;
  /** Finished (terminal) before; implies a terminal status. */
  finishedBefore?: number;
  /** Failed attempts at least this many. */
  minAttempt?: number;
  /** The stored error's `code` (the last failure's for a pending invocation). */
  errorCode?: string;
  /** Shorthand for `status: 'dead'` (true) or any other status (false). */
  deadLettered?: boolean;
}

/** Statuses a filter may name: the stored ones, and `'cancelled'`. */
export type FilterStatus = InvocationStatus | 'cancelled';

/**
 * A filter as stores apply it, checked and normalized by the admin layer:
 * statuses as a list of stored ones (`'cancelled'` became status failed with
 * error code `LOOM_CANCELLED`). `matchesFilter` in `src/admin/filter.ts` is the
 * reference semantics.
 */
export interface StoreFilter extends Omit<InvocationFilter, 'status' | 'deadLettered'> {
  /** Any of these statuses; an empty list matches nothing. */
  statuses?: InvocationStatus[];
  /** Only terminal invocations (set with `finishedAfter`/`finishedBefore`, which compare `updatedAt`). */
  terminalOnly?: boolean;
  /** Only invocations enqueued before the one with this seq (an actor's queue ahead of one of its invocations). */
  seqBelow?: number;
}

/** A page as stores read it: `limit` records after the cursor's `seq`, in seq order. */
export interface StoreQuery {
  filter: StoreFilter;
  limit: number;
  /** Newest (highest seq) first when true. */
  newest: boolean;
  /** Only records past this seq in the page order (below it when `newest`). */
  afterSeq?: number;
}

/** A page request. */
export interface InvocationQuery {
  filter?: InvocationFilter;
  /** `'newest'` (default) or `'oldest'` first, by enqueue order. */
  order?: 'newest' | 'oldest';
  /** Page size, 1..1000. Default 50. */
  limit?: number;
  /** `nextCursor` of the previous page, opaque. */
  cursor?: string;
}

/** The error code of a cancelled invocation. */
export const CANCELLED_CODE = 'LOOM_CANCELLED';

/** Page size bounds shared by every adapter. */
export const PAGE_LIMITS = Object.freeze({ default: 50, max: 1000 });

/** A cursor carries the last `seq` of a page; stores encode and decode it the same way. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor}; undefined when it is not one. */
export function decodeCursor(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString();
  const m = /^s:(\d+)$/.exec(text);
  return m ? Number(m[1]) : undefined;
}
