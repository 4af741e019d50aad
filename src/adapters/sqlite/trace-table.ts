import type Database from 'better-sqlite3';
import type { EncodedTraceGroup } from '../../ports/trace.js';

// Made on first use rather than by a numbered migration: a store that never keeps traces has no table for them.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS loom_trace_events (
  seq INTEGER PRIMARY KEY,
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
  groups: readonly EncodedTraceGroup[];
  ttlMs: number;
  maxEvents: number;
  now: number;
}

/**
 * An append as it crosses to the writer thread: the groups packed into one
 * string (trace id, invocation id as JSON, count, group; a line each), as
 * UTF-8 bytes whose buffer is transferred, not copied.
 */
export interface PackedBatch {
  packed: Uint8Array;
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
  const first = db.prepare('SELECT upto, expires_at AS expiresAt FROM loom_trace_events ORDER BY seq LIMIT 1');
  const oldest = db.prepare('SELECT seq, upto, expires_at AS expiresAt FROM loom_trace_events ORDER BY seq LIMIT ?');
  const trim = db.prepare('DELETE FROM loom_trace_events WHERE seq <= ?');
  const byTrace = db.prepare('SELECT events FROM loom_trace_events WHERE trace_id = ? AND expires_at > ? ORDER BY seq');
  const byInvocation = db.prepare('SELECT events FROM loom_trace_events WHERE invocation_id = ? AND expires_at > ? ORDER BY seq');
  const append = db.transaction((b: AppendBatch) => {
    let upto = (last.get() as { upto: number } | undefined)?.upto ?? 0;
    for (const [traceId, invocationId, n, encoded] of b.groups) {
      upto += n;
      insert.run(upto, traceId, invocationId || null, b.now + b.ttlMs, encoded);
    }
    // What goes is a prefix in seq order; most appends find nothing to cut from the first row alone.
    const head = first.get() as { upto: number; expiresAt: number } | undefined;
    if (!head || (head.expiresAt > b.now && head.upto > upto - b.maxEvents)) return;
    let cut = 0;
    for (const r of oldest.all(Math.min(TRIM_BATCH, 2 * b.groups.length + 64)) as { seq: number; upto: number; expiresAt: number }[]) {
      if (r.expiresAt > b.now && r.upto > upto - b.maxEvents) break;
      cut = r.seq;
    }
    if (cut) trim.run(cut);
  });
  return {
    append: (b: AppendBatch) => append(b),
    appendPacked: (b: PackedBatch) => append({ groups: unpack(b.packed), ttlMs: b.ttlMs, maxEvents: b.maxEvents, now: b.now }),
    read: (q: { traceId?: string; invocationId?: string }, now: number) =>
      (q.traceId !== undefined ? byTrace.all(q.traceId, now) : byInvocation.all(q.invocationId, now)) as { events: string }[],
  };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Packs groups for the writer thread (see PackedBatch). */
export function pack(groups: readonly EncodedTraceGroup[]): Uint8Array {
  let s = '';
  for (const g of groups) s += g[0] + '\n' + JSON.stringify(g[1]) + '\n' + g[2] + '\n' + g[3] + '\n';
  return utf8.encode(s);
}

function unpack(packed: Uint8Array): EncodedTraceGroup[] {
  const parts = fromUtf8.decode(packed).split('\n');
  const out: EncodedTraceGroup[] = [];
  for (let i = 0; i + 3 < parts.length; i += 4) out.push([parts[i]!, JSON.parse(parts[i + 1]!) as string, Number(parts[i + 2]), parts[i + 3]!]);
  return out;
}
