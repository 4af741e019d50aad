import { checkSize, type Envelope } from './envelope.js';
import { ConfigError, InvalidMessageError } from './errors.js';
import { capText, echo } from './echo.js';
import { messageOf } from './failure.js';
import { findJsonProblem, looksPlain } from './plain-json.js';
import { MAX_WAIT_MS } from './timers.js';

/**
 * Checks of the options one call or send carries. They run on every message, so
 * each is a `typeof` test or two on what was given, and nothing at all for an
 * option left out; only a bad value pays for the walk that names the problem.
 */



/** ` to Type/id` for a message's errors, cut short. */
const to = (env: Envelope): string => ` to ${capText(env.actorType, 100)}/${capText(env.actorId, 100)}`;

/**
 * A message's `timeout` (ms, per attempt). A `ConfigError`, as the same setting of
 * an actor type: a number of ms up to {@link MAX_WAIT_MS}, where 0 means no timeout.
 */
export function messageTimeout(v: unknown): number {
  if (typeof v === 'number' && v >= 0 && v <= MAX_WAIT_MS) return v;
  throw new ConfigError(`the message option timeout must be a number of ms from 0 to ${MAX_WAIT_MS} (a year) (0: no timeout), got ${echo(v)}`);
}

/**
 * A message's `trace` and `headers` are stored with it: `trace` must be plain
 * JSON, `headers` an object of strings, and both together within the size limit.
 * A bigint, a cycle or a getter that throws is refused here, naming the option
 * and the path, before anything reaches the store.
 */
export function checkTraceAndHeaders(env: Envelope, maxPayloadBytes: number): void {
  if (env.trace !== undefined && !looksPlain(env.trace)) {
    const problem = findJsonProblem(env.trace, 'trace');
    if (problem) throw new InvalidMessageError(`message${to(env)}: option trace is not plain JSON: ${problem.text}. Pass a W3C traceparent string or a plain object`);
  }
  if (env.headers !== undefined) checkHeaders(env);
  let json: string;
  try {
    json = JSON.stringify([env.trace, env.headers]);
  } catch (err) {
    throw new InvalidMessageError(`message${to(env)}: option trace or headers cannot be serialized (${capText(messageOf(err), 200)})`);
  }
  checkSize(json, maxPayloadBytes, () => `the trace and headers of the message${to(env)}`);
}

function checkHeaders(env: Envelope): void {
  const headers: unknown = env.headers;
  let bad: string | undefined;
  try {
    const proto = typeof headers === 'object' && headers !== null && !Array.isArray(headers) ? (Object.getPrototypeOf(headers) as unknown) : undefined;
    if (proto !== Object.prototype && proto !== null) bad = ` must be a plain object of strings, got ${echo(headers)}`;
    else {
      for (const k of Object.keys(headers as object)) {
        let v: unknown;
        try {
          v = (headers as Record<string, unknown>)[k];
        } catch (err) {
          bad = `.${capText(k, 40)} is not plain data: reading it threw (${capText(messageOf(err), 200)})`;
          break;
        }
        if (typeof v !== 'string') {
          bad = `.${capText(k, 40)} must be a string, got ${echo(v)}`;
          break;
        }
      }
    }
  } catch (err) {
    bad = ` is not plain data: inspecting it threw (${capText(messageOf(err), 200)})`;
  }
  if (bad) throw new InvalidMessageError(`message${to(env)}: option headers${bad}`);
}
