import type { InvocationRecord } from '../ports/store.js';
import type { ActorDataCache } from './actor-data-cache.js';

/** Queues longer than this get an index by id. */
const INDEX_FROM = 16;

/** How many invocations of one actor id may run at once, and whether their turns commit in arrival order. */
export interface MailboxPolicy {
  /** `concurrency`, above 1 (a mailbox without a policy runs one at a time). */
  readonly slots: number;
  /** `messageOrdering: 'fifo'`: a turn commits only after the turns of earlier running invocations. */
  readonly fifo: boolean;
}

/** A mailbox's bookkeeping for several invocations at once. */
interface Slots {
  readonly policy: MailboxPolicy;
  /** The running invocations besides `Mailbox.running`. */
  others: InvocationRecord[] | undefined;
  /** Turns waiting for earlier invocations to end (fifo). */
  orderWaiters: { seq: number; go: () => void }[] | undefined;
}

/** What a mailbox says about its next invocation. */
export type Head =
  | { kind: 'run'; invocation: InvocationRecord }
  | { kind: 'wait-promise'; invocation: InvocationRecord; promiseId: string }
  | { kind: 'wait-until'; at: number }
  | { kind: 'empty' };

/**
 * One actor id's queue and activation. Invocations run one at a time in `seq`
 * order; a started invocation (one that committed a turn, e.g. is sleeping or
 * awaiting a call) reserves the actor until it completes. Delayed messages that
 * have not started do not hold up the ones behind them.
 */
export class Mailbox {
  readonly queue: InvocationRecord[] = [];
  /**
   * The records in `queue` by id once it is longer than INDEX_FROM, and the ids of those that started:
   * offer, remove and head stay O(1) for a long queue, and a short one (the usual case) pays no index.
   */
  private byId: Map<string, InvocationRecord> | undefined;
  /** Made on first use: most actors never have a started invocation queued, and an idle activation should cost little. */
  private startedIds: Set<string> | undefined;
  /** The running invocation (under a policy with several slots: one of them; set whenever any runs). */
  running: InvocationRecord | undefined;
  /** Only for types with `concurrency` above 1: one field, so that other activations stay as small as they were. */
  private multi: Slots | undefined;
  /** Committed state as JSON; undefined until loaded. */
  stateJson: string | undefined;
  version = 0;
  loaded = false;
  /** The committed per-key state and logs this activation read (`this.kv`, `this.log`); undefined until used. */
  data: ActorDataCache | undefined;
  /** The state read in progress, while `loaded` is false. */
  loading: Promise<unknown> | undefined;
  lastUsed = 0;
  /** When the engine last moved it to the recently-used end of its mailbox map. */
  orderedAt = 0;
  timer: NodeJS.Timeout | undefined;
  timerAt = 0;

  constructor(
    readonly key: string,
    readonly actorType: string,
    readonly actorId: string,
    readonly partition: number,
  ) {}

