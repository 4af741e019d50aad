import type { InvocationView, WaitingReason } from '../admin/types.js';
import type { InvocationRecord } from '../ports/store.js';
import type { InvocationRow, TraceEventView } from './api-types.js';
import type { TraceEvent } from '../ports/trace.js';
import type { ErrorInfo } from '../core/errors.js';

const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

/** A waiting reason in one line a person reads. */
export function whyText(w: WaitingReason): string {
  switch (w.kind) {
    case 'running': return `running on ${w.owner} (partition ${w.partition})`;
    case 'queued': return `queued: ${w.position} of ${w.of} behind ${w.head.id} (${w.head.method})`;
    case 'backing-off': return `backing off: attempt ${w.attempt + 1} at ${clock(w.until)}${w.lastError ? ` after ${w.lastError.code ?? w.lastError.name}: ${w.lastError.message}` : ''}`;
    case 'sleeping': return `sleeping until ${clock(w.until)}`;
    case 'delayed': return `delayed until ${clock(w.until)}`;
    case 'awaiting-promise': return `awaiting promise ${w.promiseId}`;
    case 'awaiting-call': return `awaiting call ${w.callee ? `${w.callee.actorType}/${w.callee.actorId}.${w.callee.method} (${w.callee.status})` : w.promiseId}`;
    case 'no-owner': return `no live worker holds partition ${w.partition}`;
    case 'unknown-type': return `no worker registers type ${w.actorType}`;
  }
}

/** An error as Studio shows it: the stack stays in the store (it names the worker's files). */
function withoutStack(e: ErrorInfo): ErrorInfo {
  if (e.stack === undefined) return e;
  const { stack: _stack, ...rest } = e;
  return rest;
}

/** The list row of an admin view. */
export function rowOf(view: InvocationView): InvocationRow {
  const rec: InvocationRecord = view.record;
  const row: InvocationRow = {
    id: rec.id,
    actorType: rec.actorType,
    actorId: rec.actorId,
    method: rec.method,
    status: view.status,
    attempt: rec.attempt,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    why: view.waiting ? whyText(view.waiting) : rec.error ? `${rec.error.code ?? rec.error.name}: ${rec.error.message}` : '',
  };
  if (rec.idempotencyKey !== undefined) row.idempotencyKey = rec.idempotencyKey;
  if (rec.error) row.error = withoutStack(rec.error);
  if (view.waiting) row.waiting = view.waiting;
  return row;
}

/** A trace event with each reference turned into a link to what it names. */
export function traceView(e: TraceEvent): TraceEventView {
  const links: TraceEventView['links'] = [];
  const r = e.refs;
  if (r.invocation) links.push({ label: `invocation ${r.invocation.id} (attempt ${r.invocation.attempt})`, href: `#/invocations/${encodeURIComponent(r.invocation.id)}` });
  if (r.message) links.push({ label: `message ${r.message.queue_name}/${r.message.actor_id}.${r.message.method}`, href: `#/invocations/${encodeURIComponent(r.message.message_id)}` });
  if (r.journal) links.push({ label: `journal #${r.journal.position} ${r.journal.kind} ${r.journal.name}`, href: `#/invocations/${encodeURIComponent(r.invocation?.id ?? '')}?position=${r.journal.position}` });
  if (r.idempotency) {
    links.push(r.idempotency.original_execution
      ? { label: `idempotency ${r.idempotency.key} → ran as ${r.idempotency.original_execution}`, href: `#/invocations/${encodeURIComponent(r.idempotency.original_execution)}` }
      : { label: `idempotency ${r.idempotency.key}`, href: `#/invocations?key=${encodeURIComponent(r.idempotency.key)}` });
  }
  if (r.state) links.push({ label: `state ${r.state.actor_type}/${r.state.actor_id} v${r.state.version}`, href: `#/actors/${encodeURIComponent(r.state.actor_type)}/${encodeURIComponent(r.state.actor_id)}` });
  if (r.lease) links.push({ label: `lease p${r.lease.partition} epoch ${r.lease.epoch}`, href: '#/partitions' });
  const refs = r as unknown as Record<string, Record<string, unknown>>;
  return { type: e.event_type, at: Date.parse(e.at), refs, links, ...(e.error_code ? { errorCode: e.error_code } : {}) };
}
