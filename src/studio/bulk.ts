import { randomUUID } from 'node:crypto';
import type { LoomClient } from '../admin/client.js';
import type { BulkAction, BulkResult } from '../admin/types.js';
import type { BulkJob, InvocationQuery } from './api-types.js';
import { adminFilter } from './filters.js';
import { StudioInputError, StudioNotFoundError } from './errors.js';

const ACTIONS = new Set<BulkAction>(['cancel', 'retry', 'redrive', 'purge']);
/** Finished jobs are kept this long for the page to read their outcome. */
const KEEP_MS = 10 * 60_000;

/**
 * Bulk actions over a filter: a dry run gives the count to confirm, then the
 * run goes on in the background while the page polls its progress (from memory,
 * no store query). Interrupted runs are finished by starting the same one again.
 */
export class BulkJobs {
  private readonly jobs = new Map<string, BulkJob & { finishedAt?: number; abort: AbortController }>();

  constructor(private readonly client: LoomClient) {}

  static action(v: unknown): BulkAction {
    if (typeof v !== 'string' || !ACTIONS.has(v as BulkAction)) throw new StudioInputError(`action must be one of ${[...ACTIONS].join(', ')}, got ${JSON.stringify(v)}`);
    return v as BulkAction;
  }

  /** The count a run would act on, changing nothing. */
  async dryRun(action: BulkAction, q: InvocationQuery): Promise<BulkResult> {
    return this.client.bulk(action, adminFilter(q), { dryRun: true });
  }

  /** Starts a run; `onEnd` gets the result (for the audit log). */
  start(action: BulkAction, q: InvocationQuery, reason: string | undefined, onEnd: (r: BulkResult) => void): BulkJob {
    this.prune();
    const id = randomUUID();
    const abort = new AbortController();
    const job = { id, action, running: true, result: { total: 0, done: 0, succeeded: 0, skipped: 0, failed: 0, dryRun: false, interrupted: false, errors: [] } as BulkResult, abort };
    this.jobs.set(id, job);
    void this.client.bulk(action, adminFilter(q), {
      signal: abort.signal,
      ...(reason ? { reason } : {}),
      onProgress: (p) => { job.result = { ...job.result, ...p }; },
    }).then(
      (r) => { job.result = r; },
      (err: Error & { code?: string }) => { job.result = { ...job.result, errors: [...job.result.errors, { id: '*', code: err.code ?? 'LOOM_ERROR', message: err.message }] }; },
    ).finally(() => {
      job.running = false;
      (job as { finishedAt?: number }).finishedAt = Date.now();
      onEnd(job.result);
    });
    return this.public(job);
  }

  get(id: string): BulkJob {
    const job = this.jobs.get(id);
    if (!job) throw new StudioNotFoundError(`no bulk job ${id} (finished jobs are kept for 10 minutes)`);
    return this.public(job);
  }

  stop(id: string): BulkJob {
    const job = this.jobs.get(id);
    if (!job) throw new StudioNotFoundError(`no bulk job ${id}`);
    job.abort.abort();
    return this.public(job);
  }

  /** Stops every running job (the server is closing). */
  stopAll(): void {
    for (const j of this.jobs.values()) j.abort.abort();
  }

  private public(j: BulkJob): BulkJob {
    return { id: j.id, action: j.action, running: j.running, result: j.result };
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, j] of this.jobs) if (j.finishedAt !== undefined && now - j.finishedAt > KEEP_MS) this.jobs.delete(id);
  }
}
