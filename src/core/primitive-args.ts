import { parseDuration, type Duration } from './envelope.js';
import { storableName } from './text.js';
import { InvalidMessageError } from './errors.js';
import { echo } from './echo.js';
import { isInstance } from './failure.js';
import { MAX_WAIT_MS } from './timers.js';

/**
 * Checks of what a handler passes to the durable primitives (`step`, `sleep`,
 * `sleepUntil`, `call`, `send`, `promise`, the idempotency records). A bad
 * argument is a bug in the handler's code that a retry runs again, so it raises
 * an `InvalidMessageError` marked unrecoverable: uncaught, it dead-letters the
 * invocation at once with a message that names the primitive and the argument.
 */

const bad = (message: string): InvalidMessageError => new InvalidMessageError(message, { unrecoverable: true });

/** A name used in the journal: a non-empty string of at most 512 characters. */
export function checkName(primitive: string, what: string, v: unknown): void {
  if (typeof v !== 'string' || v.length === 0 || v.length > 512 || !storableName(v)) {
    throw bad(`${primitive}: ${what} must be a non-empty string of at most 512 characters, without NUL characters or unpaired surrogates, got ${echo(v)}`);
  }
}

/** `step(name, fn, opts?)`: a name, a function, and options that are an object when given. */
export function checkStepArgs(name: unknown, fn: unknown, opts: unknown): void {
  checkName('step(name, fn)', 'the name', name);
  if (typeof fn !== 'function') {
    throw bad(`step ${echo(name)} needs a function as its second argument (the side effect to run once), got ${echo(fn)}`);
  }
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw bad(`step ${echo(name)}: its options must be an object such as { timeoutMs: 5000 }, got ${echo(opts)}`);
  }
  for (const k in opts) {
    if (k !== 'retry' && k !== 'timeoutMs') throw bad(`step ${echo(name)}: unknown option ${echo(k)}; the options are retry and timeoutMs`);
  }
  const t = (opts as { timeoutMs?: unknown }).timeoutMs;
  if (t !== undefined && !(typeof t === 'number' && t >= 0 && t <= MAX_WAIT_MS)) {
    throw bad(`step ${echo(name)}: timeoutMs must be a number of ms from 0 to ${MAX_WAIT_MS} (a year) (0: no timeout), got ${echo(t)}`);
  }
}

/** The time `sleepUntil` wakes at, in ms since the epoch: a valid Date or a finite number. */
export function wakeTime(date: unknown): number {
  const at = typeof date === 'number' ? date : isInstance(date, Date) ? Date.prototype.getTime.call(date) : NaN;
  if (!Number.isFinite(at)) {
    throw bad(`sleepUntil(date) needs a valid Date or a number of ms since the epoch, got ${isInstance(date, Date) ? 'an invalid Date' : echo(date)}`);
  }
  return at;
}

/** A duration given to `sleep` or to `send`'s `{ delay }`: a malformed one is unrecoverable here. */
export function primitiveDuration(d: Duration, what: string): number {
  try {
    return parseDuration(d, what);
  } catch (err) {
    if (err instanceof InvalidMessageError) err.unrecoverable = true;
    throw err;
  }
}

/** `call` and `send` name their target with three strings. */
export function checkTarget(primitive: 'call' | 'send', actorType: unknown, actorId: unknown, method: unknown): void {
  const what = `this.${primitive}(actorType, actorId, method, …)`;
  checkName(what, 'actorType', actorType);
  checkName(what, 'actorId', actorId);
  checkName(what, 'method', method);
}
