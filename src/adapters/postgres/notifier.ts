import pg from 'pg';
import type { ClientConfig, Notification, Pool, PoolConfig } from 'pg';
import { ConfigError, RuntimeStateError, StoreError } from '../../core/errors.js';
import { consoleLogger, type Logger } from '../../core/logger.js';
import type { Delivery, Transport, TransportCapabilities, WorkNotice } from '../../ports/transport.js';
import { describeTarget } from './errors.js';
import { packNotices, unpackNotices } from './notify-payload.js';

/** Options of {@link PostgresNotifier}. */
export interface PostgresNotifierOptions {
  /** The store's schema; the channel is `${schema}.work`, so workers of one schema hear each other. Default `loom`. */
  schema?: string;
  /** Overrides the channel name (at most 63 bytes). */
  channel?: string;
  /** Where lost and restored LISTEN connections are reported. Default: console warnings and errors. */
  logger?: Logger;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;
const NOOP_ACK = () => Promise.resolve();

/**
 * A Transport on PostgreSQL LISTEN/NOTIFY, for deployments that run on
 * PostgreSQL alone: it wakes the owner of a partition as soon as work is
 * committed instead of at its next store poll.
 *
 * At most once, and it never holds a message: a notice sent while no worker
 * listens (down, restarting, or reconnecting its LISTEN connection) is lost for
 * good, and nothing is redelivered. That is safe only because the store is the
 * inbox: its poll picks the work up, just later. `ack()` does nothing.
 *
 * Notices are packed into as few NOTIFYs as fit under PostgreSQL's 8000-byte
 * payload limit, all sent in one statement. Listening takes one dedicated
 * connection (LISTEN is per session, so a pooled one would not do), reconnected
 * with capped backoff after an error.
 */
export class PostgresNotifier implements Transport {
  readonly name = 'postgres-notify';
  readonly capabilities: TransportCapabilities = { delivery: 'at-most-once' };
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly clientConfig: ClientConfig;
  private readonly channel: string;
  private readonly target: string;
  private readonly log: Logger;
  private listener: pg.Client | undefined;
  private partitions = new Set<number>();
  private onDelivery: ((delivery: Delivery) => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = RECONNECT_MIN_MS;
  private started = false;
  private closed = false;

  /**
   * @param pool the pool to NOTIFY through (an existing one, e.g. the store's, is left open by `close()`), or
   *   the pool config or connection string of one this notifier creates. The LISTEN connection is its own either way.
   */
  constructor(pool: Pool | PoolConfig | string, options: PostgresNotifierOptions = {}) {
    const schema = options.schema ?? 'loom';
    this.channel = options.channel ?? `${schema}.work`;
    if (!this.channel || Buffer.byteLength(this.channel) > 63) {
      throw new ConfigError(`PostgresNotifier: channel "${this.channel}" must be 1 to 63 bytes (PostgreSQL truncates longer identifiers); pass a shorter schema or an explicit channel`);
    }
    this.log = options.logger ?? consoleLogger;
    this.ownsPool = !isPool(pool);
    this.pool = isPool(pool) ? pool : new pg.Pool({ max: 2, ...(typeof pool === 'string' ? { connectionString: pool } : pool) });
    // An idle client's error is emitted on the pool; unheard, it would crash the process.
    if (this.ownsPool) this.pool.on('error', (err) => this.log.warn(`postgres-notify: idle connection failed: ${err.message}`));
    // A pool keeps its config in `options`: the LISTEN connection reuses it.
    this.clientConfig = (this.pool as Pool & { options: ClientConfig }).options;
    this.target = describeTarget(this.pool);
  }

  /** Opens the LISTEN connection; rejects with a StoreError if PostgreSQL cannot be reached. */
  async start(): Promise<void> {
    if (this.closed) throw new RuntimeStateError('PostgresNotifier.start: the notifier was closed; create a new one');
    if (this.started) return;
    try {
      await this.listen();
    } catch (err) {
      throw this.error('start', err);
    }
    this.started = true;
  }

  /** One statement: a NOTIFY per packed payload, delivered when it commits. */
  async publish(notices: readonly WorkNotice[]): Promise<void> {
    if (notices.length === 0) return;
    if (this.closed) throw new RuntimeStateError('PostgresNotifier.publish: the notifier was closed');
    const { payloads, oversized } = packNotices(notices);
    if (oversized.length > 0) {
      this.log.warn(`postgres-notify: ${oversized.length} notice(s) do not fit a NOTIFY payload (invocation id too long); the store poll picks their work up`);
    }
    if (payloads.length === 0) return;
    try {
      await this.pool.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [this.channel, payloads]);
    } catch (err) {
      throw this.error('publish', err);
    }
  }

  /** Filters what the one LISTEN connection hears; there is nothing to subscribe or release per partition. */
  async consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.partitions = new Set(partitions);
    this.onDelivery = onDelivery;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    if (this.ownsPool) await this.pool.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ ...this.clientConfig, application_name: `loom-notify ${this.channel}`.slice(0, 63) });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => this.dispatch(msg));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) return void (await client.end().catch(() => {}));
    this.listener = client;
  }

  private dispatch(msg: Notification): void {
    if (msg.channel !== this.channel || !this.onDelivery || msg.payload === undefined) return;
    const { notices, invalid } = unpackNotices(msg.payload);
    if (invalid > 0) this.log.warn(`postgres-notify: skipped ${invalid} malformed notice(s) on channel ${this.channel}`);
    for (const notice of notices) {
      if (!this.partitions.has(notice.partition)) continue;
      try {
        this.onDelivery({ notice, ack: NOOP_ACK });
      } catch (err) {
        this.log.error(`postgres-notify: the delivery handler threw: ${(err as Error).message}`);
      }
    }
  }

  /** The LISTEN connection died: notices sent until it is back are lost (the poll covers them). */
  private lost(client: pg.Client, err?: Error): void {
    if (this.listener !== client || this.closed) return;
    this.listener = undefined;
    client.end().catch(() => {});
    this.log.warn(`postgres-notify: lost the LISTEN connection to ${this.target}${err ? ` (${err.message})` : ''}; reconnecting, the store poll covers the gap`);
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.listen().then(
        () => {
          this.retryMs = RECONNECT_MIN_MS;
          this.log.info(`postgres-notify: listening on ${this.target} again`);
        },
        (err: Error) => {
          this.log.debug(`postgres-notify: reconnect to ${this.target} failed: ${err.message}`);
          this.reconnectLater();
        },
      );
    }, delay);
    this.retryTimer.unref();
  }

  private error(op: string, err: unknown): StoreError {
    const detail = err instanceof AggregateError && !err.message ? err.errors.map((e: Error) => e.message).join('; ') : (err as Error)?.message || String(err);
    return new StoreError(
      `PostgresNotifier.${op} failed on ${this.target}, channel "${this.channel}": ${detail}. ` +
        `Is PostgreSQL running at ${this.target} and reachable with these connection settings (host, port, user, password, database)?`,
      { cause: err },
    );
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function isPool(x: Pool | PoolConfig | string): x is Pool {
  return typeof x === 'object' && typeof (x as Pool).connect === 'function' && typeof (x as Pool).query === 'function';
}
