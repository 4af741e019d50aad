import { InvocationContext, withTimeout, type ContextHost, type Suspension } from './context.js';
import { checkSize, toJson, type Envelope } from './envelope.js';
import { Acceptor, type MessageOptions } from './accept.js';
import { FencedError, RuntimeStateError, TimeoutError, type ErrorInfo } from './errors.js';
import { GroupCommitter } from './group-commit.js';
import type { Logger } from './logger.js';
import { Mailbox } from './mailbox.js';
import { PartitionOwner } from './partition-owner.js';
import { prepareInvocation, type PrepareExtra } from './prepare.js';
import { RecentIds } from './recent-ids.js';
import type { ActorRegistry, RegisteredActor } from './registry.js';
import { resolveRetryPolicy } from './retry.js';
import { decideFailure } from './turn.js';
import { runHandler } from './invoke.js';
import { ResultWaiters } from './waiters.js';
import { NoticeRelay } from './notices.js';
import { OutageReporter } from './outage.js';
import type { Transport } from '../ports/transport.js';
import { pendingRecord, promiseOwner, type CommitResult, type EnqueueResult, type InvocationRecord, type JournalEntry, type NewInvocation, type Store, type TurnWrite } from '../ports/store.js';

const FULL_SCAN_INTERVAL_MS = 5000;
/** Mailboxes used within this long of each other may be evicted in either order (re-ordering a Map on every message is not free). */
const LRU_GRAIN_MS = 1000;

/** The key of an actor's mailbox in `Engine.boxes`. */
const boxKey = (actorType: string, actorId: string) => `${actorType}\u0000${actorId}`;

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
  /** Observes every finished attempt (tests, metrics, traces). */
  onAttempt?: (event: AttemptEvent) => void;
}

/** One finished attempt of an invocation, as reported to `onAttempt`. */
export interface AttemptEvent {
  invocationId: string;
  actorType: string;
  actorId: string;
  method: string;
  idempotencyKey?: string;
  outcome: 'completed' | 'failed' | 'dead' | 'retry' | 'suspended' | 'abandoned';
  attempt: number;
  durationMs: number;
  error?: ErrorInfo;
}

const NO_EXTRA: PrepareExtra = Object.freeze({});

/** How an attempt ended, for `run` and `onAttempt`. */
type Attempted = { outcome: AttemptEvent['outcome']; error?: ErrorInfo };
const ABANDONED: Attempted = Object.freeze({ outcome: 'abandoned' });
const COMPLETED: Attempted = Object.freeze({ outcome: 'completed' });
const NO_JOURNAL: readonly JournalEntry[] = Object.freeze([]);

/**
 * The generic part of an actor system: mailboxes, activations, execution,
 * retries, timers and partition ownership. It talks to storage only through the
 * Store port and batches every durable write through the group committer.
 */
export class Engine {
  private readonly committer: GroupCommitter;
  private readonly owner: PartitionOwner;
  private readonly boxes = new Map<string, Mailbox>();
  private readonly results: ResultWaiters;
  private readonly acceptor: Acceptor;
  private readonly promiseWaiters = new Map<string, string>();
  /** Ids finished here recently: late duplicates from a poll are ignored, late waiters read the store. */
  private readonly finished = new RecentIds();
  private readonly ready: Mailbox[] = [];
  private running = 0;
  private lastWakeSeq = 0;
  private lastFullScan = Date.now();
  private clockOffset = 0;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private timers: NodeJS.Timeout[] = [];
  private polling = false;
  private idleResolvers: (() => void)[] = [];
  /** Partition -> resolvers waiting until none of its handlers runs here (handoff). */
  private readonly drainWaiters = new Map<number, (() => void)[]>();
  private readonly relay: NoticeRelay | undefined;
  private readonly outage: OutageReporter;

