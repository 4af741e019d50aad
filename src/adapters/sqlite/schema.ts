import { ADMIN_INDEXES } from './admin-schema.js';

/** Numbered migrations; each runs once, inside the write lock, in order. */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE loom_invocations (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  method TEXT NOT NULL,
  args_json TEXT NOT NULL,
  idempotency_key TEXT,
  partition INTEGER NOT NULL,
  status TEXT NOT NULL,
  started INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER,
  waiting_on TEXT,
  wake_seq INTEGER NOT NULL,
  reply_to TEXT,
  ttl_ms INTEGER NOT NULL,
  meta_json TEXT,
  result_json TEXT,
  error_json TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE UNIQUE INDEX loom_invocations_key ON loom_invocations (actor_type, actor_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX loom_invocations_pending ON loom_invocations (partition, wake_seq) WHERE status = 'pending';
CREATE INDEX loom_invocations_waiting ON loom_invocations (waiting_on) WHERE waiting_on IS NOT NULL;
CREATE INDEX loom_invocations_expiry ON loom_invocations (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX loom_invocations_dead ON loom_invocations (updated_at) WHERE status = 'dead';
CREATE TABLE loom_journal (
  invocation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  value_json TEXT,
  error_json TEXT,
  PRIMARY KEY (invocation_id, seq)
) WITHOUT ROWID;
CREATE TABLE loom_state (
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  state_json TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (actor_type, actor_id)
) WITHOUT ROWID;
CREATE TABLE loom_promises (
  id TEXT PRIMARY KEY,
  owner TEXT,
  value_json TEXT,
  error_json TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX loom_promises_owner ON loom_promises (owner);
CREATE TABLE loom_actor_idempotency (
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  key TEXT NOT NULL,
  result_json TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (actor_type, actor_id, key)
) WITHOUT ROWID;
CREATE TABLE loom_leases (
  partition INTEGER PRIMARY KEY,
  owner TEXT,
  epoch INTEGER NOT NULL,
  expires_at INTEGER
);
CREATE TABLE loom_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO loom_counters (name, value) VALUES ('seq', 0), ('wake', 0);
`,
  },
  {
    // Workers that share the partitions, for rebalancing (LeaseManager.heartbeat/members/leave).
    version: 2,
    sql: `
CREATE TABLE loom_members (
  owner TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    // Indexes behind the admin queries (src/adapters/sqlite/admin.ts): a page of any filter reads the index in seq order.
    version: 3,
    sql: ADMIN_INDEXES,
  },
  {
    // Settings every worker of the store must share, written once by the first (LeaseManager.claimPartitionCount).
    version: 4,
    sql: `
CREATE TABLE loom_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    // Per-key state and logs of actors (this.kv, this.log; src/adapters/sqlite/actor-data.ts): a turn writes the rows it changed.
    version: 5,
    sql: `
CREATE TABLE loom_kv (
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value_json TEXT NOT NULL,
  PRIMARY KEY (actor_type, actor_id, key)
);
CREATE TABLE loom_logs (
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  name TEXT NOT NULL,
  first_idx INTEGER NOT NULL,
  next_idx INTEGER NOT NULL,
  PRIMARY KEY (actor_type, actor_id, name)
) WITHOUT ROWID;
CREATE TABLE loom_log_entries (
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  name TEXT NOT NULL,
  idx INTEGER NOT NULL,
  value_json TEXT NOT NULL,
  PRIMARY KEY (actor_type, actor_id, name, idx)
);
`,
  },
];
