import { StoreError } from '../../core/errors.js';
import type { Lease, LeaseInfo, LeaseManager } from '../../ports/lease.js';
import type { RedisConnection } from './connection.js';
import { KIND } from './keys.js';

/**
 * Fenced partition leases kept in Redis, timed by the Redis clock. The commit
 * script reads the same lease hash, so a turn carrying a stale epoch is
 * rejected by Redis itself. Epochs come from a per-partition counter that is
 * never reset, so a new holder always gets a greater one.
 */
export class RedisLeases implements LeaseManager {
  constructor(private readonly conn: RedisConnection) {}

  async acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    check(partition, ttlMs);
    const reply = await this.conn.run(`lease acquisition of partition ${partition}`, () =>
      this.conn.script('acquireLease', String(partition), owner, String(ttlMs)),
    );
    if (!Array.isArray(reply)) return undefined;
    return { partition, owner, epoch: Number(reply[0]), expiresAt: Number(reply[1]) };
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    check(lease.partition, ttlMs);
    const reply = await this.conn.run(`lease renewal of partition ${lease.partition}`, () =>
      this.conn.script('renewLease', String(lease.partition), lease.owner, String(lease.epoch), String(ttlMs)),
    );
    if (reply === null || reply === undefined) return undefined;
    return { partition: lease.partition, owner: lease.owner, epoch: lease.epoch, expiresAt: Number(reply) };
  }

  async release(lease: Lease): Promise<void> {
    await this.conn.run(`lease release of partition ${lease.partition}`, () =>
      this.conn.script('releaseLease', String(lease.partition), lease.owner, String(lease.epoch)),
    );
  }

  async list(): Promise<LeaseInfo[]> {
    const reply = (await this.conn.run('lease listing', () => this.conn.script('listLeases'))) as string[][];
    return reply
      .map(([partition, owner, epoch, expiresAt]) => ({ partition: Number(partition), owner: owner ?? '', epoch: Number(epoch), expiresAt: Number(expiresAt) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new StoreError(`Redis store: member ttlMs must be a positive number, got ${ttlMs}`);
    await this.conn.run('member heartbeat', () => this.conn.script('heartbeat', owner, String(Math.ceil(ttlMs))));
  }

  async members(): Promise<string[]> {
    const reply = (await this.conn.run('member listing', () => this.conn.script('members'))) as string[];
    return [...new Set(reply)].sort();
  }

  async leave(owner: string): Promise<void> {
    await this.conn.run('member removal', () => this.conn.client.zrem(this.conn.prefix + KIND.members, owner));
  }

  async claimPartitionCount(count: number): Promise<number> {
    const key = `${this.conn.prefix}${KIND.meta}partitions`;
    // SET NX is the atomic insert-if-absent; the GET then reads whichever worker's value won.
    const stored = await this.conn.run('partition count claim', async () => {
      await this.conn.client.set(key, String(count), 'NX');
      return this.conn.client.get(key);
    });
    return Number(stored);
  }
}

function check(partition: number, ttlMs: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0) throw new StoreError(`Redis store: lease partition must be a non-negative integer, got ${partition}`);
  if (!Number.isFinite(ttlMs)) throw new StoreError(`Redis store: lease ttlMs must be a finite number, got ${ttlMs}`);
}
