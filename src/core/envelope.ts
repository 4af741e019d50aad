import { InvalidMessageError, PayloadTooLargeError, SerializationError } from './errors.js';
import { capText, echo } from './echo.js';
import { storableName } from './text.js';
import { MAX_WAIT_MS } from './timers.js';
import { messageOf } from './failure.js';
import { MAX_JSON_DEPTH, findJsonProblem, looksPlain, type JsonProblem } from './plain-json.js';

/** The message envelope: every call and send is one of these, as JSON. */
export interface Envelope {
  actorType: string;
  actorId: string;
  method: string;
  args: unknown[];
  /** Same key, same actor: applied once, and the stored result returned to duplicates. */
  idempotencyKey?: string;
  /** Trace context carried through (W3C traceparent or a Loom trace object). */
  trace?: unknown;
  headers?: Record<string, string>;
}

/** Default limit on a message's JSON size: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Names a value in an error message; a function is called only when there is an error to report. */
export type Describe = string | (() => string);

const described = (what: Describe): string => (typeof what === 'string' ? what : what());

/**
 * Serializes `value` to JSON, rejecting what would not round-trip: functions,
 * symbols, undefined at top level, bigints, cycles, class instances other than
 * Date, non-finite numbers, getters or proxies that throw, and nesting deeper than
 * {@link MAX_JSON_DEPTH}. `what` names the value in the error, `root` starts the path.
 */
export function toJson(value: unknown, what: Describe, root = 'value'): string {
  // The common case allocates nothing; only a value that fails it is walked again to name the problem.
  const problem = looksPlain(value) ? undefined : findJsonProblem(value, root);
  if (problem) throw jsonError(problem, what);
  let json: string | undefined;
  try {
    json = JSON.stringify(value) as string | undefined;
  } catch (cause) {
    // A getter that changed its answer between the check and now, or a Date whose toJSON throws.
    throw new SerializationError(`${described(what)} cannot be serialized to JSON: ${messageOf(cause)}`, { cause });
  }
  if (typeof json !== 'string') throw new SerializationError(`${described(what)} cannot be serialized to JSON: it serializes to nothing`);
  return json;
}

/** The error for a value that is not plain JSON: too deep is a bad message, anything else a serialization error. */
export function jsonError(problem: JsonProblem, what: Describe): SerializationError | InvalidMessageError {
  if (problem.tooDeep) {
    return new InvalidMessageError(
      `${described(what)} cannot be stored: ${problem.text}. Loom keeps messages, results and state up to ${MAX_JSON_DEPTH} levels deep; flatten the data or store it elsewhere and pass a reference.`,
      { unrecoverable: true },
    );
  }
  return new SerializationError(
    `${described(what)} cannot be stored: ${problem.text}. Messages, arguments, results and state must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).`,
  );
}

/** Checks a message's JSON size against the limit. */
export function checkSize(json: string, limit: number, what: Describe): void {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short strings need no count.
  if (json.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limit) {
    throw new PayloadTooLargeError(
      `${described(what)} is ${bytes} bytes of JSON, over the limit of ${limit} bytes. ` +
        `Store large data elsewhere and pass a reference, or raise maxPayloadBytes in the runtime options.`,
    );
  }
}

/** Validates the shape of an envelope coming from outside (API, CLI, HTTP, transport). */
export function checkEnvelopeShape(env: Partial<Envelope>): asserts env is Envelope {
  for (const key of ['actorType', 'actorId', 'method'] as const) {
    const v = env[key];
    if (typeof v !== 'string' || v.length === 0 || v.length > 512 || !storableName(v)) {
      throw new InvalidMessageError(
        `message${whereTo(env)}: "${key}" must be a non-empty string of at most 512 characters${NAME_CHARS}, got ${v === undefined ? 'nothing' : echo(v)}`,
      );
    }
  }
  if (!Array.isArray(env.args)) {
    throw new InvalidMessageError(`message${whereTo(env)} needs "args" to be an array of arguments, got ${echo(env.args)}`);
  }
  const key = env.idempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 512 || !storableName(key))) {
    throw new InvalidMessageError(`message${whereTo(env)}: idempotencyKey must be a non-empty string of at most 512 characters${NAME_CHARS}, got ${echo(key)}`);
  }
}

const NAME_CHARS = ' without NUL characters or unpaired surrogates';

/** ` to Type/id`, cut short, when both are strings: the error names the message without echoing a megabyte. */
function whereTo(env: Partial<Envelope>): string {
  const { actorType: t, actorId: id } = env;
  return typeof t === 'string' && t && typeof id === 'string' && id ? ` to ${capText(t, 100)}/${capText(id, 100)}` : '';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as milliseconds or a string such as `'500ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | string;

/**
 * Parses a {@link Duration} to milliseconds. Waits are bounded by a year (`MAX_WAIT_MS`);
 * `max` is raised only for what is not a real wait, such as a simulation's span of virtual time.
 */
export function parseDuration(d: Duration, what = 'duration', max = MAX_WAIT_MS): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0 || d > max) throw new InvalidMessageError(`${what} must be a number of ms from 0 to ${max}${max === MAX_WAIT_MS ? ' (a year)' : ''}, got ${echo(d)}`);
    return d;
  }
  const m = typeof d === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d) : null;
  const ms = m ? Math.round(Number(m[1]) * (UNITS[m[2]!] ?? 1)) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidMessageError(`${what} ${echo(d)} is not a duration; use a number of ms or e.g. '500ms', '30s', '5m', '2h', '1d'`);
  if (ms > max && max !== MAX_WAIT_MS) throw new InvalidMessageError(`${what} ${echo(d)} is longer than ${max} ms`);
  if (ms > max) throw new InvalidMessageError(`${what} ${echo(d)} is longer than a year (${MAX_WAIT_MS} ms); schedule it nearer, or keep the date in state and wake on a schedule`);
  return ms;
}
