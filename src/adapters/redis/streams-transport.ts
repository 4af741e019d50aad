import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis, RedisOptions } from 'ioredis';
import { RuntimeStateError } from '../../core/errors.js';
import { consoleLogger } from '../../core/logger.js';
import type { Delivery, Transport, WorkNotice } from '../../ports/transport.js';
import { PRUNE_CONSUMERS } from './scripts/prune-consumers.js';
import { FIELD, parseAutoClaim, parseRead, type StreamEntry } from './streams-reply.js';
import { TransportClient, throttled, type TransportLogger } from './transport-client.js';

/** Options of {@link RedisStreamsTransport}. */
export interface RedisStreamsTransportOptions {
  /** Prefix of the stream keys, `${prefix}stream:${partition}`. One prefix per deployment. Default `'loom:'`. */
  prefix?: string;
  /** The consumer group all workers of a deployment join. Default `'loom'`. */
  group?: string;
  /** This instance's consumer name in the group. Default: host, pid and a random suffix. */
  consumer?: string;
  /**
   * How long a delivered notice may sit unacknowledged with a consumer that stopped
   * renewing it (crashed, hung) before another consumer claims it with XAUTOCLAIM.
   * A live consumer renews its deliveries, so long work is not stolen. Default 5000.
   */
  claimIdleMs?: number;
  /** Longest one blocking read waits before it re-checks the consumed partitions. Default 2000. */
  blockMs?: number;
  /** Most entries one read or claim returns. Default 256. */
  batch?: number;
  /**
   * Safety cap on each stream (`XADD MAXLEN ~`). Acknowledged entries are deleted,
   * so a stream only holds its backlog; past the cap the oldest notices are trimmed
   * and their work is found by the store poll instead. Default 100000.
   */
  maxLen?: number;
  /** Longest a publish, an ack or a consume() waits for Redis before it fails (ioredis queues commands while reconnecting). Default 10000. */
  timeoutMs?: number;
  /** Receives errors the transport recovers from (lost connection, retried reads). Default: console warnings. */
  logger?: TransportLogger;
}

interface InFlight {
  partition: number;
  key: string;
  id: string;
  done: boolean;
}

// A released entry gets this idle time, so the next consumer's XAUTOCLAIM takes it at once.
const RELEASED_IDLE_MS = 24 * 3600_000;
// Consumers idle this long with nothing pending are workers that left: delete them.
const PRUNE_IDLE_MS = 60_000;

/**
 * At-least-once notices over Redis Streams: one stream per partition, one consumer
 * group, one consumer per transport instance. A notice stays pending until it is
 * acknowledged (XACK, then XDEL so streams do not grow); a consumer that dies leaves
 * its notices pending and another consumer of the partition claims them after
 * `claimIdleMs`. Dropping a partition or closing releases unacknowledged notices so
 * the next consumer claims them at once. Reads block on a dedicated connection.
 *
 * Each stream is capped (`XADD MAXLEN ~ maxLen`) as a safety against a backlog
 * nobody consumes: past the cap the oldest notices are trimmed, pending or not,
 * and the store poll finds their work. Notices are hints; the store holds the work.
 */
export class RedisStreamsTransport implements Transport {
  readonly name = 'redis-streams';
  readonly capabilities = { delivery: 'at-least-once' } as const;
  private readonly conn: TransportClient;
  private readonly log: TransportLogger;
  private readonly keyHead: string;
  private readonly group: string;
  private readonly consumer: string;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private readonly batch: number;
  private readonly maxLen: number;
  private state: 'new' | 'started' | 'closed' = 'new';
  private partitions = new Set<number>();
  private onDelivery: ((delivery: Delivery) => void) | undefined;
  private readonly inflight = new Map<string, InFlight>();
  private readonly acks = new Set<Promise<void>>();
  private blocking: Redis | undefined;
  private blockingId: number | undefined;
  private loop: Promise<void> | undefined;
  private wake: () => void = () => {};
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private lastPrune = 0;

