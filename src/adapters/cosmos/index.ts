/**
 * `loom/cosmos`: the Azure Cosmos DB store, with fenced partition leases. Needs
 * the `@azure/cosmos` package (an optional peer dependency of Loom), and
 * `@azure/identity` for managed identity.
 *
 * @example
 * import { CosmosClient } from '@azure/cosmos';
 * import { DefaultAzureCredential } from '@azure/identity';
 * import { CosmosStore } from 'loom/cosmos';
 * const store = new CosmosStore(new CosmosClient({ endpoint: process.env.COSMOS_ENDPOINT!, aadCredentials: new DefaultAzureCredential() }));
 * const runtime = new ActorRuntime({ store });
 */

/** The Cosmos DB implementation of the Store port; `init()` creates its database and container when missing. */
export { CosmosStore } from './store.js';
/** Options of `CosmosStore`: database, container and throughput. */
export type { CosmosStoreOptions } from './store.js';
/** How `CosmosStore` reaches the account: a `CosmosClient`, a connection string, or `{ endpoint, key | aadCredentials }`. */
export type { CosmosConnection } from './container.js';
/** The fenced leases of a `CosmosStore` (reach them as `store.leases`). */
export { CosmosLeases } from './leases.js';
