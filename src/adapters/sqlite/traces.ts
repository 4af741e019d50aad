import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StoreError } from '../../core/errors.js';
import type { EncodedTraceBatch, TraceBounds, TraceEvent, TraceQuery, TraceStore } from '../../ports/trace.js';
import { packGroups } from '../../observability/trace-bytes.js';
import { checkTraceQuery, decodeGroup, encodeTraceEvents, flattenGroups } from '../../observability/trace-groups.js';
import { openTraceTable } from './trace-table.js';

/**
 * Trace events of a SQLite store, one row per flush (trace-table.ts), in a
 * second file beside the database (`<path>-traces`). A file of their own,
 * because SQLite has one writer per file: trace batches in the database would
 * take its write lock from the turns. They are written by a thread of their own
 * (trace-writer.ts), since SQLite calls are synchronous. A private `:memory:`
 * database keeps them in itself, written in the main thread.
 */
export class SqliteTraces implements TraceStore {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private table: ReturnType<typeof openTraceTable> | undefined;
  private tableDb: Database.Database | undefined;

  constructor(
    private readonly path: string,
    private readonly handle: () => Database.Database,
    private readonly busyTimeoutMs: number,
  ) {}

  /** The trace file (or the `:memory:` database), on a connection of this thread: reads, and writes of `:memory:`. */
  private local(): ReturnType<typeof openTraceTable> {
    const main = this.handle();
    if (!this.table || !this.tableDb?.open) {
      const db = this.path === ':memory:' ? main : new Database(this.file, { timeout: this.busyTimeoutMs });
      if (db !== main) db.pragma('journal_mode = WAL');
      this.table = openTraceTable(db);
      this.tableDb = db;
    }
    return this.table;
  }

  /** The file trace events are kept in. */
  get file(): string {
    return `${this.path}-traces`;
  }

  private writer(): Worker {
    if (this.worker) return this.worker;
    // Under a TypeScript loader (tests) this module is .ts, compiled it is .js: start the writer alike.
    const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const entry = new URL(`./trace-writer${ext}`, import.meta.url).href;
    // Loader hooks do not reach worker threads: the TypeScript sources (this repository's tests) register tsx there first.
    const source =
      ext === '.ts'
        ? `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`
        : `import(${JSON.stringify(entry)});`;
    const w = new Worker(source, { eval: true, workerData: { path: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    w.unref();
    w.on('message', (m: { id: number; error?: string }) => {
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) p?.reject(new StoreError(`writing trace events to the SQLite store at ${this.path} failed: ${m.error}`));
      else p?.resolve();
    });
    const fail = (err: Error) => {
      for (const p of this.waiting.values()) p.reject(new StoreError(`the SQLite trace writer stopped: ${err.message}`, { cause: err }));
      this.waiting.clear();
      this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.waiting.size) fail(new Error(`exit code ${code}`));
      this.worker = undefined;
    });
    this.worker = w;
    return w;
  }

  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void> {
    return this.appendEncoded(packGroups(encodeTraceEvents(events)), bounds);
  }

  /** The batch's packed bytes are the row: they cross to the writer thread as they are. */
  async appendEncoded(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void> {
    this.handle(); // a clear error while the store is not open
    const now = Date.now();
    const row = { packed: batch.packed, count: batch.count, ttlMs: bounds.ttlMs, maxEvents: bounds.maxEvents, now };
    if (this.path === ':memory:') return this.local().appendPacked(row);
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Referenced while a batch is in flight: a flush before exit must not be cut short.
      this.writer().ref();
      // Copied, not transferred: other sinks may read the same batch.
      this.worker!.postMessage({ ...row, id });
    }).finally(() => {
      if (this.waiting.size === 0) this.worker?.unref();
    });
  }

  async readTraces(q: TraceQuery): Promise<TraceEvent[]> {
    const limit = checkTraceQuery(q);
    const rows = this.local().read(q, Date.now());
    return flattenGroups(rows.map(decodeGroup), q, limit);
  }

  /** Stops the writer thread (the store's close calls it). */
  close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (this.path !== ':memory:' && this.tableDb?.open) this.tableDb.close();
    this.table = undefined;
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }
}
