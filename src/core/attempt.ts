import { InvocationContext, type ContextHost, type Suspension } from './context.js';
import type { Actor } from './actor.js';
import { checkSize, toJson, type Envelope } from './envelope.js';
import { stateToJson } from './state-check.js';
import { FencedError, InvalidMessageError, SerializationError, type ErrorInfo } from './errors.js';
import type { GroupCommitter } from './group-commit.js';
import type { Logger } from './logger.js';
import type { Mailbox } from './mailbox.js';
import type { PrepareExtra } from './prepare.js';
import type { ActorRegistry, RegisteredActor } from './registry.js';
import { resolveRetryPolicy } from './retry.js';
import { decideFailure } from './turn.js';
import { runHandler, type HandlerDone } from './invoke.js';
import { callChainFor } from './call-chain.js';
import type { EngineObserver } from './observer.js';
import type { TurnData } from './actor-data.js';
import type { CommitResult, EnqueueResult, InvocationRecord, JournalEntry, NewInvocation, Store, TurnWrite } from '../ports/store.js';

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

/** How an attempt ended, for the engine and `onAttempt`. */
export type Attempted = { outcome: AttemptEvent['outcome']; error?: ErrorInfo };
export const ABANDONED: Attempted = Object.freeze({ outcome: 'abandoned' });
const COMPLETED: Attempted = Object.freeze({ outcome: 'completed' });
const NO_JOURNAL: readonly JournalEntry[] = Object.freeze([]);

/** What running attempts needs from the engine. */
export interface AttemptHost {
  readonly store: Store;
  readonly registry: ActorRegistry;
  readonly committer: GroupCommitter;
  readonly log: Logger;
  readonly maxPayloadBytes: number;
  readonly deadLetterTtlMs: number;
  /** Sleeps up to this long (ms) wait in memory and carry on in place; 0: every sleep suspends and replays. */
  readonly parkSleepsUpToMs: number;
  now(): number;
  /** The lease epoch held for `partition`; undefined once it is lost. */
  epoch(partition: number): number | undefined;
  /** The store fenced a write of `invocationId`: another worker holds `partition` now, drop its work here. */
  lose(partition: number, invocationId: string): void;
  /** Invocations a commit enqueued (an attempt's sends): run the local ones, announce the others. */
  admit(enqueued: readonly EnqueueResult[]): void;
  /** A commit here resolved durable promise `id`: wake its waiter. */
  resolved(id: string): void;
  /** The invocation has its terminal record: answer its waiters. */
  ended(rec: InvocationRecord): void;
  /** Validates and builds an outbox message, as `runtime.send` does. */
  prepare(env: Envelope, extra: PrepareExtra): NewInvocation;
  /** The attempt is over; `attempted` undefined means the store failed with `err`. */
  ran(box: Mailbox, rec: InvocationRecord, started: number, attempted: Attempted | undefined, err?: unknown): void;
}

/**
 * A handler run parked on a short sleep whose turn is durable: the next attempt of that
 * invocation on the same activation wakes it instead of replaying the journal.
 */
interface Parked {
  id: string;
  epoch: number;
  type: RegisteredActor;
  ctx: InvocationContext;
  resume: (done: HandlerDone) => void;
  /** The state the run started from: it goes on only if the activation still holds it. */
  baseJson: string | undefined;
  baseVersion: number;
}

/**
 * One attempt of an invocation, from its state and journal reads through the
 * handler to the one turn that records how it ended (completed, suspended,
 * retried, failed or dead), and the reconciliation when the store rejects it.
 *
 * The steps are a chain of callbacks, not async functions: on a store in the
 * process a call goes from its handler's return through its commit to `ran`
 * without waiting, and allocates no promise of its own.
 */
