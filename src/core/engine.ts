import { withTimeout } from './context.js';
import type { Envelope } from './envelope.js';
import { Acceptor, type MessageOptions } from './accept.js';
import { ABANDONED, Attempts, type AttemptEvent, type Attempted } from './attempt.js';
import { RuntimeStateError, TimeoutError, messageOf, type ErrorInfo } from './errors.js';
import { GroupCommitter } from './group-commit.js';
import type { Logger } from './logger.js';
import { Activations } from './activations.js';
import type { Mailbox } from './mailbox.js';
import { PartitionOwner } from './partition-owner.js';
import { prepareInvocation, type PrepareExtra } from './prepare.js';
import { RecentIds } from './recent-ids.js';
import type { ActorRegistry } from './registry.js';
import { ResultWaiters } from './waiters.js';
import { NoticeRelay } from './notices.js';
import { OutageReporter } from './outage.js';
import { StorePoller } from './poller.js';
import { timerDelay } from './timers.js';
import { agreePartitionCount } from './partition-count.js';
import { combineObservers, type EngineObserver, type EngineView } from './observer.js';
import type { Transport } from '../ports/transport.js';
import { pendingRecord, promiseOwner, type EnqueueResult, type InvocationRecord, type NewInvocation, type Store } from '../ports/store.js';

export type { AttemptEvent } from './attempt.js';

/** Resolved engine settings (the runtime fills in defaults). */
export interface EngineOptions {
  store: Store;
  registry: ActorRegistry;
  log: Logger;
  owner: string;
  partitions: number;
  leaseTtlMs: number;
  pollIntervalMs: number;
  maxActivations: number;
  idleTimeoutMs: number;
  maxPayloadBytes: number;
  maxConcurrency: number;
  sweepIntervalMs: number;
  /** How long dead letters are kept before the sweeper removes them, ms. */
  deadLetterTtlMs: number;
  /** Partitions this worker should hold; default all that are free. */
  wantedPartitions?: (all: number) => number[];
  /** Carries work notices to partition owners (optional; the store poll is the safety net). */
  transport?: Transport;
  /**
   * Start a local message's handler while its enqueue is in flight, and commit both
   * in one round trip (see `startEagerly`). Off: every message is durable before it runs.
   */
  eagerStart: boolean;
  /**
   * Sleeps up to this long (ms) keep their handler run in memory and carry on in place
   * when they end, instead of replaying the journal; 0: every sleep replays.
   */
  parkSleepsUpToMs: number;
  /** Observes every finished attempt (tests, metrics, traces). */
  onAttempt?: (event: AttemptEvent) => void;
  /** Lifecycle hooks for observability; more can be added with `addObserver`. */
  observer?: EngineObserver;
}

const NO_EXTRA: PrepareExtra = Object.freeze({});

/** An invocation's ids, as log fields. */
const idsOf = (rec: InvocationRecord) => ({ invocationId: rec.id, actorType: rec.actorType, actorId: rec.actorId, partition: rec.partition });

/**
 * The generic part of an actor system: it decides which mailbox runs next, and
 * wires the parts that accept messages (Acceptor), run attempts (Attempts), find
 * work in the store (StorePoller), hold activations (Activations) and own
 * partitions (PartitionOwner). It talks to storage only through the Store port
 * and batches every durable write through the group committer.
 */
export class Engine implements EngineView {
  private readonly committer: GroupCommitter;
  private readonly owner: PartitionOwner;
  private readonly boxes: Activations;
  private readonly results: ResultWaiters;
  private readonly acceptor: Acceptor;
  private readonly attempts: Attempts;
  private readonly poller: StorePoller;
  private readonly promiseWaiters = new Map<string, string>();
  /** Ids finished here recently: late duplicates from a poll are ignored, late waiters read the store. */
  private readonly finished = new RecentIds();
  private readonly ready: Mailbox[] = [];
  private running = 0;
  private clockOffset = 0;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private timers: NodeJS.Timeout[] = [];
  private idleResolvers: (() => void)[] = [];
  /** Partition -> resolvers waiting until none of its handlers runs here (handoff). */
  private readonly drainWaiters = new Map<number, (() => void)[]>();
  private readonly relay: NoticeRelay | undefined;
  private readonly outage: OutageReporter;
  /** The observers combined; undefined when there are none (the hot path checks only that). */
  private obs: EngineObserver | undefined;
  private readonly observers: EngineObserver[] = [];

