import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaseContract, storeContract } from '../../testing/index.js';
import { SqliteStore } from './store.js';

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'loom-sqlite-contract-'));
  const store = new SqliteStore({ path: join(dir, 'loom.db') });
  return { store, leases: store.leases, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

storeContract('sqlite', async () => fresh());
leaseContract('sqlite', async () => {
  const f = fresh();
  await f.store.init();
  return { leases: f.leases, cleanup: async () => { await f.store.close(); await f.cleanup(); } };
});
