import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import { openClient } from './client.js';
import { LoomError, StoreError } from '../../core/errors.js';
import { ACQUIRE_LEASE } from './scripts/acquire-lease.js';
import { COMMIT } from './scripts/commit.js';
import { ENQUEUE } from './scripts/enqueue.js';
import { LIST_DEAD_LETTERS } from './scripts/list-dead-letters.js';
import { LIST_LEASES } from './scripts/list-leases.js';
import { HEARTBEAT, MEMBERS } from './scripts/membership.js';
import { POLL_PENDING } from './scripts/poll-pending.js';
import { REDRIVE } from './scripts/redrive.js';
import { RELEASE_LEASE } from './scripts/release-lease.js';
import { RENEW_LEASE } from './scripts/renew-lease.js';
import { RESOLVE_PROMISE } from './scripts/resolve-promise.js';
import { SWEEP } from './scripts/sweep.js';
import { READ_LOG } from './scripts/actor-data.js';
import { APPEND_TRACES, READ_TRACES } from './scripts/traces.js';

/** One Lua script per store operation; `readOnly` ones may go to replicas. */
const SCRIPTS = {
  commit: { lua: COMMIT },
  enqueue: { lua: ENQUEUE },
  resolvePromise: { lua: RESOLVE_PROMISE },
  redrive: { lua: REDRIVE },
  sweep: { lua: SWEEP },
  pollPending: { lua: POLL_PENDING, readOnly: true },
  listDeadLetters: { lua: LIST_DEAD_LETTERS, readOnly: true },
  acquireLease: { lua: ACQUIRE_LEASE },
  renewLease: { lua: RENEW_LEASE },
  releaseLease: { lua: RELEASE_LEASE },
  listLeases: { lua: LIST_LEASES, readOnly: true },
  heartbeat: { lua: HEARTBEAT },
  members: { lua: MEMBERS, readOnly: true },
  readLog: { lua: READ_LOG, readOnly: true },
  appendTraces: { lua: APPEND_TRACES },
  readTraces: { lua: READ_TRACES, readOnly: true },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

// Namespaced: defineCommand adds these methods to a client the caller may share.
const command = (name: ScriptName) => `loom${name[0]!.toUpperCase()}${name.slice(1)}`;

/** The reply of one call of a pipeline, or its error. */
export type Settled = { ok: true; value: unknown } | { ok: false; err: Error };

/** A pipeline was sent and no answer came back for it as a whole: what it did is unknown. */
export class SentUnanswered extends Error {
  constructor(readonly original: unknown) {
    super((original as Error)?.message ?? String(original), { cause: original });
  }
}

/** One script run of a pipeline: the script and its arguments (after the key prefix). */
export interface ScriptCall {
  name: ScriptName;
  args: readonly string[];
}

type ScriptMethods<R> = Record<string, ((...args: (string | Buffer)[]) => R) | undefined>;

/**
 * The client, its scripts and key prefixes, shared by the store and its leases.
 * Lua builds keys itself, so it needs the client's own `keyPrefix` too; plain
 * commands get that from ioredis.
 */
export class RedisConnection {
  readonly client: Redis;
  /** Prefix for keys passed to plain commands (ioredis adds the client's keyPrefix). */
  readonly prefix: string;
  /** Full prefix for keys built inside Lua. */
  readonly luaPrefix: string;
  /** Where Redis is, for error messages. */
  readonly where: string;
  private readonly owned: boolean;
  private lastError: Error | undefined;
  private connected = false;

  constructor(redis: Redis | RedisOptions | string, prefix: string) {
    ({ client: this.client, owned: this.owned } = openClient(redis, () => this.connected));
    if (this.owned) {
      this.client.on('ready', () => {
        this.connected = true;
        this.lastError = undefined;
      });
      // Ours to watch: ioredis would otherwise print every failed reconnection.
      this.client.on('error', (err: Error) => (this.lastError = err));
    }
    this.prefix = prefix;
    this.luaPrefix = (this.client.options.keyPrefix ?? '') + prefix;
    const o = this.client.options;
    this.where = o.path ? o.path : `${o.host ?? 'localhost'}:${o.port ?? 6379}`;
    for (const [name, def] of Object.entries(SCRIPTS)) {
      this.client.defineCommand(command(name as ScriptName), { numberOfKeys: 0, ...def });
    }
  }

  /** Connects a client that is not connected yet (ours are lazy). */
  async connect(): Promise<void> {
    const status = this.client.status;
    if (status !== 'wait' && !(status === 'end' && this.owned)) return;
    try {
      await this.client.connect();
    } catch (err) {
      throw this.error('connect', err);
    }
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    const status = this.client.status;
    if (status === 'end') return;
    if (status !== 'ready') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Runs one script (arguments after the key prefix; a Buffer goes as its bytes). */
  script(name: ScriptName, ...args: (string | Buffer)[]): Promise<unknown> {
    const fn = (this.client as unknown as ScriptMethods<Promise<unknown>>)[command(name)];
    if (!fn) throw new StoreError(`Redis store: script ${name} is not defined on the client`);
    return fn.call(this.client, this.luaPrefix, ...args);
  }

  /**
   * Runs the calls in ONE pipeline (one round-trip), in order, so that a call
   * sees the writes of those before it, and answers each call with its own
   * reply or error: a pipeline is not a transaction, and the calls that
   * succeeded stay applied whatever happened to the others.
   *
   * Writes are sent only on a ready connection: queued while it reconnects,
   * they could be sent after an answer was already given up on. So a rejection
   * for a connection that is not ready means nothing was sent (a StoreError),
   * and a failure once sent is the caller's to report as an unknown outcome.
   */
  async sendEach(calls: readonly ScriptCall[]): Promise<Settled[]> {
    if (calls.length === 0) return [];
    if (this.client.status !== 'ready') {
      throw this.error('sending a write', new Error(`not connected (connection ${this.client.status}); nothing was sent`));
    }
    const pipe = this.client.pipeline();
    const methods = pipe as unknown as ScriptMethods<ChainableCommander>;
    for (const { name, args } of calls) {
      const fn = methods[command(name)];
      if (!fn) throw new StoreError(`Redis store: script ${name} is not defined on the pipeline`);
      fn.call(pipe, this.luaPrefix, ...args);
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipe.exec();
    } catch (err) {
      throw new SentUnanswered(err);
    }
    if (!results) throw new SentUnanswered(new Error('the pipeline was discarded'));
    return results.map(([err, value]) => (err ? { ok: false, err } : { ok: true, value }));
  }

  /** Runs `fn`, turning driver errors into a StoreError that names the operation and the fix. */
  async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.error(op, err);
    }
  }

  error(op: string, err: unknown): LoomError {
    if (err instanceof LoomError) return err;
    const message = (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
    // "Connection is closed" and MaxRetriesPerRequestError hide the cause; the last socket error names it.
    const cause = this.lastError && !message.includes(this.lastError.message) ? ` (last connection error: ${this.lastError.message})` : '';
    return new StoreError(`Redis store: ${op} failed: ${message}${cause}. ${fix(message, this.where, this.prefix)}`, { cause: err });
  }
}

function fix(message: string, where: string, prefix: string): string {
  if (message.includes('OOM')) return 'Redis is out of memory: raise maxmemory or free memory (Loom needs maxmemory-policy noeviction so that nothing it stored is evicted).';
  if (message.includes('WRONGTYPE')) return `Another application uses keys under the prefix "${prefix}": give Loom a prefix of its own.`;
  if (message.includes('READONLY')) return `Redis at ${where} is a read-only replica: point Loom at the primary.`;
  if (/NOAUTH|WRONGPASS/.test(message)) return `Redis at ${where} refused the credentials: set the username and password in the Redis URL or options.`;
  if (message.includes('NOPERM')) return `The Redis user may not run this: grant it EVAL, EVALSHA, TIME and the hash, set, sorted-set and string commands on keys under "${prefix}".`;
  if (/ERR .*(script|Lua)|user_script/i.test(message)) return 'A Loom Lua script failed: this is a bug in Loom, please report it with this message.';
  return `Is Redis running at ${where} and reachable from this process?`;
}

