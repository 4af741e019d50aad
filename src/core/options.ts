import { ConfigError } from './errors.js';
import { capText, echo } from './echo.js';
import { messageOf } from './failure.js';
import { MAX_TIMER_MS, MAX_WAIT_MS } from './timers.js';

/**
 * The settings users give in code — `new ActorRuntime(options)`, an actor type's
 * `static config`, `register(cls, config)` — checked once, where they are given,
 * against one schema each. An unknown key or a bad value is a `ConfigError` that
 * names the option, what it takes and the value it got (cut short). These run at
 * construction and registration, never per message: the per-message checks are
 * plain `typeof` tests (see `message-options.ts`).
 *
 * A schema here is a shape of rules, not zod: zod would be the only thing making
 * the root import load it, and loading it costs every process about 6 MB of
 * memory (measured: 51.9 → 57.6 MB RSS on import). The config file keeps zod.
 */

/** Most partitions: every worker walks them all when it balances leases. */
export const MAX_PARTITIONS = 65_536;
/** Most invocations of one actor id at once. */
export const MAX_ACTOR_CONCURRENCY = 1000;

/** One option: `ok` tells a good value; `expect` completes "… must be". Absent (undefined) is always fine. */
export interface Rule {
  expect: string;
  ok: (v: unknown) => boolean;
}

/** An object of options: only these keys, each a rule or a nested shape. */
export interface Shape {
  fields: Readonly<Record<string, Rule | Shape>>;
}

const rule = (expect: string, ok: (v: unknown) => boolean): Rule => ({ expect, ok });
const shape = (fields: Record<string, Rule | Shape>): Shape => ({ fields });

const isInt = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isMs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFunction = (v: unknown) => typeof v === 'function';

const positiveInt = (max?: number) => rule(max ? `an integer from 1 to ${max}` : 'a positive integer', isInt(1, max));
const interval = positiveInt(MAX_TIMER_MS);

/** Fields of a retry policy (`RetryPolicy`). */
export const retryPolicySchema = shape({
  maxAttempts: positiveInt(),
  backoff: rule("'fixed' or 'exponential'", (v) => v === 'fixed' || v === 'exponential'),
  initialDelayMs: rule('a number of ms >= 0', isMs),
  maxDelayMs: rule('a number of ms >= 0', isMs),
  multiplier: rule('a finite number >= 0', isMs),
});

/** An actor type's settings (`ActorInfrastructureConfig`), as `static config`, `register` or `defaults` give them. */
export const actorConfigSchema = shape({
  timeout: rule(`a number of ms from 0 to ${MAX_WAIT_MS} (a year; 0: no timeout)`, (v) => isMs(v) && (v as number) <= MAX_WAIT_MS),
  idempotencyTtl: rule('a number of seconds >= 0', isMs),
  retryPolicy: retryPolicySchema,
  messageOrdering: rule("'fifo' or 'standard'", (v) => v === 'fifo' || v === 'standard'),
  concurrency: rule(`an integer from 1 to ${MAX_ACTOR_CONCURRENCY}`, isInt(1, MAX_ACTOR_CONCURRENCY)),
  secrets: rule('an object of secret references by name', (v) => isObject(v) && Object.values(v as object).every((r) => typeof r === 'string')),
});

const isLogger = (v: unknown) => isObject(v) && ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function');

/** The options of `new ActorRuntime(options)`. */
export const runtimeOptionsSchema = shape({
  store: rule('a store (SqliteStore, PostgresStore, RedisStore, …)', isObject),
  stateAdapter: rule('a store (the seed name of store)', isObject),
  transport: rule('a transport', isObject),
  messageAdapter: rule('a transport (the seed name of transport)', isObject),
  idempotencyStore: rule('an object with idempotencyTtlSeconds, a number of seconds >= 0', (v) => isObject(v) && isMs((v as Record<string, unknown>).idempotencyTtlSeconds)),
  dbPath: rule('a non-empty string (a file path)', (v) => typeof v === 'string' && v.length > 0),
  defaults: actorConfigSchema,
  actorSettings: rule('a function from an actor type name to its settings', isFunction),
  partitions: positiveInt(MAX_PARTITIONS),
  workerId: rule('a non-empty string of at most 256 characters', (v) => typeof v === 'string' && v.length > 0 && v.length <= 256),
  leaseTtlMs: interval,
  pollIntervalMs: interval,
  maxActivations: positiveInt(),
  idleTimeoutMs: interval,
  maxPayloadBytes: positiveInt(),
  maxConcurrency: positiveInt(),
  sweepIntervalMs: interval,
  deadLetterTtlMs: positiveInt(),
  eagerStart: rule('true or false', (v) => typeof v === 'boolean'),
  parkSleepsUpToMs: rule(`a number of ms from 0 to ${MAX_TIMER_MS} (0: every sleep leaves memory)`, (v) => isMs(v) && (v as number) <= MAX_TIMER_MS),
  logger: rule('a logger: an object with debug, info, warn and error methods', isLogger),
  secrets: rule('a secret source', isObject),
  onAttempt: rule('a function', isFunction),
  observer: rule('an object of lifecycle hooks', isObject),
});

/** How errors name the options checked: the whole (`ActorRuntime options`) and the prefix of one (`ActorRuntime option `). */
export interface OptionsName {
  whole: string;
  prefix: string;
}

/** The options of `new LoomClient(options)` (a client that is not a worker). */
export const clientOptionsSchema = shape({
  store: rule('the store the workers use', isObject),
  partitions: positiveInt(MAX_PARTITIONS),
  actorTypes: rule('an array of actor type names', (v) => Array.isArray(v) && v.every((t) => typeof t === 'string')),
  idempotencyTtlSeconds: rule('a number of seconds >= 0', isMs),
  maxPayloadBytes: positiveInt(),
  logger: rule('a logger: an object with debug, info, warn and error methods', isLogger),
});

/**
 * Checks `value` against `schema`; throws a `ConfigError` naming the first bad
 * option (`ActorRuntime option maxConcurrency`), what it takes and the value it
 * got. A getter or proxy that throws while it is read is reported the same way,
 * never let through raw. Undefined (nothing given) passes.
 */
export function checkOptions(schema: Shape, value: unknown, names: OptionsName): void {
  if (value === undefined) return;
  try {
    checkShape(schema, value, [], names);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${names.whole} could not be read: ${capText(messageOf(err), 300)}. Pass plain values, not getters or proxies`, { cause: err });
  }
}

function checkShape(schema: Shape, value: unknown, path: string[], names: OptionsName): void {
  const name = path.length ? `${names.prefix}${path.join('.')}` : names.whole;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${name} must be an object, got ${echo(value)}`);
  const unknown = Object.keys(value).filter((k) => !Object.prototype.hasOwnProperty.call(schema.fields, k));
  if (unknown.length) {
    const keys = unknown.map((k) => `"${capText(k, 60)}"`).join(', ');
    throw new ConfigError(`${name} ${unknown.length > 1 ? 'have unknown keys' : 'has an unknown key'} ${keys}; the known ones are ${Object.keys(schema.fields).join(', ')}`);
  }
  for (const [key, check] of Object.entries(schema.fields)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const at = [...path, key];
    if ('fields' in check) checkShape(check, v, at, names);
    else if (!check.ok(v)) throw new ConfigError(`${names.prefix}${at.join('.')} must be ${check.expect}, got ${echo(v)}`);
  }
}
