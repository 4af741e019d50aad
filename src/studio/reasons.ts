import type { InvocationRecord } from '../ports/store.js';
import type { InvocationRow, WaitReason } from './api-types.js';

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/**
 * Why an invocation is not running, from its record alone. The admin API's
 * store queries give a finer answer (queue position, the partition's owner);
 * this is what one record says.
 */
export function reasonOf(rec: InvocationRecord, now: number): WaitReason {
  if (rec.status !== 'pending') {
    return { kind: 'finished', text: rec.status === 'dead' ? `dead-lettered after ${rec.attempt} attempts` : rec.status };
  }
  if (rec.waitingOn) {
    const promiseId = rec.waitingOn;
    if (promiseId.startsWith('call:')) {
      const callee = promiseId.slice('call:'.length);
      return { kind: 'awaiting-call', text: `awaiting call ${callee}`, ref: { promiseId, invocationId: callee } };
    }
    return { kind: 'awaiting-promise', text: `awaiting promise ${promiseId}`, ref: { promiseId } };
  }
  if (rec.notBefore !== undefined && rec.notBefore > now) {
    if (rec.attempt > 0) {
      const err = rec.error ? ` (${rec.error.code ?? rec.error.message})` : '';
      return { kind: 'backing-off', text: `backing off: attempt ${rec.attempt + 1}, next try ${time(rec.notBefore)}${err}`, ref: { until: rec.notBefore } };
    }
    return rec.started
      ? { kind: 'sleeping', text: `sleeping until ${time(rec.notBefore)}`, ref: { until: rec.notBefore } }
      : { kind: 'delayed', text: `delayed until ${time(rec.notBefore)}`, ref: { until: rec.notBefore } };
  }
  return { kind: 'running-or-queued', text: rec.started ? 'running (or resuming)' : 'queued' };
}

/** The list row of a record. */
export function rowOf(rec: InvocationRecord, now: number): InvocationRow {
  const row: InvocationRow = {
    id: rec.id,
    actorType: rec.actorType,
    actorId: rec.actorId,
    method: rec.method,
    status: rec.status,
    attempt: rec.attempt,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    reason: reasonOf(rec, now),
  };
  if (rec.idempotencyKey !== undefined) row.idempotencyKey = rec.idempotencyKey;
  if (rec.error) row.error = rec.error;
  return row;
}
