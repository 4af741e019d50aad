import type Database from 'better-sqlite3';

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
CREATE INDEX IF NOT EXISTS loom_trace_events_invocation ON loom_trace_events (invocation_id);`;

/** Rows looked at per trim: expired or capped rows are the oldest, so they come first in `seq` order. */
const TRIM_BATCH = 2000;

/** One append: groups as [traceId, invocationId or '', event count, encoded group]. */
export interface AppendBatch {
  groups: [string, string, number, string][];
  ttlMs: number;
  maxEvents: number;
  now: number;
}

/**
 * The trace table on one connection: append (one transaction: the rows, then
 * the oldest rows past the TTL or the cap, found in primary-key order without
 * indexes of their own) and reads by trace or invocation.
 */
export function openTraceTable(db: Database.Database) {
  db.exec(SCHEMA);
  const last = db.prepare('SELECT upto FROM loom_trace_events ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO loom_trace_events (upto, trace_id, invocation_id, expires_at, events) VALUES (?, ?, ?, ?, ?)');
  const oldest = db.prepare(`SELECT seq, upto, expires_at AS expiresAt FROM loom_trace_events ORDER BY seq LIMIT ${TRIM_BATCH}`);
  const trim = db.prepare('DELETE FROM loom_trace_events WHERE seq <= ?');
  const byTrace = db.prepare('SELECT events FROM loom_trace_events WHERE trace_id = ? AND expires_at > ? ORDER BY seq');
  const byInvocation = db.prepare('SELECT events FROM loom_trace_events WHERE invocation_id = ? AND expires_at > ? ORDER BY seq');
  const append = db.transaction((b: AppendBatch) => {
    let upto = (last.get() as { upto: number } | undefined)?.upto ?? 0;
    for (const [traceId, invocationId, n, encoded] of b.groups) {
      upto += n;
      insert.run(upto, traceId, invocationId || null, b.now + b.ttlMs, encoded);
    }
    let cut = 0;
    for (const r of oldest.all() as { seq: number; upto: number; expiresAt: number }[]) {
      if (r.expiresAt > b.now && r.upto > upto - b.maxEvents) break;
      cut = r.seq;
    }
    if (cut) trim.run(cut);
  });
  return {
    append: (b: AppendBatch) => append(b),
    read: (q: { traceId?: string; invocationId?: string }, now: number) =>
      (q.traceId !== undefined ? byTrace.all(q.traceId, now) : byInvocation.all(q.invocationId, now)) as { events: string }[],
  };
}
