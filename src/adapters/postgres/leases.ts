import type { Lease, LeaseInfo, LeaseManager } from '../../ports/lease.js';
import { toLease, type LeaseRow } from './rows.js';
import type { Session } from './session.js';

/**
 * Fenced partition leases in the `leases` table, each operation one statement
 * on the database clock. Epochs only grow: a released lease keeps its row. The
 * store's commits check these epochs under a share lock of the same row, so
 * taking a lease waits for the batches still committing under the old epoch.
 */
export class PostgresLeases implements LeaseManager {
  constructor(
    private readonly session: Session,
    private readonly guard: <T>(op: string, fn: () => Promise<T>) => Promise<T>,
  ) {}

  acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    return this.guard('leases.acquire', async () => {
      const res = await this.session.run<LeaseRow>('acquireLease', [partition, owner, ttlMs]);
      return res.rows[0] && toLease(res.rows[0]);
    });
  }

  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    return this.guard('leases.renew', async () => {
      const res = await this.session.run<LeaseRow>('renewLease', [lease.partition, lease.owner, lease.epoch, ttlMs]);
      return res.rows[0] && toLease(res.rows[0]);
    });
  }

  release(lease: Lease): Promise<void> {
    return this.guard('leases.release', async () => {
      await this.session.run('releaseLease', [lease.partition, lease.owner, lease.epoch]);
    });
  }

  list(): Promise<LeaseInfo[]> {
    return this.guard('leases.list', async () => {
      const res = await this.session.run<LeaseRow>('listLeases', []);
      return res.rows.map(toLease);
    });
  }

  heartbeat(owner: string, ttlMs: number): Promise<void> {
    return this.guard('leases.heartbeat', async () => {
      await this.session.run('heartbeatMember', [owner, ttlMs]);
    });
  }

  members(): Promise<string[]> {
    return this.guard('leases.members', async () => {
      const res = await this.session.run<{ owner: string }>('listMembers', []);
      return res.rows.map((r) => r.owner);
    });
  }

  leave(owner: string): Promise<void> {
    return this.guard('leases.leave', async () => {
      await this.session.run('leaveMember', [owner]);
    });
  }

  claimPartitionCount(count: number): Promise<number> {
    return this.guard('leases.claimPartitionCount', async () => {
      for (;;) {
        const res = await this.session.run<{ value: string }>('claimPartitionCount', [String(count)]);
        if (res.rows[0]) return Number(res.rows[0].value);
      }
    });
  }
}
