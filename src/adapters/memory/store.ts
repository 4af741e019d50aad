import { MemoryTraces } from './traces.js';
import { MemorySchedules } from './schedules.js';
import { MemoryDiscovery } from './discovery.js';
import { MemoryLeases } from './leases.js';
import { MemoryAdmin, type MemoryInternals } from './admin.js';
import { MemoryActorData } from './actor-data.js';
import {
  pendingRecord,
  promiseOwner,
  unlessFailed,
  type ItemFailure,
  type CommitResult,
  type EnqueueResult,
  type ImmediateWrites,
  type InvocationRecord,
  type JournalEntry,
  type NewInvocation,
  type PromiseResolution,
  type StateRecord,
  type Store,
  type TurnWrite,
  type WriteResult,
} from '../../ports/store.js';

// Shallow copies: callers may reassign a record's fields, while nested values
// (meta, error) are never mutated in place by the core, so they can be shared.
const copy = <T extends object>(v: T): T => ({ ...v });
const actorKey = (type: string, id: string) => `${type}\u0000${id}`;
/** A turn's `enqueued` when it sent nothing: one shared, frozen list. */
const NOTHING_ENQUEUED: EnqueueResult[] = Object.freeze([]) as unknown as EnqueueResult[];

/**
 * The in-memory store: the reference implementation of the Store port, for
 * tests and development. Nothing survives the process. Every operation runs to
 * completion synchronously, so each turn is trivially atomic.
 */
export class MemoryStore implements Store {
  readonly capabilities = { durable: false, shared: false };
  readonly leases = new MemoryLeases();
  readonly traces = new MemoryTraces();
  readonly schedules = new MemorySchedules();
  readonly discovery = new MemoryDiscovery();
  /** Per-key state and logs (`this.kv`, `this.log`), written by `commit` with the turn. */
  readonly actorData = new MemoryActorData();
  private readonly invocations = new Map<string, InvocationRecord>();
  private readonly pending = new Map<string, InvocationRecord>();
  private readonly byKey = new Map<string, string>();
  private readonly journals = new Map<string, Map<number, JournalEntry>>();
  private readonly states = new Map<string, StateRecord>();
  private readonly promises = new Map<string, PromiseResolution>();
  /** Resolved promise ids by the invocation they belong to: an invocation's end drops its own, not a scan of all. */
  private readonly promisesByOwner = new Map<string, string[]>();
  private readonly waiting = new Map<string, string>();
  private readonly actorIdempotency = new Map<string, { resultJson: string; expiresAt: number }>();
  private seq = 0;
  private wakeSeq = 0;
  /** Queries and operator actions (see `StoreAdmin`). */
  readonly admin = new MemoryAdmin(this as unknown as MemoryInternals);
  private readonly direct: ImmediateWrites = {
    enqueue: (item) => this.insert(item, Date.now()),
    commit: (turn) => this.commitOne(turn),
  };

  /**
   * Writes applied at once (see `Store.immediate`), unless a subclass overrides a
   * write method: it then sees every write, in batches, as with any other store.
   */
  get immediate(): ImmediateWrites | undefined {
    const own = MemoryStore.prototype;
    return this.write === own.write && this.enqueue === own.enqueue && this.commit === own.commit ? this.direct : undefined;
  }

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async now(): Promise<number> {
    return Date.now();
  }

  async enqueue(items: NewInvocation[]): Promise<EnqueueResult[]> {
    return unlessFailed((await this.write(items, [])).enqueued);
  }

  private insert(item: NewInvocation, now: number): EnqueueResult {
    const same = this.invocations.get(item.id);
    if (same) return { record: copy(same), duplicate: true };
    const key = item.idempotencyKey === undefined ? undefined : `${actorKey(item.actorType, item.actorId)}\u0000${item.idempotencyKey}`;
    if (key) {
      const existing = this.invocations.get(this.byKey.get(key) ?? '');
      if (existing && !(existing.expiresAt !== undefined && existing.expiresAt <= now)) return { record: copy(existing), duplicate: true };
    }
    const rec = pendingRecord(item, ++this.seq, ++this.wakeSeq, now);
    this.invocations.set(rec.id, rec);
    this.pending.set(rec.id, rec);
    if (key) this.byKey.set(key, rec.id);
    return { record: copy(rec), duplicate: false };
  }

