import type Database from 'better-sqlite3';
import type { TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { checkTraceQuery, flattenGroups, groupTraceEvents } from '../../observability/trace-groups.js';

// Made on first use rather than by a numbered migration: a store that never keeps traces has no table for them.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS loom_trace_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  upto INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  invocation_id TEXT,
  expires_at INTEGER NOT NULL,
  events TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS loom_trace_events_trace ON loom_trace_events (trace_id);
CREATE INDEX IF NOT EXISTS loom_trace_events_invocation ON loom_trace_events (invocation_id);
CREATE INDEX IF NOT EXISTS loom_trace_events_expiry ON loom_trace_events (expires_at);
CREATE INDEX IF NOT EXISTS loom_trace_events_upto ON loom_trace_events (upto);`;

/**
 * Trace events in the SQLite file, one row per trace and invocation per
 * flush. `upto` is the running count of events written, so the cap is one
 * range delete; expired rows go on every append.
 */
export class SqliteTraces implements TraceStore {
  private ready: Database.Database | undefined;
  private append!: (groups: ReturnType<typeof groupTraceEvents>, bounds: TraceBounds, now: number) => void;
  private byTrace!: Database.Statement;
  private byInvocation!: Database.Statement;

  constructor(private readonly handle: () => Database.Database) {}

  private open(): void {
    const db = this.handle();
    if (this.ready === db) return;
    db.exec(SCHEMA);
    const last = db.prepare('SELECT upto FROM loom_trace_events ORDER BY seq DESC LIMIT 1');
    const insert = db.prepare('INSERT INTO loom_trace_events (upto, trace_id, invocation_id, expires_at, events) VALUES (?, ?, ?, ?, ?)');
    const expire = db.prepare('DELETE FROM loom_trace_events WHERE expires_at <= ?');
    const cap = db.prepare('DELETE FROM loom_trace_events WHERE upto <= ?');
    this.append = db.transaction((groups: ReturnType<typeof groupTraceEvents>, bounds: TraceBounds, now: number) => {
      let upto = (last.get() as { upto: number } | undefined)?.upto ?? 0;
      for (const g of groups) {
        upto += g.events.length;
        insert.run(upto, g.traceId, g.invocationId ?? null, now + bounds.ttlMs, JSON.stringify(g.events));
      }
      expire.run(now);
      cap.run(upto - bounds.maxEvents);
    });
    this.byTrace = db.prepare('SELECT events FROM loom_trace_events WHERE trace_id = ? AND expires_at > ? ORDER BY seq');
    this.byInvocation = db.prepare('SELECT events FROM loom_trace_events WHERE invocation_id = ? AND expires_at > ? ORDER BY seq');
    this.ready = db;
  }

  async appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    this.open();
    this.append(groupTraceEvents(events), bounds, Date.now());
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    this.open();
    const rows = (q.traceId !== undefined ? this.byTrace.all(q.traceId, Date.now()) : this.byInvocation.all(q.invocationId, Date.now())) as { events: string }[];
    return flattenGroups(rows.map((r) => JSON.parse(r.events) as TraceEvent[]), q, limit);
  }
}
