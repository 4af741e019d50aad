import type { ErrorInfo } from '../../core/errors.js';
import { json, problem, type TriggerResponse } from './problem.js';

/** Header carrying the invocation id on every response about one. */
export const INVOCATION_HEADER = 'loom-invocation-id';

/** The invocation's settled outcome, from a record or from `runtime.result`. */
export type Settled = { status: 'completed'; value: unknown } | { status: 'failed' | 'dead'; error: ErrorInfo };

/**
 * The response for a finished invocation: 200 with the result; 400 for a
 * terminal error (its `code` in the problem); 500 for a dead letter. Built only
 * from what is stored, so every retry of one request gets the same bytes.
 */
export function settledResponse(invocationId: string, s: Settled): TriggerResponse {
  const h = { [INVOCATION_HEADER]: invocationId };
  if (s.status === 'completed') return json(200, s.value, h);
  const code = s.error.code ?? 'LOOM_INVOCATION_FAILED';
  if (s.status === 'failed') {
    return problem(400, 'handler-failed', 'The request was refused', s.error.message, { code, invocationId }, h);
  }
  return problem(500, 'dead-lettered', 'The request failed after its retries', `${s.error.message} (the invocation is in the dead letters)`, { code, invocationId }, h);
}

/** 202 with where to poll. */
export function pendingResponse(invocationId: string, location: string): TriggerResponse {
  return json(202, { invocationId, status: 'pending', location }, { [INVOCATION_HEADER]: invocationId, location, 'retry-after': '1' });
}
