import type { Logger } from '../core/logger.js';
import { timerDelay } from '../core/timers.js';
import type { TraceEvent, TraceSink } from '../ports/trace.js';

/** Limits of the buffer between the engine and a sink. */
export interface TraceBufferOptions {
  /** Events waiting for one sink at most; past it new ones are dropped (counted). Default 50000. */
  maxQueued?: number;
  /** How often buffered events go to the sinks, ms. Default 200. */
  flushIntervalMs?: number;
}

/** One sink's queue: a write in flight at most, the rest waits. */
class SinkQueue {
  queue: TraceEvent[] = [];
  writing: Promise<void> | undefined;
  failedOnce = false;

  constructor(
    readonly name: string,
    readonly sink: TraceSink,
  ) {}
}

/**
 * Takes trace events from the engine without ever making it wait: events are
 * queued per sink and written in batches on a timer, one batch in flight per
 * sink. A sink that fails or falls behind loses events, counted by `onDrop`
 * and logged once per sink; invocations never notice.
 */
export class TraceBuffer {
  private readonly queues: SinkQueue[];
  private readonly maxQueued: number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    sinks: readonly TraceSink[],
    private readonly log: Logger,
    private readonly onDrop: (sink: string, count: number) => void,
    options: TraceBufferOptions = {},
  ) {
    this.queues = sinks.map((s, i) => new SinkQueue(sinkName(s, i), s));
    this.maxQueued = options.maxQueued ?? 50_000;
    this.intervalMs = options.flushIntervalMs ?? 200;
  }

  push(event: TraceEvent): void {
    for (const q of this.queues) {
      if (q.queue.length >= this.maxQueued) this.onDrop(q.name, 1);
      else q.queue.push(event);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushQueues();
      }, timerDelay(this.intervalMs));
      this.timer.unref();
    }
  }

  private flushQueues(): void {
    for (const q of this.queues) if (!q.writing && q.queue.length > 0) this.write(q);
  }

  private write(q: SinkQueue): void {
    const batch = q.queue;
    q.queue = [];
    const done = (err?: unknown) => {
      q.writing = undefined;
      if (err !== undefined) {
        this.onDrop(q.name, batch.length);
        if (!q.failedOnce) {
          q.failedOnce = true;
          this.log.warn(
            `trace sink ${q.name} failed: ${(err as Error)?.message ?? String(err)}. Its events are dropped and counted ` +
              `(loom_trace_events_dropped_total); invocations are not affected. Further failures of this sink are not logged.`,
          );
        }
      }
      if (q.queue.length > 0 && !this.timer) this.push0();
    };
    let res: void | Promise<void>;
    try {
      res = q.sink.write(batch);
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

  /** Schedules the next flush without adding an event. */
  private push0(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushQueues();
    }, timerDelay(this.intervalMs));
    this.timer.unref();
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
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      const pending = this.queues.filter((q) => q.writing || q.queue.length > 0);
      if (pending.length === 0) return;
      for (const q of pending) if (!q.writing && q.queue.length > 0) this.write(q);
      await Promise.all(pending.map((q) => q.writing));
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
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