  constructor(private readonly opts: EngineOptions) {
    this.committer = new GroupCommitter(opts.store);
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
    this.owner = new PartitionOwner({
      leases: opts.store.leases,
      owner: opts.owner,
      partitions: opts.partitions,
      ttlMs: opts.leaseTtlMs,
      log: opts.log,
      wanted: opts.wantedPartitions,
      onGained: (p) => {
        void this.recover(p);
        this.relay?.partitionsChanged(this.ownedPartitions);
      },
      onLost: (p) => {
        this.dropPartition(p);
        this.relay?.partitionsChanged(this.ownedPartitions);
      },
      drained: (p) => this.partitionDrained(p),
      now: () => this.now(),
    });
    this.relay = opts.transport
      ? new NoticeRelay(opts.transport, {
          owns: (p) => this.owner.held.has(p),
          take: (n) => this.take(n.invocationId),
          partitionOf: async (id) => (await this.opts.store.getInvocation(id))?.partition,
          log: opts.log,
        })
      : undefined;
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
    this.state = 'running';
    await this.syncClock();
    if (this.relay) await this.relay.start();
    await this.owner.start();
    this.relay?.partitionsChanged(this.ownedPartitions);
    const every = (ms: number, fn: () => Promise<void> | void, keepAlive = false) => {
      const t = setInterval(() => void Promise.resolve().then(fn).catch((e: Error) => this.outage.failed('housekeeping', e)), ms);
      if (!keepAlive) t.unref();
      this.timers.push(t);
    };
    // A started runtime is a worker: it keeps the process alive until stop().
    every(this.opts.pollIntervalMs, () => this.poll(), true);
    every(this.opts.sweepIntervalMs, async () => {
      await this.opts.store.sweep(this.now());
    });
    every(Math.max(1000, Math.floor(this.opts.idleTimeoutMs / 2)), () => this.evictIdle());
    every(30_000, () => this.syncClock());
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
    for (const box of this.boxes.values()) if (box.timer) clearTimeout(box.timer);
    this.boxes.clear();
    for (const list of this.drainWaiters.values()) for (const r of list) r();
    this.drainWaiters.clear();
    await this.owner.stop();
    await this.relay?.close().catch((err: Error) => this.opts.log.warn(`closing the transport: ${err.message}`));
    this.state = 'stopped';
    this.results.rejectAll((id) => new RuntimeStateError(`the runtime stopped before invocation ${id} finished; it resumes when a worker starts`));
  }

  // ---- accepting messages -------------------------------------------------

  /** Validates a message and builds the invocation to enqueue. */
  prepare(env: Envelope, extra?: PrepareExtra): NewInvocation {
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
    const box = this.boxes.get(boxKey(inv.actorType, inv.actorId));
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
    return rec.status !== 'pending' || box?.running === rec || this.finished.has(rec.id);
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
    if (rec.status !== 'pending' || this.finished.has(rec.id)) return undefined;
    if (!this.owner.held.has(rec.partition) || this.state !== 'running') return undefined;
    return this.place(rec);
  }

  /** Puts a runnable record of an owned partition in its actor's mailbox. */
  private place(rec: InvocationRecord): Mailbox {
    const key = boxKey(rec.actorType, rec.actorId);
    let box = this.boxes.get(key);
    const now = Date.now();
    if (!box) {
      box = new Mailbox(key, rec.actorType, rec.actorId, rec.partition);
      box.orderedAt = now;
      this.boxes.set(key, box);
    } else if (now - box.orderedAt > LRU_GRAIN_MS) {
      // Re-insert so that the map's order is least-recently-used first, to within LRU_GRAIN_MS.
      box.orderedAt = now;
      this.boxes.delete(key);
      this.boxes.set(key, box);
    }
    if (box.offer(rec)) this.pump(box);
    return box;
  }

  private pump(box: Mailbox): void {
    if (box.running || this.state !== 'running') return;
    const head = box.head(this.clock);
    switch (head.kind) {
      case 'empty':
        return;
      case 'wait-promise':
        this.promiseWaiters.set(head.promiseId, box.key);
        return;
      case 'wait-until':
        this.wakeAt(box, head.at);
        return;
      case 'run':
        if (this.running >= this.opts.maxConcurrency) {
          if (!this.ready.includes(box)) this.ready.push(box);
          return;
        }
        this.run(box, head.invocation);
    }
  }