  /** Adds or refreshes an invocation; a record older than the one held (by wakeSeq) is ignored. */
  offer(rec: InvocationRecord): boolean {
    if (this.running?.id === rec.id || this.multi?.others?.some((r) => r.id === rec.id) === true) return false;
    const held = this.find(rec.id);
    if (held) {
      // Polls hand the same pending records back again and again: the common answer is O(1).
      if (rec.wakeSeq <= held.wakeSeq) return false;
      this.queue[this.queue.indexOf(held)] = rec;
    } else {
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1]!.seq > rec.seq) at--;
      if (at === this.queue.length) this.queue.push(rec);
      else this.queue.splice(at, 0, rec);
    }
    if (this.byId) this.byId.set(rec.id, rec);
    else if (this.queue.length > INDEX_FROM) this.byId = new Map(this.queue.map((r) => [r.id, r]));
    if (rec.started) (this.startedIds ??= new Set()).add(rec.id);
    else this.startedIds?.delete(rec.id);
    return true;
  }

  remove(id: string): void {
    const held = this.find(id);
    if (!held) return;
    this.byId?.delete(id);
    this.startedIds?.delete(id);
    // Usually the head: finished invocations leave in FIFO order.
    if (this.queue[0] === held) this.queue.shift();
    else this.queue.splice(this.queue.indexOf(held), 1);
    if (this.queue.length === 0) this.byId = undefined;
  }

  /** A queued invocation committed a turn: it now holds the actor until it ends. */
  markStarted(rec: InvocationRecord): void {
    rec.started = true;
    if (this.find(rec.id) === rec) (this.startedIds ??= new Set()).add(rec.id);
  }

  private find(id: string): InvocationRecord | undefined {
    if (this.byId) return this.byId.get(id);
    for (const r of this.queue) if (r.id === id) return r;
    return undefined;
  }

  clear(): void {
    this.queue.length = 0;
    this.byId = undefined;
    this.startedIds = undefined;
  }

  /** The invocation to run now, or what it is waiting for. `clock` is read only when a record has a time to wait for. */
  head(clock: () => number): Head {
    let now = -1;
    if (this.startedIds !== undefined && this.startedIds.size > 0) {
      for (const rec of this.queue) {
        if (!rec.started) continue;
        if (rec.waitingOn) return { kind: 'wait-promise', invocation: rec, promiseId: rec.waitingOn };
        if (rec.notBefore !== undefined && rec.notBefore > clock()) return { kind: 'wait-until', at: rec.notBefore };
        return { kind: 'run', invocation: rec };
      }
    }
    let earliest = Infinity;
    for (const rec of this.queue) {
      const at = rec.notBefore;
      if (at === undefined || at <= (now < 0 ? (now = clock()) : now)) return { kind: 'run', invocation: rec };
      earliest = Math.min(earliest, at);
    }
    return earliest === Infinity ? { kind: 'empty' } : { kind: 'wait-until', at: earliest };
  }

  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  /** The type's `concurrency` / `messageOrdering` policy; undefined for one at a time. */
  get policy(): MailboxPolicy | undefined {
    return this.multi?.policy;
  }

  set policy(policy: MailboxPolicy | undefined) {
    this.multi = policy ? { policy, others: undefined, orderWaiters: undefined } : undefined;
  }

  // ---- several invocations at once (a policy with slots > 1) ------------------

  /** Whether `rec` is running here. */
  isRunning(rec: InvocationRecord): boolean {
    return this.running === rec || this.multi?.others?.includes(rec) === true;
  }

  /** Invocations running now. */
  get runningCount(): number {
    return (this.running ? 1 : 0) + (this.multi!.others?.length ?? 0);
  }

  /** Marks `rec` as running. */
  startRunning(rec: InvocationRecord): void {
    if (!this.running) this.running = rec;
    else (this.multi!.others ??= []).push(rec);
  }

  /** `rec` stopped running (a no-op if it is not running). */
  stopRunning(rec: InvocationRecord): void {
    if (this.running === rec) this.running = this.multi!.others?.shift();
    else if (this.multi!.others?.includes(rec)) this.multi!.others.splice(this.multi!.others.indexOf(rec), 1);
    if (this.multi!.others?.length === 0) this.multi!.others = undefined;
  }

  /**
   * Under a fifo policy, resolves once no invocation that arrived before `rec` is
   * running, so that turns commit in arrival order (a later turn that then finds
   * the state changed re-runs); undefined when none is. The earliest running
   * invocation never waits, so waiting cannot deadlock.
   */
  earlierDone(rec: InvocationRecord): Promise<void> | undefined {
    if (!this.policy?.fifo || !this.hasEarlier(rec.seq)) return undefined;
    return new Promise<void>((go) => (this.multi!.orderWaiters ??= []).push({ seq: rec.seq, go }));
  }

  private hasEarlier(seq: number): boolean {
    if (this.running && this.running.seq < seq) return true;
    return this.multi!.others !== undefined && this.multi!.others.some((r) => r.seq < seq);
  }

  /** Lets waiting turns commit once nothing before them runs (after the engine restarted what was re-queued). */
  releaseOrdered(): void {
    const waiting = this.multi!.orderWaiters;
    if (!waiting) return;
    this.multi!.orderWaiters = undefined;
    for (const w of waiting) {
      if (this.hasEarlier(w.seq)) (this.multi!.orderWaiters ??= []).push(w);
      else w.go();
    }
  }

  /**
   * The next invocation to start in a free slot: the first in arrival order that
   * is not running and not waiting. Suspended invocations do not hold the actor
   * here; `waitPromise` learns the promises the skipped ones wait on.
   */
  nextRunnable(clock: () => number, waitPromise: (promiseId: string) => void): Head {
    let earliest = Infinity;
    let now = -1;
    for (const rec of this.queue) {
      if (this.isRunning(rec)) continue;
      if (rec.waitingOn) {
        waitPromise(rec.waitingOn);
        continue;
      }
      const at = rec.notBefore;
      if (at === undefined || at <= (now < 0 ? (now = clock()) : now)) return { kind: 'run', invocation: rec };
      earliest = Math.min(earliest, at);
    }
    return earliest === Infinity ? { kind: 'empty' } : { kind: 'wait-until', at: earliest };
  }
}
