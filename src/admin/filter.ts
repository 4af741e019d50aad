import { InvalidFilterError } from './errors.js';
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
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) throw new InvalidFilterError(`a filter must be an object, got ${Array.isArray(filter) ? 'an array' : typeof filter}`);
  for (const key of Object.keys(filter)) {
    if (!KNOWN.has(key)) throw new InvalidFilterError(`unknown filter field "${key}"; known fields: ${[...KNOWN].join(', ')}`);
  }
  for (const k of STRINGS) {
    const v = filter[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) throw new InvalidFilterError(`filter.${k} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  for (const k of TIMES) {
    const v = filter[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) throw new InvalidFilterError(`filter.${k} must be epoch milliseconds, got ${JSON.stringify(v)}`);
  }
  if (filter.minAttempt !== undefined && (!Number.isInteger(filter.minAttempt) || filter.minAttempt < 0)) {
    throw new InvalidFilterError(`filter.minAttempt must be a whole number >= 0, got ${JSON.stringify(filter.minAttempt)}`);
  }
  if (filter.deadLettered !== undefined && typeof filter.deadLettered !== 'boolean') throw new InvalidFilterError(`filter.deadLettered must be true or false`);
  const statuses = list(filter.status);
  for (const s of statuses ?? []) {
    if (!STATUSES.includes(s)) throw new InvalidFilterError(`unknown status "${String(s)}"; use one of ${STATUSES.join(', ')}`);
  }
  if (statuses?.includes('cancelled') && statuses.length > 1) throw new InvalidFilterError(`status "cancelled" cannot be combined with other statuses (it is a kind of "failed")`);
  const waiting = list(filter.waiting);
  for (const w of waiting ?? []) {
    if (!WAITING_REASON_KINDS.includes(w)) throw new InvalidFilterError(`unknown waiting reason "${String(w)}"; use one of ${WAITING_REASON_KINDS.join(', ')}`);
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
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMITS.max) throw new InvalidFilterError(`limit must be a whole number from 1 to ${PAGE_LIMITS.max}, got ${JSON.stringify(query.limit)}`);
  if (query.order !== undefined && query.order !== 'newest' && query.order !== 'oldest') throw new InvalidFilterError(`order must be 'newest' or 'oldest', got ${JSON.stringify(query.order)}`);
  let after: number | undefined;
  if (query.cursor !== undefined) {
    after = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : undefined;
    if (after === undefined) throw new InvalidFilterError(`the cursor "${String(query.cursor)}" is not one this API returned; pass nextCursor of the previous page unchanged`);
  }
  return { limit, after, newest: query.order !== 'oldest' };
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
