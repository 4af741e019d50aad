import type Database from 'better-sqlite3';
import { StoreError, type ErrorInfo } from '../../core/errors.js';
import { promiseOwner, type InvocationRecord, type JournalEntry, type NewInvocation } from '../../ports/store.js';
import type { ActorQueue, ActorQueueRead, AdminWriteOutcome, RecordsRead, StoreAdmin, StoreFilter, StoreQuery } from '../../ports/admin.js';
import { toEntry, toRecord, type InvocationRow, type JournalRow } from './rows.js';

type Params = (string | number)[];

/** WHERE clause of a filter, `?` placeholders. Each condition is one an index of migration 3 can serve. */
export function whereOf(f: StoreFilter): { sql: string; params: Params } {
  const c: string[] = [];
  const p: Params = [];
  const eq = (col: string, v: string | undefined) => {
    if (v === undefined) return;
    c.push(`${col} = ?`);
    p.push(v);
  };
  eq('actor_type', f.actorType);
  eq('actor_id', f.actorId);
  eq('method', f.method);
  eq('idempotency_key', f.idempotencyKey);
  eq('error_code', f.errorCode);
  if (f.statuses) {
    if (f.statuses.length === 0) c.push('0');
    else {
      c.push(`status IN (${f.statuses.map(() => '?').join(', ')})`);
      p.push(...f.statuses);
    }
  }
  if (f.terminalOnly) c.push(`status != 'pending'`);
  const cmp = (col: string, op: string, v: number | undefined) => {
    if (v === undefined) return;
    c.push(`${col} ${op} ?`);
    p.push(v);
  };
  cmp('attempt', '>=', f.minAttempt);
  cmp('created_at', '>=', f.createdAfter);
  cmp('created_at', '<', f.createdBefore);
  cmp('updated_at', '>=', f.finishedAfter);
  cmp('updated_at', '<', f.finishedBefore);
  cmp('seq', '<', f.seqBelow);
  return { sql: c.length ? c.join(' AND ') : '1', params: p };
}

/**
 * The SQLite store's admin capability: indexed queries (migration 3) and
 * operator writes, each one IMMEDIATE transaction, so that it serializes with
 * the turns' commits like any other write.
 */
export class SqliteAdmin implements StoreAdmin {
  private readonly cache = new Map<string, Database.Statement>();
  private cachedFor: Database.Database | undefined;

  constructor(private readonly db: () => Database.Database) {}

