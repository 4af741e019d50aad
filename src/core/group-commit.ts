import type { CommitResult, EnqueueResult, NewInvocation, Store, TurnWrite } from '../ports/store.js';

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * One kind of write (enqueues, or turns) batched: everything issued while the
 * lane's batches are in flight goes out together in the next one. A store that
 * runs batches on several connections may declare `batchConcurrency` > 1.
 */
class Lane<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly op: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
    private readonly concurrency: number,
  ) {}

  push(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    // One macrotask of gathering lets the writes issued by this tick's callbacks join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.concurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.inFlight++;
    try {
      const out = await this.op(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(out[i] as O));
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}

/**
 * Group commit: every enqueue and every turn write issued while a store
 * round-trip is in flight goes out together in the next one (one transaction /
 * fsync / pipeline for many invocations). Enqueues and turns travel in separate
 * lanes so that neither waits for the other's round-trip.
 */
export class GroupCommitter {
  private readonly enqueues: Lane<NewInvocation, EnqueueResult>;
  private readonly turns: Lane<TurnWrite, CommitResult>;

  constructor(store: Store, maxBatch = 512) {
    const concurrency = Math.max(1, store.capabilities.batchConcurrency ?? 1);
    this.enqueues = new Lane((items) => store.enqueue(items), maxBatch, concurrency);
    this.turns = new Lane((items) => store.commit(items), maxBatch, concurrency);
  }

  enqueue(item: NewInvocation): Promise<EnqueueResult> {
    return this.enqueues.push(item);
  }

  commit(item: TurnWrite): Promise<CommitResult> {
    return this.turns.push(item);
  }
}
