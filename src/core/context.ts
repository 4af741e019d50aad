import { deterministicRandom, deterministicUuid } from './ids.js';
import { FencedError, RuntimeStateError, StepFailedError, TerminalError, TimeoutError, fromErrorInfo, toErrorInfo } from './errors.js';
import { JournalCursor } from './journal.js';
import { toJson, type Duration, type Envelope } from './envelope.js';
import { checkName, checkStepArgs, checkTarget, primitiveDuration, wakeTime } from './primitive-args.js';
import { resolveRetryPolicy, retryDelay, type RetryPolicy } from './retry.js';
import { setLongTimeout, type LongTimer } from './timers.js';
import type { CallChain } from './call-chain.js';
import { TurnData, noActorData, type ActorKv, type ActorLog, type DataHome } from './actor-data.js';
import type { ActorDataStore } from '../ports/actor-data.js';
import type { CommitResult, InvocationMeta, InvocationRecord, JournalEntry, NewInvocation, PromiseResolution, TurnWrite } from '../ports/store.js';

/** What an invocation context needs from the engine that runs it. */
export interface ContextHost {
  now(): number;
  commit(turn: TurnWrite): Promise<CommitResult>;
  getPromise(id: string): Promise<PromiseResolution | undefined>;
  getActorIdempotency(actorType: string, actorId: string, key: string): Promise<{ result: unknown } | undefined>;
  /** Validates and builds an outbox message (throws the same errors as runtime.send). */
  prepare(env: Envelope, extra: { id: string; replyTo?: string; notBefore?: number; parent?: InvocationRecord; meta?: InvocationMeta }): NewInvocation;
  /** The call chain a call from `caller` to that actor carries; throws CallCycleError when the call could never run. */
  callChain(caller: InvocationRecord, actorType: string, actorId: string, method: string): CallChain;
  idempotencyTtlMs(actorType: string): number;
  /** The store's actor data (`this.kv`, `this.log`); undefined when it keeps none. */
  readonly actorData?: ActorDataStore | undefined;
  /** The store's name, for errors. */
  readonly storeName?: string;
  /** Observability: a step starts running `fn`; the returned function hears how it ended. */
  stepStarted(rec: InvocationRecord, position: number, name: string): ((entry: JournalEntry | undefined, err?: unknown) => void) | void;
}

/** Options of `step()`. */
export interface StepOptions {
  /** In-process retries of this step; by default a failing step fails the attempt and the invocation's retry policy applies. */
  retry?: RetryPolicy;
  /** Per-try timeout in ms. */
  timeoutMs?: number;
}

/** Why a handler stopped without finishing: it waits durably and leaves memory. */
export interface Suspension {
  notBefore?: number;
  waitingOn?: string;
  /**
   * A sleep: carries on the same handler run, in place, once the sleep's turn is durable
   * and its time has come (see `parkSleepsUpToMs`). Not called: the run stays parked
   * until it is dropped, and a later attempt replays the journal as after any suspension.
   */
  wake?: () => void;
}

const NEVER = new Promise<never>(() => {});
/** The empty list every context starts with; frozen, so a missed copy-on-write fails loudly. */
const NONE: never[] = Object.freeze([]) as unknown as never[];
const ignore = (): void => {};

/**
 * The durable side of one attempt of one invocation: every primitive a handler
 * calls goes through here, is checked against the journal, and is recorded.
 */
export class InvocationContext {
  private journalCursor: JournalCursor | undefined;
  /** Entries recorded but not yet durable; flushed before any side effect and with the turn. */
  // The three lists start as one shared empty array (most handlers add nothing) and get their own on first use.
  private buffered: JournalEntry[] = NONE;
  /** Messages sent by this attempt, enqueued with its next write. */
  outbox: NewInvocation[] = NONE;
  idempotencyWrites: { key: string; resultJson: string }[] = NONE;
  private closed = false;
  /** Called when the handler parks on a durable wait (set by the runner before the handler starts). */
  onSuspend: (s: Suspension) => void = ignore;
  cachedResult: unknown = undefined;
  /** The activation whose data cache `this.kv` / `this.log` use (set by the runner). */
  dataHome: DataHome | undefined;
  /** This attempt's per-key and log writes and reads, made on first use. */
  data: TurnData | undefined;

  constructor(
    readonly invocation: InvocationRecord,
    private readonly journal: readonly JournalEntry[],
    readonly epoch: number,
    private readonly host: ContextHost,
  ) {}

  /** The replay cursor, made on the first durable operation: most handlers make none. */
  private get cursor(): JournalCursor {
    this.journalCursor ??= new JournalCursor(this.journal, {
      actorType: this.invocation.actorType,
      actorId: this.invocation.actorId,
      invocationId: this.invocation.id,
    });
    return this.journalCursor;
  }

