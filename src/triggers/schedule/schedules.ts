import { ConfigError, InvalidMessageError } from '../../core/errors.js';
import { partitionOf } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { ActorRuntime } from '../../runtime/actor-runtime.js';
import type { ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import { fireDue } from './fire.js';
import { tickerFor, type Ticker } from './ticks.js';
import { createScheduleTrigger, type ScheduleSpec, type ScheduleTrigger, type ScheduleTriggerOptions } from './trigger.js';

/** The actor type name schedules hash under: a schedule belongs to the partition of `(SCHEDULE_TYPE, id)`. */
export const SCHEDULE_TYPE = 'loom.schedule';

/** A stored schedule, as `runtime.schedules` lists it. */
export interface ScheduleInfo {
  id: string;
  paused: boolean;
  spec: ScheduleSpec;
  /** The last tick handed out (ISO), and whether its message is known to be enqueued. */
  lastTick: string;
  lastTickEnqueued: boolean;
  /** The next tick after the last one (ISO), or undefined when the cron never fires again. */
  nextTick: string | undefined;
}

/**
 * The schedules of a runtime's store (`runtime.schedules`): create, update,
 * pause, resume, delete and list at run time, from any process. Every started
 * runtime also fires the schedules of the partitions it owns, so each tick
 * fires once while any worker is up.
 */
export class Schedules {
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkMs = 1000;
  private readonly tickers = new Map<string, Ticker>();
  private readonly failing = new Map<string, string>();

  constructor(
    private readonly runtime: ActorRuntime,
    private readonly log: Logger,
  ) {}

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

  private async port(): Promise<ScheduleStore> {
    await this.runtime.start();
    const p = this.runtime.store.schedules;
    if (!p) throw new ConfigError(`the store ${this.runtime.store.constructor.name} keeps no schedules; use the memory, SQLite, Redis or PostgreSQL store`);
    return p;
  }

  /** Creates a schedule, or updates the one with the same id (its last tick is kept). */
  async put(trigger: ScheduleTrigger | ScheduleTriggerOptions): Promise<ScheduleInfo> {
    const t = (trigger as ScheduleTrigger).kind === 'schedule' ? (trigger as ScheduleTrigger) : createScheduleTrigger(trigger as ScheduleTriggerOptions);
    const port = await this.port();
    const now = await this.runtime.store.now();
    return this.info(await port.put(t.id, JSON.stringify(t.spec), t.paused, { tick: now, enqueued: true }));
  }

  /** Stops firing a schedule; ticks while paused are skipped. */
  async pause(id: string): Promise<ScheduleInfo> {
    const port = await this.port();
    const rec = await this.require(port, id);
    return this.info(await port.put(id, rec.specJson, true, rec.cursor));
  }

  /** Fires a paused schedule again from its next tick after now. */
  async resume(id: string): Promise<ScheduleInfo> {
    const port = await this.port();
    const rec = await this.require(port, id);
    if (rec.paused && rec.cursor.enqueued) {
      // Ticks that fell while paused are skipped, not caught up.
      await port.advance(id, rec.cursor, { tick: Math.max(rec.cursor.tick, await this.runtime.store.now()), enqueued: true });
    }
    return this.info(await port.put(id, rec.specJson, false, rec.cursor));
  }

  /** Deletes a schedule; false when there was none. Ticks already enqueued still run. */
  async delete(id: string): Promise<boolean> {
    return (await this.port()).delete(id);
  }

  async get(id: string): Promise<ScheduleInfo | undefined> {
    const rec = await (await this.port()).get(id);
    return rec && this.info(rec);
  }

  async list(): Promise<ScheduleInfo[]> {
    return (await (await this.port()).list()).map((r) => this.info(r));
  }

  /** Starts firing the schedules of owned partitions (the runtime calls this on start). */
  start(): void {
    this.stop();
    this.timer = setInterval(() => void this.check(), this.checkMs);
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
    const message = (err as Error).message;
    if (this.failing.get(id) === message) return;
    this.failing.set(id, message);
    this.log.warn(`schedules: ${id ? `schedule ${id}` : 'the schedule check'} failed; retrying every ${this.checkMs} ms: ${message}`);
  }

  private async require(port: ScheduleStore, id: string): Promise<ScheduleRecord> {
    const rec = await port.get(id);
    if (!rec) throw new InvalidMessageError(`there is no schedule "${id}"; runtime.schedules.list() shows the ids`);
    return rec;
  }

  private info(rec: ScheduleRecord): ScheduleInfo {
    const spec = JSON.parse(rec.specJson) as ScheduleSpec;
    const next = tickerFor(spec.timing).between(rec.cursor.tick, Number.MAX_SAFE_INTEGER, 1)[0];
    return {
      id: rec.id,
      paused: rec.paused,
      spec,
      lastTick: new Date(rec.cursor.tick).toISOString(),
      lastTickEnqueued: rec.cursor.enqueued,
      nextTick: next === undefined ? undefined : new Date(next).toISOString(),
    };
  }
}
