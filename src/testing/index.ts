/**
 * `loom/testing`: the shared contract suites every adapter runs, so that a
 * third-party adapter can prove it keeps the same promises as the built-in ones.
 *
 * ```ts
 * import { leaseContract, storeContract } from 'loom/testing';
 * storeContract('my-store', async () => ({ store: new MyStore(), cleanup: dropSchema }));
 * leaseContract('my-store', async () => ({ leases: new MyStore().leases }));
 * ```
 */

/** Declares the Store port's contract tests (node:test) against a fresh store per test. */
export { storeContract } from './store-contract.js';
/** The factory `storeContract` calls once per test. */
export type { StoreFactory } from './store-contract.js';
/** Declares the LeaseManager port's contract tests (node:test) against a fresh lease manager per test. */
export { leaseContract } from './lease-contract.js';
/** The factory `leaseContract` calls once per test. */
export type { LeaseFactory } from './lease-contract.js';
/** Declares the Transport port's contract tests (node:test); redelivery tests run for at-least-once transports. */
export { transportContract } from './transport-contract.js';
/** The factory `transportContract` calls; the name isolates one test's queues. */
export type { TransportFactory } from './transport-contract.js';
/** Declares the ScheduleStore port's contract tests (node:test). */
export { schedulesContract } from './schedules-contract.js';
/** The factory `schedulesContract` calls once per test. */
export type { ScheduleStoreFactory } from './schedules-contract.js';
/** Declares the DiscoveryStore port's contract tests (node:test). */
export { discoveryContract } from './discovery-contract.js';
/** The factory `discoveryContract` calls once per test. */
export type { DiscoveryStoreFactory } from './discovery-contract.js';
/**
 * The real engine under a virtual clock and a seeded scheduler: sleeps and backoffs in virtual time, steps
 * stubbed or failed by name, a crash before and after every durable write, non-determinism reported.
 */
export { createSimulation, Simulation, SimulationFailure } from './simulation/index.js';
/** Options, scenarios and reports of the simulation. */
export type { SimulationOptions, Scenario, Invariants, ExplorationReport, TraceLine, Violation } from './simulation/index.js';
/** Replays recorded journals against the current code, with no side effect, and reports the first divergence. */
export { replayJournal, replayJournals } from './simulation/index.js';
/** A recorded journal, and what its replay found. */
export type { RecordedJournal, ReplayResult } from './simulation/index.js';
/** Declares the Store admin capability's contract tests; `storeContract` runs them too. */
export { adminContract } from './admin-contract.js';
/** Declares the actor data capability's contract tests (`this.kv`, `this.log`); `storeContract` runs them too, skipped for a store without it. */
export { actorDataContract } from './actor-data-contract.js';
