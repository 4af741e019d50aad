import { after } from 'node:test';
import { SqliteStore } from '../../src/adapters/sqlite/index.js';
import { tempDir } from '../support/runtime.js';
import { adminScenarios } from './scenarios.js';

const dirs: (() => void)[] = [];
after(() => dirs.forEach((d) => d()));

adminScenarios('sqlite', async () => {
  const t = tempDir();
  dirs.push(t.cleanup);
  return { store: () => new SqliteStore({ path: t.db }), cleanup: async () => {} };
});