  constructor(private readonly opts: EngineOptions) {
    this.committer = new GroupCommitter(opts.store);
    this.boxes = new Activations({
      maxActivations: opts.maxActivations,
      idleTimeoutMs: opts.idleTimeoutMs,
      policyOf: (t) => (opts.registry.has(t) ? opts.registry.get(t).policy : undefined),
    });
    this.outage = new OutageReporter(opts.log, 'the store');
    this.results = new ResultWaiters(opts.store, opts.log, () => this.state !== 'stopped');
    this.acceptor = new Acceptor({
      committer: this.committer,
      results: this.results,
      assertAccepting: () => this.assertAccepting(),
      now: () => this.now(),
      prepare: (env, extra) => this.prepare(env, extra),
      canStartEagerly: (inv) => this.canStartEagerly(inv),
      startEagerly: (inv) => this.startEagerly(inv),
      tookOver: (rec, box) => this.tookOver(rec, box),
      admit: (rec, fresh) => (fresh ? this.admitNew(rec) : this.admit1(rec)),
      awaitResult: (id) => this.awaitResult(id),
    });
    this.poller = new StorePoller({
      store: opts.store,
      outage: this.outage,
      dispatch: (rec) => void this.dispatch(rec),
      holds: (p) => this.owner.held.has(p) && this.state === 'running',
    });
    this.attempts = new Attempts({
      store: opts.store,
      registry: opts.registry,
      committer: this.committer,
      log: opts.log,
      maxPayloadBytes: opts.maxPayloadBytes,
      deadLetterTtlMs: opts.deadLetterTtlMs,
      parkSleepsUpToMs: opts.parkSleepsUpToMs,
      now: () => this.now(),
      epoch: (p) => this.owner.epoch(p),
      lose: (p, invocationId) => {
        this.obs?.staleWrite?.(p, this.owner.epoch(p), invocationId);
        this.owner.lose(p, 'fenced');
      },
      admit: (enqueued) => this.admit(enqueued),
      resolved: (id) => {
        this.wakePromise(id);
        this.relay?.announceOwner(promiseOwner(id));
      },
      ended: (rec) => {
        this.finished.add(rec.id);
        this.results.notify(rec);
      },
      prepare: (env, extra) => this.prepare(env, extra),
      ran: (box, rec, started, attempted, err) => this.ran(box, rec, started, attempted, err),
    });
    this.owner = new PartitionOwner({
      leases: opts.store.leases,
      owner: opts.owner,
      partitions: opts.partitions,
      ttlMs: opts.leaseTtlMs,
      log: opts.log,
      wanted: opts.wantedPartitions,
      onGained: (p) => {
        this.obs?.leaseAcquired?.(p, this.owner.epoch(p)!);
        void this.poller.recover(p);
        this.relay?.partitionsChanged(this.ownedPartitions);
      },
      onLost: (p, reason, epoch) => {
        this.obs?.leaseLost?.(p, epoch, reason);
        this.boxes.dropPartition(p);
        this.relay?.partitionsChanged(this.ownedPartitions);
      },
      drained: (p) => this.partitionDrained(p),
      now: () => this.now(),
      storeCall: (op, ok, timedOut) => this.obs?.storeCall?.(op, ok, timedOut),
    });
    this.relay = opts.transport
      ? new NoticeRelay(opts.transport, {
          owns: (p) => this.owner.held.has(p),
          take: (n) => this.take(n.invocationId),
          partitionOf: async (id) => (await this.opts.store.getInvocation(id))?.partition,
          log: opts.log,
        })
      : undefined;
    if (opts.observer) this.rewire();
  }

  /** Adds lifecycle hooks (traces, metrics, OpenTelemetry); returns a function that removes them. */
  addObserver(observer: EngineObserver): () => void {
    this.observers.push(observer);
    this.rewire();
    if (this.state === 'running') observer.attach?.(this);
    return () => this.removeObserver(observer);
  }

  removeObserver(observer: EngineObserver): void {
    const i = this.observers.indexOf(observer);
    if (i < 0) return;
    this.observers.splice(i, 1);
    this.rewire();
  }

  private rewire(): void {
    const list = this.opts.observer ? [this.opts.observer, ...this.observers] : this.observers;
    this.obs = combineObservers(list, (e) => this.opts.log.warn(`an observer threw: ${messageOf(e)}`));
    this.acceptor.obs = this.obs;
    this.attempts.obs = this.obs;
    this.committer.obs = this.obs;
  }

