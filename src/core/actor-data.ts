import { ActorDataCache, type CachedLog } from './actor-data-cache.js';
import { toJson } from './envelope.js';
import { InvalidMessageError, NoActorDataError } from './errors.js';
import { echo } from './echo.js';
import { textProblem } from './text.js';
import type { ActorDataStore, ActorDataWrite, LogBounds } from '../ports/actor-data.js';

/** Longest key or log name, in UTF-16 code units: it is part of a primary key on every store. */
export const MAX_DATA_NAME = 512;

/** Per-key state of an actor (`this.kv`): lazy reads, writes committed with the turn. */
export interface ActorKv {
  /** The key's value (a copy: change it and `set` it back), or undefined. Read from the store once per activation. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Sets the key when the turn commits. `value`: plain JSON (undefined deletes). */
  set(key: string, value: unknown): void;
  /** Deletes the key when the turn commits. */
  delete(key: string): void;
  /** Every key, in ascending order, with this turn's writes applied. Reads the store. */
  keys(): Promise<string[]>;
}

/** An append-only log of an actor (`this.log(name)`): entries keep their index; old ones can be trimmed. */
export interface ActorLog<T = unknown> {
  /** Adds an entry when the turn commits. */
  append(value: T): void;
  /** How many entries are kept. */
  length(): Promise<number>;
  /** Kept entries are `first` ≤ index < `next`; `next` is the index the next append takes. */
  bounds(): Promise<LogBounds>;
  /** Kept entries with `from` ≤ index < `to` (default: to the end), oldest first. */
  range(from: number, to?: number): Promise<T[]>;
  /** The newest `n` kept entries, oldest first. */
  last(n: number): Promise<T[]>;
  /** Keeps only the newest `keepLast` entries (counting this turn's appends so far) when the turn commits. */
  trimTo(keepLast: number): void;
  /** Removes entries from the oldest while `pred` holds; returns how many go when the turn commits. */
  trimWhile(pred: (value: T, index: number) => boolean): Promise<number>;
}

/** Where a turn's data cache lives: the actor's mailbox (activation). */
export interface DataHome {
  data: ActorDataCache | undefined;
}

interface PendingLog {
  append: string[];
  /** Entries below it go (an absolute index), from `trimWhile`. */
  trimBefore: number;
  /** `trimTo` calls: keep `keep` entries of the log as it was after `appended` of this turn's appends. */
  keeps: { appended: number; keep: number }[];
}

const PAGE = 1000;

/**
 * One turn's view of its actor's data: the committed data (from the activation's
 * cache, or read from the store once) under the turn's own buffered writes.
 * `write()` gives what the turn commits; `committed()` puts it in the cache.
 */
export class TurnData {
  private readonly kvWrites = new Map<string, string | undefined>();
  private readonly logOps = new Map<string, PendingLog>();
  /** Committed bounds this turn read, by log (kept even when the cache is dropped meanwhile). */
  readonly base = new Map<string, LogBounds>();
  private readonly loading = new Map<string, Promise<CachedLog>>();
  private readonly cache: ActorDataCache;

  constructor(
    private readonly store: ActorDataStore,
    private readonly actorType: string,
    private readonly actorId: string,
    private readonly home: DataHome,
    private readonly guard: () => void,
  ) {
    this.cache = home.data ??= new ActorDataCache();
  }

  /** True when the turn wrote anything. */
  get dirty(): boolean {
    return this.kvWrites.size > 0 || this.logOps.size > 0;
  }

  // --- kv ---

  async get(key: string): Promise<unknown> {
    this.guard();
    checkName('this.kv.get(key)', 'key', key);
    if (this.kvWrites.has(key)) return parse(this.kvWrites.get(key));
    let json = this.cache.kv.get(key);
    if (json === undefined) {
      const gen = this.cache.gen;
      const read = await this.store.readKey(this.actorType, this.actorId, key);
      this.guard();
      json = read ?? null;
      if (gen === this.cache.gen && this.home.data === this.cache) this.cache.setKey(key, json);
      // A write of this turn made while the read was out wins.
      if (this.kvWrites.has(key)) return parse(this.kvWrites.get(key));
    }
    return parse(json ?? undefined);
  }

  set(key: string, value: unknown): void {
    this.guard();
    checkName('this.kv.set(key, value)', 'key', key);
    if (value === undefined) return this.delete(key);
    this.kvWrites.set(key, toJson(value, () => `the value of this.kv key ${echo(key)}`, 'value'));
  }

