import type Database from 'better-sqlite3';

/** Every statement the SQLite store runs, one per operation. */
const SQL = {
    counters: `SELECT name, value FROM loom_counters`,
    setCounter: `UPDATE loom_counters SET value = ? WHERE name = ?`,
    getInvocation: `SELECT * FROM loom_invocations WHERE id = ?`,
    byKey: `SELECT * FROM loom_invocations WHERE actor_type = ? AND actor_id = ? AND idempotency_key = ?`,
    insertInvocation: `INSERT INTO loom_invocations (id, seq, actor_type, actor_id, method, args_json, idempotency_key, partition, status,
      started, attempt, not_before, waiting_on, wake_seq, reply_to, ttl_ms, meta_json, result_json, error_json, created_at, updated_at, expires_at)
      VALUES (@id, @seq, @actor_type, @actor_id, @method, @args_json, @idempotency_key, @partition, @status, @started, @attempt, @not_before,
      @waiting_on, @wake_seq, @reply_to, @ttl_ms, @meta_json, @result_json, @error_json, @created_at, @updated_at, @expires_at)`,
    deleteInvocation: `DELETE FROM loom_invocations WHERE id = ?`,
    deleteJournal: `DELETE FROM loom_journal WHERE invocation_id = ?`,
    deletePromisesOf: `DELETE FROM loom_promises WHERE owner = ?`,
    pollPending: `SELECT * FROM loom_invocations WHERE status = 'pending' AND partition IN (SELECT value FROM json_each(?))
      AND wake_seq > ? ORDER BY wake_seq LIMIT ?`,
    getState: `SELECT state_json, version FROM loom_state WHERE actor_type = ? AND actor_id = ?`,
    upsertState: `INSERT INTO loom_state (actor_type, actor_id, state_json, version, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (actor_type, actor_id) DO UPDATE SET state_json = excluded.state_json, version = excluded.version, updated_at = excluded.updated_at`,
    getJournal: `SELECT seq, kind, name, status, value_json, error_json FROM loom_journal WHERE invocation_id = ? ORDER BY seq`,
    upsertJournal: `INSERT INTO loom_journal (invocation_id, seq, kind, name, status, value_json, error_json) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (invocation_id, seq) DO UPDATE SET kind = excluded.kind, name = excluded.name, status = excluded.status,
      value_json = excluded.value_json, error_json = excluded.error_json`,
    leaseEpoch: `SELECT epoch, owner FROM loom_leases WHERE partition = ?`,
    markStarted: `UPDATE loom_invocations SET started = 1, updated_at = ? WHERE id = ?`,
    toPending: `UPDATE loom_invocations SET started = 1, attempt = ?, not_before = ?, waiting_on = ?, error_json = ?, wake_seq = ?,
      updated_at = ? WHERE id = ?`,
    toTerminal: `UPDATE loom_invocations SET started = 1, status = ?, result_json = ?, error_json = ?, attempt = ?, expires_at = ?,
      waiting_on = NULL, not_before = NULL, updated_at = ? WHERE id = ?`,
    upsertActorIdempotency: `INSERT INTO loom_actor_idempotency (actor_type, actor_id, key, result_json, expires_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (actor_type, actor_id, key) DO UPDATE SET result_json = excluded.result_json, expires_at = excluded.expires_at`,
    getActorIdempotency: `SELECT result_json, expires_at FROM loom_actor_idempotency WHERE actor_type = ? AND actor_id = ? AND key = ?`,
    sweepActorIdempotency: `DELETE FROM loom_actor_idempotency WHERE expires_at <= ?`,
    getPromise: `SELECT value_json, error_json FROM loom_promises WHERE id = ?`,
    insertPromise: `INSERT INTO loom_promises (id, owner, value_json, error_json, created_at) VALUES (?, ?, ?, ?, ?)`,
    wakeWaiter: `UPDATE loom_invocations SET waiting_on = NULL, wake_seq = ?, updated_at = ? WHERE waiting_on = ? AND status = 'pending'`,
    deadLetters: `SELECT * FROM loom_invocations WHERE status = 'dead' AND (@type IS NULL OR actor_type = @type) ORDER BY updated_at DESC, seq DESC LIMIT @limit`,
    redrive: `UPDATE loom_invocations SET status = 'pending', attempt = 0, wake_seq = ?, updated_at = ?, expires_at = NULL, not_before = NULL
      WHERE id = ? AND status = 'dead'`,
    expiredInvocations: `SELECT id FROM loom_invocations WHERE expires_at IS NOT NULL AND expires_at <= ? AND status != 'pending'`,
    listActors: `SELECT actor_type, actor_id, state_json, version FROM loom_state WHERE (@type IS NULL OR actor_type = @type)
      ORDER BY actor_type, actor_id LIMIT @limit`,
} as const;

export type Statements = { -readonly [K in keyof typeof SQL]: Database.Statement };

/** Prepares every statement once per connection. */
export function prepareStatements(db: Database.Database): Statements {
  const out: Partial<Statements> = {};
  for (const [name, sql] of Object.entries(SQL)) out[name as keyof Statements] = db.prepare(sql);
  return out as Statements;
}
