import type { Pool, PoolClient } from 'pg';
import type { ErrorInfo } from '../../core/errors.js';
import { promiseOwner, type InvocationRecord, type JournalEntry, type NewInvocation } from '../../ports/store.js';
import type { ActorQueue, ActorQueueRead, AdminWriteOutcome, RecordsRead, StoreAdmin, StoreFilter, StoreQuery } from '../../ports/admin.js';
import { INVOCATION_COLUMNS, NOW_MS } from './sql/common.js';
import { bindSchema } from './sql/index.js';
import { toInvocation, toJournalEntry, type InvocationRow, type JournalRow } from './rows.js';

type Guard = <T>(op: string, fn: () => Promise<T>) => Promise<T>;

/** Actors per `readQueues` statement: 50 are planned at a cost of about 6,400, 200 stay under the default `jit_above_cost` (100,000). */
const QUEUE_CHUNK = 200;

/** WHERE clause of a filter with `$n` placeholders from `first`. Each condition is one an index of migration 005 serves. */
export function whereOf(f: StoreFilter, values: unknown[]): string {
  const c: string[] = [];
  const add = (sql: (n: string) => string, v: unknown) => {
    values.push(v);
    c.push(sql(`$${values.length}`));
  };
  if (f.actorType !== undefined) add((n) => `actor_type = ${n}`, f.actorType);
  if (f.actorId !== undefined) add((n) => `actor_id = ${n}`, f.actorId);
  if (f.method !== undefined) add((n) => `method = ${n}`, f.method);
  if (f.idempotencyKey !== undefined) add((n) => `idempotency_key = ${n}`, f.idempotencyKey);
  if (f.errorCode !== undefined) add((n) => `error_json IS NOT NULL AND (error_json::jsonb) ->> 'code' = ${n}`, f.errorCode);
  if (f.statuses) {
    if (f.statuses.length === 1) add((n) => `status = ${n}`, f.statuses[0]);
    else add((n) => `status = ANY(${n}::text[])`, f.statuses);
  }
  if (f.terminalOnly) c.push(`status <> 'pending'`);
  if (f.minAttempt !== undefined) add((n) => `attempt >= ${n}`, f.minAttempt);
  if (f.createdAfter !== undefined) add((n) => `created_at >= ${n}`, f.createdAfter);
  if (f.createdBefore !== undefined) add((n) => `created_at < ${n}`, f.createdBefore);
  if (f.finishedAfter !== undefined) add((n) => `updated_at >= ${n}`, f.finishedAfter);
  if (f.finishedBefore !== undefined) add((n) => `updated_at < ${n}`, f.finishedBefore);
  if (f.seqBelow !== undefined) add((n) => `seq < ${n}`, f.seqBelow);
  return c.length ? c.join(' AND ') : 'true';
}

/**
 * The PostgreSQL store's admin capability: indexed queries (migration 005) and
 * operator writes, each one transaction that locks the invocation row FOR
 * UPDATE first, as a turn's commit does, so the two serialize.
 */
