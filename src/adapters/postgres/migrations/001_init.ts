/**
 * The first schema. Every name is written under `loom.` and rebound to the
 * configured schema at run time (see `bindSchema`).
 *
 * Identifiers use the "C" collation: they are compared byte for byte, which is
 * both deterministic across servers and the cheapest to index. Timestamps are
 * epoch milliseconds (bigint) on the database clock, like the Store port.
 * Payloads are kept as the JSON text the core produced, never re-encoded.
 */
export const migration001Init = `
CREATE SEQUENCE loom.invocation_seq;
CREATE SEQUENCE loom.wake_seq;

CREATE TABLE loom.invocations (
  id              text COLLATE "C" PRIMARY KEY,
  seq             bigint NOT NULL,
  actor_type      text COLLATE "C" NOT NULL,
  actor_id        text COLLATE "C" NOT NULL,
  method          text NOT NULL,
  args_json       text NOT NULL,
  idempotency_key text COLLATE "C",
  partition       integer NOT NULL,
  not_before      bigint,
  meta_json       text,
  reply_to        text COLLATE "C",
  ttl_ms          bigint NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'dead')),
  started         boolean NOT NULL DEFAULT false,
  attempt         integer NOT NULL DEFAULT 0,
  waiting_on      text COLLATE "C",
  wake_seq        bigint NOT NULL,
  result_json     text,
  error_json      text,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL,
  expires_at      bigint,
  -- Set when a new invocation took over this one's expired key; the row itself
  -- stays readable until swept, as in every other store.
  superseded      boolean NOT NULL DEFAULT false
);
-- NULL keys are distinct, so only keyed invocations are deduplicated here.
CREATE UNIQUE INDEX invocations_idempotency ON loom.invocations (actor_type, actor_id, idempotency_key) WHERE NOT superseded;
CREATE INDEX invocations_pending ON loom.invocations (partition, wake_seq) WHERE status = 'pending';
CREATE INDEX invocations_waiting ON loom.invocations (waiting_on) WHERE waiting_on IS NOT NULL;
CREATE INDEX invocations_dead ON loom.invocations (updated_at DESC, seq DESC) WHERE status = 'dead';
CREATE INDEX invocations_expiry ON loom.invocations (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE loom.journal (
  invocation_id text COLLATE "C" NOT NULL,
  seq           integer NOT NULL,
  kind          text NOT NULL,
  name          text NOT NULL,
  status        text NOT NULL,
  value_json    text,
  error_json    text,
  PRIMARY KEY (invocation_id, seq)
);

CREATE TABLE loom.states (
  actor_type text COLLATE "C" NOT NULL,
  actor_id   text COLLATE "C" NOT NULL,
  state_json text NOT NULL,
  version    bigint NOT NULL,
  PRIMARY KEY (actor_type, actor_id)
);

-- An unresolved row is a waiter's placeholder: inserting it serializes a
-- suspension against a concurrent resolution, so neither can miss the other.
CREATE TABLE loom.promises (
  id         text COLLATE "C" PRIMARY KEY,
  owner      text COLLATE "C",
  resolved   boolean NOT NULL,
  -- Set by a waiter's placeholder: a resolution must then make sure to wake it.
  awaited    boolean NOT NULL DEFAULT false,
  value_json text,
  error_json text,
  created_at bigint NOT NULL
);
CREATE INDEX promises_owner ON loom.promises (owner) WHERE owner IS NOT NULL;

CREATE TABLE loom.actor_idempotency (
  actor_type  text COLLATE "C" NOT NULL,
  actor_id    text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  result_json text NOT NULL,
  expires_at  bigint NOT NULL,
  PRIMARY KEY (actor_type, actor_id, key)
);
CREATE INDEX actor_idempotency_expiry ON loom.actor_idempotency (expires_at);

-- Released leases keep their row (owner and expiry cleared) so that the next
-- holder's epoch continues from the last one.
CREATE TABLE loom.leases (
  partition  integer PRIMARY KEY,
  owner      text,
  epoch      bigint NOT NULL,
  expires_at bigint
);
`;
