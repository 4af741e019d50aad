/**
 * Serializes concurrent migrators of one schema; released with the transaction.
 * $1 names the schema, so workers on different schemas do not wait on each other.
 */
export const migrateLock = `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`;

/** The one statement that names the schema itself rather than `loom.` objects in it. */
export const migrateSchema = (schema: string): string => `CREATE SCHEMA IF NOT EXISTS ${schema}`;

export const migrateTable = `
CREATE TABLE IF NOT EXISTS loom.loom_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export const migrateApplied = `SELECT version FROM loom.loom_migrations ORDER BY version`;

export const migrateRecord = `INSERT INTO loom.loom_migrations (version, name) VALUES ($1, $2)`;
