import { InvalidMessageError, PayloadTooLargeError, SerializationError } from './errors.js';
import { shown, textProblem } from './text.js';

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

/**
 * Serializes `value` to JSON, rejecting what would not round-trip: functions,
 * symbols, undefined at top level, bigints, cycles, class instances other than
 * Date, non-finite numbers. `what` names the value in the error.
 */
/** Names a value in an error message; a function is called only when there is an error to report. */
export type Describe = string | (() => string);

const described = (what: Describe): string => (typeof what === 'string' ? what : what());

export function toJson(value: unknown, what: Describe, root = 'value'): string {
  // The common case allocates nothing; only a value that fails it is walked again to name the problem.
  const problem = isPlainJson(value, 0) ? undefined : findJsonProblem(value, root, new Set());
  if (problem) {
    throw new SerializationError(
      `${described(what)} cannot be stored: ${problem}. Messages, arguments, results and state must be plain JSON (objects, arrays, strings, finite numbers, booleans, null).`,
    );
  }
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw new SerializationError(`${described(what)} cannot be serialized to JSON: ${(cause as Error).message}`, { cause });
  }
}

/** Deeper than this, the slow walk decides (it finds cycles). */
const MAX_FAST_DEPTH = 64;

/** True when `value` is plain JSON that round-trips; false when it may not be (then `findJsonProblem` says why). */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth > MAX_FAST_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value instanceof Date;
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined && !isPlainJson(v, depth + 1)) return false;
  }
  return true;
}

function findJsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}, which JSON cannot represent`;
    case 'undefined':
      return `${path} is undefined`;
    case 'bigint':
      return `${path} is a bigint; convert it to a string or number`;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
  }
  if (value === null) return undefined;
  const obj = value as object;
  if (seen.has(obj)) return `${path} contains a cycle`;
  if (obj instanceof Date) return undefined;
  if (Array.isArray(obj)) {
    seen.add(obj);
    for (let i = 0; i < obj.length; i++) {
      const p = findJsonProblem(obj[i], `${path}[${i}]`, seen);
      if (p) return p;
    }
    seen.delete(obj);
    return undefined;
  }
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const ctor = (obj as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
    return `${path} is an instance of ${ctor}, which does not round-trip through JSON; pass a plain object`;
  }
  seen.add(obj);
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue; // dropped by JSON, like an absent key
    const p = findJsonProblem(v, `${path}.${k}`, seen);
    if (p) return p;
  }
  seen.delete(obj);
  return undefined;
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
  const where = env.actorType && env.actorId ? ` for ${env.actorType}/${env.actorId}` : '';
  for (const key of ['actorType', 'actorId', 'method'] as const) {
    const v = env[key];
    if (typeof v !== 'string' || v.length === 0) {
      throw new InvalidMessageError(`message${where} needs a non-empty string "${key}", got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    }
    if (v.length > 512) throw new InvalidMessageError(`message${where}: "${key}" is longer than 512 characters`);
    checkText(v, key, where);
  }
  if (!Array.isArray(env.args)) {
    throw new InvalidMessageError(`message${where} needs "args" to be an array of arguments, got ${typeof env.args}`);
  }
  if (env.idempotencyKey !== undefined && (typeof env.idempotencyKey !== 'string' || env.idempotencyKey.length === 0 || env.idempotencyKey.length > 512)) {
    throw new InvalidMessageError(`message${where}: idempotencyKey must be a non-empty string of at most 512 characters`);
  }
  if (env.idempotencyKey !== undefined) checkText(env.idempotencyKey, 'idempotencyKey', where);
}

/** Ids, method names and keys are stored as raw text: refused here, before the message joins a batch, if a store could not keep them. */
function checkText(v: string, key: string, where: string): void {
  const problem = textProblem(v);
  if (problem) {
    throw new InvalidMessageError(
      `message${where}: "${key}" ${shown(v)} ${problem}, which a store cannot keep as text; nothing was enqueued. ` +
        `Remove the character, or encode the value (for example with encodeURIComponent) before using it as ${key}`,
    );
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as milliseconds or a string such as `'500ms'`, `'30s'`, `'5m'`, `'2h'`, `'1d'`. */
export type Duration = number | string;

/** Parses a {@link Duration} to milliseconds. */
export function parseDuration(d: Duration, what = 'duration'): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0) throw new InvalidMessageError(`${what} must be a finite number of ms >= 0, got ${d}`);
    return d;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(d);
  if (!m) throw new InvalidMessageError(`${what} "${d}" is not a duration; use a number of ms or e.g. '500ms', '30s', '5m', '2h', '1d'`);
  return Math.round(Number(m[1]) * (UNITS[m[2]!] ?? 1));
}
