import { performance } from 'node:perf_hooks';
import type { EngineObserver } from './observer.js';
import { OutcomeUnknownError, StoreError } from './errors.js';
import { isItemFailure, type ItemFailure, type CommitResult, type EnqueueResult, type ImmediateWrites, type NewInvocation, type Store, type TurnWrite, type WriteResult } from '../ports/store.js';

/**
 * Immediate writes allowed per macrotask. Each one's result resolves on a
 * microtask, so a steady flow of them would never let timers (lease renewal,
 * handler timeouts) run; past this many, writes wait for the next batch.
 */
const IMMEDIATE_PER_TURN = 512;

type Pending =
  | { kind: 'enqueue'; item: NewInvocation; resolve: (o: EnqueueResult) => void; reject: (e: unknown) => void }
  | { kind: 'turn'; item: TurnWrite; resolve: (o: CommitResult) => void; reject: (e: unknown) => void };

/** One item's answer, given once its batch is no longer in flight. */
interface Outcome {
  p: Pending;
  ok: boolean;
  value: unknown;
}

function outcome(p: Pending, r: EnqueueResult | CommitResult | ItemFailure | undefined): Outcome {
  if (r === undefined) return { p, ok: false, value: new Error('the store returned fewer results than it was given items') };
  return isItemFailure(r) ? { p, ok: false, value: r.failed } : { p, ok: true, value: r };
}

