import { InvalidFilterError } from './errors.js';
import { echo } from '../core/echo.js';
import { messageOf } from '../core/failure.js';
import { WAITING_REASON_KINDS, type AdminFilter, type WaitingReasonKind } from './types.js';
import { CANCELLED_CODE, PAGE_LIMITS, decodeCursor, type FilterStatus, type InvocationFilter, type InvocationQuery, type StoreFilter } from '../ports/admin.js';
import type { InvocationRecord, InvocationStatus } from '../ports/store.js';

const STATUSES: readonly FilterStatus[] = ['pending', 'completed', 'failed', 'dead', 'cancelled'];
const TIMES = ['createdAfter', 'createdBefore', 'finishedAfter', 'finishedBefore'] as const;
const STRINGS = ['actorType', 'actorId', 'method', 'idempotencyKey', 'errorCode'] as const;
const KNOWN = new Set<string>([...TIMES, ...STRINGS, 'status', 'minAttempt', 'deadLettered', 'waiting']);


/** Checks an admin filter, naming the first bad field and what it takes. Returns the waiting kinds asked for. */
export function checkFilter(filter: AdminFilter | undefined): WaitingReasonKind[] | undefined {
  if (filter === undefined) return undefined;
  try {
    return checkFilterFields(filter);
  } catch (err) {
    // A getter or proxy trap that throws is a bad filter too, never a raw error.
    if (err instanceof InvalidFilterError) throw err;
    throw new InvalidFilterError(`the filter could not be read (${messageOf(err)}); pass a plain object`);
  }
}

const QUERY_KEYS = new Set(['filter', 'limit', 'cursor', 'order']);

/** Checks the shape of an admin list query (`{ filter, limit, cursor, order }`); its fields are checked by checkFilter and checkPage. */
export function checkQueryShape(query: unknown): void {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new InvalidFilterError(`a query must be an object such as { filter: { status: 'dead' }, limit: 50 }, got ${echo(query)}`);
  for (const k of Object.keys(query)) {
    if (!QUERY_KEYS.has(k)) throw new InvalidFilterError(`unknown query field ${echo(k)}; known fields: ${[...QUERY_KEYS].join(', ')}`);
  }
}

function checkFilterFields(filter: AdminFilter): WaitingReasonKind[] | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new InvalidFilterError(`a filter must be an object, got ${echo(filter)}`);
  for (const key of Object.keys(filter)) {
    if (!KNOWN.has(key)) throw new InvalidFilterError(`unknown filter field ${echo(key)}; known fields: ${[...KNOWN].join(', ')}`);
  }
  for (const k of STRINGS) {
    const v = filter[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new InvalidFilterError(`filter.${k} must be a non-empty string, got ${echo(v)}`);
  }
  for (const k of TIMES) {
    const v = filter[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new InvalidFilterError(`filter.${k} must be epoch milliseconds, got ${echo(v)}`);
  }
  if (filter.minAttempt !== undefined && (!Number.isInteger(filter.minAttempt) || filter.minAttempt < 0)) {
    throw new InvalidFilterError(`filter.minAttempt must be a whole number >= 0, got ${echo(filter.minAttempt)}`);
  }
  if (filter.deadLettered !== undefined && typeof filter.deadLettered !== 'boolean') throw new InvalidFilterError(`filter.deadLettered must be true or false`);
  const statuses = list(filter.status);
  for (const s of statuses ?? []) {
    if (!STATUSES.includes(s)) throw new InvalidFilterError(`unknown status ${echo(s)}; use one of ${STATUSES.join(', ')}`);
  }
  if (statuses?.includes('cancelled') && statuses.length > 1) throw new InvalidFilterError(`status "cancelled" cannot be combined with other statuses (it is a kind of "failed")`);
  const waiting = list(filter.waiting);
  for (const w of waiting ?? []) {
    if (!WAITING_REASON_KINDS.includes(w)) throw new InvalidFilterError(`unknown waiting reason ${echo(w)}; use one of ${WAITING_REASON_KINDS.join(', ')}`);
  }
  return waiting;
}

/** Turns a checked filter into what stores apply (see {@link StoreFilter}). */
export function normalizeFilter(filter: InvocationFilter | undefined): StoreFilter {
  const out: StoreFilter = {};
  if (!filter) return out;
  for (const k of STRINGS) if (filter[k] !== undefined) out[k] = filter[k];
  for (const k of TIMES) if (filter[k] !== undefined) out[k] = filter[k];
  if (filter.minAttempt !== undefined && filter.minAttempt > 0) out.minAttempt = filter.minAttempt;
  let statuses: InvocationStatus[] | undefined;
  const asked = list(filter.status);
  if (asked?.includes('cancelled')) {
    statuses = ['failed'];
    if (out.errorCode !== undefined && out.errorCode !== CANCELLED_CODE) statuses = [];
    out.errorCode = CANCELLED_CODE;
  } else if (asked) statuses = [...new Set(asked as InvocationStatus[])];
  if (filter.deadLettered !== undefined) {
    const all: InvocationStatus[] = statuses ?? ['pending', 'completed', 'failed', 'dead'];
    statuses = all.filter((s) => (s === 'dead') === filter.deadLettered);
  }
  if (filter.finishedAfter !== undefined || filter.finishedBefore !== undefined) {
    out.terminalOnly = true;
    statuses = (statuses ?? ['completed', 'failed', 'dead']).filter((s) => s !== 'pending');
  }
  if (statuses) out.statuses = statuses;
  return out;
}

/** Checks page size and cursor; returns the limit and the cursor's seq. */
export function checkPage(query: Pick<InvocationQuery, 'limit' | 'cursor' | 'order'>): { limit: number; after: number | undefined; newest: boolean } {
  const limit = query.limit ?? PAGE_LIMITS.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMITS.max) throw new InvalidFilterError(`limit must be a whole number from 1 to ${PAGE_LIMITS.max}, got ${echo(query.limit)}`);
  if (query.order !== undefined && query.order !== 'newest' && query.order !== 'oldest') throw new InvalidFilterError(`order must be 'newest' or 'oldest', got ${echo(query.order)}`);
  let after: number | undefined;
  if (query.cursor !== undefined) {
    after = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : undefined;
    if (after === undefined) throw new InvalidFilterError(`the cursor ${echo(query.cursor)} is not one this API returned; pass nextCursor of the previous page unchanged`);
  }
  return { limit, after, newest: query.order !== 'oldest' };
}

