/**
 * `loom/discovery`: actors registered with capabilities and metadata, found by
 * capability, expiring when their worker stops heartbeating. Reach it as
 * `runtime.discovery`; call by capability with `runtime.call({ capability, ... })`.
 */
export { Discovery, type Registration, type FindQuery, type CapabilityCall, type DiscoveryOptions } from './discovery.js';
export { NoProviderError } from './errors.js';
export type { PickStrategy, DiscoveredActor } from './pick.js';
export type { DiscoveryStore, DiscoveryEntry, DiscoveryEntryInput } from '../ports/discovery.js';