  private wakeAt(box: Mailbox, at: number): void {
    if (box.timer && box.timerAt <= at) return;
    if (box.timer) clearTimeout(box.timer);
    box.timerAt = at;
    box.timer = setTimeout(() => {
      box.timer = undefined;
      this.pump(box);
    }, Math.max(0, at - this.now()));
    box.timer.unref();
  }

  private wakePromise(promiseId: string): void {
    const key = this.promiseWaiters.get(promiseId);
    if (!key) return;
    this.promiseWaiters.delete(promiseId);
    const box = this.boxes.get(key);
    const rec = box?.queue.find((r) => r.waitingOn === promiseId);
    if (!box || !rec) return;
    delete rec.waitingOn;
    this.pump(box);
  }

  // ---- running one attempt ------------------------------------------------

  /**
   * Runs one attempt. A chain of callbacks, not async functions: on a store in the
   * process a call goes from its handler's return through its commit to `ran`
   * without waiting, and allocates no promise of its own.
   */
  private run(box: Mailbox, rec: InvocationRecord): void {
    box.running = rec;
    this.running++;
    const started = this.opts.onAttempt ? Date.now() : 0;
    const epoch = this.owner.epoch(rec.partition);
    if (epoch === undefined) {
      // The partition is no longer ours: its owner runs the invocation.
      box.remove(rec.id);
      return this.ran(box, rec, started, ABANDONED);
    }
    const registry = this.opts.registry;
    let type: RegisteredActor;
    try {
      type = registry.get(rec.actorType);
      registry.method(type, rec.method);
    } catch (err) {
      return this.settle(box, rec, started, this.fail(box, rec, err, epoch, registry.has(rec.actorType) ? registry.get(rec.actorType) : undefined));
    }
    if (box.loaded && !rec.started) return this.invoke(box, rec, type, epoch, NO_JOURNAL, started);
    this.load(box, rec).then(
      (journal) => this.invoke(box, rec, type, epoch, journal, started),
      (err: unknown) => this.ran(box, rec, started, undefined, err),
    );
  }

  /** Reads what an attempt needs from the store: the actor's state if not loaded, the journal if it started before. */
  private async load(box: Mailbox, rec: InvocationRecord): Promise<readonly JournalEntry[]> {
    if (!box.loaded) {
      const loading = this.opts.store.loadState(rec.actorType, rec.actorId);
      box.loading = loading;
      let st;
      try {
        st = await loading;
      } finally {
        box.loading = undefined;
      }
      box.stateJson = st?.stateJson;
      box.version = st?.version ?? 0;
      box.loaded = true;
    }
    return rec.started ? this.opts.store.loadJournal(rec.id) : NO_JOURNAL;
  }

  private invoke(box: Mailbox, rec: InvocationRecord, type: RegisteredActor, epoch: number, journal: readonly JournalEntry[], started: number): void {
    const ctx = new InvocationContext(rec, journal, epoch, this.host);
    runHandler(type, rec, box.stateJson, ctx, (result, actor) => {
      let out: Attempted | Promise<Attempted>;
      try {
        if (result.kind === 'value') out = this.complete(box, rec, type, ctx, epoch, result.value, actor.state);
        else if (result.kind === 'suspend') out = this.suspend(box, rec, ctx, epoch, result.s);
        else out = this.fail(box, rec, result.err, epoch, type, ctx);
      } catch (err) {
        return this.ran(box, rec, started, undefined, err);
      }
      this.settle(box, rec, started, out);
    });
  }

  /** Ends the attempt with `out`, at once or once it settles; a rejection is a store failure. */
  private settle(box: Mailbox, rec: InvocationRecord, started: number, out: Attempted | Promise<Attempted>): void {
    if (out instanceof Promise) {
      out.then(
        (a) => this.ran(box, rec, started, a),
        (err: unknown) => this.ran(box, rec, started, undefined, err),
      );
    } else {
      this.ran(box, rec, started, out);
    }
  }