/**
 * Group commit: every enqueue and every turn issued while a store round trip is
 * in flight goes out together in the next one (one transaction, fsync or
 * pipeline for many invocations). Enqueues and turns share each batch through
 * `Store.write`, enqueues first, so an invocation started before its enqueue was
 * durable commits its first turn in the same round trip as that enqueue.
 *
 * A turn is never sent ahead of its invocation's enqueue: when that enqueue is
 * already in flight in another batch (stores with `batchConcurrency` > 1), the
 * turn waits for the next batch.
 *
 * A store in the process (`Store.immediate`) has no round trip to share: each
 * item is applied as it comes, while nothing is queued or in flight ahead of it
 * and the macrotask's budget lasts.
 *
 * Items share a round trip, never a fate: each is answered with its own result
 * or error (see `send`).
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Ids of invocations whose enqueue is in a batch in flight. */
  private readonly enqueuesInFlight = new Set<string>();
  /** Ids of invocations whose enqueue is held back (`enqueue`'s `holdUntil`). */
  private readonly held = new Set<string>();
  private readonly concurrency: number;
  private readonly immediate: ImmediateWrites | undefined;
  private immediateLeft = IMMEDIATE_PER_TURN;
  private refillScheduled = false;
  /** Lifecycle hooks, set by the engine. */
  obs: EngineObserver | undefined;
  /** When the oldest round trip now in flight started (Date.now), 0 when none is: a stalled store shows here. */
  inFlightSince = 0;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 512,
  ) {
    this.concurrency = Math.max(1, store.capabilities.batchConcurrency ?? 1);
    this.immediate = store.immediate;
  }

  /**
   * With `holdUntil`, the enqueue joins a batch only once that promise settles
   * (either way), and the invocation's turns wait for it: an eagerly started
   * call whose actor state is being read sends its enqueue with its first turn.
   */
  enqueue(item: NewInvocation, holdUntil?: Promise<unknown>): Promise<EnqueueResult> {
    return new Promise((resolve, reject) => {
      const p: Pending = { kind: 'enqueue', item, resolve, reject };
      if (!holdUntil) return this.push(p);
      this.held.add(item.id);
      const release = () => {
        this.held.delete(item.id);
        this.push(p);
      };
      holdUntil.then(release, release);
    });
  }

  commit(item: TurnWrite): Promise<CommitResult> {
    return new Promise((resolve, reject) => this.push({ kind: 'turn', item, resolve, reject }));
  }

  /**
   * Enqueues now when the store is in the process and nothing may be overtaken;
   * undefined means "use `enqueue`". Throws where `enqueue` would reject.
   */
  enqueueNow(item: NewInvocation): EnqueueResult | undefined {
    return this.immediate && this.mayWriteNow() ? this.immediate.enqueue(item) : undefined;
  }

  /** `commit`, now, on the same terms as `enqueueNow`. */
  commitNow(item: TurnWrite): CommitResult | undefined {
    return this.immediate && this.mayWriteNow() ? this.immediate.commit(item) : undefined;
  }

  /** Nothing queued or in flight may be overtaken, and the macrotask's budget lasts. */
  private mayWriteNow(): boolean {
    if (this.queue.length > 0 || this.inFlight > 0 || this.held.size > 0 || this.immediateLeft === 0) return false;
    this.immediateLeft--;
    if (!this.refillScheduled) {
      this.refillScheduled = true;
      setImmediate(() => {
        this.refillScheduled = false;
        this.immediateLeft = IMMEDIATE_PER_TURN;
      });
    }
    return true;
  }

  private push(p: Pending): void {
    this.queue.push(p);
    this.schedule();
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

  /** Takes the next batch off the queue, leaving turns whose enqueue is still in flight. */
  private take(): Pending[] {
    if (this.enqueuesInFlight.size === 0 && this.held.size === 0 && this.queue.length <= this.maxBatch) {
      const all = this.queue;
      this.queue = [];
      return all;
    }
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    for (const p of this.queue) {
      const held = p.kind === 'turn' && (this.enqueuesInFlight.has(p.item.invocationId) || this.held.has(p.item.invocationId));
      (held || batch.length >= this.maxBatch ? rest : batch).push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.concurrency || this.queue.length === 0) return;
    const batch = this.take();
    if (batch.length === 0) return;
    for (const p of batch) if (p.kind === 'enqueue') this.enqueuesInFlight.add(p.item.id);
    if (this.inFlight++ === 0) this.inFlightSince = Date.now();
    const outcomes: Outcome[] = [];
    try {
      await this.send(batch, outcomes);
    } catch (err) {
      // Not a store's answer (those are outcomes) but a fault reading one: the items left unanswered get it.
      const answered = new Set(outcomes.map((o) => o.p));
      for (const p of batch) if (!answered.has(p)) outcomes.push({ p, ok: false, value: err });
    } finally {
      for (const p of batch) if (p.kind === 'enqueue') this.enqueuesInFlight.delete(p.item.id);
      if (--this.inFlight === 0) this.inFlightSince = 0;
      this.schedule();
    }
    // Settled once the batch is no longer in flight: what the callers do next sees the committer idle.
    for (const o of outcomes) {
      if (o.ok) o.p.resolve(o.value as never);
      else o.p.reject(o.value);
    }
  }

  /**
   * Writes `batch` and records each item's own outcome in `out`. A batch the
   * store refused for its content (see `Store.write`: nothing of it was
   * applied) is written again in halves until the item at fault is alone, so
   * that one bad item never fails the others. A store failure or an unknown
   * outcome concerns every item alike and is not split.
   */
  private async send(batch: Pending[], out: Outcome[]): Promise<void> {
    const enqueues: Extract<Pending, { kind: 'enqueue' }>[] = [];
    const turns: Extract<Pending, { kind: 'turn' }>[] = [];
    for (const p of batch) {
      if (p.kind === 'enqueue') enqueues.push(p);
      else turns.push(p);
    }
    if (!this.store.write && enqueues.length > 0 && turns.length > 0) {
      // Two calls: the enqueues' outcome must not depend on the turns'.
      await this.send(enqueues, out);
      return this.send(turns, out);
    }
    const obs = this.obs;
    const t0 = obs?.committed ? performance.now() : 0;
    let res: WriteResult;
    try {
      res = await this.write(
        enqueues.map((p) => p.item),
        turns.map((p) => p.item),
      );
    } catch (err) {
      if (batch.length > 1 && !(err instanceof StoreError) && !(err instanceof OutcomeUnknownError)) {
        // Enqueues first, as the store applies them: a turn never lands in a half before its enqueue.
        const ordered: Pending[] = [...enqueues, ...turns];
        const half = ordered.length >> 1;
        await this.send(ordered.slice(0, half), out);
        return this.send(ordered.slice(half), out);
      }
      for (const p of batch) out.push({ p, ok: false, value: err });
      return;
    }
    if (obs?.committed) obs.committed(batch.length, performance.now() - t0);
    enqueues.forEach((p, i) => out.push(outcome(p, res.enqueued[i])));
    turns.forEach((p, i) => out.push(outcome(p, res.committed[i])));
  }

  /** One round trip where the store offers `write`; otherwise the one call of the kind given (`send` splits a mixed batch). */
  private async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    if (this.store.write) return this.store.write(enqueues, turns);
    if (enqueues.length > 0) return { enqueued: await this.store.enqueue(enqueues), committed: [] };
    return { enqueued: [], committed: await this.store.commit(turns) };
  }
}
