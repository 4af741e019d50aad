import { ConfigError } from '../../core/errors.js';
import { ScheduleAdmin } from './admin.js';
import { partitionOf } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { ActorRuntime } from '../../runtime/actor-runtime.js';
import { fireDue } from './fire.js';
import type { Ticker } from './ticks.js';
import { timerDelay } from '../../core/timers.js';

/** The actor type name schedules hash under: a schedule belongs to the partition of `(SCHEDULE_TYPE, id)`. */
export const SCHEDULE_TYPE = 'loom.schedule';

/**
 * The schedules of a runtime's store (`runtime.schedules`): create, update,
 * pause, resume, delete and list at run time, from any process. Every started
 * runtime also fires the schedules of the partitions it owns, so each tick
 * fires once while any worker is up.
 */
export class Schedules extends ScheduleAdmin {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkMs = 1000;
  private readonly tickers = new Map<string, Ticker>();
  private readonly failing = new Map<string, string>();

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly log: Logger,
  ) {
    super(async () => {
      await runtime.start();
      const p = runtime.store.schedules;
      if (!p) throw new ConfigError(`the store ${runtime.store.constructor.name} keeps no schedules; use the memory, SQLite, Redis or PostgreSQL store`);
      return p;
    }, () => runtime.store.now());
  }

  /** How often the owner of a schedule looks for due ticks, ms. Default 1000. */
  configure(options: { checkIntervalMs?: number }): this {
    const ms = options.checkIntervalMs;
    if (ms !== undefined) {
      if (!Number.isInteger(ms) || ms < 10) throw new ConfigError(`schedules checkIntervalMs must be an integer of at least 10 ms, got ${String(ms)}`);
      this.checkMs = ms;
      if (this.timer) this.start();
    }
    return this;
  }

  /** Starts firing the schedules of owned partitions (the runtime calls this on start). */
  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.check(), timerDelay(this.checkMs));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass: fires the due ticks of every schedule whose partition this worker owns. Returns how many fired. */
  async check(): Promise<number> {
    const owned = new Set(this.runtime.partitions);
    if (owned.size === 0 || this.checking) return 0;
    const port = this.runtime.store.schedules;
    if (!port) return 0;
    this.checking = true;
    let fired = 0;
    try {
      const partitions = this.runtime.options.partitions ?? 64;
      const mine = (await port.list()).filter((r) => !r.paused && owned.has(partitionOf(SCHEDULE_TYPE, r.id, partitions)));
      if (mine.length === 0) return 0;
      const now = await this.runtime.store.now();
      for (const rec of mine) {
        try {
          fired += await fireDue(this.runtime, port, rec, now, this.tickers);
          this.failing.delete(rec.id);
        } catch (err) {
          this.report(rec.id, err);
        }
      }
      if (this.tickers.size > 1000) this.tickers.clear();
    } catch (err) {
      this.report('', err);
    } finally {
      this.checking = false;
    }
    return fired;
  }

  private report(id: string, err: unknown): void {
    if (!this.timer) return; // stopped: the store is closing under the last check
    const message = (err as Error).message;
    if (this.failing.get(id) === message) return;
    this.failing.set(id, message);
    this.log.warn(`schedules: ${id ? `schedule ${id}` : 'the schedule check'} failed; retrying every ${this.checkMs} ms: ${message}`);
  }
}
