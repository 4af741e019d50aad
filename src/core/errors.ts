/**
 * Loom's errors. Each carries a stable `code`, a `name`, an optional `cause`, and a
 * message that names the actor, message or key involved and how to fix it.
 *
 * Two families: local errors (bad input, bad config, programmer mistakes) thrown
 * straight to the caller, and failures that cross the durable boundary — a
 * handler's error is journaled as an {@link ErrorInfo} and re-raised on replay.
 */

import { isInstance, readThrown } from './failure.js';

export { messageOf } from './failure.js';

/** Base class of every error Loom throws. */
export class LoomError extends Error {
  /** Stable machine-readable code, e.g. `LOOM_UNKNOWN_ACTOR`. */
  readonly code: string;
  /** True when no retry can fix this failure: the invocation goes to the dead letters at once. */
  unrecoverable = false;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(capMessage(message), options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The configuration or options passed to Loom are invalid. */
export class ConfigError extends LoomError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'LOOM_CONFIG', message, options);
  }
}

/** No actor type of that name is registered. */
export class UnknownActorError extends LoomError {
  constructor(message: string) {
    super('LOOM_UNKNOWN_ACTOR', message);
  }
}

/** The actor type has no handler method of that name. */
export class UnknownMethodError extends LoomError {
  constructor(message: string) {
    super('LOOM_UNKNOWN_METHOD', message);
  }
}

/** A message, argument or result does not round-trip through JSON. */
export class SerializationError extends LoomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOOM_NOT_SERIALIZABLE', message, options);
  }
}

/** A message is larger than the configured `maxPayloadBytes`. */
export class PayloadTooLargeError extends LoomError {
  constructor(message: string) {
    super('LOOM_PAYLOAD_TOO_LARGE', message);
  }
}

/**
 * The message envelope is malformed (missing actorId, bad types, …), or a durable
 * primitive got a bad argument. `unrecoverable`: raised by a handler's own code
 * (a retry runs the same code), so it dead-letters the invocation at once.
 */
export class InvalidMessageError extends LoomError {
  constructor(message: string, options?: { unrecoverable?: boolean }) {
    super('LOOM_INVALID_MESSAGE', message);
    if (options?.unrecoverable) this.unrecoverable = true;
  }
}

/**
 * A handler left `this.state` as something that cannot be an actor's state (null,
 * undefined, a number, a string): the invocation is dead-lettered and the state
 * stays as it was, so the actor's next calls still work.
 */
export class InvalidStateError extends LoomError {
  constructor(message: string) {
    super('LOOM_INVALID_STATE', message);
    this.unrecoverable = true;
  }
}

/**
 * A handler used `this.kv` or `this.log`, and the store keeps no per-key state or
 * logs (`Store.actorData`). The handler's own code: the invocation is dead-lettered at once.
 */
export class NoActorDataError extends LoomError {
  constructor(message: string) {
    super('LOOM_NO_ACTOR_DATA', message);
    this.unrecoverable = true;
  }
}

/**
 * Replay met a journal that does not match the code: the handler asked for a
 * different durable operation at a position than the one recorded.
 */
export class NonDeterminismError extends LoomError {
  constructor(
    readonly details: {
      actorType: string;
      actorId: string;
      invocationId: string;
      position: number;
      recorded: string;
      requested: string;
    },
  ) {
    super(
      'LOOM_NON_DETERMINISM',
      `replay of ${details.actorType}/${details.actorId} invocation ${details.invocationId} diverged at journal position ${details.position}: ` +
        `the journal recorded "${details.recorded}" but the code now asks for "${details.requested}". ` +
        `Handlers must issue the same durable operations in the same order on every run; ` +
        `deploy code changes only once in-flight invocations have completed, or version the handler under a new method name.`,
    );
  }
}

/**
 * Thrown by a handler to fail its invocation for good: it is not retried, and the
 * error is stored as the invocation's outcome (returned to every duplicate).
 */
export class TerminalError extends LoomError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'LOOM_TERMINAL', message, options);
  }
}

/**
 * Thrown by a handler or step to ask for a retry, optionally after a given delay
 * (overrides the backoff of the retry policy for this attempt).
 */
