import { z } from 'zod';
import { ConfigError } from './errors.js';
import { capText, echo } from './echo.js';
import { messageOf } from './failure.js';
import { MAX_TIMER_MS } from './message-options.js';

/**
 * The settings users give in code — `new ActorRuntime(options)`, an actor type's
 * `static config`, `register(cls, config)` — checked once, where they are given,
 * against one schema each. An unknown key or a bad value is a `ConfigError` that
 * names the option, what it takes and the value it got (cut short). These run at
 * construction and registration, never per message: the per-message checks are
 * plain `typeof` tests (see `message-options.ts`).
 */

/** Most partitions: every worker walks them all when it balances leases. */
export const MAX_PARTITIONS = 65_536;
/** Most invocations of one actor id at once. */
export const MAX_ACTOR_CONCURRENCY = 1000;

/** A value that is absent or passes `ok`; `expect` completes "… must be". */
const rule = (expect: string, ok: (v: unknown) => boolean) => z.custom<unknown>((v) => v === undefined || ok(v), { error: expect }).optional();

const isInt = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isMs = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFunction = (v: unknown) => typeof v === 'function';

const positiveInt = (max?: number) => rule(max ? `an integer from 1 to ${max}` : 'a positive integer', isInt(1, max));
const interval = positiveInt(MAX_TIMER_MS);

/** Fields of a retry policy (`RetryPolicy`). */
export const retryPolicySchema = z.strictObject({
  maxAttempts: positiveInt(),
  backoff: rule("'fixed' or 'exponential'", (v) => v === 'fixed' || v === 'exponential'),
  initialDelayMs: rule('a number of ms >= 0', isMs),
  maxDelayMs: rule('a number of ms >= 0', isMs),
  multiplier: rule('a finite number >= 0', isMs),
});

/** An actor type's settings (`ActorInfrastructureConfig`), as `static config`, `register` or `defaults` give them. */
export const actorConfigSchema = z.strictObject({
  timeout: rule(`a number of ms from 0 to ${MAX_TIMER_MS} (0: no timeout)`, (v) => isMs(v) && (v as number) <= MAX_TIMER_MS),
  idempotencyTtl: rule('a number of seconds >= 0', isMs),
  retryPolicy: retryPolicySchema.optional(),
  messageOrdering: rule("'fifo' or 'standard'", (v) => v === 'fifo' || v === 'standard'),
  concurrency: rule(`an integer from 1 to ${MAX_ACTOR_CONCURRENCY}`, isInt(1, MAX_ACTOR_CONCURRENCY)),
  secrets: rule('an object of secret references by name', (v) => isObject(v) && Object.values(v as object).every((r) => typeof r === 'string')),
});

const isLogger = (v: unknown) => isObject(v) && ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function');

/** The options of `new ActorRuntime(options)`. */
export const runtimeOptionsSchema = z.strictObject({
  store: rule('a store (SqliteStore, PostgresStore, RedisStore, …)', isObject),
  stateAdapter: rule('a store (the seed name of store)', isObject),
  transport: rule('a transport', isObject),
  messageAdapter: rule('a transport (the seed name of transport)', isObject),
  idempotencyStore: rule('an object with idempotencyTtlSeconds, a number of seconds >= 0', (v) => isObject(v) && isMs((v as Record<string, unknown>).idempotencyTtlSeconds)),
  dbPath: rule('a non-empty string (a file path)', (v) => typeof v === 'string' && v.length > 0),
  defaults: actorConfigSchema.optional(),
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
export const clientOptionsSchema = z.strictObject({
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
export function checkOptions(schema: z.ZodType, value: unknown, names: OptionsName): void {
  if (value === undefined) return;
  let issues: z.core.$ZodIssue[];
  try {
    const res = schema.safeParse(value);
    if (res.success) return;
    issues = res.error.issues;
  } catch (cause) {
    throw new ConfigError(`${names.whole} could not be read: ${capText(messageOf(cause), 300)}. Pass plain values, not getters or proxies`, { cause });
  }
  const issue = issues[0]!;
  const path = issue.path.map((p) => capText(String(p), 60)).join('.');
  const name = path ? `${names.prefix}${path}` : names.whole;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema, issue.path);
    const keys = issue.keys.map((k) => `"${capText(k, 60)}"`).join(', ');
    throw new ConfigError(`${name} ${issue.keys.length > 1 ? 'have unknown keys' : 'has an unknown key'} ${keys}${known ? `; the known ones are ${known}` : ''}`);
  }
  const expect = issue.code === 'custom' ? issue.message : 'an object';
  throw new ConfigError(`${name} must be ${expect}, got ${echo(valueAt(value, issue.path))}`);
}

/** The value at `path` in `root`, read without letting a getter throw. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  try {
    for (const k of path) v = (v as Record<PropertyKey, unknown>)[k];
    return v;
  } catch {
    return '(unreadable)';
  }
}

/** The keys an object schema (at `path` inside `schema`) knows, for the message about an unknown one. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  let s: unknown = schema;
  for (const k of path) {
    s = unwrap(s);
    s = (s as { shape?: Record<string, unknown> }).shape?.[String(k)];
  }
  const shape = (unwrap(s) as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape).join(', ') : undefined;
}

function unwrap(s: unknown): unknown {
  while (s instanceof z.ZodOptional) s = s.unwrap();
  return s;
}
