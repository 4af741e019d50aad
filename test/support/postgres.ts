import pg from 'pg';

/** The PostgreSQL the tests use; shared, so every test works in a schema of its own. */
export const postgresUrl = process.env.LOOM_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** An admin pool for reachability probes and cleanup, failing fast. */
export function adminPool(): pg.Pool {
  const admin = new pg.Pool({ connectionString: postgresUrl, max: 2, connectionTimeoutMillis: 5_000 });
  admin.on('error', () => {});
  return admin;
}

/** Why PostgreSQL is unreachable, or undefined when it answers. */
export async function unreachable(admin: pg.Pool): Promise<string | undefined> {
  try {
    await admin.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL is not reachable at ${postgresUrl} (${(err as Error).message || (err as { code?: string }).code})`;
  }
}
