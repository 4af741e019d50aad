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
/** Declares the Store admin capability's contract tests; `storeContract` runs them too. */
export { adminContract } from './admin-contract.js';
