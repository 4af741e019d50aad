import { deflateSync, inflateSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { packedGroups } from '../../observability/trace-unpack.js';

// Made on first use rather than by a numbered migration: a store that never keeps traces has no table for them.
// One row per flush: `packed` holds all its groups (EncodedTraceBatch.packed). There is no index of ids: a read scans the rows
// kept, which the cap bounds (100,000 events by default, a few MB), for the id as bytes (instr), and decodes only
// the rows that hold it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS loom_trace_flushes (
  seq INTEGER PRIMARY KEY,
  upto INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  packed BLOB NOT NULL
);`;

/** The table of earlier versions: one row per trace and invocation per flush. Its rows move to the new table once. */
const OLD = 'loom_trace_events';

/**
 * The first byte of a zlib stream. A row written by the writer thread is compressed (about a fifth of the
 * bytes: less for the disk to write beside the database's own fsyncs); an uncompressed row starts with a
 * newline, so the two tell themselves apart.
 */
const ZLIB = 0x78;

/** Rows looked at per trim: expired or capped rows are the oldest, so they come first in `seq` order. */
const TRIM_BATCH = 2000;

/**
 * An append as it is stored, and as it crosses to the writer thread: the
 * batch's packed bytes (EncodedTraceBatch.packed) and the number of events in them.
 */
export interface PackedBatch {
  packed: Uint8Array;
  count: number;
  ttlMs: number;
  maxEvents: number;
  now: number;
}

/**
 * The trace table on one connection: append (one transaction: the flush's row,
 * then the oldest rows past the TTL or the cap, found in primary-key order) and
 * reads by trace or invocation.
 */
export function openTraceTable(db: Database.Database, options: { compress?: boolean } = {}) {
  db.exec(SCHEMA);
  migrate(db);
  const last = db.prepare('SELECT upto FROM loom_trace_flushes ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO loom_trace_flushes (upto, expires_at, packed) VALUES (?, ?, ?)');
  const first = db.prepare('SELECT upto, expires_at AS expiresAt FROM loom_trace_flushes ORDER BY seq LIMIT 1');
  const oldest = db.prepare('SELECT seq, upto, expires_at AS expiresAt FROM loom_trace_flushes ORDER BY seq LIMIT ?');
  const trim = db.prepare('DELETE FROM loom_trace_flushes WHERE seq <= ?');
  // A compressed row can only be searched once inflated: every one that is kept is read.
  const find = db.prepare(
    `SELECT packed FROM loom_trace_flushes WHERE expires_at > ? AND (substr(packed, 1, 1) = X'${ZLIB.toString(16)}' OR instr(packed, ?) > 0) ORDER BY seq`,
  );
  const appendPacked = db.transaction((b: PackedBatch) => {
    const upto = ((last.get() as { upto: number } | undefined)?.upto ?? 0) + b.count;
    const bytes = Buffer.from(b.packed.buffer, b.packed.byteOffset, b.packed.byteLength);
    insert.run(upto, b.now + b.ttlMs, options.compress ? deflateSync(bytes, { level: 1 }) : bytes);
    // What goes is a prefix in seq order; most appends find nothing to cut from the first row alone.
    const head = first.get() as { upto: number; expiresAt: number } | undefined;
    if (!head || (head.expiresAt > b.now && head.upto > upto - b.maxEvents)) return;
    let cut = 0;
    for (const r of oldest.iterate(TRIM_BATCH) as IterableIterator<{ seq: number; upto: number; expiresAt: number }>) {
      if (r.expiresAt > b.now && r.upto > upto - b.maxEvents) break;
      cut = r.seq;
    }
    if (cut) trim.run(cut);
  });
  return {
    appendPacked: (b: PackedBatch) => appendPacked(b),
    /** The encoded groups of one trace or invocation, oldest first. */
    read: (q: { traceId?: string; invocationId?: string }, now: number): string[] => {
      const line = q.traceId !== undefined ? q.traceId : JSON.stringify(q.invocationId);
      const needle = Buffer.from(`\n${line}\n`);
      const out: string[] = [];
      for (const r of find.all(now, needle) as { packed: Buffer }[]) {
        const bytes = r.packed[0] === ZLIB ? inflateSync(r.packed) : r.packed;
        if (bytes.indexOf(needle) >= 0) out.push(...packedGroups(bytes.toString('utf8'), q));
      }
      return out;
    },
  };
}

/** Moves the rows of the old table (one group each) to the new one, in a row each, and drops it. */
function migrate(db: Database.Database): void {
  const exists = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(OLD) !== undefined;
  if (!exists()) return;
  db.transaction(() => {
    if (!exists()) return; // another connection moved them first
    db.exec(`INSERT INTO loom_trace_flushes (upto, expires_at, packed)
      SELECT upto, expires_at, CAST(char(10) || trace_id || char(10) || json_quote(coalesce(invocation_id, '')) || char(10) || events || char(10) AS BLOB)
      FROM ${OLD} ORDER BY seq;
      DROP TABLE ${OLD};`);
  }).immediate();
}