export class Attempts {
  /** The durable primitives' way to the store, shared by every context. */
  private readonly context: ContextHost;
  /** Lifecycle hooks, set by the engine. */
  obs: EngineObserver | undefined;
  /**
   * At most one parked run per activation (one invocation runs at a time there), kept beside
   * it: an evicted or dropped activation takes its parked run with it, and the invocation
   * then replays from its journal, as it does after a crash.
   */
  private readonly parked = new WeakMap<Mailbox, Parked>();

  constructor(private readonly host: AttemptHost) {
    this.context = {
      stepStarted: (rec, position, name) => this.obs?.stepStarted?.(rec, position, name),
      now: () => host.now(),
      commit: async (turn) => {
        const res = host.committer.commitNow(turn) ?? (await host.committer.commit(turn));
        if (res.outcome === 'ok' && res.enqueued.length) host.admit(res.enqueued);
        return res;
      },
      getPromise: (id) => host.store.getPromise(id),
      getActorIdempotency: (t, id, key) => host.store.getActorIdempotency(t, id, key, host.now()),
      prepare: (env, extra) => host.prepare(env, extra),
      callChain: (caller, actorType, actorId, method) => callChainFor(caller, actorType, actorId, method, host.registry),
      idempotencyTtlMs: (t) => host.registry.get(t).idempotencyTtlMs,
      actorData: host.store.actorData,
      storeName: host.store.constructor.name,
    };
  }

  /** Runs one attempt of `rec`, which the engine has just made its box's running invocation. `started`: for `onAttempt`. */
  start(box: Mailbox, rec: InvocationRecord, started: number): void {
    const epoch = this.host.epoch(rec.partition);
    if (epoch === undefined) {
      // The partition is no longer ours: its owner runs the invocation.
      box.remove(rec.id);
      return this.host.ran(box, rec, started, ABANDONED);
    }
    const registry = this.host.registry;
    let type: RegisteredActor;
    try {
      type = registry.get(rec.actorType);
      registry.method(type, rec.method);
    } catch (err) {
      return this.settle(box, rec, started, this.fail(box, rec, err, epoch, registry.has(rec.actorType) ? registry.get(rec.actorType) : undefined));
    }
    if (rec.started) {
      const parked = this.parked.get(box);
      if (parked) {
        this.parked.delete(box);
        if (parked.id === rec.id && parked.epoch === epoch && box.loaded && box.stateJson === parked.baseJson && box.version === parked.baseVersion) {
          return this.wake(box, rec, parked, started);
        }
      }
    }
    if (box.loaded && !rec.started) return this.invoke(box, rec, type, epoch, NO_JOURNAL, started);
    this.load(box, rec).then(
      (journal) => (journal ? this.invoke(box, rec, type, epoch, journal, started) : this.settle(box, rec, started, this.reconcile(box, rec).then(() => ABANDONED))),
      (err: unknown) => this.host.ran(box, rec, started, undefined, err),
    );
  }

  /** Reads what an attempt needs from the store: the actor's state if not loaded, the journal if it started before. */
  private async load(box: Mailbox, rec: InvocationRecord): Promise<readonly JournalEntry[] | undefined> {
    if (!box.loaded) {
      const loading = this.host.store.loadState(rec.actorType, rec.actorId);
      box.loading = loading;
      let st;
      try {
        st = await loading;
      } finally {
        box.loading = undefined;
      }
      box.stateJson = st?.stateJson;
      // What the activation cached of its per-key state and logs may be stale too.
      box.data = undefined;
      box.version = st?.version ?? 0;
      box.loaded = true;
    }
    if (!rec.started) return NO_JOURNAL;
    // A started invocation resumes after a wait, during which an operator may have ended it
    // (cancelled): it must not run its handler again. Undefined: it is no longer pending.
    const [fresh, journal] = await Promise.all([this.host.store.getInvocation(rec.id), this.host.store.loadJournal(rec.id)]);
    return fresh?.status === 'pending' ? journal : undefined;
  }

