import type { OperationInput } from '@azure/cosmos';
import type { InvocationRecord, PromiseResolution, TurnWrite } from '../../ports/store.js';
import { bare, ids, pkOf, toDoc, ttlSeconds, type ActorIdempotencyDoc, type InvocationDoc, type OutboxDoc, type StateDoc } from './docs.js';

/** What each operation of a turn's batch is, so that a failed batch can say why. */
export type OpRole = 'fence' | 'invocation' | 'state' | 'write';

/** A turn as one transactional batch, and the role of each operation in it. */
export interface TurnBatch {
  pk: string;
  ops: OperationInput[];
  roles: OpRole[];
  outbox?: OutboxDoc;
}

/** What building a turn's batch needs to have read first. */
export interface TurnInputs {
  turn: TurnWrite;
  leaseEtag: string;
  inv: InvocationDoc;
  /** The actor's state document, when the turn writes state and the actor has one. */
  state?: StateDoc;
  now: number;
  /** A fresh wake sequence number, used when the turn wakes its own invocation. */
  wakeSeq: () => number;
  nonce: string;
}

/**
 * Builds the batch of one turn. Every operation that can fail a precondition
 * comes first — the fence (a read of the lease document conditional on the
 * ETag it had when its epoch was checked), then the invocation (replace
 * conditional on its ETag), then the state (create when the turn expects none,
 * else replace conditional on its ETag) — and the unconditional writes after
 * them. On Cosmos DB the batch is atomic, so this order is not what makes a
 * rejected turn apply nothing; it is what makes the first failing operation
 * name the reason.
 */
export function turnBatch(input: TurnInputs): TurnBatch {
  const { turn, inv, now } = input;
  const pk = pkOf(turn.partition);
  const ops: OperationInput[] = [];
  const roles: OpRole[] = [];
  const push = (role: OpRole, op: OperationInput) => {
    ops.push(op);
    roles.push(role);
  };
  push('fence', { operationType: 'Read', id: ids.lease, partitionKey: pk, ifMatch: input.leaseEtag } as OperationInput);
  const next = applyTurn(inv, turn, now, input.wakeSeq);
  push('invocation', { operationType: 'Replace', id: inv.id, partitionKey: pk, ifMatch: inv._etag!, resourceBody: next as never });
  if (turn.state) {
    const s = turn.state;
    const body: StateDoc = { id: ids.state(s.actorType, s.actorId), pk, type: 'state', actorType: s.actorType, actorId: s.actorId, stateJson: s.stateJson, version: s.expectedVersion + 1 };
    if (s.expectedVersion === 0) push('state', { operationType: 'Create', partitionKey: pk, resourceBody: body as never });
    else push('state', { operationType: 'Replace', id: body.id, partitionKey: pk, ifMatch: input.state?._etag ?? 'missing', resourceBody: body as never });
  }
  for (const r of turn.idempotency ?? []) {
    const body: ActorIdempotencyDoc = { id: ids.actorIdempotency(r.actorType, r.actorId, r.key), pk, type: 'aidem', resultJson: r.resultJson, expiresAt: r.expiresAt, ttl: ttlSeconds(r.expiresAt, now) };
    push('write', { operationType: 'Upsert', partitionKey: pk, resourceBody: body as never });
  }
  let outbox: OutboxDoc | undefined;
  if (turn.outbox?.length || turn.resolve?.length) {
    outbox = { id: ids.outbox(turn.invocationId, input.nonce), pk, type: 'outbox', createdAt: now, messages: turn.outbox ?? [], resolve: turn.resolve ?? [] };
    push('write', { operationType: 'Create', partitionKey: pk, resourceBody: outbox as never });
  }
  return outbox ? { pk, ops, roles, outbox } : { pk, ops, roles };
}

/** The invocation document after a turn: the same rules as every other store's commit. */
export function applyTurn(doc: InvocationDoc, turn: TurnWrite, now: number, wakeSeq: () => number): InvocationDoc {
  const rec: InvocationRecord = structuredClone(doc.rec);
  const journal = { ...doc.journal };
  let promises = { ...doc.promises };
  for (const e of turn.journal ?? []) journal[String(e.seq)] = e;
  rec.started = true;
  rec.updatedAt = now;
  const t = turn.transition;
  let dropJournal = false;
  if (t) {
    if (t.status === 'pending') {
      rec.attempt = t.attempt;
      if (t.notBefore === undefined) delete rec.notBefore;
      else rec.notBefore = t.notBefore;
      if (t.waitingOn === undefined) delete rec.waitingOn;
      else rec.waitingOn = t.waitingOn;
      if (t.error) rec.error = t.error;
      if (t.waitingOn !== undefined && promises[t.waitingOn]) {
        delete rec.waitingOn;
        rec.wakeSeq = wakeSeq();
      }
    } else {
      rec.status = t.status;
      rec.expiresAt = t.expiresAt;
      delete rec.waitingOn;
      delete rec.notBefore;
      if (t.status === 'completed') rec.resultJson = t.resultJson;
      else {
        rec.error = t.error;
        rec.attempt = t.attempt;
      }
      if (t.status !== 'dead') {
        dropJournal = true;
        promises = {};
      }
    }
  }
  const next = toDoc(rec, bare(doc));
  next.journal = dropJournal ? {} : journal;
  next.promises = promises;
  return next;
}

/** A resolution applied to the document of the invocation that owns the promise; undefined when it must not apply. */
export function applyResolution(doc: InvocationDoc, resolution: PromiseResolution, now: number, wakeSeq: () => number): InvocationDoc | undefined {
  if (doc.promises[resolution.id]) return undefined;
  if (doc.rec.status === 'completed' || doc.rec.status === 'failed') return undefined;
  const rec: InvocationRecord = structuredClone(doc.rec);
  if (rec.status === 'pending' && rec.waitingOn === resolution.id) {
    delete rec.waitingOn;
    rec.wakeSeq = wakeSeq();
    rec.updatedAt = now;
  }
  const next = toDoc(rec, bare(doc));
  next.promises = { ...doc.promises, [resolution.id]: resolution };
  return next;
}
