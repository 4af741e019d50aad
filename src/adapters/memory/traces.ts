import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { packGroups } from '../../observability/trace-bytes.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';

interface Row {
  traceId: string;
  invocationId: string;
  expiresAt: number;
  count: number;
  /** The group in its stored form, decoded only when read. */
  encoded: string;
}

/** Trace events of the in-memory store, bounded by TTL and count like every other store's. */
export class MemoryTraces implements TraceStore {
  private rows: Row[] = [];
  /** Rows before this index are dropped. */
  private head = 0;
  private count = 0;

  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    return this.appendEncoded(packGroups(encodeTraceEvents(events)), bounds);
  }

  /** Keeps the groups as they come: an event object is made only when it is read. */
  appendEncoded(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void> {
    const groups = batch.groups();
    const now = Date.now();
    const expiresAt = now + bounds.ttlMs;
    for (const g of groups) {
      this.rows.push({ traceId: g[0], invocationId: g[1], expiresAt, count: g[2], encoded: g[3] });
      this.count += g[2];
    }
    while (this.head < this.rows.length && (this.rows[this.head]!.expiresAt <= now || this.count > bounds.maxEvents)) {
      this.count -= this.rows[this.head]!.count;
      this.head++;
    }
    // Compact only once the dropped part is as long as what is kept: amortized O(1) per row.
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
    return Promise.resolve();
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    const now = Date.now();
    const groups: TraceEvent[][] = [];
    for (let i = this.head; i < this.rows.length; i++) {
      const r = this.rows[i]!;
      if (r.expiresAt > now && (q.traceId !== undefined ? r.traceId === q.traceId : r.invocationId === q.invocationId)) groups.push(decodeGroup(r.encoded));
    }
    return flattenGroups(groups, q, limit);
  }
}