  /**
   * @param redis An ioredis client (left open by `close()`), its options, or a
   *   `redis://` URL (the transport then owns the client and quits it on `close()`).
   */
  constructor(redis: Redis | RedisOptions | string, options: RedisStreamsTransportOptions = {}) {
    this.conn = new TransportClient('Redis Streams transport', redis, options.timeoutMs);
    // A Redis outage fails every sweep the same way: say it once in a while.
    this.log = { warn: throttled(options.logger ?? consoleLogger) };
    this.keyHead = `${this.conn.client.options.keyPrefix ?? ''}${options.prefix ?? 'loom:'}stream:`;
    this.group = options.group ?? 'loom';
    this.consumer = options.consumer ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.claimIdleMs = Math.max(100, options.claimIdleMs ?? 5000);
    this.blockMs = Math.max(10, options.blockMs ?? 2000);
    this.batch = Math.max(1, options.batch ?? 256);
    this.maxLen = Math.max(1, options.maxLen ?? 100_000);
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return;
    await this.conn.connect();
    this.blocking = await this.conn.duplicate({ connectionName: `loom-streams:${this.consumer}` });
    // A reconnected connection has a new client id; fetch it again before the next read.
    this.blocking.on('close', () => (this.blockingId = undefined));
    this.state = 'started';
    this.loop = this.readLoop();
    // Renewing our own deliveries must beat claimIdleMs by a margin.
    this.timer = setInterval(() => {
      if (!this.sweeping) void this.sweep([...this.partitions]);
    }, Math.max(50, Math.floor(this.claimIdleMs / 3)));
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const started = this.state === 'started';
    this.state = 'closed';
    clearInterval(this.timer);
    if (started) {
      this.wake();
      await this.unblock();
      // Let an unblocked read hand over what it got; cut it off if it cannot be unblocked.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, Math.min(this.blockMs, 500))))]);
      clearTimeout(timer);
      this.blocking?.disconnect();
      await this.loop;
      await Promise.allSettled([...this.acks, this.sweeping]);
      // Hand what we hold back to the group now, rather than after claimIdleMs.
      await this.release([...this.inflight.values()]).catch((err: unknown) => this.warn('release on close', err));
      await this.prune([...this.partitions], true);
    }
    await this.conn.close();
  }

  async publish(notices: readonly WorkNotice[]): Promise<void> {
    this.assertStarted('publish');
    if (notices.length === 0) return;
    const pipe = this.conn.client.pipeline();
    for (const n of notices) pipe.call('XADD', this.key(n.partition), 'MAXLEN', '~', this.maxLen, '*', FIELD, n.invocationId);
    await this.conn.exec(`publish of ${notices.length} notice(s)`, pipe);
  }

  async consume(partitions: readonly number[], onDelivery: (delivery: Delivery) => void): Promise<void> {
    this.assertStarted('consume');
    const next = new Set(partitions);
    const added = [...next].filter((p) => !this.partitions.has(p));
    await this.conn.run(`consume of partitions ${added.join(', ')}`, () => this.ensureGroups(added));
    this.partitions = next;
    this.onDelivery = onDelivery;
    const dropped = [...this.inflight.values()].filter((f) => !next.has(f.partition));
    await this.conn.run('release of dropped partitions', () => this.release(dropped));
    this.wake();
    await this.unblock();
    // Take over what a previous consumer of these partitions left behind.
    if (added.length > 0) await this.sweep(added);
  }

  /**
   * The full key, the client's own keyPrefix included: every command goes through
   * ioredis's call(), which does not apply keyPrefix, so replies name keys this way too.
   */
  private key(partition: number): string {
    return `${this.keyHead}${partition}`;
  }

  private partitionOf(stream: string): number | undefined {
    if (!stream.startsWith(this.keyHead)) return undefined;
    const p = Number(stream.slice(this.keyHead.length));
    return Number.isInteger(p) ? p : undefined;
  }

  private async ensureGroups(partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    const pipe = this.conn.client.pipeline();
    // From id 0: notices published before any worker created the group are delivered too.
    for (const p of partitions) pipe.call('XGROUP', 'CREATE', this.key(p), this.group, '0', 'MKSTREAM');
    const results = (await pipe.exec()) ?? [];
    const failed = results.find(([err]) => err && !String(err.message).includes('BUSYGROUP'));
    if (failed) throw failed[0];
  }

