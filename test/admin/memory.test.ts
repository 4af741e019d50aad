import { MemoryStore } from '../../src/adapters/memory/index.js';
import { adminScenarios } from './scenarios.js';

adminScenarios('memory', async () => {
  const store = new MemoryStore();
  return { store: () => store, cleanup: async () => {} };
});
