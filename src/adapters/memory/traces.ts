import type { TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, flattenGroups, groupTraceEvents } from '../../observability/trace-groups.js';

interface Row {
  seq: number;
  traceId: string;
  invocationId: string | undefined;
  expiresAt: number;
  events: TraceEvent[];
}

/** Trace events of the in-memory store, bounded by TTL and count like every other store's. */
export class MemoryTraces implements TraceStore {
  private rows: Row[] = [];
  /** Rows before this index are dropped. */
  private head = 0;
  private count = 0;
  private seq = 0;

  async appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    const now = Date.now();
    for (const g of groupTraceEvents(events)) {
      this.rows.push({ seq: ++this.seq, traceId: g.traceId, invocationId: g.invocationId, expiresAt: now + bounds.ttlMs, events: g.events });
      this.count += g.events.length;
    }
    while (this.head < this.rows.length && (this.rows[this.head]!.expiresAt <= now || this.count > bounds.maxEvents)) {
      this.count -= this.rows[this.head]!.events.length;
      this.head++;
    }
    // Compact only once the dropped part is as long as what is kept: amortized O(1) per row.
    if (this.head > 1024 && this.head * 2 > this.rows.length) {
      this.rows = this.rows.slice(this.head);
      this.head = 0;
    }
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    const now = Date.now();
    const rows = this.rows.slice(this.head).filter((r) => r.expiresAt > now && (q.traceId !== undefined ? r.traceId === q.traceId : r.invocationId === q.invocationId));
    return flattenGroups(rows.map((r) => r.events), q, limit);
  }
}
