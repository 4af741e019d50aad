import { InvalidMessageError } from '../core/errors.js';
import type { TraceEvent, TraceQuery } from '../ports/trace.js';

/**
 * Events of one trace and one invocation written together: stores keep one
 * row (or hash field) per group rather than per event, since an invocation's
 * events mostly arrive in the same flush. Reads flatten them again.
 */
export interface TraceGroup {
  traceId: string;
  invocationId: string | undefined;
  events: TraceEvent[];
}

export function groupTraceEvents(events: readonly TraceEvent[]): TraceGroup[] {
  const byKey = new Map<string, TraceGroup>();
  for (const e of events) {
    const inv = e.refs.invocation?.id;
    const key = `${e.trace_id}\u0000${inv ?? ''}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { traceId: e.trace_id, invocationId: inv, events: [] }));
    g.events.push(e);
  }
  return [...byKey.values()];
}

/** Checks a trace query: exactly one of `traceId` and `invocationId`, a positive limit. Returns the limit. */
export function checkTraceQuery(q: TraceQuery): number {
  if (typeof q !== 'object' || q === null) throw new InvalidMessageError('runtime.traces needs { traceId } or { invocationId }');
  const has = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (has(q.traceId) === has(q.invocationId)) {
    throw new InvalidMessageError('runtime.traces needs exactly one of { traceId } or { invocationId } (a non-empty string)');
  }
  const limit = q.limit ?? 1000;
  if (!Number.isInteger(limit) || limit <= 0) throw new InvalidMessageError(`runtime.traces limit must be a positive integer, got ${String(q.limit)}`);
  return limit;
}

/** Flattens stored groups (oldest group first) into events of the query, oldest first, at most `limit`. */
export function flattenGroups(groups: readonly TraceEvent[][], q: TraceQuery, limit: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const g of groups) {
    for (const e of g) {
      if (q.invocationId !== undefined && e.refs.invocation?.id !== q.invocationId) continue;
      out.push(e);
    }
  }
  // Groups are in write order; events of two workers can interleave, so order by time (stable).
  out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return out.length > limit ? out.slice(0, limit) : out;
}
