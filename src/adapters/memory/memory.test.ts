import { MemoryStore } from './store.js';
import { leaseContract, storeContract } from '../../testing/index.js';

storeContract('memory', async () => ({ store: new MemoryStore() }));
leaseContract('memory', async () => ({ leases: new MemoryStore().leases }));