export class RetryableError extends LoomError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super('LOOM_RETRYABLE', message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** A handler or step ran past its timeout. Retryable. */
export class TimeoutError extends LoomError {
  constructor(message: string) {
    super('LOOM_TIMEOUT', message);
  }
}

/**
 * The store rejected an attempt's write. `fenced`: the worker lost ownership of
 * the partition (a stale fencing epoch), and the new owner retries the work.
 * `conflict`: the invocation is no longer pending in the store (it finished
 * elsewhere, or its enqueue never landed), and the attempt just stops.
 */
export class FencedError extends LoomError {
  constructor(
    message: string,
    readonly outcome: 'fenced' | 'conflict' = 'fenced',
  ) {
    super('LOOM_FENCED', message);
  }
}

/**
 * A step failed with a TerminalError: the failure is journaled and every replay
 * raises this same error. (Other step errors are not journaled: they fail the
 * attempt and the invocation's retry policy applies.)
 */
export class StepFailedError extends LoomError {
  constructor(
    message: string,
    readonly info: ErrorInfo,
  ) {
    super('LOOM_STEP_FAILED', message);
  }
}

/** The invocation failed: raised to `runtime.call` callers with the stored error. */
export class InvocationFailedError extends LoomError {
  constructor(
    message: string,
    readonly info: ErrorInfo,
    readonly invocationId: string,
    readonly deadLettered: boolean,
  ) {
    super(deadLettered ? 'LOOM_DEAD_LETTERED' : info.code ?? 'LOOM_INVOCATION_FAILED', message);
  }
}

/** The runtime is not started, is shutting down, or was closed. */
export class RuntimeStateError extends LoomError {
  constructor(message: string) {
    super('LOOM_RUNTIME_STATE', message);
  }
}

/**
 * A handler's `this.call` would wait for ever: the callee is already waiting,
 * directly or through other actors, for the caller (a self-call, or a cycle such
 * as A → B → A). Raised at the call, before anything is sent. Terminal: a retry
 * would meet the same cycle, so uncaught it fails the invocation for good, and
 * each caller up the chain gets it with its code.
 */
export class CallCycleError extends TerminalError {
  constructor(
    message: string,
    /** The actors of the cycle as `type/id`, the first one the callee. */
    readonly cycle: string[],
  ) {
    super(message, { code: 'LOOM_CALL_CYCLE' });
  }
}

/** The storage backend failed or is unreachable. Wraps the driver's error. */
export class StoreError extends LoomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOOM_STORE', message, options);
  }
}

/**
 * A write reached the store, or may have, and its answer was lost: a connection
 * dropped after the request was sent, a round trip timed out, or a script failed
 * after some of its writes. The message or turn may or may not be stored. Loom
 * never says "nothing was stored" unless it is certain; this is what it says instead.
 */
export class OutcomeUnknownError extends LoomError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOOM_OUTCOME_UNKNOWN', message, options);
  }
}

/** What a caller of a write whose outcome is unknown should do. */
const OUTCOME_UNKNOWN_ADVICE =
  'The outcome is unknown: it may or may not have been stored. Retry with the same idempotency key, ' +
  'which applies it at most once; a message sent again without a key may be applied twice.';

/** An {@link OutcomeUnknownError} for a write: `what` happened (names the store and the operation), then the advice. */
export function outcomeUnknown(what: string, cause: unknown): OutcomeUnknownError {
  return new OutcomeUnknownError(`${what}. ${OUTCOME_UNKNOWN_ADVICE}`, { cause });
}

/** A JSON-safe description of an error, as journaled and stored. */
export interface ErrorInfo {
  name: string;
  message: string;
  code?: string;
  /** True when the error must not be retried. */
  terminal?: boolean;
  stack?: string;
}

/**
 * Turns anything thrown (including non-Error values, and errors whose getters throw)
 * into an {@link ErrorInfo} of bounded plain strings. Never throws.
 */
export function toErrorInfo(err: unknown): ErrorInfo {
  const parts = readThrown(err);
  const info: ErrorInfo = { name: parts.name, message: parts.message };
  if (parts.code !== undefined) info.code = parts.code;
  if (isInstance(err, TerminalError)) info.terminal = true;
  if (parts.stack !== undefined) info.stack = parts.stack;
  return info;
}

/** Rebuilds an Error from a journaled {@link ErrorInfo}, preserving terminal-ness. */
export function fromErrorInfo(info: ErrorInfo): Error {
  const err = info.terminal ? new TerminalError(info.message, { code: info.code }) : new Error(info.message);
  err.name = info.name;
  if (!info.terminal && info.code) (err as Error & { code?: string }).code = info.code;
  return err;
}

/** Longest LoomError message, in bytes of UTF-8: every echoed input is cut before, this is the backstop. */
export const MAX_ERROR_MESSAGE_BYTES = 2000;

/** `message` within {@link MAX_ERROR_MESSAGE_BYTES}, saying how long it was when cut. */
function capMessage(message: string): string {
  // Three bytes per UTF-16 unit at most: short messages need no count.
  if (typeof message !== 'string' || message.length * 3 <= MAX_ERROR_MESSAGE_BYTES) return message;
  const bytes = Buffer.byteLength(message, 'utf8');
  if (bytes <= MAX_ERROR_MESSAGE_BYTES) return message;
  const tail = `…(cut: the message was ${bytes} bytes)`;
  let keep = MAX_ERROR_MESSAGE_BYTES - tail.length - 20;
  while (Buffer.byteLength(message.slice(0, keep), 'utf8') > MAX_ERROR_MESSAGE_BYTES - tail.length - 20) keep = Math.floor(keep * 0.8);
  return message.slice(0, keep) + tail;
}

/**
 * Something the seed README shows that Loom does not implement yet: thrown
 * instead of accepting it and doing nothing. `feature` names what is missing.
 */
export class NotBuiltError extends LoomError {
  constructor(
    readonly feature: string,
    what: string,
  ) {
    super('LOOM_NOT_BUILT', `${what} needs ${feature}, which Loom does not have yet (not built yet), so it cannot be honoured; remove it (the README's Status section lists what is not built)`);
  }
}
