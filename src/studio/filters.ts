import type { AdminFilter, WaitingReasonKind } from '../admin/types.js';
import { WAITING_REASON_KINDS } from '../admin/types.js';
import type { FilterStatus } from '../ports/admin.js';
import type { InvocationQuery } from './api-types.js';
import { StudioInputError } from './errors.js';

const STATUSES = new Set(['pending', 'completed', 'failed', 'dead', 'cancelled']);
const NOT_RUNNING = WAITING_REASON_KINDS.filter((k) => k !== 'running');

/** Studio's tabs and filters as an admin filter: a tab narrows, a status may be a waiting reason. */
export function adminFilter(q: InvocationQuery): AdminFilter {
  const f: AdminFilter = {};
  if (q.actorType) f.actorType = q.actorType;
  if (q.actorId) f.actorId = q.actorId;
  if (q.method) f.method = q.method;
  if (q.idempotencyKey) f.idempotencyKey = q.idempotencyKey;
  if (q.errorCode) f.errorCode = q.errorCode;
  if (q.since !== undefined) f.createdAfter = q.since;
  if (q.until !== undefined) f.createdBefore = q.until;
  if (q.minAttempt !== undefined) f.minAttempt = q.minAttempt;
  if (q.status) {
    if (STATUSES.has(q.status)) f.status = q.status as FilterStatus;
    else if ((WAITING_REASON_KINDS as readonly string[]).includes(q.status)) f.waiting = q.status as WaitingReasonKind;
    else throw new StudioInputError(`status "${q.status}" is neither a status (${[...STATUSES].join(', ')}) nor a waiting reason (${WAITING_REASON_KINDS.join(', ')})`);
  }
  switch (q.tab) {
    case 'not-running': f.waiting = f.waiting ?? [...NOT_RUNNING]; break;
    case 'backing-off': f.waiting = 'backing-off'; break;
    case 'dead':
      if (f.status !== undefined && f.status !== 'dead') throw new StudioInputError(`the dead letters tab shows status dead; clear the status filter "${String(f.status)}"`);
      f.status = 'dead';
      break;
    default: break;
  }
  return f;
}