  get workerId(): string {
    return this.opts.owner;
  }

  /** True while the store or lease store is failing or missing deadlines. */
  get storeDegraded(): boolean {
    return this.commitsStalled || this.outage.down || this.owner.degraded;
  }

  /** Invocations queued in memory per owned partition (see `EngineView`). */
  queued(): Map<number, { depth: number; oldestAt: number }> {
    return this.boxes.queued();
  }

  /** The engine's clock: local time corrected to the store's clock. */
  now(): number {
    return Date.now() + this.clockOffset;
  }

  private readonly clock = (): number => this.now();

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Partitions this worker holds now. */
  get ownedPartitions(): number[] {
    return [...this.owner.held.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new RuntimeStateError(`the runtime was already started (state: ${this.state})`);
    // Before anything is taken: a worker that hashes ids differently must not own a single partition.
    await agreePartitionCount(this.opts.store.leases, this.opts.partitions, 'this runtime');
    this.state = 'running';
    await this.syncClock();
    if (this.relay) await this.relay.start();
    await this.owner.start();
    this.relay?.partitionsChanged(this.ownedPartitions);
    if (this.obs?.attach) this.obs.attach(this);
    const every = (ms: number, fn: () => Promise<void> | void, keepAlive = false) => {
      const t = setInterval(() => void Promise.resolve().then(fn).catch((e: Error) => this.outage.failed('housekeeping', e)), timerDelay(ms));
      if (!keepAlive) t.unref();
      this.timers.push(t);
    };
    // A started runtime is a worker: it keeps the process alive until stop().
    every(this.opts.pollIntervalMs, () => (this.state === 'running' ? this.poller.poll(this.ownedPartitions) : undefined), true);
    every(this.opts.sweepIntervalMs, async () => {
      await this.opts.store.sweep(this.now());
    });
    every(Math.max(1000, Math.floor(this.opts.idleTimeoutMs / 2)), () => this.boxes.evictIdle());
    every(30_000, () => this.syncClock());
    every(1000, () => this.watchCommits());
  }

  /** Stops taking work, waits up to `graceMs` for running handlers, releases leases. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.running > 0) {
      await withTimeout(new Promise<void>((r) => this.idleResolvers.push(r)), graceMs, () => new TimeoutError('grace period over')).catch(() => {
        this.opts.log.warn(`stopping with ${this.running} invocation(s) still running; they resume on the next owner`);
      });
    }
    this.boxes.clear();
    for (const list of this.drainWaiters.values()) for (const r of list) r();
    this.drainWaiters.clear();
    await this.owner.stop();
    await this.relay?.close().catch((err: Error) => this.opts.log.warn(`closing the transport: ${err.message}`));
    this.state = 'stopped';
    await Promise.resolve(this.obs?.stopped?.()).catch((err: Error) => this.opts.log.warn(`an observer failed on stop: ${err?.message}`));
    this.results.rejectAll((id) => new RuntimeStateError(`the runtime stopped before invocation ${id} finished; it resumes when a worker starts`));
  }

  // ---- accepting messages -------------------------------------------------

  /** Validates a message and builds the invocation to enqueue. */
  prepare(env: Envelope, extra?: PrepareExtra): NewInvocation {
    if (this.obs?.outgoing && env.trace === undefined) this.obs.outgoing(env, extra?.parent);
    return prepareInvocation(env, extra ?? NO_EXTRA, this.opts.registry, this.opts);
  }

  /** Durably accepts a message; resolves with the stored record (an existing one for a duplicate key). */
  accept(env: Envelope, options?: MessageOptions): Promise<{ record: InvocationRecord; duplicate: boolean }> {
    return this.acceptor.accept(env, options);
  }

  /** Accepts a message and waits for it to finish; resolves with the terminal record. */
  call(env: Envelope, options?: MessageOptions): Promise<InvocationRecord> {
    return this.acceptor.call(env, options);
  }

  /**
   * A message may start while its enqueue is still on its way to the store when
   * nothing can be lost or reordered by that: it has no idempotency key (a
   * duplicate key must never run) and no delay, its actor is idle here and its
   * partition is ours. Its first turn goes to the store in the same round trip as
   * the enqueue, or after it, never before.
   */
  private canStartEagerly(inv: NewInvocation): boolean {
    if (!this.opts.eagerStart || inv.idempotencyKey !== undefined || inv.notBefore !== undefined) return false;
    if (this.state !== 'running' || !this.owner.held.has(inv.partition)) return false;
    // An eager record has no place in the arrival order until it is stored, which 'fifo' with several at once needs.
    if (this.opts.registry.anyFifo && this.opts.registry.get(inv.actorType).policy?.fifo) return false;
    const box = this.boxes.get(inv.actorType, inv.actorId);
    return !box || box.idle;
  }

  private startEagerly(inv: NewInvocation): { rec: InvocationRecord; box: Mailbox | undefined } {
    // Ordered after anything the store hands out for this actor later, until the stored record replaces it.
    const rec = pendingRecord(inv, Number.MAX_SAFE_INTEGER, 0, this.now());
    // canStartEagerly checked the partition and the state; a fresh id cannot have finished.
    return { rec, box: this.place(rec) };
  }

  /** Whether an eagerly dispatched record is running or finished here. */
  private tookOver(rec: InvocationRecord, box: Mailbox | undefined): boolean {
    return rec.status !== 'pending' || box?.isRunning(rec) === true || this.finished.has(rec.id);
  }

  /** Waits for an invocation to finish; resolves with the terminal record. */
  async awaitResult(id: string): Promise<InvocationRecord> {
    if (this.finished.has(id)) {
      const rec = await this.opts.store.getInvocation(id);
      if (rec && rec.status !== 'pending') return rec;
    }
    return this.results.wait(id);
  }

  /** Resolves a durable promise and wakes its waiter here at once if it is local. */
  async resolvePromise(id: string, outcome: { valueJson?: string; error?: ErrorInfo }): Promise<boolean> {
    const first = await this.opts.store.resolvePromise({ id, ...outcome });
    this.wakePromise(id);
    this.relay?.announceOwner(promiseOwner(id));
    return first;
  }

  /** Puts a dead-lettered invocation back in its mailbox. */
  async redrive(id: string): Promise<InvocationRecord | undefined> {
    const rec = await this.opts.store.redrive(id);
    if (rec) {
      this.finished.delete(id);
      this.dispatch(rec);
    }
    return rec;
  }

  /** Resolves once no handler is running and no runnable invocation is queued. */
  async drain(): Promise<void> {
    while (this.running > 0 || this.ready.length > 0) {
      await new Promise<void>((r) => this.idleResolvers.push(r));
    }
  }

  // ---- mailboxes ------------------------------------------------------------

  /** New invocations: run the ones whose partition is ours, announce the others to their owners. */
  private admit(enqueued: readonly EnqueueResult[]): void {
    if (this.obs?.accepted) for (const e of enqueued) this.obs.accepted(e.record, e.duplicate);
    const fresh = enqueued.filter((e) => !e.duplicate).map((e) => e.record);
    if (fresh.length === 0) return;
    for (const rec of fresh) this.dispatch(rec);
    this.relay?.announce(fresh.map((r) => ({ partition: r.partition, invocationId: r.id })));
  }

  /** `admit` of one new invocation. */
  private admit1(rec: InvocationRecord): void {
    this.dispatch(rec);
    this.relay?.announce([{ partition: rec.partition, invocationId: rec.id }]);
  }

  /** `admit1` of an invocation just inserted by this engine: it cannot have finished yet. */
  private admitNew(rec: InvocationRecord): void {
    if (this.owner.held.has(rec.partition) && this.state === 'running') this.place(rec);
    this.relay?.announce([{ partition: rec.partition, invocationId: rec.id }]);
  }

  /** A transport announced this invocation: load and run it. False when it is already finished. */
  private async take(invocationId: string): Promise<boolean> {
    if (this.finished.has(invocationId)) return false;
    const rec = await this.opts.store.getInvocation(invocationId);
    if (!rec || rec.status !== 'pending') return false;
    this.dispatch(rec);
    return true;
  }

  private dispatch(rec: InvocationRecord): Mailbox | undefined {
    if (rec.status !== 'pending') return undefined;
    if (this.finished.has(rec.id)) {
      void this.pendingAgain(rec.id);
      return undefined;
    }
    if (!this.owner.held.has(rec.partition) || this.state !== 'running') return undefined;
    return this.place(rec);
  }

  /**
   * A pending record of an invocation that finished here: a poll read before it
   * finished (ignore it), or another process redrove it (run it). The store says which.
   */
  private async pendingAgain(id: string): Promise<void> {
    const fresh = await this.opts.store.getInvocation(id).catch(() => undefined);
    if (fresh?.status !== 'pending' || !this.finished.has(id)) return;
    this.finished.delete(id);
    this.dispatch(fresh);
  }

  /** Puts a runnable record of an owned partition in its actor's mailbox. */
  private place(rec: InvocationRecord): Mailbox {
    const box = this.boxes.open(rec);
    if (box.offer(rec)) this.pump(box);
    return box;
  }

  private pump(box: Mailbox): void {
    if (box.policy) return this.pumpSlots(box);
    if (box.running || this.state !== 'running') return;
    const head = box.head(this.clock);
    switch (head.kind) {
      case 'empty':
        return;
      case 'wait-promise':
        this.promiseWaiters.set(head.promiseId, box.key);
        if (box.queue.length > 1) void this.checkHolder(box, head.invocation);
        return;
      case 'wait-until':
        this.wakeAt(box, head.at);
        if (box.queue.length > 1) {
          const holder = box.queue.find((r) => r.started);
          if (holder) void this.checkHolder(box, holder);
        }
        return;
      case 'run':
        if (this.running >= this.opts.maxConcurrency) {
          if (!this.ready.includes(box)) this.ready.push(box);
          return;
        }
        this.run(box, head.invocation);
    }
  }

  /** `pump` for a type with `concurrency` above 1: fills the actor's free slots in arrival order. */
  private pumpSlots(box: Mailbox): void {
    const slots = box.policy!.slots;
    while (this.state === 'running' && box.runningCount < slots) {
      const head = box.nextRunnable(this.clock, (promiseId) => this.promiseWaiters.set(promiseId, box.key));
      if (head.kind === 'wait-until') this.wakeAt(box, head.at);
      if (head.kind !== 'run') return;
      if (this.running >= this.opts.maxConcurrency) {
        if (!this.ready.includes(box)) this.ready.push(box);
        return;
      }
      this.run(box, head.invocation);
    }
  }

  /**
   * Work arrived behind a suspended invocation: an operator may have ended that one
   * (cancelled) in the store, and it must not hold its actor here until its wait ends.
   */
  private async checkHolder(box: Mailbox, holder: InvocationRecord): Promise<void> {
    const fresh = await this.opts.store.getInvocation(holder.id).catch(() => holder);
    if (fresh?.status === 'pending' || box.running) return;
    box.remove(holder.id);
    this.finished.add(holder.id);
    if (fresh) this.results.notify(fresh);
    this.pump(box);
  }

  private wakeAt(box: Mailbox, at: number): void {
    if (box.timer && box.timerAt <= at) return;
    if (box.timer) clearTimeout(box.timer);
    box.timerAt = at;
    // A wake-up past the longest timer comes at that one; the pump finds it early and arms again.
    box.timer = setTimeout(() => {
      box.timer = undefined;
      this.pump(box);
    }, timerDelay(at - this.now()));
    box.timer.unref();
  }

  private wakePromise(promiseId: string): void {
    const key = this.promiseWaiters.get(promiseId);
    if (!key) return;
    this.promiseWaiters.delete(promiseId);
    const box = this.boxes.byKey(key);
    const rec = box?.queue.find((r) => r.waitingOn === promiseId);
    if (!box || !rec) return;
    delete rec.waitingOn;
    this.pump(box);
  }

  // ---- running attempts ----------------------------------------------------

  /** Starts an attempt of `rec` (see `Attempts`); `ran` ends it. */
  private run(box: Mailbox, rec: InvocationRecord): void {
    if (box.policy) box.startRunning(rec);
    else box.running = rec;
    this.running++;
    this.attempts.start(box, rec, this.opts.onAttempt || this.obs ? Date.now() : 0);
  }

  /** After an attempt: report it, free the actor, and start what waits. `attempted` undefined: the store failed. */
  private ran(box: Mailbox, rec: InvocationRecord, started: number, attempted: Attempted | undefined, err?: unknown): void {
    if (!attempted && this.state === 'stopped') {
      // Still running when stop()'s grace ended: the store is closed, the next owner resumes it (stop() said so).
      this.opts.log.debug(`invocation ${rec.id} of ${rec.actorType}/${rec.actorId} ended after stop; it resumes on the next owner`, idsOf(rec));
    } else if (!attempted) {
      // The store failed; nothing was committed. Try again shortly.
      this.outage.failed(`invocation ${rec.id} of ${rec.actorType}/${rec.actorId}`, err, idsOf(rec));
    }
    if (!attempted) {
      rec.notBefore = this.now() + 1000;
      // It keeps its place at the head of its actor (as a started invocation does), or later messages would
      // overtake it while it waits. And the failed write may have landed (an unknown outcome): the next attempt
      // reads the invocation, its journal and the actor's state from the store again.
      box.markStarted(rec);
      box.loaded = false;
      attempted = ABANDONED;
    }
    if (box.policy) box.stopRunning(rec);
    else box.running = undefined;
    box.lastUsed = Date.now();
    this.running--;
    if (this.opts.onAttempt || this.obs?.attemptEnded) this.report(box, rec, started, attempted);
    if (attempted.outcome !== 'abandoned') this.relay?.settled(rec.id);
    this.pump(box);
    // After the pump: a re-queued invocation has its slot again before later turns may commit.
    if (box.policy) box.releaseOrdered();
    if (this.boxes.size > this.opts.maxActivations) this.boxes.evictIdle();
    while (this.ready.length > 0 && this.running < this.opts.maxConcurrency) this.pump(this.ready.shift()!);
    if (this.running === 0 && this.ready.length === 0 && this.idleResolvers.length > 0) for (const r of this.idleResolvers.splice(0)) r();
    if (this.drainWaiters.has(rec.partition) && !this.boxes.runningIn(rec.partition)) {
      for (const r of this.drainWaiters.get(rec.partition)!) r();
      this.drainWaiters.delete(rec.partition);
    }
  }

  /** Tells `onAttempt`; an observer that throws is logged, and the engine goes on. */
  private report(box: Mailbox, rec: InvocationRecord, started: number, { outcome, error }: Attempted): void {
    const event: AttemptEvent = {
      invocationId: rec.id,
      actorType: rec.actorType,
      actorId: rec.actorId,
      method: rec.method,
      outcome,
      attempt: rec.attempt,
      durationMs: Date.now() - started,
    };
    if (rec.idempotencyKey) event.idempotencyKey = rec.idempotencyKey;
    if (error) event.error = error;
    this.obs?.attemptEnded?.(event, rec, outcome === 'completed' && box.loaded ? box.version : undefined);
    if (!this.opts.onAttempt) return;
    try {
      this.opts.onAttempt(event);
    } catch (e) {
      this.opts.log.warn(`the onAttempt observer threw on invocation ${rec.id}: ${messageOf(e)}`, { ...idsOf(rec), err: e });
    }
  }

  // ---- partitions and housekeeping -----------------------------------------

  /** Resolves once no handler of `partition` runs here (its mailboxes were dropped first). */
  private partitionDrained(partition: number): Promise<void> {
    if (!this.boxes.runningIn(partition)) return Promise.resolve();
    return new Promise<void>((r) => {
      const list = this.drainWaiters.get(partition) ?? [];
      list.push(r);
      this.drainWaiters.set(partition, list);
    });
  }

  /** A commit round trip past its deadline: said once (log, observer) until one returns. */
  private commitsStalled = false;

  private watchCommits(): void {
    const since = this.committer.inFlightSince;
    const deadline = Math.min(5000, Math.max(1000, Math.floor(this.opts.leaseTtlMs / 3)));
    if (since !== 0 && Date.now() - since > deadline) {
      if (this.commitsStalled) return;
      this.commitsStalled = true;
      this.outage.failed('a commit', new Error(`a commit round trip did not answer within ${deadline} ms (the store is unreachable or stalled)`));
      this.obs?.storeCall?.('commit', false, true);
    } else if (this.commitsStalled) {
      this.commitsStalled = false;
      this.obs?.storeCall?.('commit', true, false);
    }
  }

  private async syncClock(): Promise<void> {
    try {
      const before = Date.now();
      const storeNow = await this.opts.store.now();
      this.clockOffset = storeNow - Math.round((before + Date.now()) / 2);
    } catch (err) {
      this.opts.log.warn(`could not read the store's clock: ${(err as Error).message}`);
    }
  }

  private assertAccepting(): void {
    if (this.state !== 'running') {
      throw new RuntimeStateError(
        this.state === 'new'
          ? 'the runtime is not started: call await runtime.start() before sending messages'
          : 'the runtime is shutting down and takes no new messages',
      );
    }
  }

  /** Number of actors with an activation or queued work in memory. */
  get activeActors(): number {
    return this.boxes.size;
  }
}
