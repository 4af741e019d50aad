import type { Pool } from 'pg';
import { InvalidMessageError, LoomError, StoreError, outcomeUnknown } from '../../core/errors.js';
import { fromServer, sqlState, Unanswered } from './session.js';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', 'EAI_AGAIN', '57P01', '57P03', '08000', '08001', '08003', '08006']);

/**
 * Wraps a driver error in a StoreError whose message names the operation, the
 * server and schema involved, and the likely fix; the driver error is the cause.
 */
export function storeError(op: string, err: unknown, where: { target: string; schema: string }): LoomError {
  if (err instanceof LoomError) return err;
  if (err instanceof Unanswered) {
    return outcomeUnknown(`PostgresStore.${op} on ${where.target}, schema "${where.schema}": the statement was sent and no answer came back (${describe(err.original)})`, err.original);
  }
  const detail = describe(err);
  return new StoreError(`PostgresStore.${op} failed on ${where.target}, schema "${where.schema}": ${detail}. ${hint(err, where)}`, { cause: err });
}

/** SQLSTATE classes a write's content causes: data exceptions, integrity constraints, limits exceeded. */
const CONTENT_CLASSES = new Set(['22', '23', '54']);

/**
 * `storeError` for a write: PostgreSQL refusing the content of the statement
 * (it did not commit, and the same content fails again while other writes
 * succeed) is an InvalidMessageError, which the core answers by writing the
 * batch's items in smaller batches until the one at fault is alone.
 */
export function writeError(op: string, err: unknown, where: { target: string; schema: string }): LoomError {
  if (fromServer(err) && CONTENT_CLASSES.has((sqlState(err) ?? '').slice(0, 2))) {
    return new InvalidMessageError(`PostgresStore.${op} refused what it was given on ${where.target}, schema "${where.schema}": ${describe(err)}. Nothing of it was stored. ${hint(err, where)}`);
  }
  return storeError(op, err, where);
}

function describe(err: unknown): string {
  // Node reports a refused dual-stack connect as an AggregateError with no message of its own.
  if (err instanceof AggregateError && !err.message) return err.errors.map(describe).join('; ');
  if (err instanceof Error) return err.message || sqlState(err) || err.name;
  return String(err);
}

function hint(err: unknown, where: { target: string; schema: string }): string {
  const code = sqlState(err) ?? '';
  const message = err instanceof Error ? err.message : '';
  if (code.startsWith('28')) return 'Check the user and password of the connection settings (or the server\'s pg_hba.conf).';
  if (code === '3D000') return 'Create that database, or point the connection string at an existing one.';
  if (code === '42P01' || code === '3F000' || code === '42704' || code === '42883') {
    return `Call await store.init() first: it creates (and migrates) the tables and functions of schema "${where.schema}".`;
  }
  if (code === '42501') return `Grant the connecting role the privileges it needs on schema "${where.schema}" (and CREATE for init()).`;
  if (code === '53300') return 'The server has no connections left: lower the pool size (max) or raise max_connections.';
  if (code === '40P01' || code === '40001') return 'The transaction kept colliding with another writer and was rolled back; it is safe to retry.';
  if (code === '22021' || code === '22P05') return 'A string contains a NUL character, which PostgreSQL text cannot hold; remove it from ids, names and keys.';
  if (code === '22P02' && /surrogate/i.test(message)) return 'A string contains a lone UTF-16 surrogate (half of a character pair), which has no UTF-8 form; remove it from ids, names and keys.';
  if (UNREACHABLE.has(code) || /Connection terminated|trying to connect/i.test(message)) {
    return `Is PostgreSQL running at ${where.target} and reachable from this process?`;
  }
  return 'See the cause for the driver\'s error.';
}

/** "host:port/database" of a pool, for messages; never the password. */
export function describeTarget(pool: Pool): string {
  const o = (pool as Pool & { options?: { host?: string; port?: number; database?: string; connectionString?: string } }).options ?? {};
  let host = o.host;
  let port: number | string | undefined = o.port;
  let database = o.database;
  if (o.connectionString) {
    try {
      const url = new URL(o.connectionString);
      host ??= decodeURIComponent(url.hostname) || undefined;
      port ??= url.port || undefined;
      database ??= decodeURIComponent(url.pathname.slice(1)) || undefined;
    } catch {
      // Not a URL (a key=value string): fall back to the defaults below.
    }
  }
  host ??= process.env.PGHOST ?? 'localhost';
  port ??= process.env.PGPORT ?? 5432;
  database ??= process.env.PGDATABASE;
  return `${host}:${port}${database ? `/${database}` : ''}`;
}
