import { createHash } from 'node:crypto';
import type { InvocationRecord, JournalEntry, NewInvocation, PromiseResolution } from '../../ports/store.js';

/*
 * Document layout. The container's partition key is `/pk`, and everything one
 * turn writes lives under the key of the Loom partition it runs in (`p<N>`):
 * the partition's lease, its invocations (each with its own journal and the
 * durable promises it owns), the idempotency keys of those invocations, the
 * state and actor-scoped idempotency records of the actors that hash there, and
 * the turn's outbox. So one transactional batch, which Cosmos DB makes atomic
 * only within one partition key, holds a whole turn and its fence.
 */

/** The logical partition key of a Loom partition. */
export const pkOf = (partition: number): string => `p${partition}`;
/** The partition key of the sequence counter and of the settings every worker shares. */
export const META_PK = 'meta';
/** Worker membership heartbeats. */
export const MEMBERS_PK = 'members';
/** Promises whose owning invocation is not (or no longer) in the store. */
export const LOOSE_PROMISES_PK = 'promises';

const SAFE_ID = /^[A-Za-z0-9_.:-]{1,200}$/;
/** Cosmos ids may not hold `/ \ ? #` and are limited in length: anything else is hashed. */
const safe = (s: string): string => (SAFE_ID.test(s) ? s : `h${createHash('sha256').update(s).digest('hex')}`);
const hash = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');

export const ids = {
  lease: 'lease',
  counter: 'seq',
  inv: (id: string) => `inv:${safe(id)}`,
  key: (actorType: string, actorId: string, key: string) => `key:${hash(actorType, actorId, key)}`,
  state: (actorType: string, actorId: string) => `state:${hash(actorType, actorId)}`,
  actorIdempotency: (actorType: string, actorId: string, key: string) => `aidem:${hash(actorType, actorId, key)}`,
  promise: (id: string) => `prom:${hash(id)}`,
  member: (owner: string) => `member:${hash(owner)}`,
  setting: (name: string) => `setting:${name}`,
  outbox: (invocationId: string, nonce: string) => `out:${safe(invocationId)}:${nonce}`,
};

/** Fields Cosmos adds to every document. */
export interface SystemFields {
  _etag?: string;
  _ts?: number;
  _rid?: string;
  _self?: string;
  _attachments?: string;
}

export interface LeaseDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'lease';
  partition: number;
  owner: string | null;
  epoch: number;
  expiresAt: number;
}

/** An invocation, its journal (dropped when it ends) and the promises it owns. */
export interface InvocationDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'inv';
  rec: InvocationRecord;
  /** Mirrors of `rec` fields that queries filter and sort on. */
  status: InvocationRecord['status'];
  wakeSeq: number;
  updatedAt: number;
  actorType: string;
  expiresAt?: number;
  journal: Record<string, JournalEntry>;
  promises: Record<string, PromiseResolution>;
  /** Seconds until Cosmos' own TTL removes a finished record (Loom's sweeper does it too). */
  ttl?: number;
}

export interface KeyDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'key';
  invocationId: string;
}

export interface StateDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'state';
  actorType: string;
  actorId: string;
  stateJson: string;
  version: number;
}

export interface ActorIdempotencyDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'aidem';
  resultJson: string;
  expiresAt: number;
  ttl?: number;
}

export interface PromiseDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'promise';
  resolution: PromiseResolution;
}

/** A turn's effects on other partitions, committed with the turn and relayed after it. */
export interface OutboxDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'outbox';
  createdAt: number;
  messages: NewInvocation[];
  resolve: PromiseResolution[];
}

export interface MemberDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'member';
  owner: string;
  expiresAt: number;
}

/** A setting every worker must share, created once by the first (`setting:partitions`). */
export interface SettingDoc extends SystemFields {
  id: string;
  pk: string;
  type: 'setting';
  value: number;
}

/** A record as the store returns it: a copy without the document's own fields. */
export function toRecord(doc: InvocationDoc): InvocationRecord {
  return structuredClone(doc.rec);
}

/** The document of a record, with the mirrored query fields refreshed. */
export function toDoc(rec: InvocationRecord, base?: InvocationDoc): InvocationDoc {
  const doc: InvocationDoc = {
    id: ids.inv(rec.id),
    pk: pkOf(rec.partition),
    type: 'inv',
    rec,
    status: rec.status,
    wakeSeq: rec.wakeSeq,
    updatedAt: rec.updatedAt,
    actorType: rec.actorType,
    journal: base?.journal ?? {},
    promises: base?.promises ?? {},
  };
  if (rec.expiresAt !== undefined) {
    doc.expiresAt = rec.expiresAt;
    doc.ttl = ttlSeconds(rec.expiresAt, rec.updatedAt);
  }
  return doc;
}

/** Cosmos TTL is in seconds from the last write; a minute's margin leaves the sweep to Loom first. */
export function ttlSeconds(expiresAt: number, now: number): number {
  return Math.max(60, Math.ceil((expiresAt - now) / 1000) + 60);
}

/** Strips Cosmos' system fields, for a document about to be written again. */
export function bare<T extends SystemFields>(doc: T): T {
  const rest = { ...doc } as Record<string, unknown>;
  for (const k of ['_etag', '_ts', '_rid', '_self', '_attachments']) delete rest[k];
  return rest as unknown as T;
}
