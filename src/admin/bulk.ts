import { ActionNotAllowedError, InvalidFilterError, NotFoundError } from './errors.js';
import type { AdminActions } from './actions.js';
import type { AdminQueries } from './queries.js';
import type { AdminFilter, BulkAction, BulkOptions, BulkResult } from './types.js';
import type { FilterStatus } from '../ports/admin.js';

const ACTIONS: Record<BulkAction, { statuses: FilterStatus[] }> = {
  cancel: { statuses: ['pending'] },
  retry: { statuses: ['pending'] },
  redrive: { statuses: ['dead'] },
  purge: { statuses: ['completed', 'failed', 'dead'] },
};

/**
 * Applies an action to every invocation matching a filter, oldest first, one
 * atomic write per item. Each write changes what the filter matches (a redriven
 * dead letter is pending, a purged record is gone), so an interrupted run is
 * finished by running it again: items already done no longer match, and an item
 * another operator changed meanwhile is counted as skipped, not as an error.
 */
export async function runBulk(q: AdminQueries, actions: AdminActions, action: BulkAction, filter: AdminFilter, options: BulkOptions = {}): Promise<BulkResult> {
  const spec = ACTIONS[action];
  if (!spec) throw new InvalidFilterError(`unknown bulk action "${String(action)}"; use one of ${Object.keys(ACTIONS).join(', ')}`);
  const scoped = narrow(filter, spec.statuses);
  const total = await q.count(scoped);
  const result: BulkResult = { total, done: 0, succeeded: 0, skipped: 0, failed: 0, dryRun: options.dryRun === true, interrupted: false, errors: [] };
  if (options.dryRun) return result;
  const pageSize = options.pageSize ?? 200;
  let cursor: string | undefined;
  do {
    if (options.signal?.aborted) return { ...result, interrupted: true };
    const page = await q.list({ filter: scoped, order: 'oldest', limit: pageSize, ...(cursor ? { cursor } : {}) });
    cursor = page.nextCursor;
    for (const item of page.items) {
      if (options.signal?.aborted) return { ...result, interrupted: true };
      const id = item.record.id;
      try {
        if (action === 'cancel') await actions.cancel(id, options.reason);
        else if (action === 'retry') await actions.retryNow(id);
        else if (action === 'redrive') await actions.redrive(id);
        else await actions.purge(id);
        result.succeeded++;
      } catch (err) {
        if (err instanceof ActionNotAllowedError || err instanceof NotFoundError) result.skipped++;
        else {
          result.failed++;
          const e = err as Error & { code?: string };
          result.errors.push({ id, code: e.code ?? 'LOOM_ERROR', message: e.message });
        }
      }
      result.done++;
      options.onProgress?.({ total, done: result.done, succeeded: result.succeeded, skipped: result.skipped, failed: result.failed });
    }
  } while (cursor);
  return result;
}

/** The filter limited to the statuses the action applies to; an explicit status outside them matches nothing. */
function narrow(filter: AdminFilter, allowed: FilterStatus[]): AdminFilter {
  const asked = filter.status === undefined ? undefined : Array.isArray(filter.status) ? filter.status : [filter.status];
  if (!asked) return { ...filter, status: allowed };
  const kept = asked.filter((s) => allowed.includes(s) || (s === 'cancelled' && allowed.includes('failed')));
  if (kept.length === 0) throw new InvalidFilterError(`this action applies to ${allowed.join(', ')} invocations; the filter asks for ${asked.join(', ')}`);
  return { ...filter, status: kept };
}