  private async readLoop(): Promise<void> {
    let failures = 0;
    while (this.state === 'started') {
      const partitions = [...this.partitions];
      if (partitions.length === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        const blocking = this.blocking!;
        if (this.blockingId === undefined) this.blockingId = Number(await blocking.client('ID'));
        const keys = partitions.map((p) => this.key(p));
        const reply = await blocking.call('XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', this.batch, 'BLOCK', this.blockMs, 'STREAMS', ...keys, ...keys.map(() => '>'));
        failures = 0;
        this.deliver(parseRead(reply));
      } catch (err) {
        if (this.state !== 'started') break;
        failures++;
        // The group disappears when someone deletes the stream: recreate it and read on.
        if (String(err).includes('NOGROUP')) await this.ensureGroups(partitions).catch(() => {});
        const wait = Math.min(100 * 2 ** (failures - 1), 5000);
        this.log.warn(`${this.conn.error('read', err).message} Retrying in ${wait} ms (attempt ${failures}).`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          this.wake = () => (clearTimeout(t), resolve());
        });
      }
    }
  }

  /** Interrupts a blocking read so the loop picks up a changed partition set at once. */
  private async unblock(): Promise<void> {
    if (this.blockingId === undefined) return;
    // Without CLIENT permission the read just ends after blockMs; deliver() filters meanwhile.
    await this.conn.client.client('UNBLOCK', this.blockingId).catch(() => {});
  }

  private deliver(entries: readonly StreamEntry[]): void {
    const foreign: InFlight[] = [];
    for (const e of entries) {
      const partition = this.partitionOf(e.stream);
      if (partition === undefined) continue;
      const f: InFlight = { partition, key: this.key(partition), id: e.id, done: false };
      const handler = this.onDelivery;
      if (!this.partitions.has(partition) || this.state !== 'started' || !handler) {
        foreign.push(f);
        continue;
      }
      const ref = `${partition}/${e.id}`;
      if (this.inflight.has(ref)) continue; // ours already, still being worked on
      if (e.invocationId === undefined) {
        this.log.warn(`Redis Streams transport: entry ${e.id} of ${f.key} has no field "${FIELD}"; deleting it. Is another application writing to this stream?`);
        void this.ack(f);
        continue;
      }
      this.inflight.set(ref, f);
      const notice: WorkNotice = { partition, invocationId: e.invocationId };
      try {
        handler({ notice, ack: () => this.ack(f) });
      } catch (err) {
        // A notice only announces work; the store poll finds it even if this one is dropped.
        this.log.warn(`Redis Streams transport: the delivery handler threw for ${notice.invocationId}; acknowledging the notice (the store poll picks the work up): ${String(err)}`);
        void this.ack(f).catch(() => {});
      }
    }
    if (foreign.length > 0) void this.release(foreign).catch((err: unknown) => this.warn('release', err));
  }

  private ack(f: InFlight): Promise<void> {
    // After a release (dropped partition, close) the notice belongs to the next consumer.
    if (f.done || this.state === 'closed') return Promise.resolve();
    f.done = true;
    const done = this.conn
      .run(`ack of ${f.id} on ${f.key}`, async () => {
        const results = await this.conn.client.pipeline().call('XACK', f.key, this.group, f.id).call('XDEL', f.key, f.id).exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      })
      .finally(() => {
        this.inflight.delete(`${f.partition}/${f.id}`);
        this.acks.delete(done);
      });
    this.acks.add(done);
    return done;
  }

  /** Leaves entries pending but idle for long, so the next consumer's XAUTOCLAIM takes them at once. */
  private async release(entries: readonly InFlight[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const f of entries) {
      if (f.done) continue;
      f.done = true;
      this.inflight.delete(`${f.partition}/${f.id}`);
      byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.id]);
    }
    if (byKey.size === 0) return;
    const pipe = this.conn.client.pipeline();
    for (const [key, ids] of byKey) pipe.call('XCLAIM', key, this.group, this.consumer, 0, ...ids, 'IDLE', RELEASED_IDLE_MS, 'JUSTID');
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Renews our deliveries, then claims entries other consumers left idle. One sweep at a time. */
  private sweep(partitions: readonly number[]): Promise<void> {
    if (this.state !== 'started') return Promise.resolve();
    const run = async () => {
      if (this.sweeping) await this.sweeping.catch(() => {});
      try {
        await this.renew();
        for (const p of partitions) await this.claim(p);
        if (Date.now() - this.lastPrune > PRUNE_IDLE_MS) {
          this.lastPrune = Date.now();
          await this.prune(partitions, false);
        }
      } catch (err) {
        if (this.state === 'started') this.warn('claim of idle notices', err);
      }
    };
    const current: Promise<void> = run().finally(() => {
      if (this.sweeping === current) this.sweeping = undefined;
    });
    this.sweeping = current;
    return current;
  }

  private async renew(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const f of this.inflight.values()) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f.id]);
    if (byKey.size === 0) return;
    const pipe = this.conn.client.pipeline();
    // XCLAIM to ourselves resets the idle time without counting a delivery (JUSTID).
    for (const [key, ids] of byKey) pipe.call('XCLAIM', key, this.group, this.consumer, 0, ...ids, 'JUSTID');
    await pipe.exec();
  }

  private async claim(partition: number): Promise<void> {
    const key = this.key(partition);
    let cursor = '0-0';
    // Bounded: a huge backlog is claimed over several sweeps, not in one go.
    for (let round = 0; round < 10 && this.partitions.has(partition) && this.state === 'started'; round++) {
      const reply = await this.conn.client.call('XAUTOCLAIM', key, this.group, this.consumer, this.claimIdleMs, cursor, 'COUNT', this.batch);
      const { next, entries } = parseAutoClaim(key, reply);
      this.deliver(entries);
      if (next === '0-0') return;
      cursor = next;
    }
  }

  private async prune(partitions: readonly number[], self: boolean): Promise<void> {
    const who = self ? this.consumer : '';
    for (const p of partitions) {
      await this.conn.client.call('EVAL', PRUNE_CONSUMERS, 1, this.key(p), this.group, who, PRUNE_IDLE_MS).catch((err: unknown) => this.warn('prune of departed consumers', err));
    }
  }

  private warn(op: string, err: unknown): void {
    this.log.warn(this.conn.error(op, err).message);
  }

  private assertStarted(op: string): void {
    if (this.state === 'started') return;
    throw new RuntimeStateError(
      this.state === 'new' ? `Redis Streams transport: ${op}() before start(); call await transport.start() first.` : `Redis Streams transport: ${op}() after close(); create a new transport.`,
    );
  }
}
