/**
 * The Discovery port: which actors offer which capabilities. Entries expire on
 * the store's clock unless refreshed, so a worker that dies stops being found
 * one TTL later without anyone cleaning up after it.
 */
export interface DiscoveryStore {
  /** Inserts or refreshes the entry of (actorType, actorId), live until `ttlMs` from now on the store's clock. */
  put(entry: DiscoveryEntryInput, ttlMs: number): Promise<void>;
  /** Live entries that list `capability`, ordered by actor type and id. */
  find(capability: string): Promise<DiscoveryEntry[]>;
  /** Removes an entry at once; false when there was none. */
  remove(actorType: string, actorId: string): Promise<boolean>;
}

/** What a registration writes. */
export interface DiscoveryEntryInput {
  actorType: string;
  actorId: string;
  capabilities: string[];
  /** Plain JSON. */
  metadata: Record<string, unknown>;
  /** The worker that registered it (and heartbeats it). */
  owner: string;
  /** Load reported at the last heartbeat (lower is less loaded). */
  load: number;
}

/** A live entry. */
export interface DiscoveryEntry extends DiscoveryEntryInput {
  /** Expiry on the store's clock, epoch ms. */
  expiresAt: number;
}
