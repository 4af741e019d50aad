import { InvalidMessageError } from '../core/errors.js';
import type { EncodedTraceGroup, TraceEvent, TraceEventType, TraceQuery, TraceRefs } from '../ports/trace.js';
import { decodeCompactGroup } from './trace-columns.js';

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

/** Events as stored groups (the form `appendTraces` writes). */
export function encodeTraceEvents(events: readonly TraceEvent[]): EncodedTraceGroup[] {
  return groupTraceEvents(events).map((g) => [g.traceId, g.invocationId ?? '', g.events.length, encodeGroup(g)]);
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

/**
 * The stored form of a group: what every event of it shares (trace id, worker)
 * once, and per event the rest as an array rather than an object. Stores write
 * and read this.
 */
type StoredEvent = [event_type: TraceEventType, at: string, span_id: string | 0, refs: TraceRefs, error_code?: string];
interface StoredGroup {
  t: string;
  w?: string;
  e: StoredEvent[];
}

export function encodeGroup(g: TraceGroup): string {
  const e: StoredEvent[] = new Array<StoredEvent>(g.events.length);
  for (let i = 0; i < g.events.length; i++) {
    const ev = g.events[i]!;
    e[i] = ev.error_code === undefined ? [ev.event_type, ev.at, ev.span_id ?? 0, ev.refs] : [ev.event_type, ev.at, ev.span_id ?? 0, ev.refs, ev.error_code];
  }
  const out: StoredGroup = { t: g.traceId, e };
  const w = g.events[0]?.worker;
  if (w !== undefined) out.w = w;
  return JSON.stringify(out);
}

export function decodeGroup(json: string): TraceEvent[] {
  const parsed = JSON.parse(json) as StoredGroup | (Parameters<typeof decodeCompactGroup>[0] & { v: 2 });
  if ('v' in parsed) return decodeCompactGroup(parsed);
  const g = parsed;
  return g.e.map(([event_type, at, span, refs, error_code]) => {
    const e: TraceEvent = { trace_id: g.t, event_type, at, refs };
    if (span) e.span_id = span;
    if (g.w !== undefined) e.worker = g.w;
    if (error_code !== undefined) e.error_code = error_code;
    return e;
  });
}