  /** Throws NonDeterminismError when the handler returned with recorded operations it did not replay. */
  assertReplayed(): void {
    if (this.journalCursor || this.journal.length > 0) this.cursor.assertConsumed();
  }

  private record(entry: JournalEntry): void {
    if (this.buffered === NONE) this.buffered = [entry];
    else this.buffered.push(entry);
  }

  private queueMessage(msg: NewInvocation): void {
    if (this.outbox === NONE) this.outbox = [msg];
    else this.outbox.push(msg);
  }

  /** Stops this attempt: later primitive calls from a timed-out or abandoned handler throw. */
  close(): void {
    this.closed = true;
  }

  /** Entries to commit with the turn; clears the buffer. */
  takeBuffered(): JournalEntry[] {
    const out = this.buffered;
    this.buffered = NONE;
    return out;
  }

  private guard(): void {
    if (this.closed) {
      throw new RuntimeStateError(
        `invocation ${this.invocation.id} of ${this.invocation.actorType}/${this.invocation.actorId} is no longer running this attempt ` +
          `(it timed out, suspended or lost its lease); durable calls made after that are refused`,
      );
    }
  }

  /**
   * Makes buffered entries durable before a side effect. Outbox messages go in the
   * same write as their journal entries: a replay skips a journaled send, so its
   * message must already be enqueued by then.
   */
  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const journal = this.takeBuffered();
    const outbox = this.outbox;
    this.outbox = NONE;
    await this.write(outbox.length ? { journal, outbox } : { journal });
  }

  private async write(turn: Omit<TurnWrite, 'partition' | 'epoch' | 'invocationId'>): Promise<void> {
    this.guard();
    const outcome = await this.host.commit({
      ...turn,
      partition: this.invocation.partition,
      epoch: this.epoch,
      invocationId: this.invocation.id,
    });
    if (outcome.outcome !== 'ok') {
      this.close();
      const what = `journal write for invocation ${this.invocation.id} of ${this.invocation.actorType}/${this.invocation.actorId} was rejected`;
      throw outcome.outcome === 'fenced'
        ? new FencedError(`${what} (fenced); another worker owns partition ${this.invocation.partition} now and will resume it`)
        : new FencedError(`${what} (conflict): the invocation is no longer pending in the store, so this attempt stops`, 'conflict');
    }
  }

  private suspend(s: Suspension): Promise<never> {
    this.close();
    this.onSuspend(s);
    return NEVER;
  }

  /** A suspension on a sleep, which `wake` may end in place: the sleep is then done, as a replay past its time records it. */
  private suspendSleep(entry: JournalEntry, wakeAt: number): Promise<void> {
    this.close();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.closed = false;
        this.record({ ...entry, status: 'done' });
        resolve();
      };
      this.onSuspend({ notBefore: wakeAt, wake });
    });
  }

  /**
   * Runs a side effect once. Its result is durable before the next step, call, sleep or
   * promise starts and before the attempt's outcome commits; a terminal failure is journaled at once.
   */
  async step<T>(name: string, fn: (key: string) => T | Promise<T>, opts: StepOptions = {}): Promise<T> {
    this.guard();
    checkStepArgs(name, fn, opts);
    const d = this.cursor.next('step', name);
    if (d.kind === 'replay') {
      // A journaled terminal failure replays as the same error the first run saw.
      if (d.entry.error) throw new StepFailedError(`step "${name}" failed terminally: ${d.entry.error.message}`, d.entry.error);
      return settle<T>(d.entry);
    }
    await this.flush();
    const key = `${this.invocation.id}:${d.position}:${name}`;
    const observed = this.host.stepStarted(this.invocation, d.position, name);
    const policy = resolveRetryPolicy({ maxAttempts: 1 }, opts.retry);
    for (let attempt = 1; ; attempt++) {
      this.guard();
      try {
        const value = await withTimeout(Promise.resolve().then(() => fn(key)), opts.timeoutMs, () =>
          new TimeoutError(`step "${name}" of ${this.invocation.actorType}/${this.invocation.actorId} took longer than ${opts.timeoutMs} ms`),
        );
        const valueJson = value === undefined ? undefined : toJson(value, `the result of step "${name}"`);
        const entry: JournalEntry = { seq: d.position, kind: 'step', name, status: 'done' };
        if (valueJson !== undefined) entry.valueJson = valueJson;
        // Durable before anything else with an effect runs: the next step, call, sleep or
        // suspension flushes it, and the turn that ends or retries the attempt carries it.
        this.guard();
        this.record(entry);
        if (observed) observed(entry);
        return value;
      } catch (err) {
        if (observed && (attempt >= policy.maxAttempts || err instanceof TerminalError || err instanceof FencedError || err instanceof RuntimeStateError)) observed(undefined, err);
        if (err instanceof FencedError || err instanceof RuntimeStateError) throw err;
        if (err instanceof TerminalError) {
          const info = toErrorInfo(err);
          await this.write({ journal: [{ seq: d.position, kind: 'step', name, status: 'done', error: info }] });
          throw new StepFailedError(`step "${name}" failed terminally: ${info.message}`, info);
        }
        if (attempt >= policy.maxAttempts) throw err;
        await delay(retryDelay(policy, attempt));
      }
    }
  }

  /** Durable timer: the invocation suspends and resumes after `duration`, on any worker. */
  sleep(duration: Duration): Promise<void> {
    return this.sleepUntilMs(null, primitiveDuration(duration, 'sleep duration'));
  }

  sleepUntil(date: Date | number): Promise<void> {
    return this.sleepUntilMs(wakeTime(date), 0);
  }

  private async sleepUntilMs(at: number | null, ms: number): Promise<void> {
    this.guard();
    const d = this.cursor.next('sleep', 'sleep');
    if (d.kind === 'replay') {
      if (d.entry.status === 'done') return;
      const wakeAt = JSON.parse(d.entry.valueJson ?? '0') as number;
      if (this.host.now() >= wakeAt) {
        this.record({ ...d.entry, status: 'done' });
        return;
      }
      return this.suspendSleep(d.entry, wakeAt);
    }
    const wakeAt = at ?? this.host.now() + ms;
    const entry: JournalEntry = { seq: d.position, kind: 'sleep', name: 'sleep', status: 'pending', valueJson: JSON.stringify(wakeAt) };
    this.record(entry);
    return this.suspendSleep(entry, wakeAt);
  }

  /** Request/response to another actor; the caller suspends until the reply is durable. */
  async call<T>(actorType: string, actorId: string, method: string, args: unknown[]): Promise<T> {
    this.guard();
    checkTarget('call', actorType, actorId, method);
    // Before the journal position is taken: a refused call leaves no gap, and its replay is refused the same way.
    const callChain = this.host.callChain(this.invocation, actorType, actorId, method);
    const d = this.cursor.next('call', `${actorType}/${actorId}.${method}`);
    const childId = `${this.invocation.id}:c${d.position}`;
    const promiseId = `call:${childId}`;
    if (d.kind === 'replay') {
      if (d.entry.status === 'done') return settle<T>(d.entry);
      return this.awaitResolution<T>(d.entry, promiseId, false);
    }
    const msg = this.host.prepare({ actorType, actorId, method, args }, { id: childId, replyTo: promiseId, parent: this.invocation, meta: { callChain } });
    this.queueMessage(msg);
    const entry: JournalEntry = { seq: d.position, kind: 'call', name: `${actorType}/${actorId}.${method}`, status: 'pending' };
    this.record(entry);
    return this.suspend({ waitingOn: promiseId });
  }

  /** One-way message to another actor, sent (outbox) when this turn commits. */
  send(actorType: string, actorId: string, method: string, args: unknown[], delayMs?: number): void {
    this.guard();
    checkTarget('send', actorType, actorId, method);
    const d = this.cursor.next('send', `${actorType}/${actorId}.${method}`);
    if (d.kind === 'replay') return;
    const extra: { id: string; notBefore?: number; parent: InvocationRecord } = { id: `${this.invocation.id}:s${d.position}`, parent: this.invocation };
    if (delayMs) extra.notBefore = this.host.now() + delayMs;
    this.queueMessage(this.host.prepare({ actorType, actorId, method, args }, extra));
    this.record({ seq: d.position, kind: 'send', name: `${actorType}/${actorId}.${method}`, status: 'done' });
  }

  /** The id under which the outside world resolves `promise(name)`. */
  promiseId(name: string): string {
    return `promise:${this.invocation.id}#${name}`;
  }

  /** Durable promise: suspends until `runtime.resolvePromise(id, value)` is called, from any process. */
  async promise<T>(name: string): Promise<T> {
    this.guard();
    checkName('promise(name)', 'the name', name);
    const d = this.cursor.next('promise', name);
    if (d.kind === 'replay' && d.entry.status === 'done') return settle<T>(d.entry);
    const entry: JournalEntry = d.kind === 'replay' ? d.entry : { seq: d.position, kind: 'promise', name, status: 'pending' };
    return this.awaitResolution<T>(entry, this.promiseId(name), d.kind === 'execute');
  }

  private async awaitResolution<T>(entry: JournalEntry, promiseId: string, isNew: boolean): Promise<T> {
    const resolution = await this.host.getPromise(promiseId);
    this.guard();
    if (!resolution) {
      if (isNew) this.record(entry);
      return this.suspend({ waitingOn: promiseId });
    }
    const done: JournalEntry = { seq: entry.seq, kind: entry.kind, name: entry.name, status: 'done' };
    if (resolution.valueJson !== undefined) done.valueJson = resolution.valueJson;
    if (resolution.error) done.error = resolution.error;
    this.record(done);
    return settle<T>(done);
  }

  /** Journaled wall-clock time (ms since epoch): the same value on every replay. */
  now(): number {
    return this.recorded('now', () => this.host.now());
  }

  /** Journaled random number in [0, 1). */
  random(): number {
    return this.recorded('random', (pos) => deterministicRandom(`${this.invocation.id}:${pos}`));
  }

  /** Journaled UUID. */
  uuid(): string {
    return this.recorded('uuid', (pos) => deterministicUuid(`${this.invocation.id}:${pos}`));
  }

  private recorded<T>(kind: 'now' | 'random' | 'uuid', make: (position: number) => T): T {
    this.guard();
    const d = this.cursor.next(kind, kind);
    if (d.kind === 'replay') return JSON.parse(d.entry.valueJson ?? 'null') as T;
    const value = make(d.position);
    this.record({ seq: d.position, kind, name: kind, status: 'done', valueJson: JSON.stringify(value) });
    return value;
  }

  /**
   * `patched(name)`: true for new work (a marker is journaled with the next write, so
   * every replay answers true here too), true on replay of that marker, false when the
   * journal holds something else at this position (code without the patch wrote it).
   */
  patched(name: string, primitive = 'patched(name)'): boolean {
    this.guard();
    checkName(primitive, 'the patch name', name);
    const d = this.cursor.patch(name);
    if (d.kind === 'execute') this.record({ seq: d.position, kind: 'patch', name, status: 'done' });
    return d.kind !== 'absent';
  }

  /** Actor-scoped idempotency check (seed API); the answer is journaled for replay. */
  async checkIdempotency(key: string): Promise<boolean> {
    this.guard();
    checkName('checkIdempotency(key)', 'the key', key);
    const d = this.cursor.next('idempotency', key);
    let found: { result: unknown } | undefined;
    if (d.kind === 'replay') {
      found = d.entry.valueJson === undefined ? undefined : (JSON.parse(d.entry.valueJson) as { result: unknown });
    } else {
      const pending = this.idempotencyWrites.find((w) => w.key === key);
      found = pending
        ? { result: JSON.parse(pending.resultJson) as unknown }
        : await this.host.getActorIdempotency(this.invocation.actorType, this.invocation.actorId, key);
      this.guard();
      const entry: JournalEntry = { seq: d.position, kind: 'idempotency', name: key, status: 'done' };
      if (found) entry.valueJson = JSON.stringify(found);
      this.record(entry);
    }
    this.cachedResult = found?.result;
    return found !== undefined;
  }

  /** The turn's view of its actor's per-key state and logs (`this.kv`, `this.log`). */
  private turnData(): TurnData {
    this.guard();
    if (this.data) return this.data;
    const store = this.host.actorData;
    if (!store) throw noActorData(this.host.storeName ?? 'this store', this.invocation.actorType);
    const home = this.dataHome ?? { data: undefined };
    this.data = new TurnData(store, this.invocation.actorType, this.invocation.actorId, home, () => this.guard());
    return this.data;
  }

  /** `this.kv`: per-key state, read lazily, written with the turn. */
  get kv(): ActorKv {
    const d = this.turnData();
    return {
      get: <T>(key: string) => d.get(key) as Promise<T | undefined>,
      set: (key, value) => d.set(key, value),
      delete: (key) => d.delete(key),
      keys: () => d.keys(),
    };
  }

  /** `this.log(name)`: an append-only log, read by range, written with the turn. */
  log<T>(name: string): ActorLog<T> {
    return this.turnData().log(name) as ActorLog<T>;
  }

  /** Records `result` under `key` for this actor, committed with the turn. */
  storeIdempotency(key: string, result: unknown): void {
    this.guard();
    checkName('storeIdempotency(key, result)', 'the key', key);
    const resultJson = toJson(result === undefined ? null : result, `the idempotency result for key "${key}"`);
    if (this.idempotencyWrites === NONE) this.idempotencyWrites = [];
    this.idempotencyWrites.push({ key, resultJson });
  }
}

function settle<T>(entry: JournalEntry): T {
  if (entry.error) throw fromErrorInfo(entry.error);
  return (entry.valueJson === undefined ? undefined : JSON.parse(entry.valueJson)) as T;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setLongTimeout(resolve, ms));
}

/** Races `p` against a timer; `undefined` or 0 means no timeout. */
export function withTimeout<T>(p: Promise<T>, ms: number | undefined, onTimeout: () => Error): Promise<T> {
  if (!ms) return p;
  let timer: LongTimer;
  const timeout = new Promise<never>((_, reject) => {
    timer = setLongTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([p, timeout]).finally(() => timer.clear());
}
