import type { Logger } from '../core/logger.js';
import { timerDelay } from '../core/timers.js';
import type { InvocationRecord } from '../ports/store.js';
import type { TraceSink } from '../ports/trace.js';
import { PackedBatch } from './trace-bytes.js';
import { TraceColumns } from './trace-columns.js';

/** Limits of the buffer between the engine and a sink. */
export interface TraceBufferOptions {
  /** Events waiting for one sink at most; past it new ones are dropped (counted). Default 50000. */
  maxQueued?: number;
  /** How often buffered events go to the sinks, ms. Default 100. */
  flushIntervalMs?: number;
}

/** One sink: a write in flight at most, the batches made meanwhile wait. */
class SinkQueue {
  waiting: TraceColumns[] = [];
  waitingEvents = 0;
  writing: Promise<void> | undefined;
  failedOnce = false;

  constructor(
    readonly name: string,
    readonly sink: TraceSink,
  ) {}
}

/**
 * Takes trace events from the engine without ever making it wait: events are
 * recorded into columns (trace-columns.ts) and handed to the sinks in batches
 * on a timer, one write in flight per sink. A sink that fails or falls behind
 * loses events, counted by `onDrop` and logged once per sink; invocations never
 * notice.
 */
export class TraceBuffer {
  private readonly queues: SinkQueue[];
  private readonly maxQueued: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private cols: TraceColumns;
  /** A written batch whose arrays the next one reuses. */
  private spare: TraceColumns | undefined;
  private worker: string | undefined;

  constructor(
    sinks: readonly TraceSink[],
    private readonly log: Logger,
    private readonly onDrop: (sink: string, count: number) => void,
    options: TraceBufferOptions = {},
  ) {
    this.queues = sinks.map((s, i) => new SinkQueue(sinkName(s, i), s));
    this.maxQueued = options.maxQueued ?? 50_000;
    this.intervalMs = options.flushIntervalMs ?? 100;
    this.cols = new TraceColumns(undefined);
  }

  /** The worker id events carry from now on. */
  setWorker(worker: string | undefined): void {
    this.worker = worker;
    if (this.cols.length === 0) this.cols.reset(worker);
  }

  /** Records one event (see TraceColumns for what the fields hold). */
  add(kind: number, at: number, trace: string, span: string | undefined, rec: InvocationRecord | undefined, a: number, b: number, c: number, d: number, s: string | undefined, t: string | undefined): void {
    const cols = this.cols;
    if (cols.length >= this.maxQueued) {
      for (const q of this.queues) this.onDrop(q.name, 1);
      return;
    }
    cols.add(kind, at, trace, span, rec, a, b, c, d, s, t);
    if (!this.timer) this.schedule();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cut();
      this.flushQueues();
    }, timerDelay(this.intervalMs));
    this.timer.unref();
  }

  /** Ends the current batch: it waits in each sink's queue, or is dropped for a sink whose queue is full. */
  private cut(): void {
    const batch = this.cols;
    if (batch.length === 0) return;
    const next = this.spare ?? new TraceColumns(this.worker);
    this.spare = undefined;
    next.reset(this.worker);
    this.cols = next;
    batch.users = 0;
    for (const q of this.queues) {
      if (q.waitingEvents + batch.length > this.maxQueued) {
        this.onDrop(q.name, batch.length);
        continue;
      }
      q.waiting.push(batch);
      q.waitingEvents += batch.length;
      batch.users++;
    }
    if (batch.users === 0) this.spare = batch;
  }

  /** A sink is done with these batches (written or dropped). */
  private release(batches: readonly TraceColumns[]): void {
    for (const b of batches) {
      if (--b.users > 0) continue;
      b.dropMade();
      this.spare = b;
    }
  }

  private flushQueues(): void {
    for (const q of this.queues) if (!q.writing && q.waiting.length > 0) this.write(q);
  }

  private write(q: SinkQueue): void {
    const batches = q.waiting;
    const count = q.waitingEvents;
    q.waiting = [];
    q.waitingEvents = 0;
    const done = (err?: unknown) => {
      q.writing = undefined;
      this.release(batches);
      if (err !== undefined) {
        this.onDrop(q.name, count);
        if (!q.failedOnce) {
          q.failedOnce = true;
          this.log.warn(
            `trace sink ${q.name} failed: ${(err as Error)?.message ?? String(err)}. Its events are dropped and counted ` +
              `(loom_trace_events_dropped_total); invocations are not affected. Further failures of this sink are not logged.`,
          );
        }
      }
      if (q.waiting.length > 0 && !this.timer) this.schedule();
    };
    let res: void | Promise<void>;
    try {
      const sink = q.sink;
      if (sink.writeEncoded) {
        res = sink.writeEncoded(PackedBatch.join(batches.map((b) => b.encoded())));
      } else {
        res = sink.write(batches.length === 1 ? batches[0]!.events() : batches.flatMap((b) => b.events()));
      }
    } catch (err) {
      return done(err ?? new Error('sink threw'));
    }
    if (res instanceof Promise) {
      q.writing = res.then(
        () => done(),
        (err: unknown) => done(err ?? new Error('sink rejected')),
      );
    } else {
      done();
    }
  }

  /** Writes what is queued and waits for every sink's writes in flight, at most `timeoutMs` (a stuck sink is given up on). */
  async flush(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((r) => {
      // Kept referenced: a stop waiting on a stuck sink must not let the process end mid-flush.
      timer = setTimeout(r, timerDelay(timeoutMs));
    });
    try {
      await Promise.race([this.drain(), giveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.cut();
      const pending = this.queues.filter((q) => q.writing || q.waiting.length > 0);
      if (pending.length === 0) return;
      for (const q of pending) if (!q.writing && q.waiting.length > 0) this.write(q);
      await Promise.all(pending.map((q) => q.writing));
    }
  }

  /** Flushes, then closes the sinks. */
  async close(): Promise<void> {
    await this.flush();
    for (const q of this.queues) await q.sink.close?.().catch((err: Error) => this.log.warn(`closing trace sink ${q.name}: ${err.message}`));
  }
}

function sinkName(sink: TraceSink, i: number): string {
  const n = (sink as { name?: unknown }).name;
  return typeof n === 'string' && n ? n : `${sink.constructor?.name ?? 'sink'}#${i}`;
}
