import type { CommitResult, EnqueueResult, NewInvocation, Store, TurnWrite } from '../ports/store.js';

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: every enqueue and turn write issued while a store round-trip is
 * in flight goes out together in the next one (one transaction / fsync / pipeline
 * for many invocations). Latency at low load is one round-trip; throughput at
 * high load is bounded by the store's batch cost, not its per-op cost.
 */
export class GroupCommitter {
  private enqueues: Pending<NewInvocation, EnqueueResult>[] = [];
  private turns: Pending<TurnWrite, CommitResult>[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 512,
  ) {}

  enqueue(item: NewInvocation): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      this.enqueues.push({ item, resolve, reject });
      this.schedule();
    });
  }

  commit(item: TurnWrite): Promise<CommitResult> {
    return new Promise((resolve, reject) => {
      this.turns.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.enqueues.length > 0 || this.turns.length > 0) {
        const enqueues = this.enqueues.splice(0, this.maxBatch);
        const turns = this.turns.splice(0, this.maxBatch);
        if (enqueues.length > 0) await run(enqueues, (items) => this.store.enqueue(items));
        if (turns.length > 0) await run(turns, (items) => this.store.commit(items));
      }
    } finally {
      this.flushing = false;
    }
  }
}

async function run<I, O>(batch: Pending<I, O>[], op: (items: I[]) => Promise<O[]>): Promise<void> {
  try {
    const out = await op(batch.map((p) => p.item));
    batch.forEach((p, i) => p.resolve(out[i] as O));
  } catch (err) {
    for (const p of batch) p.reject(err);
  }
}