  delete(key: string): void {
    this.guard();
    checkName('this.kv.delete(key)', 'key', key);
    this.kvWrites.set(key, undefined);
  }

  async keys(): Promise<string[]> {
    this.guard();
    const out = new Set<string>();
    for (let after: string | undefined; ; ) {
      const page = await this.store.listKeys(this.actorType, this.actorId, after === undefined ? { limit: PAGE } : { after, limit: PAGE });
      this.guard();
      for (const k of page) out.add(k);
      if (page.length < PAGE) break;
      after = page[page.length - 1];
    }
    for (const [k, v] of this.kvWrites) {
      if (v === undefined) out.delete(k);
      else out.add(k);
    }
    return [...out].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  // --- logs ---

  log(name: string): ActorLog {
    checkName('this.log(name)', 'log name', name);
    return {
      append: (value) => this.append(name, value),
      length: async () => {
        const b = await this.bounds(name);
        return b.next - b.first;
      },
      bounds: () => this.bounds(name),
      range: (from, to) => this.range(name, from, to),
      last: async (n) => {
        checkCount('last(n)', n);
        const b = await this.bounds(name);
        return this.range(name, Math.max(b.first, b.next - n), b.next);
      },
      trimTo: (keepLast) => this.trimTo(name, keepLast),
      trimWhile: (pred) => this.trimWhile(name, pred),
    };
  }

  private op(name: string): PendingLog {
    let op = this.logOps.get(name);
    if (!op) this.logOps.set(name, (op = { append: [], trimBefore: 0, keeps: [] }));
    return op;
  }

  private append(name: string, value: unknown): void {
    this.guard();
    const json = toJson(value, () => `the entry appended to this.log(${echo(name)})`, 'value');
    this.op(name).append.push(json);
  }

  private trimTo(name: string, keepLast: number): void {
    this.guard();
    checkCount('trimTo(keepLast)', keepLast);
    const op = this.op(name);
    op.keeps.push({ appended: op.append.length, keep: keepLast });
    // Its bounds are needed to commit; start reading them now (write() waits for them through ready()).
    void this.committedLog(name).catch(() => undefined);
  }

  private async trimWhile(name: string, pred: (value: unknown, index: number) => boolean): Promise<number> {
    if (typeof pred !== 'function') throw new InvalidMessageError(`this.log(${echo(name)}).trimWhile(pred) needs a function, got ${echo(pred)}`, { unrecoverable: true });
    const b = await this.bounds(name);
    let at = b.first;
    scan: while (at < b.next) {
      const page = await this.range(name, at, Math.min(at + 100, b.next));
      if (page.length === 0) break; // nothing kept there after all: never spin on a gap
      for (const v of page) {
        if (!pred(v, at)) break scan;
        at++;
      }
    }
    const removed = at - b.first;
    if (removed > 0) {
      const op = this.op(name);
      op.trimBefore = Math.max(op.trimBefore, at);
    }
    return removed;
  }

  /** The log as committed: from the cache, or read once and cached. */
  private committedLog(name: string): Promise<CachedLog> {
    const cached = this.cache.logs.get(name);
    if (cached) {
      if (!this.base.has(name)) this.base.set(name, { first: cached.first, next: cached.next });
      return Promise.resolve(cached);
    }
    let p = this.loading.get(name);
    if (!p) {
      const gen = this.cache.gen;
      p = this.store.logBounds(this.actorType, this.actorId, name).then((b) => {
        this.base.set(name, { first: b.first, next: b.next });
        const log: CachedLog = { first: b.first, next: b.next, tail: [] };
        if (gen === this.cache.gen && this.home.data === this.cache) this.cache.logs.set(name, log);
        return log;
      });
      this.loading.set(name, p);
      p.catch(() => this.loading.delete(name));
    }
    return p;
  }

  private async bounds(name: string): Promise<LogBounds> {
    const c = await this.committedLog(name);
    this.guard();
    const base = this.base.get(name) ?? c;
    const op = this.logOps.get(name);
    if (!op) return { first: base.first, next: base.next };
    const next = base.next + op.append.length;
    return { first: Math.min(Math.max(base.first, trimPoint(op, base.next)), next), next };
  }

  private async range(name: string, from: number, to?: number): Promise<unknown[]> {
    checkIndex('range(from, to)', 'from', from);
    if (to !== undefined) checkIndex('range(from, to)', 'to', to);
    const b = await this.bounds(name);
    const lo = Math.max(from, b.first);
    const hi = Math.min(to ?? b.next, b.next);
    if (lo >= hi) return [];
    const c = await this.committedLog(name);
    const committedNext = (this.base.get(name) ?? c).next;
    const out: string[] = [];
    if (lo < committedNext) {
      const end = Math.min(hi, committedNext);
      const cached = c.next === committedNext ? this.cache.cachedRange(c, lo, end) : undefined;
      if (cached) out.push(...cached);
      else {
        const rows = await this.store.readLog(this.actorType, this.actorId, name, lo, end);
        this.guard();
        const values = rows.map((r) => r.valueJson);
        if (rows.length === end - lo && c.next === committedNext && this.home.data === this.cache) this.cache.remember(c, lo, values);
        out.push(...values);
      }
    }
    const op = this.logOps.get(name);
    if (op && hi > committedNext) out.push(...op.append.slice(Math.max(lo, committedNext) - committedNext, hi - committedNext));
    return out.map((j) => JSON.parse(j) as unknown);
  }

  /** Resolves once everything `write()` needs is known (the bounds of logs trimmed with `trimTo`), or undefined when it is. */
  ready(): Promise<unknown> | undefined {
    const waits: Promise<CachedLog>[] = [];
    for (const [name, op] of this.logOps) if (op.keeps.length && !this.base.has(name)) waits.push(this.committedLog(name));
    return waits.length ? Promise.all(waits) : undefined;
  }

  /** What the turn commits, or undefined when it wrote nothing. Call after `ready()`. */
  write(): ActorDataWrite | undefined {
    if (!this.dirty) return undefined;
    const w: ActorDataWrite = { actorType: this.actorType, actorId: this.actorId };
    if (this.kvWrites.size) w.kv = [...this.kvWrites].map(([key, valueJson]) => ({ key, valueJson }));
    if (this.logOps.size) {
      w.logs = [];
      for (const [name, op] of this.logOps) {
        const entry: NonNullable<ActorDataWrite['logs']>[number] = { name };
        if (op.append.length) entry.append = op.append;
        const base = this.base.get(name);
        const trim = base ? trimPoint(op, base.next) : op.trimBefore;
        if (trim > (base?.first ?? 0)) entry.trimBefore = trim;
        if (entry.append || entry.trimBefore !== undefined) w.logs.push(entry);
      }
      if (!w.logs.length) delete w.logs;
    }
    return w;
  }

  /**
   * The turn committed `w`: the activation's cache takes it. When the cache was
   * replaced meanwhile (the state was reloaded while this turn ran), the new one
   * may hold what this turn just overwrote: it goes, and is read again.
   */
  committed(w: ActorDataWrite): void {
    if (this.home.data === this.cache) this.cache.apply(w, this.base);
    else this.home.data = undefined;
  }
}

function trimPoint(op: PendingLog, committedNext: number): number {
  let t = op.trimBefore;
  for (const k of op.keeps) t = Math.max(t, committedNext + k.appended - k.keep);
  return t;
}

function parse(json: string | undefined): unknown {
  return json === undefined ? undefined : (JSON.parse(json) as unknown);
}

/** Throws when a key or log name could not be stored as given. */
export function checkName(call: string, what: string, name: unknown): asserts name is string {
  let problem: string | undefined;
  if (typeof name !== 'string') problem = `must be a string, got ${echo(name)}`;
  else if (name.length === 0) problem = 'must not be empty';
  else if (name.length > MAX_DATA_NAME) problem = `is ${name.length} characters long; the limit is ${MAX_DATA_NAME}`;
  else {
    const t = textProblem(name);
    if (t) problem = `${echo(name)} ${t}`;
  }
  if (problem) throw new InvalidMessageError(`${call}: the ${what} ${problem}`, { unrecoverable: true });
}

function checkCount(call: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new InvalidMessageError(`${call}: expected a whole number ≥ 0, got ${echo(n)}`, { unrecoverable: true });
}

function checkIndex(call: string, what: string, n: unknown): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new InvalidMessageError(`${call}: ${what} must be a whole number ≥ 0 (a log index), got ${echo(n)}`, { unrecoverable: true });
}

/** The error for `this.kv` / `this.log` on a store without actor data. */
export function noActorData(storeName: string, actorType: string): NoActorDataError {
  return new NoActorDataError(
    `${actorType} uses this.kv or this.log, but the store (${storeName}) keeps no per-key state or logs. ` +
      `Use a store that does (memory, SQLite, Redis or PostgreSQL), or keep the data in this.state`,
  );
}
