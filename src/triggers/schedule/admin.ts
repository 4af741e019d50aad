import { InvalidMessageError } from '../../core/errors.js';
import type { ScheduleRecord, ScheduleStore } from '../../ports/schedules.js';
import { tickerFor } from './ticks.js';
import { createScheduleTrigger, type ScheduleSpec, type ScheduleTrigger, type ScheduleTriggerOptions } from './trigger.js';

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
 * Create, update, pause, resume, delete and list schedules on a store, from
 * any process; used by `runtime.schedules` and `loom schedules`. Holds no
 * lease and fires nothing.
 */
export class ScheduleAdmin {
  constructor(
    protected readonly port: () => Promise<ScheduleStore>,
    private readonly now: () => Promise<number>,
  ) {}

  /** Creates a schedule, or updates the one with the same id (its last tick is kept). */
  async put(trigger: ScheduleTrigger | ScheduleTriggerOptions): Promise<ScheduleInfo> {
    const t = (trigger as ScheduleTrigger).kind === 'schedule' ? (trigger as ScheduleTrigger) : createScheduleTrigger(trigger as ScheduleTriggerOptions);
    const port = await this.port();
    const now = await this.now();
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
      await port.advance(id, rec.cursor, { tick: Math.max(rec.cursor.tick, await this.now()), enqueued: true });
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

  private async require(port: ScheduleStore, id: string): Promise<ScheduleRecord> {
    const rec = await port.get(id);
    if (!rec) throw new InvalidMessageError(`there is no schedule "${id}"; runtime.schedules.list() shows the ids`);
    return rec;
  }

  private info(rec: ScheduleRecord): ScheduleInfo {
    return scheduleInfo(rec);
  }
}

/** A stored record as users see it. */
export function scheduleInfo(rec: ScheduleRecord): ScheduleInfo {
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
