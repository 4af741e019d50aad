import type { Pool } from 'pg';
import type { Logger } from '../../core/logger.js';
import { migrations } from './migrations/index.js';
import { migrateApplied, migrateLock, migrateRecord, migrateSchema, migrateTable } from './sql/migrate.js';
import { bindSchema } from './sql/index.js';
import { watchCheckedOut } from './session.js';

/**
 * Brings `schema` up to the latest migration in one transaction. The advisory
 * lock is taken first, before even CREATE SCHEMA, so that workers starting
 * together queue up instead of racing on the catalog; each then finds the
 * versions applied by the one before it and has nothing left to do.
 */
export async function migrate(pool: Pool, schema: string, log: Logger): Promise<void> {
  const client = await pool.connect();
  const watch = watchCheckedOut(client);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(migrateLock, [`loom:migrate:${schema}`]);
    await client.query(migrateSchema(schema));
    await client.query(bindSchema(migrateTable, schema));
    const applied = new Set((await client.query<{ version: number }>(bindSchema(migrateApplied, schema))).rows.map((r) => r.version));
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(bindSchema(m.sql, schema));
      await client.query(bindSchema(migrateRecord, schema), [m.version, m.name]);
      log.info(`postgres: applied migration ${m.name} to schema "${schema}"`);
    }
    const known = new Set(migrations.map((m) => m.version));
    const newer = [...applied].filter((v) => !known.has(v));
    if (newer.length > 0) {
      log.warn(`postgres: schema "${schema}" has migrations this version of Loom does not know (${newer.join(', ')}); upgrade this worker`);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    watch.stop();
    client.release(broken ?? watch.lost());
  }
}