export class PostgresAdmin implements StoreAdmin {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly guard: Guard,
  ) {}

  private sql(text: string): string {
    return bindSchema(text, this.schema);
  }

  listInvocations(q: StoreQuery): Promise<InvocationRecord[]> {
    return this.guard('listInvocations', async () => {
      const values: unknown[] = [];
      let where = whereOf(q.filter, values);
      if (q.afterSeq !== undefined) {
        values.push(q.afterSeq);
        where += ` AND seq ${q.newest ? '<' : '>'} $${values.length}`;
      }
      values.push(q.limit);
      const text = this.sql(`SELECT ${INVOCATION_COLUMNS} FROM loom.invocations WHERE ${where} ORDER BY seq ${q.newest ? 'DESC' : 'ASC'} LIMIT $${values.length}`);
      return (await this.pool.query<InvocationRow>(text, values)).rows.map(toInvocation);
    });
  }

  countInvocations(filter: StoreFilter): Promise<number> {
    return this.guard('countInvocations', async () => {
      const values: unknown[] = [];
      const text = this.sql(`SELECT count(*) AS n FROM loom.invocations WHERE ${whereOf(filter, values)}`);
      return Number((await this.pool.query<{ n: string }>(text, values)).rows[0]!.n);
    });
  }

  /**
   * Every actor's queue in one statement: per actor the pending count and the
   * count below each asked seq, computed once (MATERIALIZED), then its oldest
   * pending rows joined on. All reads of the index `invocations_by_actor`. The
   * input goes as arrays, whose length the planner sees: a JSON input is
   * estimated at 100 rows per level, which priced a page of 50 past
   * `jit_above_cost` and spent 60 ms compiling it. A page of more than
   * QUEUE_CHUNK actors (up to 1,000) goes as several statements side by side,
   * each priced well under that threshold.
   */
  async readQueues(actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]> {
    const chunks: ActorQueueRead[][] = [];
    for (let i = 0; i < actors.length; i += QUEUE_CHUNK) chunks.push(actors.slice(i, i + QUEUE_CHUNK));
    return (await Promise.all(chunks.map((c) => this.readQueueChunk(c, headRead)))).flat();
  }

  private readQueueChunk(actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]> {
    return this.guard('readQueues', async () => {
      const [owners, seqs] = [actors.flatMap((a, i) => a.seqs.map(() => i + 1)), actors.flatMap((a) => a.seqs)];
      const pending = `i.actor_type = c.actor_type AND i.actor_id = c.actor_id AND i.status = 'pending'`;
      const text = this.sql(`WITH c AS MATERIALIZED (
          SELECT a.ord, a.actor_type, a.actor_id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(actor_type, actor_id, ord)
        ), q AS MATERIALIZED (
          SELECT c.ord, c.actor_type, c.actor_id,
            (SELECT count(*) FROM loom.invocations i WHERE ${pending}) AS q_size,
            (SELECT coalesce(array_agg((SELECT count(*) FROM loom.invocations i WHERE ${pending} AND i.seq < s.seq) ORDER BY s.n), '{}')
               FROM unnest($3::int[], $4::bigint[]) WITH ORDINALITY AS s(owner, seq, n) WHERE s.owner = c.ord) AS q_ahead
          FROM c
        )
        SELECT q.ord AS q_ord, q.q_size, q.q_ahead, h.* FROM q
        LEFT JOIN LATERAL (SELECT ${INVOCATION_COLUMNS} FROM loom.invocations i
          WHERE i.actor_type = q.actor_type AND i.actor_id = q.actor_id AND i.status = 'pending' ORDER BY i.seq LIMIT $5) h ON true
        ORDER BY q.ord, h.seq`);
      type Row = InvocationRow & { q_ord: string; q_size: string; q_ahead: string[] };
      const values = [actors.map((a) => a.actorType), actors.map((a) => a.actorId), owners, seqs, headRead];
      const rows = (await this.pool.query<Row>(text, values)).rows;
      const out: ActorQueue[] = actors.map(() => ({ oldest: [], size: 0, ahead: [] }));
      for (const r of rows) {
        const q = out[Number(r.q_ord) - 1]!;
        q.size = Number(r.q_size);
        q.ahead = r.q_ahead.map(Number);
        if (r.id !== null) q.oldest.push(toInvocation(r));
      }
      return out;
    });
  }

  /** The invocations by primary key and the pending sleeps by `(invocation_id, seq)`: two statements, sent side by side. */
  readRecords(ids: string[], sleepsOf: string[]): Promise<RecordsRead> {
    return this.guard('readRecords', async () => {
      type SleepRow = JournalRow & { invocation_id: string };
      const [recs, sleeps] = await Promise.all([
        ids.length === 0 ? [] : (await this.pool.query<InvocationRow>(this.sql(`SELECT ${INVOCATION_COLUMNS} FROM loom.invocations WHERE id = ANY($1::text[])`), [ids])).rows,
        sleepsOf.length === 0 ? [] : (await this.pool.query<SleepRow>(
          this.sql(`SELECT invocation_id, seq, kind, name, status, value_json, error_json FROM loom.journal
            WHERE invocation_id = ANY($1::text[]) AND kind = 'sleep' AND status = 'pending' ORDER BY invocation_id, seq`),
          [sleepsOf],
        )).rows,
      ]);
      const byId = new Map(recs.map((r) => [r.id, toInvocation(r)]));
      const entries = new Map<string, SleepRow[]>();
      for (const r of sleeps) entries.set(r.invocation_id, [...(entries.get(r.invocation_id) ?? []), r]);
      return { records: ids.map((id) => byId.get(id)), sleeps: sleepsOf.map((id) => (entries.get(id) ?? []).map(toJournalEntry)) };
    });
  }

  private tx<T>(op: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return this.guard(op, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
        const out = await fn(client);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.release(broken);
      }
    });
  }

  private async lock(c: PoolClient, id: string): Promise<InvocationRow | undefined> {
    const res = await c.query<InvocationRow>(this.sql(`SELECT ${INVOCATION_COLUMNS} FROM loom.invocations WHERE id = $1 FOR UPDATE`), [id]);
    return res.rows[0];
  }

  cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome> {
    return this.tx('cancel', async (c) => {
      const row = await this.lock(c, id);
      if (!row) return 'not-found';
      if (row.status !== 'pending') return 'not-pending';
      const err = JSON.stringify(error);
      await c.query(
        this.sql(`UPDATE loom.invocations SET status = 'failed', error_json = $2, expires_at = ${NOW_MS} + ttl_ms, waiting_on = NULL,
          not_before = NULL, updated_at = ${NOW_MS} WHERE id = $1`),
        [id, err],
      );
      await c.query(this.sql('DELETE FROM loom.journal WHERE invocation_id = $1'), [id]);
      await c.query(this.sql('DELETE FROM loom.promises WHERE owner = $1'), [id]);
      if (row.reply_to !== null) {
        await c.query(this.sql('SELECT loom.loom_resolve_promise($1, $2, NULL, $3)'), [row.reply_to, promiseOwner(row.reply_to) ?? null, err]);
      }
      // Wakes the actor's next invocation, so that a worker holding the cancelled one in memory looks again.
      await c.query(
        this.sql(`UPDATE loom.invocations SET wake_seq = nextval('loom.wake_seq') WHERE id = (SELECT id FROM loom.invocations
          WHERE actor_type = $1 AND actor_id = $2 AND status = 'pending' ORDER BY seq LIMIT 1)`),
        [row.actor_type, row.actor_id],
      );
      return 'ok';
    });
  }

  retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<AdminWriteOutcome> {
    return this.tx('retryNow', async (c) => {
      const row = await this.lock(c, id);
      if (!row) return 'not-found';
      if (row.status !== 'pending') return 'not-pending';
      const sleeping =
        row.not_before !== null && (await c.query(this.sql(`SELECT 1 FROM loom.journal WHERE invocation_id = $1 AND kind = 'sleep' AND status = 'pending'`), [id])).rowCount! > 0;
      const keep = sleeping && !options.wakeSleep;
      await c.query(this.sql(`UPDATE loom.invocations SET not_before = ${keep ? 'not_before' : 'NULL'}, wake_seq = nextval('loom.wake_seq'), updated_at = ${NOW_MS} WHERE id = $1`), [id]);
      // A sleep's replay waits for the time it recorded: woken early, it records now instead.
      if (sleeping && options.wakeSleep) await c.query(this.sql(`UPDATE loom.journal SET value_json = (${NOW_MS})::text WHERE invocation_id = $1 AND kind = 'sleep' AND status = 'pending'`), [id]);
      return 'ok';
    });
  }

  purge(id: string): Promise<AdminWriteOutcome> {
    return this.tx('purge', async (c) => {
      const row = await this.lock(c, id);
      if (!row) return 'not-found';
      if (row.status === 'pending') return 'not-terminal';
      await c.query(this.sql('DELETE FROM loom.invocations WHERE id = $1'), [id]);
      await c.query(this.sql('DELETE FROM loom.journal WHERE invocation_id = $1'), [id]);
      await c.query(this.sql('DELETE FROM loom.promises WHERE owner = $1'), [id]);
      return 'ok';
    });
  }

  enqueueWithJournal(inv: NewInvocation, journal: JournalEntry[]): Promise<AdminWriteOutcome> {
    return this.tx('enqueueWithJournal', async (c) => {
      const inserted = await c.query(
        this.sql(`INSERT INTO loom.invocations (id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition, not_before, meta_json,
          reply_to, ttl_ms, status, started, attempt, wake_seq, created_at, updated_at)
          VALUES ($1, nextval('loom.invocation_seq'), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, 0, nextval('loom.wake_seq'), ${NOW_MS}, ${NOW_MS})
          ON CONFLICT DO NOTHING`),
        [inv.id, inv.actorType, inv.actorId, inv.method, inv.argsJson, inv.idempotencyKey ?? null, inv.partition, inv.notBefore ?? null,
          inv.meta === undefined ? null : JSON.stringify(inv.meta), inv.replyTo ?? null, inv.ttlMs, journal.length > 0],
      );
      if (inserted.rowCount === 0) return 'duplicate';
      for (const e of journal) {
        await c.query(this.sql('INSERT INTO loom.journal (invocation_id, seq, kind, name, status, value_json, error_json) VALUES ($1, $2, $3, $4, $5, $6, $7)'), [
          inv.id, e.seq, e.kind, e.name, e.status, e.valueJson ?? null, e.error ? JSON.stringify(e.error) : null,
        ]);
      }
      return 'ok';
    });
  }

  setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok' | 'conflict'; version: number }> {
    return this.tx('setState', async (c) => {
      const cur = await c.query<{ version: string }>(this.sql('SELECT version FROM loom.states WHERE actor_type = $1 AND actor_id = $2 FOR UPDATE'), [actorType, actorId]);
      const version = Number(cur.rows[0]?.version ?? 0);
      if (version !== expectedVersion) return { outcome: 'conflict' as const, version };
      if (version === 0) {
        const ins = await c.query(this.sql('INSERT INTO loom.states (actor_type, actor_id, state_json, version) VALUES ($1, $2, $3, 1) ON CONFLICT DO NOTHING'), [actorType, actorId, stateJson]);
        if (ins.rowCount === 0) return { outcome: 'conflict' as const, version: 1 };
      } else {
        await c.query(this.sql('UPDATE loom.states SET state_json = $3, version = version + 1 WHERE actor_type = $1 AND actor_id = $2'), [actorType, actorId, stateJson]);
      }
      return { outcome: 'ok' as const, version: version + 1 };
    });
  }
}