/** The default page of `listDeadLetters` and `listActors`. */
export const LIST_DEFAULT_LIMIT = 100;

/**
 * Checks the query of `listDeadLetters` and `listActors` (on `LoomClient` and
 * `runtime.deadLetters`) before any store sees it: an object with a `limit` from
 * 1 to {@link PAGE_LIMITS}.max and a non-empty string `actorType`, nothing else.
 */
export function checkListQuery(query: unknown, what: string): { limit: number; actorType?: string } {
  if (query === undefined) return { limit: LIST_DEFAULT_LIMIT };
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new InvalidFilterError(`${what} takes an object such as { limit: 50, actorType: 'Orders' }, got ${echo(query)}`);
  let limit: unknown;
  let actorType: unknown;
  try {
    for (const k of Object.keys(query)) {
      if (k !== 'limit' && k !== 'actorType') throw new InvalidFilterError(`${what}: unknown option ${echo(k)}; the options are limit and actorType`);
    }
    ({ limit, actorType } = query as { limit?: unknown; actorType?: unknown });
  } catch (err) {
    if (err instanceof InvalidFilterError) throw err;
    throw new InvalidFilterError(`${what}: the query could not be read (${messageOf(err)}); pass a plain object`);
  }
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > PAGE_LIMITS.max)) {
    throw new InvalidFilterError(`${what}: limit must be a whole number from 1 to ${PAGE_LIMITS.max}, got ${echo(limit)}`);
  }
  if (actorType !== undefined && (typeof actorType !== 'string' || actorType === '' || actorType.length > 512)) {
    throw new InvalidFilterError(`${what}: actorType must be a non-empty string of at most 512 characters, got ${echo(actorType)}`);
  }
  const out: { limit: number; actorType?: string } = { limit: (limit as number | undefined) ?? LIST_DEFAULT_LIMIT };
  if (actorType !== undefined) out.actorType = actorType as string;
  return out;
}

/** Whether a record matches a normalized filter: the reference semantics every store follows. */
export function matchesFilter(rec: InvocationRecord, f: StoreFilter): boolean {
  if (f.statuses && !f.statuses.includes(rec.status)) return false;
  if (f.actorType !== undefined && rec.actorType !== f.actorType) return false;
  if (f.actorId !== undefined && rec.actorId !== f.actorId) return false;
  if (f.method !== undefined && rec.method !== f.method) return false;
  if (f.idempotencyKey !== undefined && rec.idempotencyKey !== f.idempotencyKey) return false;
  if (f.errorCode !== undefined && rec.error?.code !== f.errorCode) return false;
  if (f.minAttempt !== undefined && rec.attempt < f.minAttempt) return false;
  if (f.createdAfter !== undefined && rec.createdAt < f.createdAfter) return false;
  if (f.createdBefore !== undefined && rec.createdAt >= f.createdBefore) return false;
  if (f.terminalOnly && rec.status === 'pending') return false;
  if (f.seqBelow !== undefined && rec.seq >= f.seqBelow) return false;
  if (f.finishedAfter !== undefined && rec.updatedAt < f.finishedAfter) return false;
  if (f.finishedBefore !== undefined && rec.updatedAt >= f.finishedBefore) return false;
  return true;
}

function list<T>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}
