/**
 * Measures how late a repeating timer fires: the event loop's delay. Keeps the
 * largest delay of the current and the previous window, so a loop blocked for
 * seconds is still reported by the first health check it lets through.
 */
export class LoopLag {
  private timer: NodeJS.Timeout | undefined;
  private current = 0;
  private previous = 0;
  private windowStart = 0;

  constructor(
    private readonly intervalMs = 100,
    private readonly windowMs = 10_000,
  ) {}

  start(): void {
    if (this.timer) return;
    let expected = Date.now() + this.intervalMs;
    this.windowStart = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      const late = Math.max(0, now - expected);
      expected = now + this.intervalMs;
      if (now - this.windowStart >= this.windowMs) {
        this.previous = this.current;
        this.current = 0;
        this.windowStart = now;
      }
      if (late > this.current) this.current = late;
    }, this.intervalMs);
    this.timer.unref();
  }

  /** The largest delay seen in the last one to two windows, ms. */
  get maxMs(): number {
    return Math.max(this.current, this.previous);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
