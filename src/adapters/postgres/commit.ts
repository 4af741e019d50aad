import { promiseOwner, type CommitResult, type PromiseResolution, type TurnWrite } from '../../ports/store.js';
import { insertInvocations } from './enqueue.js';
import { jsonOrNull } from './rows.js';
import type { Session } from './session.js';

/**
 * Applies a batch of turns inside the caller's one transaction, in order.
 *
 * All checks of a turn run before any of its writes, in the same statement,
 * and lock what they read until the transaction ends (see `commitTurn`). A
 * rejected turn therefore wrote nothing and needs no savepoint to be undone:
 * that saves two round trips per turn, and keeps a large batch from
 * overflowing PostgreSQL's 64-entry subtransaction cache, past which every
 * snapshot taken in the cluster gets slower.
 */
export async function commitTurns(s: Session, turns: readonly TurnWrite[]): Promise<CommitResult[]> {
  const results: CommitResult[] = [];
  for (const turn of turns) results.push(await commitTurn(s, turn));
  return results;
}

async function commitTurn(s: Session, turn: TurnWrite): Promise<CommitResult> {
  const res = await s.run<{ epoch: string | null; status: string | null; ok: boolean | null }>('commitTurn', turnParams(turn));
  const row = res.rows[0];
  if (!row || row.epoch === null || Number(row.epoch) !== turn.epoch) return { outcome: 'fenced' };
  if (!row.ok) return { outcome: 'conflict' };
  // The outbox and resolutions read what other transactions commit meanwhile, so they get statements of their own.
  const enqueued = turn.outbox?.length ? await insertInvocations(s, turn.outbox) : [];
  for (const r of turn.resolve ?? []) await resolveOne(s, r);
  return { outcome: 'ok', enqueued };
}

function turnParams(turn: TurnWrite): unknown[] {
  const t = turn.transition;
  const st = turn.state;
  // A completed or failed invocation's journal is deleted by this very turn: do not write it first.
  const keepJournal = t === undefined || t.status === 'pending' || t.status === 'dead';
  // One statement cannot upsert a row twice; as in a map, the last entry of a position or key wins.
  const journal = keepJournal ? [...new Map((turn.journal ?? []).map((e) => [e.seq, e])).values()] : [];
  const idem = [...new Map((turn.idempotency ?? []).map((r) => [JSON.stringify([r.actorType, r.actorId, r.key]), r])).values()];
  return [
    turn.partition,
    turn.invocationId,
    turn.epoch,
    st?.actorType ?? null,
    st?.actorId ?? null,
    st?.stateJson ?? null,
    st ? st.expectedVersion : null,
    journal.map((e) => e.seq),
    journal.map((e) => e.kind),
    journal.map((e) => e.name),
    journal.map((e) => e.status),
    journal.map((e) => e.valueJson ?? null),
    journal.map((e) => jsonOrNull(e.error)),
    t?.status ?? 'none',
    t && t.status !== 'completed' ? t.attempt : null,
    t?.status === 'pending' ? t.notBefore ?? null : null,
    t && t.status !== 'completed' ? jsonOrNull(t.error) : null,
    t?.status === 'pending' ? t.waitingOn ?? null : null,
    t?.status === 'pending' ? ownerOf(t.waitingOn) : null,
    t?.status === 'completed' ? t.resultJson : null,
    t && t.status !== 'pending' ? t.expiresAt : null,
    idem.map((r) => r.actorType),
    idem.map((r) => r.actorId),
    idem.map((r) => r.key),
    idem.map((r) => r.resultJson),
    idem.map((r) => r.expiresAt),
  ];
}

/**
 * Resolves a promise and wakes its waiter, within the caller's transaction.
 * Returns false when the promise was resolved already or its owner has ended.
 */
export async function resolveOne(s: Session, r: PromiseResolution): Promise<boolean> {
  const won = await s.run<{ awaited: boolean; woken: string }>('resolvePromise', [r.id, ownerOf(r.id), r.valueJson ?? null, jsonOrNull(r.error)]);
  const row = won.rows[0];
  if (!row) return false;
  if (row.awaited && Number(row.woken) === 0) await s.run('wakeWaiter', [r.id]);
  return true;
}

function ownerOf(promiseId: string | undefined): string | null {
  return promiseId === undefined ? null : promiseOwner(promiseId) ?? null;
}
