import { ConfigError } from '../../core/errors.js';
import { parseDuration, type Duration } from '../../core/envelope.js';
import { tickerFor, type Timing } from './ticks.js';

/** What happens to ticks missed while no worker ran the schedule (later than `lateAfter`). */
export type CatchUp = 'none' | 'latest' | 'all';

/** Options of {@link createScheduleTrigger}. Give `cron` or `every`. */
export interface ScheduleTriggerOptions {
  /** Stable name; the tick's idempotency key is `schedule:<id>:<tick ISO time>`. Default `[<actorType>/]<actorId>.<method|default>`. */
  id?: string;
  /** Cron expression: 5 fields, or 6 with seconds first (croner syntax). */
  cron?: string;
  /** Or a fixed interval (`'30s'`, `5000`), ticking at multiples of it since the epoch. */
  every?: Duration;
  /** IANA timezone of the cron expression. Default UTC. */
  timezone?: string;
  /** Default: the registered type whose kebab name prefixes `actorId`. */
  actorType?: string;
  actorId: string;
  /** Default: the type's default handler. */
  method?: string;
  /** The handler's arguments. Default: one argument, `{ scheduleId, tick }` (tick as an ISO string). */
  args?: unknown[];
  /**
   * Ticks missed while no worker ran the schedule (more than `lateAfter` late when a
   * worker gets to them): skip them (`'none'`), run the most recent one (`'latest'`,
   * default) or run them all in order (`'all'`, the latest `maxCatchUp`). On-time ticks always run.
   */
  catchUp?: CatchUp;
  /** With catchUp 'all', the most missed ticks run after an outage (the latest ones). Default 100. */
  maxCatchUp?: number;
  /** A tick is on time, and always fires, until this long after its time. Default '1m'. */
  lateAfter?: Duration;
  /** Create it paused. */
  paused?: boolean;
}

/** A validated schedule definition, as stored (JSON). */
export interface ScheduleSpec {
  timing: Timing;
  actorType?: string;
  actorId: string;
  method?: string;
  args?: unknown[];
  catchUp: CatchUp;
  maxCatchUp: number;
  lateAfterMs: number;
}

/** A schedule to put on a runtime: `await runtime.schedules.put(trigger)`. */
export interface ScheduleTrigger {
  readonly kind: 'schedule';
  readonly id: string;
  readonly spec: ScheduleSpec;
  readonly paused: boolean;
}

/**
 * Defines a schedule: each tick becomes one message to an actor, fired once
 * across all workers (its idempotency key is the schedule id and tick time).
 *
 * @example
 * const trigger = createScheduleTrigger({ cron: '0 2 * * *', actorId: 'report-generator' }); // 02:00 UTC daily
 * await runtime.schedules.put(trigger);
 */
export function createScheduleTrigger(options: ScheduleTriggerOptions): ScheduleTrigger {
  if (typeof options !== 'object' || options === null) throw new ConfigError('createScheduleTrigger needs an options object: { cron, actorId, ... }');
  const o = options;
  const where = `createScheduleTrigger${o.id ? ` ${o.id}` : ''}`;
  if (typeof o.actorId !== 'string' || o.actorId === '') throw new ConfigError(`${where}: actorId must be a non-empty string`);
  if ((o.cron === undefined) === (o.every === undefined)) throw new ConfigError(`${where}: give exactly one of cron ('0 */6 * * *') or every ('30s')`);
  let timing: Timing;
  if (o.cron !== undefined) {
    if (typeof o.cron !== 'string') throw new ConfigError(`${where}: cron must be a string`);
    timing = { cron: o.cron, ...(o.timezone ? { timezone: o.timezone } : {}) };
  } else {
    if (o.timezone) throw new ConfigError(`${where}: timezone applies to cron only`);
    const everyMs = parseDuration(o.every!, 'every');
    if (everyMs < 1000) throw new ConfigError(`${where}: every must be at least 1s, got ${everyMs} ms`);
    timing = { everyMs };
  }
  try {
    tickerFor(timing);
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`);
  }
  const catchUp = o.catchUp ?? 'latest';
  if (!['none', 'latest', 'all'].includes(catchUp)) throw new ConfigError(`${where}: catchUp must be 'none', 'latest' or 'all', got ${JSON.stringify(catchUp)}`);
  const maxCatchUp = o.maxCatchUp ?? 100;
  if (!Number.isInteger(maxCatchUp) || maxCatchUp < 1 || maxCatchUp > 10_000) throw new ConfigError(`${where}: maxCatchUp must be an integer from 1 to 10000, got ${String(maxCatchUp)}`);
  if (o.args !== undefined && !Array.isArray(o.args)) throw new ConfigError(`${where}: args must be an array`);
  if (o.args !== undefined && o.args.length !== 1 && (!o.actorType || !o.method)) throw new ConfigError(`${where}: args of ${o.args.length} values need both actorType and method set`);
  const spec: ScheduleSpec = {
    timing,
    actorId: o.actorId,
    catchUp,
    maxCatchUp,
    lateAfterMs: o.lateAfter === undefined ? 60_000 : parseDuration(o.lateAfter, 'lateAfter'),
    ...(o.actorType ? { actorType: o.actorType } : {}),
    ...(o.method ? { method: o.method } : {}),
    ...(o.args ? { args: JSON.parse(JSON.stringify(o.args)) as unknown[] } : {}),
  };
  const id = o.id ?? `${o.actorType ? `${o.actorType}/` : ''}${o.actorId}.${o.method ?? 'default'}`;
  if (typeof id !== 'string' || id === '' || id.length > 200) throw new ConfigError(`${where}: id must be a non-empty string of at most 200 characters`);
  return { kind: 'schedule', id, spec, paused: o.paused === true };
}
