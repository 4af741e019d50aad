import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { leaseContract, storeContract } from '../../testing/index.js';
import { CosmosStore } from './store.js';
import { cosmosEndpoint } from '../../../test/support/cosmos.js';

const server = await cosmosEndpoint();
after(() => server.close());
// One container per run of this file, so that a real account's leftovers of an earlier run cannot interfere.
const container = `loom-test-${randomUUID().slice(0, 8)}`;
const newStore = () => new CosmosStore({ endpoint: server.endpoint, key: server.key }, { database: 'loom-test', container });

storeContract('cosmos', async () => ({ store: newStore() }), { actorData: false });
leaseContract('cosmos', async () => {
  const store = newStore();
  await store.init();
  return { leases: store.leases, cleanup: () => store.close() };
});
