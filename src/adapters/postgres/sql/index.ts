import { now, redrive, sweep } from './admin.js';
import { commitBatch, enqueueBatch, resolvePromise, writeBatch } from './batch.js';
import { acquireLease, claimPartitionCount, heartbeatMember, leaveMember, listLeases, listMembers, releaseLease, renewLease } from './leases.js';
import { getPromise } from './promises.js';
import { dataListKeys, dataListKeysAfter, dataListLogs, dataListLogsAfter, dataLogBounds, dataReadKey, dataReadLog } from './actor-data.js';
import { getActorIdempotency, getInvocation, listActors, listDeadLetters, loadJournal, loadState, pollPending } from './reads.js';

const SQL = {
  enqueueBatch,
  getInvocation,
  pollPending,
  loadState,
  loadJournal,
  getActorIdempotency,
  listDeadLetters,
  listActors,
  commitBatch,
  writeBatch,
  resolvePromise,
  getPromise,
  redrive,
  sweep,
  now,
  acquireLease,
  renewLease,
  releaseLease,
  listLeases,
  heartbeatMember,
  listMembers,
  leaveMember,
  claimPartitionCount,
  dataReadKey,
  dataListKeys,
  dataListKeysAfter,
  dataLogBounds,
  dataReadLog,
  dataListLogs,
  dataListLogsAfter,
};

export type QueryName = keyof typeof SQL;

/** A statement ready for pg: `name` makes pg prepare it once per connection. */
export interface PreparedQuery {
  name: string;
  text: string;
}

export type Queries = Record<QueryName, PreparedQuery>;

/**
 * The SQL is written against the schema `loom` so that it reads (and runs) as
 * is; this rebinds it to the configured schema. Statement names carry the
 * schema, because pg refuses one name for two texts on a connection, and
 * stores on different schemas may share a pool.
 */
export function bindSchema(sql: string, schema: string): string {
  return sql.replace(/\bloom\./g, `${schema}.`);
}

export function bindQueries(schema: string): Queries {
  const out = {} as Queries;
  for (const key of Object.keys(SQL) as QueryName[]) {
    out[key] = { name: `loom:${schema}:${key}`, text: bindSchema(SQL[key], schema) };
  }
  return out;
}
