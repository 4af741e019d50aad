import type { DiscoveryEntry, DiscoveryEntryInput, DiscoveryStore } from '../../ports/discovery.js';

/** Discovery entries in the process's memory, expiring on the local clock. */
export class MemoryDiscovery implements DiscoveryStore {
  private readonly entries = new Map<string, DiscoveryEntry>();

  async put(entry: DiscoveryEntryInput, ttlMs: number): Promise<void> {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    this.entries.set(`${entry.actorType}\0${entry.actorId}`, {
      ...entry,
      capabilities: [...entry.capabilities],
      metadata: structuredClone(entry.metadata),
      expiresAt: now + ttlMs,
    });
  }

  async find(capability: string): Promise<DiscoveryEntry[]> {
    const now = Date.now();
    return [...this.entries.values()]
      .filter((e) => e.expiresAt > now && e.capabilities.includes(capability))
      .sort((a, b) => compare(a.actorType, b.actorType) || compare(a.actorId, b.actorId))
      .map((e) => ({ ...e, capabilities: [...e.capabilities], metadata: structuredClone(e.metadata) }));
  }

  async remove(actorType: string, actorId: string): Promise<boolean> {
    return this.entries.delete(`${actorType}\0${actorId}`);
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
