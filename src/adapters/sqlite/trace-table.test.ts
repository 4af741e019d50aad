// The SQLite trace table: one row per flush, read back by trace or invocation id,
// and the rows of the earlier one-row-per-group table moved over on first open.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { EncodedTraceGroup } from '../../ports/trace.js';
import { packGroups } from '../../observability/trace-bytes.js';
import { openTraceTable } from './trace-table.js';

/** Appends groups as the store does: packed into one flush's row. */
function append(table: { appendPacked: ReturnType<typeof openTraceTable>['appendPacked'] }, b: { groups: EncodedTraceGroup[]; ttlMs: number; maxEvents: number; now: number }): void {
  const batch = packGroups(b.groups);
  table.appendPacked({ packed: batch.packed, count: batch.count, ttlMs: b.ttlMs, maxEvents: b.maxEvents, now: b.now });
}

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T2 = '4bf92f3577b34da6a3ce929d0e0e4736';
const DAY = 86_400_000;

it('reads a flush back by trace id and by invocation id, each group once, oldest first', () => {
  const db = new Database(':memory:');
  try {
    const table = openTraceTable(db);
    append(table, { groups: [[T1, 'inv-1', 2, '{"g":1}'], [T2, 'inv-2', 1, '{"g":2}']], ttlMs: DAY, maxEvents: 1000, now: 1 });
    append(table, { groups: [[T1, 'inv-3', 1, '{"g":3}']], ttlMs: DAY, maxEvents: 1000, now: 2 });
    assert.deepEqual(table.read({ traceId: T1 }, 3), ['{"g":1}', '{"g":3}']);
    assert.deepEqual(table.read({ invocationId: 'inv-2' }, 3), ['{"g":2}']);
    // An id that is only a part of another is not it.
    assert.deepEqual(table.read({ invocationId: 'inv' }, 3), []);
    // Past the TTL nothing reads back.
    assert.deepEqual(table.read({ traceId: T1 }, 2 + DAY), []);
  } finally {
    db.close();
  }
});

it('moves the rows of the earlier table (one per trace and invocation) over once, and appends go on after them', () => {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE TABLE loom_trace_events (seq INTEGER PRIMARY KEY, upto INTEGER NOT NULL, trace_id TEXT NOT NULL,
      invocation_id TEXT, expires_at INTEGER NOT NULL, events TEXT NOT NULL)`);
    const old = db.prepare('INSERT INTO loom_trace_events (upto, trace_id, invocation_id, expires_at, events) VALUES (?, ?, ?, ?, ?)');
    old.run(2, T1, 'inv-1', DAY, '{"old":1}');
    old.run(3, T2, null, DAY, '{"old":2}');
    const table = openTraceTable(db);
    const left = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'loom_trace_events'").get() as { n: number };
    assert.equal(left.n, 0, 'the earlier table is dropped once its rows are moved');
    assert.deepEqual(table.read({ traceId: T1 }, 10), ['{"old":1}']);
    assert.deepEqual(table.read({ invocationId: 'inv-1' }, 10), ['{"old":1}']);
    assert.deepEqual(table.read({ traceId: T2 }, 10), ['{"old":2}']);
    append(table, { groups: [[T1, 'inv-4', 1, '{"new":1}']], ttlMs: DAY, maxEvents: 1000, now: 10 });
    assert.deepEqual(table.read({ traceId: T1 }, 11), ['{"old":1}', '{"new":1}']);
    const upto = db.prepare('SELECT max(upto) AS u FROM loom_trace_flushes').get() as { u: number };
    assert.equal(upto.u, 4, 'the event count goes on from the moved rows');
    // A second open finds nothing left to move.
    openTraceTable(db);
    assert.deepEqual(table.read({ traceId: T1 }, 11), ['{"old":1}', '{"new":1}']);
  } finally {
    db.close();
  }
});

it('keeps at most the cap, cutting whole flushes from the oldest', () => {
  const db = new Database(':memory:');
  try {
    const table = openTraceTable(db);
    for (let i = 0; i < 10; i++) append(table, { groups: [[T1, `inv-${i}`, 10, `{"i":${i}}`]], ttlMs: DAY, maxEvents: 30, now: i });
    const kept = table.read({ traceId: T1 }, 20);
    assert.ok(kept.length >= 3 && kept.length <= 4, `kept ${kept.length} flushes of 10 events under a cap of 30`);
    assert.equal(kept.at(-1), '{"i":9}');
  } finally {
    db.close();
  }
});

it('compressed rows (the writer thread’s) read back the same, beside uncompressed ones, and take a fraction of the bytes', () => {
  const db = new Database(':memory:');
  try {
    const plain = openTraceTable(db);
    const packed = openTraceTable(db, { compress: true });
    const big = (i: number) => JSON.stringify({ v: 2, t: T1, i: [`inv-${i}`, 'Shop', 'a', 'buy', 0, 1], e: [[0, 1_700_000_000_000 + i, 0, 0, 0, 0, -1]] });
    append(plain, { groups: [[T1, 'inv-a', 1, '{"g":"plain"}']], ttlMs: DAY, maxEvents: 10_000, now: 1 });
    append(packed, { groups: Array.from({ length: 200 }, (_, i): EncodedTraceGroup => [i % 2 ? T1 : T2, `inv-${i}`, 1, big(i)]), ttlMs: DAY, maxEvents: 10_000, now: 2 });
    const rows = db.prepare('SELECT length(packed) AS n, hex(substr(packed, 1, 1)) AS b FROM loom_trace_flushes ORDER BY seq').all() as { n: number; b: string }[];
    assert.equal(rows[0]!.b, '0A', 'an uncompressed row starts with a newline');
    assert.equal(rows[1]!.b, '78', 'a compressed row is a zlib stream');
    const raw = Array.from({ length: 200 }, (_, i) => big(i).length + 80).reduce((a, b) => a + b, 0);
    assert.ok(rows[1]!.n * 3 < raw, `compressed ${rows[1]!.n} bytes of about ${raw}`);
    const t1 = plain.read({ traceId: T1 }, 3);
    assert.equal(t1.length, 101);
    assert.equal(t1[0], '{"g":"plain"}');
    assert.deepEqual(t1.slice(1), Array.from({ length: 100 }, (_, k) => big(2 * k + 1)));
    assert.deepEqual(packed.read({ invocationId: 'inv-7' }, 3), [big(7)]);
    assert.deepEqual(packed.read({ invocationId: 'inv-a' }, 3), ['{"g":"plain"}']);
    assert.deepEqual(packed.read({ invocationId: 'inv-999' }, 3), []);
  } finally {
    db.close();
  }
});
