import type { Command } from 'commander';
import type { AdminFilter, WaitingReasonKind } from '../../admin/types.js';
import type { FilterStatus } from '../../ports/admin.js';
import { parseDuration } from '../../core/envelope.js';
import { LoomError } from '../../core/errors.js';
import { intOption } from '../program.js';

/** The filter flags of `loom invocations list` and of the bulk actions. */
export interface FilterFlags {
  status?: string;
  type?: string;
  id?: string;
  method?: string;
  key?: string;
  since?: string;
  until?: string;
  errorCode?: string;
  minAttempt?: number;
  waiting?: string;
}

/** Adds the filter flags to a command. */
export function filterOptions(cmd: Command): Command {
  return cmd
    .option('--status <list>', 'pending, completed, failed, cancelled, dead (comma-separated)')
    .option('--type <actorType>', 'actor type')
    .option('--id <actorId>', 'actor id (with --type)')
    .option('--method <name>', 'handler method')
    .option('--key <idempotencyKey>', 'idempotency key')
    .option('--since <when>', 'enqueued at or after: a duration ago (30m, 2h, 1d) or an ISO date')
    .option('--until <when>', 'enqueued before: a duration ago or an ISO date')
    .option('--error-code <code>', 'the stored error code, e.g. LOOM_CANCELLED')
    .option('--min-attempt <n>', 'failed attempts at least', intOption('--min-attempt'))
    .option('--waiting <list>', 'why pending ones wait: running, queued, backing-off, sleeping, delayed, awaiting-promise, awaiting-call, no-owner, unknown-type');
}

/** Whether any filter flag was given (bulk actions refuse to run over everything by accident). */
export function hasFilter(f: FilterFlags): boolean {
  return [f.status, f.type, f.id, f.method, f.key, f.since, f.until, f.errorCode, f.minAttempt, f.waiting].some((v) => v !== undefined);
}

/** The admin filter the flags describe; `now` on the store's clock. */
export function toFilter(f: FilterFlags, now: number): AdminFilter {
  const out: AdminFilter = {};
  if (f.status) out.status = list(f.status) as FilterStatus[];
  if (f.type) out.actorType = f.type;
  if (f.id) {
    if (!f.type) throw new LoomError('LOOM_CLI', '--id names an actor of a type: give --type too, e.g. --type PaymentProcessor --id p-1');
    out.actorId = f.id;
  }
  if (f.method) out.method = f.method;
  if (f.key) out.idempotencyKey = f.key;
  if (f.since) out.createdAfter = when('--since', f.since, now);
  if (f.until) out.createdBefore = when('--until', f.until, now);
  if (f.errorCode) out.errorCode = f.errorCode;
  if (f.minAttempt !== undefined) out.minAttempt = f.minAttempt;
  if (f.waiting) out.waiting = list(f.waiting) as WaitingReasonKind[];
  return out;
}

function list(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function when(flag: string, v: string, now: number): number {
  if (/^\d+(ms|s|m|h|d)$/.test(v)) return now - parseDuration(v, flag);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new LoomError('LOOM_CLI', `${flag} takes a duration ago (30m, 2h, 1d) or an ISO date (2026-01-31T12:00:00Z), got "${v}"`);
  return t;
}
