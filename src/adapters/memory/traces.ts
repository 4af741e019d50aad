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
  private count = 0;
  private seq = 0;

  async appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    const now = Date.now();
    for (const g of groupTraceEvents(events)) {
      this.rows.push({ seq: ++this.seq, traceId: g.traceId, invocationId: g.invocationId, expiresAt: now + bounds.ttlMs, events: g.events });
      this.count += g.events.length;
    }
    let drop = 0;
    while (drop < this.rows.length && (this.rows[drop]!.expiresAt <= now || this.count > bounds.maxEvents)) {
      this.count -= this.rows[drop]!.events.length;
      drop++;
    }
    if (drop) this.rows = this.rows.slice(drop);
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    const now = Date.now();
    const rows = this.rows.filter((r) => r.expiresAt > now && (q.traceId !== undefined ? r.traceId === q.traceId : r.invocationId === q.invocationId));
    return flattenGroups(rows.map((r) => r.events), q, limit);
  }
}
