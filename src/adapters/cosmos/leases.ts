import { StoreError } from '../../core/errors.js';
import type { Lease, LeaseManager } from '../../ports/lease.js';
import type { Docs } from './container.js';
import { bare, ids, MEMBERS_PK, META_PK, pkOf, type LeaseDoc, type MemberDoc, type SettingDoc } from './docs.js';

/**
 * Fenced partition leases on Cosmos DB: one document per partition, under the
 * partition's own key, so that a turn's batch can read it conditionally. Every
 * change is a replace conditional on the document's ETag; a new holder gets
 * the next epoch, and a release keeps the epoch (so the next holder's is greater).
 * Cosmos DB has no server clock to ask: expiry uses this process's clock.
 */
export class CosmosLeases implements LeaseManager {
  /** The ETag of each partition's lease document at the epoch this process last saw there. */
  private readonly seen = new Map<number, { epoch: number; etag: string }>();

  constructor(private readonly docs: () => Docs) {}

  async acquire(partition: number, owner: string, ttlMs: number): Promise<Lease | undefined> {
    for (;;) {
      const now = Date.now();
      const cur = await this.docs().read<LeaseDoc>(ids.lease, pkOf(partition));
      if (!cur) {
        const made = await this.docs().create<LeaseDoc>({ id: ids.lease, pk: pkOf(partition), type: 'lease', partition, owner, epoch: 1, expiresAt: now + ttlMs });
        if (made) return this.remember(made);
        continue;
      }
      if (cur.owner !== null && cur.owner !== owner && cur.expiresAt > now) return undefined;
      const keep = cur.owner === owner && cur.expiresAt > now;
      const next = await this.docs().replace<LeaseDoc>({ ...bare(cur), owner, epoch: keep ? cur.epoch : cur.epoch + 1, expiresAt: now + ttlMs }, cur._etag!);
      if (next) return this.remember(next);
    }
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    for (;;) {
      const cur = await this.docs().read<LeaseDoc>(ids.lease, pkOf(lease.partition));
      if (!cur || cur.owner !== lease.owner || cur.epoch !== lease.epoch) return undefined;
      const next = await this.docs().replace<LeaseDoc>({ ...bare(cur), expiresAt: Date.now() + ttlMs }, cur._etag!);
      if (next) return this.remember(next);
    }
  }

  async release(lease: Lease): Promise<void> {
    for (;;) {
      const cur = await this.docs().read<LeaseDoc>(ids.lease, pkOf(lease.partition));
      if (!cur || cur.owner !== lease.owner || cur.epoch !== lease.epoch) return;
      const next = await this.docs().replace<LeaseDoc>({ ...bare(cur), owner: null, expiresAt: 0 }, cur._etag!);
      if (next) {
        this.seen.delete(lease.partition);
        return;
      }
    }
  }

  async list(): Promise<Lease[]> {
    const rows = await this.docs().query<LeaseDoc>("SELECT * FROM c WHERE c.type = 'lease' AND c.owner != null", []);
    return rows.map(toLease).sort((a, b) => a.partition - b.partition);
  }

  async heartbeat(owner: string, ttlMs: number): Promise<void> {
    const doc: MemberDoc = { id: ids.member(owner), pk: MEMBERS_PK, type: 'member', owner, expiresAt: Date.now() + ttlMs };
    await this.docs().upsert(doc);
  }

  async members(): Promise<string[]> {
    const rows = await this.docs().query<MemberDoc>('SELECT * FROM c WHERE c.pk = @pk AND c.expiresAt > @now', [
      { name: '@pk', value: MEMBERS_PK },
      { name: '@now', value: Date.now() },
    ], MEMBERS_PK);
    return [...new Set(rows.map((r) => r.owner))].sort();
  }

  async leave(owner: string): Promise<void> {
    await this.docs().delete(ids.member(owner), MEMBERS_PK);
  }

  async claimPartitionCount(count: number): Promise<number> {
    const id = ids.setting('partitions');
    // A create fails on an existing id: the first worker's count stays, and every later one reads it.
    const made = await this.docs().create<SettingDoc>({ id, pk: META_PK, type: 'setting', value: count });
    if (made) return made.value;
    const cur = await this.docs().read<SettingDoc>(id, META_PK);
    if (!cur) throw new StoreError(`Cosmos DB store: the partition count document ${id} exists and cannot be read; check the container`);
    return cur.value;
  }

  /**
   * The ETag under which `epoch` is the partition's live epoch, for a turn's
   * conditional read; undefined when the store says the epoch is not current.
   */
  async fence(partition: number, epoch: number, fresh = false): Promise<string | undefined> {
    const known = this.seen.get(partition);
    if (!fresh && known && known.epoch === epoch) return known.etag;
    const cur = await this.docs().read<LeaseDoc>(ids.lease, pkOf(partition));
    if (!cur || cur.owner === null || cur.epoch !== epoch) return undefined;
    this.seen.set(partition, { epoch, etag: cur._etag! });
    return cur._etag!;
  }

  private remember(doc: LeaseDoc): Lease {
    this.seen.set(doc.partition, { epoch: doc.epoch, etag: doc._etag! });
    return toLease(doc);
  }
}

const toLease = (d: LeaseDoc): Lease => ({ partition: d.partition, owner: d.owner!, epoch: d.epoch, expiresAt: d.expiresAt });