  async getInvocation(id: string): Promise<InvocationRecord | undefined> {
    const rec = this.invocations.get(id);
    return rec && copy(rec);
  }

  async pollPending(partitions: readonly number[], afterWakeSeq: number, limit: number): Promise<InvocationRecord[]> {
    const wanted = new Set(partitions);
    const out: InvocationRecord[] = [];
    for (const rec of this.pending.values()) {
      if (rec.wakeSeq > afterWakeSeq && wanted.has(rec.partition)) out.push(rec);
    }
    return out.sort((a, b) => a.wakeSeq - b.wakeSeq).slice(0, limit).map(copy);
  }

  async loadState(actorType: string, actorId: string): Promise<StateRecord | undefined> {
    const st = this.states.get(actorKey(actorType, actorId));
    return st && copy(st);
  }

  async loadJournal(invocationId: string): Promise<JournalEntry[]> {
    const j = this.journals.get(invocationId);
    return j ? [...j.values()].sort((a, b) => a.seq - b.seq).map(copy) : [];
  }

  async commit(turns: TurnWrite[]): Promise<CommitResult[]> {
    return unlessFailed((await this.write([], turns)).committed);
  }

  async write(enqueues: NewInvocation[], turns: TurnWrite[]): Promise<WriteResult> {
    const now = Date.now();
    // An item that throws fails alone: the items after it still apply.
    const enqueued = enqueues.map((item): EnqueueResult | ItemFailure => {
      try {
        return this.insert(item, now);
      } catch (err) {
        return { failed: err as Error };
      }
    });
    const committed = turns.map((t): CommitResult | ItemFailure => {
      try {
        return this.commitOne(t);
      } catch (err) {
        return { failed: err as Error };
      }
    });
    return { enqueued, committed };
  }

  private commitOne(turn: TurnWrite): CommitResult {
    if (!this.leases.holds(turn.partition, turn.epoch)) return { outcome: 'fenced' };
    const inv = this.invocations.get(turn.invocationId);
    if (!inv || inv.status !== 'pending') return { outcome: 'conflict' };
    const stateKey = turn.state && actorKey(turn.state.actorType, turn.state.actorId);
    if (turn.state) {
      const cur = this.states.get(stateKey!);
      if ((cur?.version ?? 0) !== turn.state.expectedVersion) return { outcome: 'conflict' };
    }
    const now = Date.now();
    // Every check passed: apply the whole turn.
    if (turn.journal?.length) {
      let j = this.journals.get(inv.id);
      if (!j) this.journals.set(inv.id, (j = new Map()));
      for (const e of turn.journal) j.set(e.seq, copy(e));
    }
    inv.started = true;
    inv.updatedAt = now;
    const t = turn.transition;
    if (t) {
      if (inv.waitingOn) this.waiting.delete(inv.waitingOn);
      if (t.status === 'pending') {
        inv.attempt = t.attempt;
        setOptional(inv, 'notBefore', t.notBefore);
        setOptional(inv, 'waitingOn', t.waitingOn);
        if (t.error) inv.error = copy(t.error);
        if (t.waitingOn) {
          if (this.promises.has(t.waitingOn)) {
            delete inv.waitingOn;
            inv.wakeSeq = ++this.wakeSeq;
          } else {
            this.waiting.set(t.waitingOn, inv.id);
          }
        }
      } else {
        inv.status = t.status;
        inv.expiresAt = t.expiresAt;
        delete inv.waitingOn;
        delete inv.notBefore;
        if (t.status === 'completed') inv.resultJson = t.resultJson;
        else {
          inv.error = copy(t.error);
          inv.attempt = t.attempt;
        }
        this.pending.delete(inv.id);
        if (t.status !== 'dead') this.dropJournalAndPromises(inv.id);
      }
    }
    if (turn.state) {
      this.states.set(stateKey!, { actorType: turn.state.actorType, actorId: turn.state.actorId, stateJson: turn.state.stateJson, version: turn.state.expectedVersion + 1 });
    }
    if (turn.data) this.actorData.apply(turn.data);
    if (turn.idempotency) {
      for (const r of turn.idempotency) {
        this.actorIdempotency.set(`${actorKey(r.actorType, r.actorId)}\u0000${r.key}`, { resultJson: r.resultJson, expiresAt: r.expiresAt });
      }
    }
    const enqueued = turn.outbox?.length ? turn.outbox.map((m) => this.insert(m, now)) : NOTHING_ENQUEUED;
    if (turn.resolve) for (const r of turn.resolve) this.resolveOne(r);
    return { outcome: 'ok', enqueued };
  }

