import type { Docs } from './container.js';
import { ids, pkOf, type InvocationDoc } from './docs.js';

const MAX_REMEMBERED = 100_000;

/**
 * Finds an invocation's document from its id alone. A point read needs the
 * partition key, which the id does not carry: the partition of every
 * invocation this process enqueued, committed or polled is remembered (a
 * bounded map), and anything else is one query by id across partitions — used
 * by tools and by results awaited in another process, not by turns.
 */
export class Locator {
  private readonly partitions = new Map<string, number>();
  private readonly actors = new Map<string, number>();

  constructor(private readonly docs: () => Docs) {}

  remember(invocationId: string, partition: number): void {
    if (this.partitions.size >= MAX_REMEMBERED) this.partitions.delete(this.partitions.keys().next().value!);
    this.partitions.set(invocationId, partition);
  }

  rememberActor(actorType: string, actorId: string, partition: number): void {
    const k = `${actorType}\u0000${actorId}`;
    if (this.actors.size >= MAX_REMEMBERED) this.actors.delete(this.actors.keys().next().value!);
    this.actors.set(k, partition);
  }

  /** The partition key an actor's documents live under, when this process has seen it. */
  actorPk(actorType: string, actorId: string): string | undefined {
    const p = this.actors.get(`${actorType}\u0000${actorId}`);
    return p === undefined ? undefined : pkOf(p);
  }

  forget(invocationId: string): void {
    this.partitions.delete(invocationId);
  }

  async find(invocationId: string): Promise<InvocationDoc | undefined> {
    const known = this.partitions.get(invocationId);
    if (known !== undefined) {
      const doc = await this.docs().read<InvocationDoc>(ids.inv(invocationId), pkOf(known));
      if (doc) return doc;
    }
    const rows = await this.docs().query<InvocationDoc>("SELECT * FROM c WHERE c.id = @id AND c.type = 'inv'", [{ name: '@id', value: ids.inv(invocationId) }]);
    const doc = rows[0];
    if (doc) this.remember(invocationId, doc.rec.partition);
    return doc;
  }
}
