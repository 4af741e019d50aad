import {
  FencedError,
  LoomError,
  NonDeterminismError,
  RetryableError,
  StepFailedError,
  TerminalError,
  UnknownActorError,
  UnknownMethodError,
  SerializationError,
  PayloadTooLargeError,
  toErrorInfo,
  type ErrorInfo,
} from './errors.js';
import { retryDelay, type ResolvedRetryPolicy } from './retry.js';
import type { InvocationRecord, Transition } from '../ports/store.js';

/** What to do with an invocation whose attempt threw. */
export type FailureDecision =
  | { kind: 'abandon' }
  | { kind: 'retry'; transition: Extract<Transition, { status: 'pending' }> }
  | { kind: 'final'; transition: Extract<Transition, { status: 'failed' | 'dead' }> };

/**
 * Classifies a failed attempt. Terminal errors end the invocation with that
 * error as its stored outcome; errors that retrying cannot fix (non-determinism,
 * a result that is not JSON, an unknown actor or method) and retryable errors past
 * the policy go to the dead letters (as does a LoomError marked `unrecoverable`); everything else is retried with backoff.
 */
export function decideFailure(
  err: unknown,
  rec: InvocationRecord,
  policy: ResolvedRetryPolicy,
  now: number,
  ttlMs: number,
  deadLetterTtlMs: number,
): FailureDecision {
  const kind = classify(err);
  if (kind === 'fenced') return { kind: 'abandon' };
  const info: ErrorInfo = toErrorInfo(err);
  const attempt = rec.attempt + 1;
  if (kind === 'terminal') {
    info.terminal = true;
    return { kind: 'final', transition: { status: 'failed', error: info, attempt, expiresAt: now + ttlMs } };
  }
  if (kind === 'hopeless' || attempt >= policy.maxAttempts) {
    return { kind: 'final', transition: { status: 'dead', error: info, attempt, expiresAt: now + Math.max(ttlMs, deadLetterTtlMs) } };
  }
  const wait = retryAfter(err) ?? retryDelay(policy, attempt);
  return { kind: 'retry', transition: { status: 'pending', attempt, notBefore: now + wait, error: info } };
}

/**
 * Which kind of failure `err` is. Anything whose inspection throws (a proxy, a
 * getter) is an ordinary failure: it is retried under the policy, then dead-lettered.
 */
function classify(err: unknown): 'fenced' | 'terminal' | 'hopeless' | 'plain' {
  try {
    if (!(err instanceof LoomError)) return 'plain';
    if (err instanceof FencedError) return 'fenced';
    if (err instanceof TerminalError || (err instanceof StepFailedError && err.info.terminal)) return 'terminal';
    const hopeless =
      err instanceof NonDeterminismError ||
      err instanceof SerializationError ||
      err instanceof PayloadTooLargeError ||
      err instanceof UnknownActorError ||
      err instanceof UnknownMethodError ||
      err.unrecoverable === true;
    return hopeless ? 'hopeless' : 'plain';
  } catch {
    return 'plain';
  }
}

/** A RetryableError's own delay, when it is a usable number of ms. */
function retryAfter(err: unknown): number | undefined {
  try {
    const ms = err instanceof RetryableError ? err.retryAfterMs : undefined;
    return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** True for errors the caller made (bad input) rather than failures of the handler. */
export function isLocalError(err: unknown): err is LoomError {
  return err instanceof LoomError && !(err instanceof FencedError);
}