  /** After an attempt: report it, free the actor, and start what waits. `attempted` undefined: the store failed. */
  private ran(box: Mailbox, rec: InvocationRecord, started: number, attempted: Attempted | undefined, err?: unknown): void {
    if (!attempted) {
      // The store failed; nothing was committed. Try again shortly.
      this.outage.failed(`invocation ${rec.id} of ${rec.actorType}/${rec.actorId}`, err);
      rec.notBefore = this.now() + 1000;
      attempted = ABANDONED;
    }
    box.running = undefined;
    box.lastUsed = Date.now();
    this.running--;
    if (this.opts.onAttempt) this.report(rec, started, attempted);
    if (attempted.outcome !== 'abandoned') this.relay?.settled(rec.id);
    this.pump(box);
    if (this.boxes.size > this.opts.maxActivations) this.evictIdle();
    while (this.ready.length > 0 && this.running < this.opts.maxConcurrency) this.pump(this.ready.shift()!);
    if (this.running === 0 && this.ready.length === 0 && this.idleResolvers.length > 0) for (const r of this.idleResolvers.splice(0)) r();
    if (this.drainWaiters.has(rec.partition) && !this.runningIn(rec.partition)) {
      for (const r of this.drainWaiters.get(rec.partition)!) r();
      this.drainWaiters.delete(rec.partition);
    }
  }

  /** Tells `onAttempt`; an observer that throws is logged, and the engine goes on. */
  private report(rec: InvocationRecord, started: number, { outcome, error }: Attempted): void {
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
    try {
      this.opts.onAttempt!(event);
    } catch (e) {
      this.opts.log.warn(`the onAttempt observer threw on invocation ${rec.id}: ${(e as Error).message}`);
    }
  }

  /** The handler returned: one turn with its result, its state if changed, and what it sent. */
  private complete(box: Mailbox, rec: InvocationRecord, type: RegisteredActor, ctx: InvocationContext, epoch: number, value: unknown, state: object): Attempted | Promise<Attempted> {
    let resultJson: string;
    let stateJson: string;
    try {
      resultJson = value === undefined ? 'null' : toJson(value, () => `the result of ${rec.actorType}.${rec.method}`, 'result');
      checkSize(resultJson, this.opts.maxPayloadBytes, () => `the result of ${rec.actorType}/${rec.actorId}.${rec.method}`);
      stateJson = toJson(state, () => `the state of ${rec.actorType}/${rec.actorId}`, 'this.state');
      ctx.assertReplayed();
    } catch (err) {
      return this.fail(box, rec, err, epoch, type, ctx);
    }
    const turn: TurnWrite = {
      partition: rec.partition,
      epoch,
      invocationId: rec.id,
      transition: { status: 'completed', resultJson, expiresAt: this.now() + rec.ttlMs },
    };
    const stateChanged = stateJson !== (box.stateJson ?? type.initialStateJson) || box.version === 0;
    if (stateChanged) turn.state = { actorType: rec.actorType, actorId: rec.actorId, stateJson, expectedVersion: box.version };
    if (ctx.outbox.length) turn.outbox = ctx.outbox;
    if (ctx.idempotencyWrites.length) {
      const expiresAt = this.now() + type.idempotencyTtlMs;
      turn.idempotency = ctx.idempotencyWrites.map((w) => ({ actorType: rec.actorType, actorId: rec.actorId, key: w.key, resultJson: w.resultJson, expiresAt }));
    }
    if (rec.replyTo) turn.resolve = [{ id: rec.replyTo, valueJson: resultJson }];
    const newState = stateChanged ? stateJson : undefined;
    const committing = this.commitTurn(box, rec, turn);
    return typeof committing === 'boolean'
      ? this.completed(box, rec, committing, resultJson, newState)
      : committing.then((ok) => this.completed(box, rec, ok, resultJson, newState));
  }

  private completed(box: Mailbox, rec: InvocationRecord, committed: boolean, resultJson: string, newState: string | undefined): Attempted {
    if (!committed) return ABANDONED;
    if (newState !== undefined) {
      box.stateJson = newState;
      box.version++;
    }
    // The record leaves the mailbox here: it becomes the terminal record the waiters get.
    rec.status = 'completed';
    rec.resultJson = resultJson;
    rec.started = true;
    this.finish(box, rec);
    return COMPLETED;
  }

