import { promiseOwner, type CommitResult, type PromiseResolution, type TurnWrite } from '../../ports/store.js';
import type { ActorDataWrite } from '../../ports/actor-data.js';
import { itemJson, toEnqueueResults, type EnqueuedJson, type ItemJson } from './enqueue.js';
import { jsonOrNull } from './rows.js';
import { checkTurnText } from '../../ports/encode-items.js';

/**
 * One turn as `loom_commit_batch` (migration 003; 007 adds `data`) takes it. The function
 * applies a batch of turns in order, in one transaction: all checks of a turn
 * run before any of its writes and lock what they read until the transaction
 * ends, so a rejected turn wrote nothing and needs no savepoint.
 */
export interface TurnJson {
  partition: number;
  invocation_id: string;
  epoch: number;
  actor_type?: string;
  actor_id?: string;
  state_json?: string;
  /** Absent: no state write. */
  expected_version?: number;
  journal?: { seq: number; kind: string; name: string; status: string; value_json: string | null; error_json: string | null }[];
  tr: 'none' | 'pending' | 'completed' | 'failed' | 'dead';
  attempt?: number;
  not_before?: number;
  error_json?: string;
  waiting_on?: string;
  waiting_owner?: string;
  result_json?: string;
  expires_at?: number;
  idempotency?: { actor_type: string; actor_id: string; key: string; result_json: string; expires_at: number }[];
  outbox?: ItemJson[];
  resolve?: { id: string; owner: string | null; value_json: string | null; error_json: string | null }[];
  /** The turn's actor data, as `loom_apply_actor_data` (migration 007) takes it. */
  data?: DataJson;
}

/** A turn's actor data: the last write of each key (sets and deletes apart), and the logs in order. */
export interface DataJson {
  actor_type: string;
  actor_id: string;
  set?: { key: string; value_json: string }[];
  del?: string[];
  logs?: { name: string; append?: string[]; trim_before?: number }[];
}

/** What `loom_commit_batch` returns per turn. */
export type TurnOutcomeJson = { o: 'ok'; e: EnqueuedJson[] } | { o: 'fenced' | 'conflict' };

/** One turn of the argument of `loom_commit_batch` (empty parts left out); throws for text PostgreSQL cannot hold or a value that is not JSON. */
export function checkedTurnJson(turn: TurnWrite): TurnJson {
  checkTurnText(turn);
  return turnJson(turn);
}

export function toCommitResults(out: readonly TurnOutcomeJson[], turns: readonly TurnWrite[]): CommitResult[] {
  if (out.length !== turns.length) throw new Error(`loom_commit_batch returned ${out.length} results for ${turns.length} turns`);
  return out.map((r, i) => (r.o === 'ok' ? { outcome: 'ok', enqueued: toEnqueueResults(r.e, turns[i]?.outbox ?? []) } : { outcome: r.o }));
}

function turnJson(turn: TurnWrite): TurnJson {
  const t = turn.transition;
  const st = turn.state;
  const out: TurnJson = { partition: turn.partition, invocation_id: turn.invocationId, epoch: turn.epoch, tr: t?.status ?? 'none' };
  if (st) {
    out.actor_type = st.actorType;
    out.actor_id = st.actorId;
    out.state_json = st.stateJson;
    out.expected_version = st.expectedVersion;
  }
  // A completed or failed invocation's journal is deleted by this very turn: do not write it first.
  const keepJournal = t === undefined || t.status === 'pending' || t.status === 'dead';
  if (keepJournal && turn.journal?.length) {
    // One statement cannot upsert a row twice; as in a map, the last entry of a position wins.
    const journal = [...new Map(turn.journal.map((e) => [e.seq, e])).values()];
    out.journal = journal.map((e) => ({
      seq: e.seq, kind: e.kind, name: e.name, status: e.status, value_json: e.valueJson ?? null, error_json: jsonOrNull(e.error),
    }));
  }
  if (t?.status === 'pending') {
    out.attempt = t.attempt;
    if (t.notBefore !== undefined) out.not_before = t.notBefore;
    if (t.error !== undefined) out.error_json = JSON.stringify(t.error);
    if (t.waitingOn !== undefined) {
      out.waiting_on = t.waitingOn;
      const owner = promiseOwner(t.waitingOn);
      if (owner !== undefined) out.waiting_owner = owner;
    }
  } else if (t?.status === 'completed') {
    out.result_json = t.resultJson;
    out.expires_at = t.expiresAt;
  } else if (t) {
    out.attempt = t.attempt;
    out.error_json = JSON.stringify(t.error);
    out.expires_at = t.expiresAt;
  }
  if (turn.idempotency?.length) {
    // Likewise, the last record of a key wins.
    const idem = [...new Map(turn.idempotency.map((r) => [JSON.stringify([r.actorType, r.actorId, r.key]), r])).values()];
    out.idempotency = idem.map((r) => ({ actor_type: r.actorType, actor_id: r.actorId, key: r.key, result_json: r.resultJson, expires_at: r.expiresAt }));
  }
  if (turn.outbox?.length) out.outbox = turn.outbox.map(itemJson);
  if (turn.resolve?.length) out.resolve = turn.resolve.map(resolveArgs).map(([id, owner, value_json, error_json]) => ({ id, owner, value_json, error_json }));
  if (turn.data) out.data = dataJson(turn.data);
  return out;
}

function dataJson(d: ActorDataWrite): DataJson {
  const out: DataJson = { actor_type: d.actorType, actor_id: d.actorId };
  if (d.kv?.length) {
    // One statement cannot upsert a row twice: the last write of each key, as a map keeps it.
    const last = new Map(d.kv.map((e) => [e.key, e.valueJson]));
    const set: { key: string; value_json: string }[] = [];
    const del: string[] = [];
    for (const [key, value_json] of last) {
      if (value_json === undefined) del.push(key);
      else set.push({ key, value_json });
    }
    if (set.length) out.set = set;
    if (del.length) out.del = del;
  }
  if (d.logs?.length) {
    out.logs = d.logs.map((l) => {
      const log: NonNullable<DataJson['logs']>[number] = { name: l.name };
      if (l.append?.length) log.append = l.append;
      if (l.trimBefore !== undefined) log.trim_before = l.trimBefore;
      return log;
    });
  }
  return out;
}

/** The arguments of `loom_resolve_promise`: id, owner invocation, value JSON, error JSON. */
export function resolveArgs(r: PromiseResolution): [string, string | null, string | null, string | null] {
  return [r.id, promiseOwner(r.id) ?? null, r.valueJson ?? null, jsonOrNull(r.error)];
}