  private invoke(box: Mailbox, rec: InvocationRecord, type: RegisteredActor, epoch: number, journal: readonly JournalEntry[], started: number): void {
    if (this.obs?.attemptStarted) this.obs.attemptStarted(rec, epoch, journal.length > 0 || rec.started);
    const ctx = new InvocationContext(rec, journal, epoch, this.context);
    ctx.dataHome = box;
    // The state this attempt starts from: with several invocations at once, the box's may move on meanwhile.
    runHandler(type, rec, box.stateJson, ctx, this.handlerDone(box, rec, type, ctx, epoch, started, box.stateJson, box.version));
  }

  /**
   * A parked run's sleep is over: it goes on in place, as the attempt replaying its journal
   * would, once the store says the invocation is still pending (an operator may have ended it).
   */
  private wake(box: Mailbox, rec: InvocationRecord, p: Parked, started: number): void {
    this.host.store.getInvocation(rec.id).then(
      (fresh) => {
        if (fresh?.status !== 'pending') return this.settle(box, rec, started, this.reconcile(box, rec).then(() => ABANDONED));
        // The lease moved while the store answered: the usual way decides (it drops or replays the invocation).
        if (this.host.epoch(rec.partition) !== p.epoch) return this.start(box, rec, started);
        if (this.obs?.attemptStarted) this.obs.attemptStarted(rec, p.epoch, true);
        p.resume(this.handlerDone(box, rec, p.type, p.ctx, p.epoch, started, p.baseJson, p.baseVersion));
      },
      (err: unknown) => this.host.ran(box, rec, started, undefined, err),
    );
  }

  /** Where a handler run's end goes: the turn that records it. */
  private handlerDone(
    box: Mailbox, rec: InvocationRecord, type: RegisteredActor, ctx: InvocationContext, epoch: number, started: number,
    baseJson: string | undefined, baseVersion: number,
  ): HandlerDone {
    return (result, actor) => {
      let out: Attempted | Promise<Attempted>;
      try {
        if (result.kind === 'value') out = this.complete(box, rec, type, ctx, epoch, result.value, actor, baseJson, baseVersion);
        else if (result.kind === 'suspend') {
          const park = result.resume && this.parkable(box, result.s)
            ? { id: rec.id, epoch, type, ctx, resume: result.resume, baseJson, baseVersion }
            : undefined;
          out = this.suspend(box, rec, ctx, epoch, result.s, park);
        } else out = this.fail(box, rec, result.err, epoch, type, ctx);
      } catch (err) {
        return this.host.ran(box, rec, started, undefined, err);
      }
      // A turn the store refused alone (its content cannot be stored) fails the attempt like a handler error,
      // once: retried under the policy, then dead-lettered with the reason, rather than retried as an outage forever.
      this.settle(box, rec, started, out, (err) => this.fail(box, rec, err, epoch, type));
    };
  }

  /** A short sleep on an activation that runs one invocation at a time (with several, others may change the state meanwhile). */
  private parkable(box: Mailbox, s: Suspension): boolean {
    const limit = this.host.parkSleepsUpToMs;
    return limit > 0 && !box.policy && s.notBefore !== undefined && s.notBefore - this.host.now() <= limit;
  }

  /**
   * Ends the attempt with `out`, at once or once it settles. A rejection is a
   * store failure, or, with `refused`, a turn the store refused for its content.
   */
  private settle(box: Mailbox, rec: InvocationRecord, started: number, out: Attempted | Promise<Attempted>, refused?: (err: Error) => Promise<Attempted>): void {
    if (out instanceof Promise) {
      out.then(
        (a) => this.host.ran(box, rec, started, a),
        (err: unknown) => (refused && isRefusal(err) ? this.settle(box, rec, started, refused(err)) : this.host.ran(box, rec, started, undefined, err)),
      );
    } else {
      this.host.ran(box, rec, started, out);
    }
  }

