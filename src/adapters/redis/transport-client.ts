import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import { openClient } from './client.js';
import { LoomError, StoreError } from '../../core/errors.js';
import { timerDelay } from '../../core/timers.js';

/** Where a Redis transport reports errors it recovers from on its own (lost connections, retried reads). */
export interface TransportLogger {
  warn(msg: string): void;
}

/**
 * A warn function that says each distinct message at most once per `intervalMs`:
 * a Redis outage makes every reconnection attempt fail the same way.
 */
export function throttled(logger: TransportLogger, intervalMs = 30_000): (msg: string) => void {
  const said = new Map<string, number>();
  return (msg) => {
    const now = Date.now();
    if (now - (said.get(msg) ?? -Infinity) < intervalMs) return;
    if (said.size > 100) said.clear();
    said.set(msg, now);
    logger.warn(msg);
  };
}

/**
 * The ioredis clients of one Redis-based transport: the main one (given or
 * built from options/URL) plus the dedicated connections it opens for blocking
 * reads or subscriptions. Turns driver errors into errors that name the
 * transport, the operation and the fix.
 */
export class TransportClient {
  readonly client: Redis;
  /** Where Redis is, for error messages. */
  readonly where: string;
  private readonly owned: boolean;
  private readonly extra: Redis[] = [];
  private lastError: Error | undefined;
  private connected = false;

  /**
   * @param label Names the transport in error messages, e.g. `'Redis Streams transport'`.
   * @param redis A client (left open on close), its options, or a `redis://` URL (then owned and closed).
   */
  constructor(
    readonly label: string,
    redis: Redis | RedisOptions | string,
    private readonly timeoutMs = 10_000,
  ) {
    ({ client: this.client, owned: this.owned } = openClient(redis, () => this.connected));
    this.watch(this.client);
    const o = this.client.options;
    this.where = o.path ? o.path : `${o.host ?? 'localhost'}:${o.port ?? 6379}`;
  }

  /** Connects the main client if it is not connected yet (ours are lazy). */
  async connect(): Promise<void> {
    await this.connectClient(this.client, this.owned);
  }

  /** A connection of its own (blocking reads, subscriptions), connected, and closed by {@link close}. */
  async duplicate(overrides: RedisOptions = {}): Promise<Redis> {
    const dup = this.client.duplicate({ ...overrides, lazyConnect: true });
    this.watch(dup);
    this.extra.push(dup);
    await this.connectClient(dup, true);
    return dup;
  }

  /** Closes the connections this transport opened; a client passed in stays open. */
  async close(): Promise<void> {
    // The extra connections may be blocked in a read: QUIT would queue behind it.
    for (const dup of this.extra.splice(0)) dup.disconnect();
    if (this.owned) await quit(this.client);
  }

  /**
   * Runs `fn`, turning driver errors into an error naming the operation and the fix.
   * Bounded: while Redis is down ioredis queues commands until it reconnects, and a
   * caller waiting on a notice must not hang with it (a late duplicate is harmless).
   */
  async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply from Redis within ${this.timeoutMs} ms`)), timerDelay(this.timeoutMs));
    });
    try {
      return await Promise.race([fn(), timeout]);
    } catch (err) {
      throw this.error(op, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a pipeline (bounded like {@link run}); rejects with the first command's error, if any. */
  async exec(op: string, pipe: ChainableCommander): Promise<void> {
    await this.run(op, async () => {
      const failed = (await pipe.exec())?.find(([err]) => err);
      if (failed) throw failed[0];
    });
  }

  error(op: string, err: unknown): LoomError {
    if (err instanceof LoomError) return err;
    const message = (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');
    // "Connection is closed" and MaxRetriesPerRequestError hide the cause; the last socket error names it.
    const cause = this.lastError && !message.includes(this.lastError.message) ? ` (last connection error: ${this.lastError.message})` : '';
    return new StoreError(`${this.label}: ${op} failed: ${message}${cause}. ${fix(message, this.where)}`, { cause: err });
  }

  private watch(client: Redis): void {
    client.on('ready', () => {
      this.connected = true;
      this.lastError = undefined;
    });
    // Ours to watch: ioredis would otherwise print every failed reconnection.
    client.on('error', (err: Error) => (this.lastError = err));
  }

  private async connectClient(client: Redis, owned: boolean): Promise<void> {
    const status = client.status;
    if (status !== 'wait' && !(status === 'end' && owned)) return;
    try {
      await client.connect();
    } catch (err) {
      throw this.error('connect', err);
    }
  }
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

function fix(message: string, where: string): string {
  if (message.includes('OOM')) return 'Redis is out of memory: raise maxmemory or free memory (give it maxmemory-policy noeviction).';
  if (message.includes('READONLY')) return `Redis at ${where} is a read-only replica: point the transport at the primary.`;
  if (/NOAUTH|WRONGPASS/.test(message)) return `Redis at ${where} refused the credentials: set the username and password in the Redis URL or options.`;
  if (message.includes('NOPERM')) return 'The Redis user may not run this command: grant it the stream, pub/sub and CLIENT commands the transport uses.';
  if (message.includes('NOGROUP')) return 'The stream or its consumer group was deleted (FLUSHDB, or another application under this prefix): the transport recreates it.';
  if (message.includes('WRONGTYPE')) return 'Another application uses these keys: give the transport a prefix of its own.';
  return `Is Redis running at ${where} and reachable from this process?`;
}

