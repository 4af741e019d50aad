/**
 * Timers for delays that come from users: a sleep, a delayed send, a timeout,
 * a retry backoff or a poll interval may be a month long. Node's timers take at
 * most 2^31 − 1 ms (about 24.8 days); a longer delay is cut to 1 ms with a
 * TimeoutOverflowWarning, so a caller that re-arms until its time comes would
 * spin about a thousand times a second and flood stderr until then. Every timer
 * whose delay a user can set goes through here.
 */

/** The longest delay `setTimeout` and `setInterval` take as given. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A delay `setTimeout` takes as given: NaN and negatives become 0, and anything
 * past {@link MAX_TIMER_MS} becomes that. For callers that check, when the timer
 * fires, whether their time has come (and arm again if not), and for intervals.
 */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
}

/** A timer from {@link setLongTimeout}. */
export interface LongTimer {
  /** Stops it; its callback will not run. Idempotent. */
  clear(): void;
  /** Lets the process exit while only this timer is left (like `Timeout.unref`). */
  unref(): this;
}

/**
 * Calls `fn` once after `ms`, for any `ms`: a delay past {@link MAX_TIMER_MS}
 * waits in chunks of at most that, so that a month-long wait costs two timers
 * and no CPU in between.
 */
export function setLongTimeout(fn: () => void, ms: number): LongTimer {
  return new ChunkedTimeout(fn, ms);
}

class ChunkedTimeout implements LongTimer {
  private handle: NodeJS.Timeout | undefined;
  private left: number;
  private referenced = true;

  constructor(
    private fn: () => void,
    ms: number,
  ) {
    // NaN and negatives fire at once; Infinity waits chunk after chunk, for ever.
    this.left = ms > 0 ? ms : 0;
    this.arm();
  }

  private arm(): void {
    const chunk = Math.min(this.left, MAX_TIMER_MS);
    this.left -= chunk;
    this.handle = setTimeout(() => this.fire(), chunk);
    if (!this.referenced) this.handle.unref();
  }

  private fire(): void {
    if (this.left > 0) return this.arm();
    this.handle = undefined;
    const fn = this.fn;
    this.fn = ignore;
    fn();
  }

  clear(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.fn = ignore;
  }

  unref(): this {
    this.referenced = false;
    this.handle?.unref();
    return this;
  }
}

const ignore = (): void => {};

/**
 * The longest timeout (handler, step or message) and duration (sleep, delay): a
 * year. Long timers wait in chunks (src/core/timers.ts), so a month-long wait is
 * fine; the bound keeps absurd values (`1e20d`) out of stores' integer columns.
 */
export const MAX_WAIT_MS = 365 * 24 * 3_600_000;
