export { MemoryStore } from './store.js';
export { MemoryLeases } from './leases.js';
