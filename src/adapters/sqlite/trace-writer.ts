// The thread that writes trace events to the SQLite file (see traces.ts): SQLite
// calls are synchronous, so on the main thread every trace batch would hold up
// the turns. Messages in: { packed, count, ttlMs, maxEvents, now, id }; out: { id, error? }.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openTraceTable, type PackedBatch } from './trace-table.js';

const { path, busyTimeoutMs } = workerData as { path: string; busyTimeoutMs: number };
let table: ReturnType<typeof openTraceTable> | undefined;

parentPort!.on('message', (batch: PackedBatch & { id: number }) => {
  try {
    if (!table) {
      const db = new Database(path, { timeout: busyTimeoutMs });
      db.pragma('journal_mode = WAL');
      // Trace events are diagnostics, not the durable record: no fsync per batch (WAL keeps the file safe).
      db.pragma('synchronous = NORMAL');
      // Compressed here, off the main thread: the bytes are what costs, in the disk's writes.
      table = openTraceTable(db, { compress: true });
    }
    table.appendPacked(batch);
    parentPort!.postMessage({ id: batch.id });
  } catch (err) {
    parentPort!.postMessage({ id: batch.id, error: (err as Error).message });
  }
});
