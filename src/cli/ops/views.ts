import { describeWaiting, humanDuration } from '../../admin/describe.js';
import type { InvocationDetail, InvocationView } from '../../admin/types.js';

/** The columns of an invocation table; `now` on the store's clock. */
export function invocationColumns(now: number): [string, (v: InvocationView) => string][] {
  return [
    ['ID', (v) => v.record.id],
    ['ACTOR', (v) => `${v.record.actorType}/${v.record.actorId}`],
    ['METHOD', (v) => v.record.method],
    ['STATUS', (v) => v.status],
    ['ATTEMPT', (v) => String(v.record.attempt)],
    ['AGE', (v) => humanDuration(now - v.record.createdAt)],
    ['WHY / RESULT', (v) => (v.waiting ? describeWaiting(v.waiting, now) : v.record.error ? `${v.record.error.code ?? v.record.error.name}: ${v.record.error.message}` : (v.record.resultJson ?? ''))],
  ];
}

/** `loom invocations show` for people. */
export function detailLines(d: InvocationDetail, now: number): string[] {
  const r = d.record;
  const lines = [
    `invocation  ${r.id}`,
    `actor       ${r.actorType}/${r.actorId}`,
    `method      ${r.method}  args ${r.argsJson}`,
    `status      ${d.status}${d.waiting ? ` — ${describeWaiting(d.waiting, now)}` : ''}`,
    `attempt     ${r.attempt}`,
    `created     ${new Date(r.createdAt).toISOString()} (${humanDuration(now - r.createdAt)} ago)`,
    `updated     ${new Date(r.updatedAt).toISOString()}`,
  ];
  if (r.idempotencyKey !== undefined) lines.push(`key         ${r.idempotencyKey}`);
  if (r.replyTo !== undefined) lines.push(`reply to    ${r.replyTo}`);
  if (r.resultJson !== undefined) lines.push(`result      ${r.resultJson}`);
  if (r.error) lines.push(`error       ${r.error.code ?? r.error.name}: ${r.error.message}`);
  if (d.journal.length > 0) {
    lines.push('journal');
    for (const e of d.journal) lines.push(`  ${String(e.position).padStart(3)}  ${e.kind.padEnd(8)} ${e.name.padEnd(24)} ${e.status.padEnd(7)} ${e.resultBytes} B${e.error ? `  ${e.error.message}` : ''}`);
  }
  return lines;
}