  /** The handler returned: one turn with its result, its state if changed, and what it sent. */
  private complete(
    box: Mailbox, rec: InvocationRecord, type: RegisteredActor, ctx: InvocationContext, epoch: number, value: unknown, actor: Actor<object>,
    baseJson: string | undefined, baseVersion: number,
  ): Attempted | Promise<Attempted> {
    let resultJson: string;
    let stateJson: string;
    try {
      resultJson = value === undefined ? 'null' : toJson(value, () => `the result of ${rec.actorType}.${rec.method}`, 'result');
      checkSize(resultJson, this.host.maxPayloadBytes, () => `the result of ${rec.actorType}/${rec.actorId}.${rec.method}`);
      stateJson = stateToJson(actor, rec);
      ctx.assertReplayed();
    } catch (err) {
      return this.fail(box, rec, err, epoch, type, ctx);
    }
    const data = ctx.data;
    if (data?.dirty) {
      // A trimTo whose log's bounds were not read yet: read them, then build the turn.
      const wait = data.ready();
      if (wait) return wait.then(() => this.complete(box, rec, type, ctx, epoch, value, actor, baseJson, baseVersion));
    }
    const turn: TurnWrite = {
      partition: rec.partition,
      epoch,
      invocationId: rec.id,
      transition: { status: 'completed', resultJson, expiresAt: this.host.now() + rec.ttlMs },
    };
    const dataWrite = data?.write();
    if (dataWrite) turn.data = dataWrite;
    // With several invocations at once, a turn that writes data also version-checks the state
    // (and so rewrites it): two turns that read the same data cannot both commit.
    const stateChanged = stateJson !== (baseJson ?? type.initialStateJson) || baseVersion === 0 || (dataWrite !== undefined && box.policy !== undefined);
    if (stateChanged) turn.state = { actorType: rec.actorType, actorId: rec.actorId, stateJson, expectedVersion: baseVersion };
    if (ctx.outbox.length) turn.outbox = ctx.outbox;
    if (ctx.idempotencyWrites.length) {
      const expiresAt = this.host.now() + type.idempotencyTtlMs;
      turn.idempotency = ctx.idempotencyWrites.map((w) => ({ actorType: rec.actorType, actorId: rec.actorId, key: w.key, resultJson: w.resultJson, expiresAt }));
    }
    if (rec.replyTo) turn.resolve = [{ id: rec.replyTo, valueJson: resultJson }];
    const newState = stateChanged ? stateJson : undefined;
    // messageOrdering 'fifo' with several at once: commit after the invocations that arrived earlier.
    const earlier = box.policy ? box.earlierDone(rec) : undefined;
    if (earlier) return earlier.then(() => this.commitCompleted(box, rec, turn, resultJson, newState, baseVersion, data));
    return this.commitCompleted(box, rec, turn, resultJson, newState, baseVersion, data);
  }

  private commitCompleted(
    box: Mailbox, rec: InvocationRecord, turn: TurnWrite, resultJson: string, newState: string | undefined, baseVersion: number, data: TurnData | undefined,
  ): Attempted | Promise<Attempted> {
    const committing = this.commitTurn(box, rec, turn);
    return typeof committing === 'boolean'
      ? this.completed(box, rec, committing, resultJson, newState, baseVersion, turn, data)
      : committing.then((ok) => this.completed(box, rec, ok, resultJson, newState, baseVersion, turn, data));
  }

  private completed(
    box: Mailbox, rec: InvocationRecord, committed: boolean, resultJson: string, newState: string | undefined, baseVersion: number, turn: TurnWrite, data: TurnData | undefined,
  ): Attempted {
    if (!committed) return ABANDONED;
    if (turn.data && data) data.committed(turn.data);
    if (newState !== undefined) {
      box.stateJson = newState;
      box.version = baseVersion + 1;
    }
    // The record leaves the mailbox here: it becomes the terminal record the waiters get.
    rec.status = 'completed';
    rec.resultJson = resultJson;
    rec.started = true;
    this.finish(box, rec);
    return COMPLETED;
  }

