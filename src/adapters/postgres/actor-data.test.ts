import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { PostgresStore } from './store.js';
import { adminPool, postgresUrl, unreachable as whyUnreachable } from '../../../test/support/postgres.js';
import { backendUnavailable } from '../../../test/support/backend.js';
import { actorDataTurns } from '../../../test/support/actor-data-turns.js';

const admin = adminPool();
const unreachable = await whyUnreachable(admin);
after(() => admin.end());
if (unreachable) {
  backendUnavailable('postgres actor data', 'PostgreSQL', unreachable, 'LOOM_TEST_POSTGRES_URL');
} else {
  actorDataTurns('postgres', async () => {
    const schema = `loom_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    return {
      store: new PostgresStore(postgresUrl, { schema, logger: silentLogger }),
      cleanup: () => admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).then(() => undefined),
    };
  });
}