  private async suspend(box: Mailbox, rec: InvocationRecord, ctx: InvocationContext, epoch: number, s: Suspension) {
    const transition: TurnWrite['transition'] = { status: 'pending', attempt: rec.attempt };
    if (s.notBefore !== undefined) transition.notBefore = s.notBefore;
    if (s.waitingOn !== undefined) transition.waitingOn = s.waitingOn;
    const turn: TurnWrite = { partition: rec.partition, epoch, invocationId: rec.id, journal: ctx.takeBuffered(), transition };
    if (ctx.outbox.length) turn.outbox = ctx.outbox;
    if (!(await this.commitTurn(box, rec, turn))) return { outcome: 'abandoned' as const };
    box.markStarted(rec);
    if (s.notBefore !== undefined) rec.notBefore = s.notBefore;
    else delete rec.notBefore;
    if (s.waitingOn !== undefined) {
      rec.waitingOn = s.waitingOn;
      // The promise may have been resolved while this turn was committing.
      if (await this.opts.store.getPromise(s.waitingOn)) delete rec.waitingOn;
    }
    return { outcome: 'suspended' as const };
  }

  private async fail(box: Mailbox, rec: InvocationRecord, err: unknown, epoch: number, type: RegisteredActor | undefined, ctx?: InvocationContext) {
    const policy = type ? resolveRetryPolicy(type.retryPolicy, rec.meta?.retryPolicy) : resolveRetryPolicy();
    const decision = decideFailure(err, rec, policy, this.now(), rec.ttlMs, this.opts.deadLetterTtlMs);
    if (decision.kind === 'abandon') {
      // A conflict says nothing about the partition: only this invocation's view is stale.
      if (err instanceof FencedError && err.outcome === 'conflict') await this.reconcile(box, rec);
      else this.owner.lose(rec.partition);
      return { outcome: 'abandoned' as const };
    }
    const turn: TurnWrite = { partition: rec.partition, epoch, invocationId: rec.id, transition: decision.transition };
    const t = decision.transition;
    if (t.status === 'pending' && ctx) {
      // Step results the attempt finished but had not flushed yet survive into the retry,
      // with the outbox messages of any send journaled beside them.
      const journal = ctx.takeBuffered();
      if (journal.length) turn.journal = journal;
      if (ctx.outbox.length) turn.outbox = ctx.outbox;
    }
    if (decision.kind === 'final' && rec.replyTo) turn.resolve = [{ id: rec.replyTo, error: decision.transition.error }];
    if (!(await this.commitTurn(box, rec, turn))) return { outcome: 'abandoned' as const };
    if (t.status === 'pending') {
      rec.attempt = t.attempt;
      box.markStarted(rec);
      if (t.notBefore !== undefined) rec.notBefore = t.notBefore;
      if (t.error) rec.error = t.error;
      return { outcome: 'retry' as const, error: t.error };
    }
    this.finish(box, { ...rec, status: t.status, error: t.error, attempt: t.attempt, started: true });
    return { outcome: t.status, error: t.error };
  }

  /** Commits a turn; on rejection, reconciles and returns false. At once where the store is in the process. */
  private commitTurn(box: Mailbox, rec: InvocationRecord, turn: TurnWrite): boolean | Promise<boolean> {
    const now = this.committer.commitNow(turn);
    if (now) return this.committed(box, rec, turn, now);
    return this.committer.commit(turn).then((res) => this.committed(box, rec, turn, res));
  }

  private committed(box: Mailbox, rec: InvocationRecord, turn: TurnWrite, res: CommitResult): boolean | Promise<boolean> {
    if (res.outcome === 'ok') {
      if (res.enqueued.length) this.admit(res.enqueued);
      for (const r of turn.resolve ?? []) {
        this.wakePromise(r.id);
        this.relay?.announceOwner(promiseOwner(r.id));
      }
      return true;
    }
    if (res.outcome === 'fenced') {
      this.opts.log.warn(`partition ${rec.partition} was taken by another worker; dropping its work here`);
      this.owner.lose(rec.partition);
      return false;
    }
    return this.reconcile(box, rec).then(() => false);
  }

