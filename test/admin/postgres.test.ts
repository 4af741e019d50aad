import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { silentLogger } from '../../src/core/logger.js';
import { PostgresStore } from '../../src/adapters/postgres/index.js';
import { adminPool, postgresUrl, unreachable } from '../support/postgres.js';
import { backendUnavailable } from '../support/backend.js';
import { adminScenarios } from './scenarios.js';

const admin = adminPool();
after(() => admin.end());
const down = await unreachable(admin);
if (down) backendUnavailable('admin scenarios: postgres', 'PostgreSQL', down, 'LOOM_TEST_POSTGRES_URL');
else {
  adminScenarios('postgres', async () => {
    const schema = `loom_admin_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    return {
      store: () => new PostgresStore(postgresUrl, { schema, logger: silentLogger }),
      cleanup: async () => void (await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
    };
  });
}