  private async suspend(box: Mailbox, rec: InvocationRecord, ctx: InvocationContext, epoch: number, s: Suspension, park?: Parked) {
    const transition: TurnWrite['transition'] = { status: 'pending', attempt: rec.attempt };
    if (s.notBefore !== undefined) transition.notBefore = s.notBefore;
    if (s.waitingOn !== undefined) transition.waitingOn = s.waitingOn;
    const turn: TurnWrite = { partition: rec.partition, epoch, invocationId: rec.id, journal: ctx.takeBuffered(), transition };
    if (ctx.outbox.length) turn.outbox = ctx.outbox;
    if (!(await this.commitTurn(box, rec, turn))) return { outcome: 'abandoned' as const };
    box.markStarted(rec);
    // Before the engine's pump: a sleep already due wakes at once.
    if (park) this.parked.set(box, park);
    if (s.notBefore !== undefined) rec.notBefore = s.notBefore;
    else delete rec.notBefore;
    if (s.waitingOn !== undefined) {
      rec.waitingOn = s.waitingOn;
      // The promise may have been resolved while this turn was committing.
      if (await this.host.store.getPromise(s.waitingOn)) delete rec.waitingOn;
    }
    return { outcome: 'suspended' as const };
  }

  private async fail(box: Mailbox, rec: InvocationRecord, err: unknown, epoch: number, type: RegisteredActor | undefined, ctx?: InvocationContext) {
    const policy = type ? resolveRetryPolicy(type.retryPolicy, rec.meta?.retryPolicy) : resolveRetryPolicy();
    const decision = decideFailure(err, rec, policy, this.host.now(), rec.ttlMs, this.host.deadLetterTtlMs);
    if (decision.kind === 'abandon') {
      // A conflict says nothing about the partition: only this invocation's view is stale.
      if (err instanceof FencedError && err.outcome === 'conflict') await this.reconcile(box, rec);
      else this.host.lose(rec.partition, rec.id);
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
    const now = this.host.committer.commitNow(turn);
    if (now) return this.committed(box, rec, turn, now);
    return this.host.committer.commit(turn).then((res) => this.committed(box, rec, turn, res));
  }

  private committed(box: Mailbox, rec: InvocationRecord, turn: TurnWrite, res: CommitResult): boolean | Promise<boolean> {
    if (res.outcome === 'ok') {
      if (res.enqueued.length) this.host.admit(res.enqueued);
      if (turn.resolve) for (const r of turn.resolve) this.host.resolved(r.id);
      return true;
    }
    if (res.outcome === 'fenced') {
      this.host.log.warn(`partition ${rec.partition} was taken by another worker; dropping its work here`, { partition: rec.partition, invocationId: rec.id });
      this.host.lose(rec.partition, rec.id);
      return false;
    }
    return this.reconcile(box, rec).then(() => false);
  }

  /** After a conflict our view is stale: reload state and the invocation from the store (gone: drop it). */
  private async reconcile(box: Mailbox, rec: InvocationRecord): Promise<void> {
    box.loaded = false;
    const fresh = await this.host.store.getInvocation(rec.id);
    box.remove(rec.id);
    if (fresh && fresh.status !== 'pending') this.finish(box, fresh);
    else if (fresh) {
      // With several at once a lost race is routine: re-run it at once from the top, on the new state,
      // as the same attempt (it did not fail).
      if (box.policy) box.stopRunning(rec);
      box.offer(fresh);
    }
  }

  private finish(box: Mailbox, rec: InvocationRecord): void {
    box.remove(rec.id);
    this.host.ended(rec);
  }
}

/** The store refused a turn's content (a value or text it cannot keep), alone: writing the same again fails again. */
function isRefusal(err: unknown): err is Error {
  return err instanceof InvalidMessageError || err instanceof SerializationError;
}
