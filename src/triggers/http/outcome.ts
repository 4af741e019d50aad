import { InvocationFailedError, type ErrorInfo } from '../../core/errors.js';
import type { ActorRuntime } from '../../runtime/actor-runtime.js';
import { json, problem, type TriggerResponse } from './problem.js';
import { setLongTimeout, type LongTimer } from '../../core/timers.js';

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

/**
 * One result waiter per invocation, shared by every request waiting for it: 100
 * concurrent retries of one key wait on one waiter. A waiter outlives a request
 * answered 202 (the engine's waiters cannot be cancelled) and ends with its
 * invocation; until then it reads the store about once a second.
 */
export class Outcomes {
  private readonly pending = new Map<string, Promise<Settled | Error>>();

  constructor(private readonly runtime: ActorRuntime) {}

  async waitFor(id: string, waitMs: number): Promise<Settled | 'timeout' | Error> {
    let result = this.pending.get(id);
    if (!result) {
      result = this.runtime.result(id).then(
        (value): Settled => ({ status: 'completed', value }),
        (err: unknown): Settled | Error => (err instanceof InvocationFailedError ? { status: err.deadLettered ? 'dead' : 'failed', error: err.info } : (err as Error)),
      );
      this.pending.set(id, result);
      void result.then(() => this.pending.delete(id));
    }
    let timer: LongTimer | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setLongTimeout(() => r('timeout'), waitMs)));
    try {
      return await Promise.race([result, timeout]);
    } finally {
      timer?.clear();
    }
  }
}
