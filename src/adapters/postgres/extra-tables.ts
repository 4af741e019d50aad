import type { Pool } from 'pg';

/**
 * Creates tables that features outside the engine keep (schedules, discovery)
 * on first use, once per pool, under an advisory lock so that workers starting
 * together do not race on `CREATE TABLE`. They are not engine migrations: a
 * deployment that never uses the feature never gets the table.
 */
export class ExtraTables {
  private readonly done = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {}

  ensure(name: string, ddl: string): Promise<void> {
    let p = this.done.get(name);
    if (!p) {
      p = this.create(name, ddl);
      this.done.set(name, p);
      p.catch(() => this.done.delete(name));
    }
    return p;
  }

  private async create(name: string, ddl: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${this.schema}.${name}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(ddl);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
}
