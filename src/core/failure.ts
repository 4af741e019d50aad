import { capText, echo } from './echo.js';
import { redact } from './redact.js';

/**
 * Reading what a handler threw, at the boundary where the engine catches it.
 * A handler may throw anything: an Error whose `message` getter throws, one whose
 * `name` is a symbol or whose `message` is a bigint, an object whose `toString`
 * throws, a revoked proxy. None of that may escape as a second error from the
 * engine's own bookkeeping (it would read as a store outage and the invocation
 * would be retried forever): every read here is guarded, and the result is plain
 * strings of bounded length that every store can hold, safe to log and send.
 */

/** Longest stored error message, in characters. */
export const MAX_FAILURE_MESSAGE = 1000;
/** Longest stored stack, in characters. */
export const MAX_FAILURE_STACK = 4000;
/** Longest stored error name or code, in characters. */
export const MAX_FAILURE_NAME = 100;

/** What was thrown, as bounded plain strings. */
export interface ThrownParts {
  /** Whether it was an `Error` (so its name, message and stack were read). */
  isError: boolean;
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

/** `err instanceof cls`, false when the check itself throws (a proxy whose getPrototypeOf trap throws). */
export function isInstance<T>(err: unknown, cls: abstract new (...args: never[]) => T): err is T {
  try {
    return err instanceof cls;
  } catch {
    return false;
  }
}

/** `obj[key]`, or `failed` when the read throws (a getter, a proxy trap). */
function read(obj: object, key: string): { value?: unknown; failed?: true } {
  try {
    return { value: (obj as Record<string, unknown>)[key] };
  } catch {
    return { failed: true };
  }
}

/** NUL and unpaired surrogates: JSON can carry them, but PostgreSQL text and jsonb cannot, so a failure record never holds them. */
// NUL is matched on purpose: it is the character PostgreSQL refuses.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with what no store can hold replaced by U+FFFD. */
export function storable(s: string): string {
  return s.replace(UNSTORABLE, '\ufffd');
}

/** A property meant to be text, as text: strings cut to `max`, other primitives written out, anything else undefined. */
function text(v: unknown, max: number): string | undefined {
  switch (typeof v) {
    case 'string':
      return storable(capText(v, max));
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'symbol':
      return echo(v, max);
    default:
      return undefined;
  }
}

/** Reads a thrown value into bounded strings, masking known secrets. Never throws. */
export function readThrown(err: unknown): ThrownParts {
  if (isInstance(err, Error)) {
    const e = err as object;
    const name = read(e, 'name');
    const message = read(e, 'message');
    const out: ThrownParts = {
      isError: true,
      name: text(name.value, MAX_FAILURE_NAME) ?? 'Error',
      message: message.failed
        ? 'its message could not be read (the message getter threw)'
        : redact(text(message.value, MAX_FAILURE_MESSAGE) ?? (message.value === undefined ? '' : `its message is ${echo(message.value, 200)}, not text`)),
    };
    const code = read(e, 'code').value;
    if (typeof code === 'string') out.code = storable(capText(code, MAX_FAILURE_NAME));
    const stack = read(e, 'stack').value;
    if (typeof stack === 'string' && stack) out.stack = redact(storable(capText(stack, MAX_FAILURE_STACK)));
    return out;
  }
  // A string is shown as it is; anything else as the start of its JSON, or by its kind.
  const shown = typeof err === 'string' ? capText(err, MAX_FAILURE_MESSAGE - 200) : echo(err, MAX_FAILURE_MESSAGE - 200);
  return {
    isError: false,
    name: 'NonErrorThrown',
    code: 'LOOM_NON_ERROR_THROWN',
    message: `the handler threw a non-Error value: ${redact(storable(shown))}. Throw an Error (or TerminalError) so the failure carries a message and stack.`,
  };
}

/** The message of anything thrown, for a log line. Never throws. */
export function messageOf(err: unknown): string {
  return readThrown(err).message;
}