  private dropJournalAndPromises(invocationId: string): void {
    this.journals.delete(invocationId);
    const owned = this.promisesByOwner.get(invocationId);
    if (!owned) return;
    this.promisesByOwner.delete(invocationId);
    for (const id of owned) this.promises.delete(id);
  }

  async resolvePromise(resolution: PromiseResolution): Promise<boolean> {
    return this.resolveOne(resolution);
  }

  private resolveOne(resolution: PromiseResolution): boolean {
    if (this.promises.has(resolution.id)) return false;
    const owner = promiseOwner(resolution.id);
    const ownerRec = owner === undefined ? undefined : this.invocations.get(owner);
    if (ownerRec && (ownerRec.status === 'completed' || ownerRec.status === 'failed')) return false;
    this.promises.set(resolution.id, copy(resolution));
    if (owner !== undefined) {
      const owned = this.promisesByOwner.get(owner);
      if (owned) owned.push(resolution.id);
      else this.promisesByOwner.set(owner, [resolution.id]);
    }
    const waiter = this.invocations.get(this.waiting.get(resolution.id) ?? '');
    if (waiter && waiter.status === 'pending' && waiter.waitingOn === resolution.id) {
      delete waiter.waitingOn;
      waiter.wakeSeq = ++this.wakeSeq;
      this.waiting.delete(resolution.id);
    }
    return true;
  }

  async getPromise(id: string): Promise<PromiseResolution | undefined> {
    const p = this.promises.get(id);
    return p && copy(p);
  }

  async getActorIdempotency(actorType: string, actorId: string, key: string, now: number): Promise<{ result: unknown } | undefined> {
    const r = this.actorIdempotency.get(`${actorKey(actorType, actorId)}\u0000${key}`);
    if (!r || r.expiresAt <= now) return undefined;
    return { result: JSON.parse(r.resultJson) as unknown };
  }

  async listDeadLetters(query: { limit: number; actorType?: string }): Promise<InvocationRecord[]> {
    return [...this.invocations.values()]
      .filter((r) => r.status === 'dead' && (!query.actorType || r.actorType === query.actorType))
      .sort((a, b) => b.updatedAt - a.updatedAt || b.seq - a.seq)
      .slice(0, query.limit)
      .map(copy);
  }

  async redrive(id: string): Promise<InvocationRecord | undefined> {
    const rec = this.invocations.get(id);
    if (!rec || rec.status !== 'dead') return undefined;
    rec.status = 'pending';
    rec.attempt = 0;
    rec.wakeSeq = ++this.wakeSeq;
    rec.updatedAt = Date.now();
    delete rec.expiresAt;
    delete rec.notBefore;
    this.pending.set(id, rec);
    return copy(rec);
  }

  async sweep(now: number): Promise<number> {
    let n = 0;
    for (const [id, rec] of this.invocations) {
      if (rec.status === 'pending' || rec.expiresAt === undefined || rec.expiresAt > now) continue;
      this.invocations.delete(id);
      this.dropJournalAndPromises(id);
      if (rec.idempotencyKey !== undefined) {
        const key = `${actorKey(rec.actorType, rec.actorId)}\u0000${rec.idempotencyKey}`;
        if (this.byKey.get(key) === id) this.byKey.delete(key);
      }
      n++;
    }
    for (const [k, r] of this.actorIdempotency) {
      if (r.expiresAt <= now) {
        this.actorIdempotency.delete(k);
        n++;
      }
    }
    return n;
  }

  async listActors(query: { limit: number; actorType?: string }): Promise<StateRecord[]> {
    return [...this.states.values()]
      .filter((s) => !query.actorType || s.actorType === query.actorType)
      .sort((a, b) => a.actorType.localeCompare(b.actorType) || a.actorId.localeCompare(b.actorId))
      .slice(0, query.limit)
      .map(copy);
  }
}

function setOptional<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}