  private st(sql: string): Database.Statement {
    const db = this.db();
    if (db !== this.cachedFor) {
      this.cache.clear();
      this.cachedFor = db;
    }
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = db.prepare(sql)));
    return s;
  }

  private tx<T>(what: string, fn: (now: number) => T): T {
    try {
      return this.db().transaction(() => fn(Date.now())).immediate();
    } catch (cause) {
      throw new StoreError(`SQLite admin ${what} failed: ${(cause as Error).message}`, { cause });
    }
  }

  async listInvocations(q: StoreQuery): Promise<InvocationRecord[]> {
    const w = whereOf(q.filter);
    const page = q.afterSeq === undefined ? '' : ` AND seq ${q.newest ? '<' : '>'} ?`;
    const sql = `SELECT * FROM loom_invocations WHERE ${w.sql}${page} ORDER BY seq ${q.newest ? 'DESC' : 'ASC'} LIMIT ?`;
    const params = q.afterSeq === undefined ? [...w.params, q.limit] : [...w.params, q.afterSeq, q.limit];
    return (this.st(sql).all(...params) as InvocationRow[]).map(toRecord);
  }

  async countInvocations(filter: StoreFilter): Promise<number> {
    const w = whereOf(filter);
    return (this.st(`SELECT count(*) AS n FROM loom_invocations WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** Every actor's queue in one synchronous call: prepared index reads per actor, nothing else runs between them. */
  async readQueues(actors: ActorQueueRead[], headRead: number): Promise<ActorQueue[]> {
    const pending = `actor_type = ? AND actor_id = ? AND status = 'pending'`;
    const oldest = this.st(`SELECT * FROM loom_invocations WHERE ${pending} ORDER BY seq ASC LIMIT ?`);
    const size = this.st(`SELECT count(*) AS n FROM loom_invocations WHERE ${pending}`);
    const ahead = this.st(`SELECT count(*) AS n FROM loom_invocations WHERE ${pending} AND seq < ?`);
    return actors.map((a) => ({
      oldest: (oldest.all(a.actorType, a.actorId, headRead) as InvocationRow[]).map(toRecord),
      size: (size.get(a.actorType, a.actorId) as { n: number }).n,
      ahead: a.seqs.map((seq) => (ahead.get(a.actorType, a.actorId, seq) as { n: number }).n),
    }));
  }

  /** The invocations and pending sleeps, in one synchronous call. */
  async readRecords(ids: string[], sleepsOf: string[]): Promise<RecordsRead> {
    const sleeps = this.st(`SELECT seq, kind, name, status, value_json, error_json FROM loom_journal WHERE invocation_id = ? AND kind = 'sleep' AND status = 'pending' ORDER BY seq`);
    return {
      records: ids.map((id) => {
        const row = this.row(id);
        return row && toRecord(row);
      }),
      sleeps: sleepsOf.map((id) => (sleeps.all(id) as JournalRow[]).map(toEntry)),
    };
  }

  private row(id: string): InvocationRow | undefined {
    return this.st('SELECT * FROM loom_invocations WHERE id = ?').get(id) as InvocationRow | undefined;
  }

  private nextWake(): number {
    return (this.st(`UPDATE loom_counters SET value = value + 1 WHERE name = 'wake' RETURNING value`).get() as { value: number }).value;
  }

  async cancel(id: string, error: ErrorInfo): Promise<AdminWriteOutcome> {
    return this.tx('cancel', (now) => {
      const row = this.row(id);
      if (!row) return 'not-found';
      if (row.status !== 'pending') return 'not-pending';
      const err = JSON.stringify(error);
      this.st(`UPDATE loom_invocations SET status = 'failed', error_json = ?, expires_at = ?, waiting_on = NULL, not_before = NULL, updated_at = ? WHERE id = ?`).run(err, now + row.ttl_ms, now, id);
      this.st('DELETE FROM loom_journal WHERE invocation_id = ?').run(id);
      this.st('DELETE FROM loom_promises WHERE owner = ?').run(id);
      if (row.reply_to !== null) this.resolve(row.reply_to, err, now);
      // Wakes the actor's next invocation, so that a worker holding the cancelled one in memory looks again.
      this.st(`UPDATE loom_invocations SET wake_seq = ? WHERE id = (SELECT id FROM loom_invocations WHERE actor_type = ? AND actor_id = ? AND status = 'pending' ORDER BY seq LIMIT 1)`).run(
        this.nextWake(),
        row.actor_type,
        row.actor_id,
      );
      return 'ok';
    });
  }

  /** Rejects a caller's promise as `Store.resolvePromise` does, inside the running transaction. */
  private resolve(promiseId: string, errorJson: string, now: number): void {
    if (this.st('SELECT 1 FROM loom_promises WHERE id = ?').get(promiseId)) return;
    const owner = promiseOwner(promiseId) ?? null;
    if (owner !== null) {
      const o = this.row(owner);
      if (o && (o.status === 'completed' || o.status === 'failed')) return;
    }
    this.st('INSERT INTO loom_promises (id, owner, value_json, error_json, created_at) VALUES (?, ?, NULL, ?, ?)').run(promiseId, owner, errorJson, now);
    this.st(`UPDATE loom_invocations SET waiting_on = NULL, wake_seq = ?, updated_at = ? WHERE waiting_on = ? AND status = 'pending'`).run(this.nextWake(), now, promiseId);
  }

  async retryNow(id: string, options: { wakeSleep?: boolean } = {}): Promise<AdminWriteOutcome> {
    return this.tx('retryNow', (now) => {
      const row = this.row(id);
      if (!row) return 'not-found';
      if (row.status !== 'pending') return 'not-pending';
      const sleeping = row.not_before !== null && this.st(`SELECT 1 FROM loom_journal WHERE invocation_id = ? AND kind = 'sleep' AND status = 'pending'`).get(id);
      const notBefore = sleeping && !options.wakeSleep ? row.not_before : null;
      this.st('UPDATE loom_invocations SET not_before = ?, wake_seq = ?, updated_at = ? WHERE id = ?').run(notBefore, this.nextWake(), now, id);
      // A sleep's replay waits for the time it recorded: woken early, it records now instead.
      if (sleeping && options.wakeSleep) this.st(`UPDATE loom_journal SET value_json = ? WHERE invocation_id = ? AND kind = 'sleep' AND status = 'pending'`).run(String(now), id);
      return 'ok';
    });
  }

  async purge(id: string): Promise<AdminWriteOutcome> {
    return this.tx('purge', () => {
      const row = this.row(id);
      if (!row) return 'not-found';
      if (row.status === 'pending') return 'not-terminal';
      this.st('DELETE FROM loom_invocations WHERE id = ?').run(id);
      this.st('DELETE FROM loom_journal WHERE invocation_id = ?').run(id);
      this.st('DELETE FROM loom_promises WHERE owner = ?').run(id);
      return 'ok';
    });
  }

  async enqueueWithJournal(inv: NewInvocation, journal: JournalEntry[]): Promise<AdminWriteOutcome> {
    return this.tx('enqueueWithJournal', (now) => {
      if (this.row(inv.id)) return 'duplicate';
      const seq = (this.st(`UPDATE loom_counters SET value = value + 1 WHERE name = 'seq' RETURNING value`).get() as { value: number }).value;
      this.st(
        `INSERT INTO loom_invocations (id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition, status, started, attempt,
         not_before, waiting_on, wake_seq, reply_to, ttl_ms, meta_json, result_json, error_json, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, 0, ?, NULL, ?, ?, ?, ?, NULL, NULL, ?, ?, NULL)`,
      ).run(inv.id, seq, inv.actorType, inv.actorId, inv.method, inv.argsJson, inv.idempotencyKey ?? null, inv.partition, journal.length > 0 ? 1 : 0,
        inv.notBefore ?? null, this.nextWake(), inv.replyTo ?? null, inv.ttlMs, inv.meta === undefined ? null : JSON.stringify(inv.meta), now, now);
      const put = this.st('INSERT INTO loom_journal (invocation_id, seq, kind, name, status, value_json, error_json) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const e of journal) put.run(inv.id, e.seq, e.kind, e.name, e.status, e.valueJson ?? null, e.error ? JSON.stringify(e.error) : null);
      return 'ok';
    });
  }

  async setState(actorType: string, actorId: string, stateJson: string, expectedVersion: number): Promise<{ outcome: 'ok' | 'conflict'; version: number }> {
    return this.tx('setState', (now) => {
      const cur = this.st('SELECT version FROM loom_state WHERE actor_type = ? AND actor_id = ?').get(actorType, actorId) as { version: number } | undefined;
      const version = cur?.version ?? 0;
      if (version !== expectedVersion) return { outcome: 'conflict' as const, version };
      this.st(`INSERT INTO loom_state (actor_type, actor_id, state_json, version, updated_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (actor_type, actor_id) DO UPDATE SET state_json = excluded.state_json, version = excluded.version, updated_at = excluded.updated_at`).run(actorType, actorId, stateJson, version + 1, now);
      return { outcome: 'ok' as const, version: version + 1 };
    });
  }
}
