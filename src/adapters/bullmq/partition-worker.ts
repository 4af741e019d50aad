import { setTimeout as sleep } from 'node:timers/promises';
import { Job, WaitingError, Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { StoreError } from '../../core/errors.js';
import type { Delivery, WorkNotice } from '../../ports/transport.js';
import type { TransportLogger } from '../redis/transport-client.js';

/** What one {@link PartitionWorker} needs from its transport. */
export interface PartitionWorkerSettings {
  prefix: string;
  /** A client template with `maxRetriesPerRequest: null`; BullMQ duplicates it for its own connections. */
  connection: Redis;
  lockDurationMs: number;
  stalledIntervalMs: number;
  concurrency: number;
  workerName: string;
  logger: TransportLogger;
}

/** A job the worker holds active until its delivery is acknowledged. */
interface Held {
  job: Job<WorkNotice>;
  token: string;
  state: 'open' | 'acking' | 'settled';
  /** Lets the processor return, so BullMQ completes (and removes) the job. */
  complete: () => void;
  /** Ends the processor without completing anything (after the worker closed). */
  abandon: () => void;
}

/**
 * One BullMQ Worker on one partition's queue. Its processor returns only when
 * the delivery is acknowledged, so the job completes after the commit; a job
 * never acknowledged stays active under a lock, and goes back to the queue when
 * this worker closes (or, if the process died, when the lock expires and a
 * stalled-job check of the next worker finds it).
 */
export class PartitionWorker {
  private readonly worker: Worker<WorkNotice>;
  private readonly held = new Map<string, Held>();
  /** Acks waiting for BullMQ to report their job completed, by {@link ref}. */
  private readonly completing = new Map<string, () => void>();
  private closing = false;

  constructor(
    readonly partition: number,
    private readonly queue: Queue<WorkNotice>,
    private readonly onDelivery: () => ((delivery: Delivery) => void) | undefined,
    private readonly settings: PartitionWorkerSettings,
  ) {
    this.worker = new Worker<WorkNotice>(queue.name, (job, token) => this.process(job, token), {
      connection: settings.connection,
      prefix: settings.prefix,
      name: settings.workerName,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      // A notice may stall many times (each worker death); failing it would drop it.
      maxStalledCount: 1_000_000,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    });
    this.worker.on('completed', (job) => this.completing.get(ref(job, job.token))?.());
    this.worker.on('error', (err) => {
      if (!this.closing) settings.logger.warn(`BullMQ transport: a partition worker failed (BullMQ retries): ${err.message}`);
    });
  }

  /** Resolves once the worker's connections are up; rejects if Redis cannot be reached. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Stops fetching and hands every unacknowledged job back to the queue, so the
   * next consumer of the partition gets it at once rather than after the lock expires.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Acks in flight are completing their jobs right now: let them land first, bounded.
    const acking = [...this.held.values()].filter((h) => h.state === 'acking');
    if (acking.length > 0) {
      const landed = Promise.all(acking.map((h) => new Promise<void>((r) => this.onCompleted(h, r))));
      const timeout = new AbortController();
      await Promise.race([landed, sleep(this.settings.lockDurationMs, undefined, { signal: timeout.signal }).catch(() => {})]);
      timeout.abort();
    }
    // Forced: completes nothing more, and stops renewing the locks of what it holds.
    await this.worker.close(true);
    const open = [...this.held.values()];
    this.held.clear();
    await Promise.all(open.filter((h) => h.state === 'open').map((h) => this.release(h)));
    for (const h of open) h.abandon();
    for (const resolve of this.completing.values()) resolve();
    this.completing.clear();
  }

  private process(job: Job<WorkNotice>, token: string | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const h: Held = {
        job,
        token: token ?? '',
        state: 'open',
        complete: resolve,
        // BullMQ treats WaitingError as "moved elsewhere": no completion, no failure.
        abandon: () => reject(new WaitingError()),
      };
      this.held.set(ref(job, token), h);
      // Fetched while closing: close() hands it back.
      if (this.closing) return;
      const invocationId: unknown = job.data?.invocationId;
      if (typeof invocationId !== 'string') {
        this.settings.logger.warn(`BullMQ transport: job ${job.id} of ${this.queue.name} is not a Loom notice (no invocationId); removing it.`);
        void this.ack(h).catch(() => {});
        return;
      }
      // consume() sets the handler before it creates a worker; without one, close() hands the job back.
      const handler = this.onDelivery();
      if (!handler) return;
      try {
        handler({ notice: { partition: this.partition, invocationId }, ack: () => this.ack(h) });
      } catch (err) {
        // A notice only announces work; the store poll finds it even if this one is dropped.
        this.settings.logger.warn(`BullMQ transport: the delivery handler threw for ${invocationId}; acknowledging the notice (the store poll picks the work up): ${String(err)}`);
        void this.ack(h).catch(() => {});
      }
    });
  }

  /** Completes the job and resolves once BullMQ has removed it. A no-op once released. */
  private ack(h: Held): Promise<void> {
    if (h.state !== 'open' || this.closing) return Promise.resolve();
    h.state = 'acking';
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.completing.delete(ref(h.job, h.token));
        reject(
          new StoreError(
            `BullMQ transport: ack of job ${h.job.id} on ${this.queue.name} was not confirmed within ${2 * this.settings.lockDurationMs} ms ` +
              `(Redis unreachable, or the job's lock expired). The notice may be delivered again; Loom skips work already committed. Is Redis reachable?`,
          ),
        );
      }, 2 * this.settings.lockDurationMs);
      this.onCompleted(h, () => {
        clearTimeout(timer);
        resolve();
      });
      h.complete();
    });
  }

  private onCompleted(h: Held, fn: () => void): void {
    const key = ref(h.job, h.token);
    const before = this.completing.get(key);
    this.completing.set(key, () => {
      this.completing.delete(key);
      this.held.delete(key);
      h.state = 'settled';
      before?.();
      fn();
    });
  }

  /** Moves an active job back to wait, through the queue's connection (the worker's are closed). */
  private async release(h: Held): Promise<void> {
    h.state = 'settled';
    try {
      const job = await Job.fromId<WorkNotice>(this.queue, String(h.job.id));
      await job?.moveToWait(h.token);
    } catch (err) {
      // The lock may have expired and a stalled-job check moved it already: it is redelivered either way.
      this.settings.logger.warn(`BullMQ transport: could not hand job ${h.job.id} of ${this.queue.name} back (it is redelivered once its lock expires): ${String(err)}`);
    }
  }
}

/** Tells apart two fetches of the same job (a stalled job can come back while still held). */
function ref(job: Job, token: string | undefined): string {
  return `${job.id}@${token ?? ''}`;
}
