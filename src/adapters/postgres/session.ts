import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import type { Queries, QueryName } from './sql/index.js';

/** Pool or client: both run one statement at a time. */
interface Queryable {
  query<R extends QueryResultRow>(config: { name: string; text: string; values?: unknown[] }): Promise<QueryResult<R>>;
}

/** Runs the named statements of one schema on a pool (one statement each) or a transaction's client. */
export class Session {
  constructor(
    private readonly target: Queryable,
    private readonly queries: Queries,
  ) {}

  run<R extends QueryResultRow>(name: QueryName, values: unknown[]): Promise<QueryResult<R>> {
    return this.target.query<R>({ ...this.queries[name], values });
  }
}

/** SQLSTATEs after which PostgreSQL has rolled the transaction back and a retry may succeed. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));

/** Whether the write functions must run in explicit transactions (the server's default isolation is not READ COMMITTED). */
export interface AtomicMode {
  explicit: boolean;
}

/**
 * Runs one of the write statements (see sql/batch.ts): a single call of a
 * function that does the whole write, so it is sent alone, in autocommit: one
 * round trip, one transaction. A deadlock or serialization failure rolled the
 * statement back whole, so it is run again, like `inTransaction` does.
 *
 * The functions rely on READ COMMITTED and return NULL, having written
 * nothing, in any other isolation level (a server or role whose default is
 * another one). The call then goes through `inTransaction`, which sets the
 * level, and so does every later call of this store.
 */
export async function callAtomic<T>(pool: Pool, queries: Queries, mode: AtomicMode, name: QueryName, values: unknown[]): Promise<T> {
  if (!mode.explicit) {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await runAlone<T>(pool, queries, name, values);
        if (out !== null) return out;
        mode.explicit = true;
        break;
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(err) ?? '')) {
          await backoff(attempt);
          continue;
        }
        throw err;
      }
    }
  }
  return inTransaction(pool, queries, async (s) => {
    const out = (await s.run<{ out: T | null }>(name, values)).rows[0]?.out ?? null;
    if (out === null) throw new Error(`${name} refused to run in a READ COMMITTED transaction`);
    return out;
  });
}

/**
 * Runs `fn` in one READ COMMITTED transaction (the locking in the SQL assumes
 * that level, whatever the server's default). A deadlock or serialization
 * failure rolled everything back, so the whole transaction is simply run again.
 * A failing COMMIT is never retried: whether it took effect is unknown.
 */
/**
 * Listens for the 'error' a checked-out client emits when its connection drops:
 * pg-pool stops listening while a client is checked out, and an unhandled
 * 'error' event would crash the process. Returns the error seen, if any, and a
 * function that stops listening (call it before releasing the client).
 */
export function watchCheckedOut(client: PoolClient): { lost: () => Error | undefined; stop: () => void } {
  let lost: Error | undefined;
  const onError = (err: Error) => (lost = err);
  client.on('error', onError);
  return { lost: () => lost, stop: () => client.off('error', onError) };
}

/**
 * The statement was sent and no answer came back (the connection failed, or a
 * client-side timeout fired): whether it committed is unknown. The store turns
 * it into an OutcomeUnknownError naming the operation.
 */
export class Unanswered extends Error {
  constructor(readonly original: unknown) {
    super((original as Error)?.message ?? String(original), { cause: original });
  }
}

/** Whether PostgreSQL itself answered with this error (an ErrorResponse): the statement, or the transaction, did not commit. */
export function fromServer(err: unknown): boolean {
  const e = err as { severity?: unknown; code?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

/**
 * One statement on a connection of its own, in autocommit. A failure to connect
 * sent nothing; an error from the server means the statement did not commit;
 * any other failure once it was sent is `Unanswered`.
 */
async function runAlone<T>(pool: Pool, queries: Queries, name: QueryName, values: unknown[]): Promise<T | null> {
  const client = await pool.connect();
  const watch = watchCheckedOut(client);
  let broken: Error | undefined;
  try {
    const res = await new Session(client as PoolClient & Queryable, queries).run<{ out: T | null }>(name, values);
    return res.rows[0]?.out ?? null;
  } catch (err) {
    if (fromServer(err)) throw err;
    broken = err as Error;
    throw new Unanswered(err);
  } finally {
    watch.stop();
    client.release(broken ?? watch.lost());
  }
}

export async function inTransaction<T>(pool: Pool, queries: Queries, fn: (s: Session) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    const watch = watchCheckedOut(client);
    let broken: Error | undefined;
    let committing = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const out = await fn(new Session(client as PoolClient & Queryable, queries));
      committing = true;
      await client.query('COMMIT');
      return out;
    } catch (err) {
      if (!committing) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      else broken = err as Error;
      if (!committing && attempt < MAX_ATTEMPTS && RETRYABLE.has(sqlState(err) ?? '')) {
        await backoff(attempt);
        continue;
      }
      // A COMMIT sent without an answer may have taken effect; anything that failed before it was rolled back.
      throw committing && !fromServer(err) ? new Unanswered(err) : err;
    } finally {
      // A client whose connection failed is destroyed rather than returned to the pool.
      watch.stop();
      client.release(broken ?? watch.lost());
    }
  }
}

export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