  /** After a conflict our view is stale: reload state and the invocation from the store (gone: drop it). */
  private async reconcile(box: Mailbox, rec: InvocationRecord): Promise<void> {
    box.loaded = false;
    const fresh = await this.opts.store.getInvocation(rec.id);
    box.remove(rec.id);
    if (fresh && fresh.status !== 'pending') this.finish(box, fresh);
    else if (fresh) box.offer(fresh);
  }

  private finish(box: Mailbox, rec: InvocationRecord): void {
    box.remove(rec.id);
    this.finished.add(rec.id);
    this.results.notify(rec);
  }

  // ---- partitions, polling, housekeeping ----------------------------------

  /** Loads a newly owned partition's unfinished work; retried until it succeeds or the partition is lost. */
  private async recover(partition: number): Promise<void> {
    for (let wait = 100; this.owner.held.has(partition) && this.state === 'running'; wait = Math.min(wait * 2, 5000)) {
      try {
        let after = 0;
        for (;;) {
          const page = await this.opts.store.pollPending([partition], after, 1000);
          for (const rec of page) this.dispatch(rec);
          if (page.length < 1000) return;
          after = page[page.length - 1]!.wakeSeq;
        }
      } catch (err) {
        this.outage.failed(`recovery of partition ${partition}`, err);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private dropPartition(partition: number): void {
    for (const [key, box] of this.boxes) {
      if (box.partition !== partition) continue;
      if (box.timer) clearTimeout(box.timer);
      box.clear();
      box.loaded = false;
      if (!box.running) this.boxes.delete(key);
    }
  }

  /** True while a handler of `partition` runs here. */
  private runningIn(partition: number): boolean {
    for (const box of this.boxes.values()) if (box.partition === partition && box.running) return true;
    return false;
  }

  /** Resolves once no handler of `partition` runs here (its mailboxes were dropped first). */
  private partitionDrained(partition: number): Promise<void> {
    if (!this.runningIn(partition)) return Promise.resolve();
    return new Promise<void>((r) => {
      const list = this.drainWaiters.get(partition) ?? [];
      list.push(r);
      this.drainWaiters.set(partition, list);
    });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.state !== 'running') return;
    const owned = this.ownedPartitions;
    if (owned.length === 0) return;
    this.polling = true;
    try {
      // Wake sequence numbers are taken before commit, so on a store with concurrent
      // writers (PostgreSQL) a lower one can become visible after a higher one was
      // read. A periodic rescan from zero catches those; dispatch ignores repeats.
      const full = Date.now() - this.lastFullScan > FULL_SCAN_INTERVAL_MS;
      let after = full ? 0 : this.lastWakeSeq;
      for (;;) {
        const page = await this.opts.store.pollPending(owned, after, 1000);
        for (const rec of page) {
          this.lastWakeSeq = Math.max(this.lastWakeSeq, rec.wakeSeq);
          this.dispatch(rec);
        }
        if (page.length < 1000) break;
        after = page[page.length - 1]!.wakeSeq;
      }
      if (full) this.lastFullScan = Date.now();
      this.outage.ok();
    } finally {
      this.polling = false;
    }
  }

  private evictIdle(): void {
    const cutoff = Date.now() - this.opts.idleTimeoutMs;
    const excess = this.boxes.size - this.opts.maxActivations;
    let evicted = 0;
    for (const [key, box] of this.boxes) {
      if (!box.idle || box.timer) continue;
      if (box.lastUsed < cutoff || evicted < excess) {
        this.boxes.delete(key);
        evicted++;
      }
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

  private readonly host: ContextHost = {
    now: () => this.now(),
    commit: async (turn) => {
      const res = this.committer.commitNow(turn) ?? (await this.committer.commit(turn));
      if (res.outcome === 'ok' && res.enqueued.length) this.admit(res.enqueued);
      return res;
    },
    getPromise: (id) => this.opts.store.getPromise(id),
    getActorIdempotency: (t, id, key) => this.opts.store.getActorIdempotency(t, id, key, this.now()),
    prepare: (env, extra) => this.prepare(env, extra),
    idempotencyTtlMs: (t) => this.opts.registry.get(t).idempotencyTtlMs,
  };
}
