import { StoreError, type ErrorInfo } from '../../core/errors.js';
import { promiseOwner, type EnqueueResult, type InvocationMeta, type InvocationRecord, type JournalEntry, type NewInvocation, type PromiseResolution, type TurnWrite } from '../../ports/store.js';
import type { ActorDataWrite } from '../../ports/actor-data.js';
import { actorIdempotencyKey, actorMember, dataKeys, dataLogKey, idempotencyIndex, stateKey } from './keys.js';

/*
 * Values cross into Lua as strings only (numbers pre-formatted here), so that Lua
 * never re-formats a number the caller gave and every field reads back exactly.
 * Lua only compares, copies and counts; all encoding lives in this file.
 */

/** An invocation to insert, as the enqueue and commit scripts take it. */
export interface InsertSpec {
  id: string;
  /** Partition, for the pending index. */
  p: string;
  /** Field/value pairs of the invocation hash, as given by the caller. */
  f: string[];
  /** Idempotency index key suffix, when the invocation has a key. */
  k?: string;
}

/** A turn, as the commit script takes it. */
export interface TurnSpec {
  p: string;
  e: string;
  id: string;
  j?: string[];
  t?: { s: string; a?: string; nb?: string; w?: string; err?: string; r?: string; x?: string };
  st?: { k: string; m: string; ty: string; ai: string; json: string; v: string };
  idem?: [key: string, resultJson: string, expiresAt: string][];
  ob?: InsertSpec[];
  rs?: ResolveSpec[];
  d?: DataSpec;
}

/**
 * A turn's actor data, as the commit script takes it: key suffixes (keys.ts
 * dataKeys), key writes in order (`[key]` deletes, `[key, json]` sets), and per
 * log its name, entries key, appends and trim bound.
 */
export interface DataSpec {
  kv: string;
  ks: string;
  lb: string;
  ln: string;
  s?: ([key: string] | [key: string, json: string])[];
  l?: { n: string; k: string; a?: string[]; tb?: string }[];
}

/** A promise resolution: id, owner invocation id ('' for none), resolution JSON. */
export type ResolveSpec = [id: string, owner: string, json: string];

/** What an insert returns from Lua: fresh `[0, [seq, wakeSeq, now]]` or duplicate `[1, hgetall]`. */
export type InsertReply = [0 | 1, (string | number)[]];

/** Numbers cross as strings; NaN has no meaning in Redis scores or hashes, so it is refused before anything is written. */
function num(n: number, what: string): string {
  if (typeof n !== 'number' || Number.isNaN(n)) throw new StoreError(`Redis store: ${what} must be a number, got ${String(n)}; this is a bug in the caller of the store`);
  return String(n);
}

export function insertSpec(item: NewInvocation): InsertSpec {
  const f = [
    'id', item.id,
    'actorType', item.actorType,
    'actorId', item.actorId,
    'method', item.method,
    'argsJson', item.argsJson,
    'partition', num(item.partition, 'partition'),
    'ttlMs', num(item.ttlMs, 'ttlMs'),
  ];
  if (item.idempotencyKey !== undefined) f.push('idempotencyKey', item.idempotencyKey);
  if (item.notBefore !== undefined) f.push('notBefore', num(item.notBefore, 'notBefore'));
  if (item.meta !== undefined) f.push('meta', JSON.stringify(item.meta));
  if (item.replyTo !== undefined) f.push('replyTo', item.replyTo);
  const spec: InsertSpec = { id: item.id, p: num(item.partition, 'partition'), f };
  if (item.idempotencyKey !== undefined) spec.k = idempotencyIndex(item.actorType, item.actorId, item.idempotencyKey);
  return spec;
}

export function resolveSpec(r: PromiseResolution): ResolveSpec {
  return [r.id, promiseOwner(r.id) ?? '', JSON.stringify(r)];
}

export function turnSpec(turn: TurnWrite): TurnSpec {
  const spec: TurnSpec = { p: num(turn.partition, 'partition'), e: num(turn.epoch, 'epoch'), id: turn.invocationId };
  if (turn.journal?.length) spec.j = turn.journal.flatMap((e) => [num(e.seq, 'journal seq'), JSON.stringify(e)]);
  const t = turn.transition;
  if (t) {
    if (t.status === 'pending') {
      spec.t = { s: t.status, a: num(t.attempt, 'attempt') };
      if (t.notBefore !== undefined) spec.t.nb = num(t.notBefore, 'notBefore');
      if (t.waitingOn !== undefined) spec.t.w = t.waitingOn;
      if (t.error) spec.t.err = JSON.stringify(t.error);
    } else if (t.status === 'completed') {
      spec.t = { s: t.status, r: t.resultJson, x: num(t.expiresAt, 'expiresAt') };
    } else {
      spec.t = { s: t.status, err: JSON.stringify(t.error), a: num(t.attempt, 'attempt'), x: num(t.expiresAt, 'expiresAt') };
    }
  }
  const s = turn.state;
  if (s) {
    spec.st = { k: stateKey(s.actorType, s.actorId), m: actorMember(s.actorType, s.actorId), ty: s.actorType, ai: s.actorId, json: s.stateJson, v: num(s.expectedVersion, 'expectedVersion') };
  }
  if (turn.idempotency?.length) spec.idem = turn.idempotency.map((r) => [actorIdempotencyKey(r.actorType, r.actorId, r.key), r.resultJson, num(r.expiresAt, 'expiresAt')]);
  if (turn.outbox?.length) spec.ob = turn.outbox.map(insertSpec);
  if (turn.resolve?.length) spec.rs = turn.resolve.map(resolveSpec);
  if (turn.data) spec.d = dataSpec(turn.data);
  return spec;
}

function dataSpec(d: ActorDataWrite): DataSpec {
  const k = dataKeys(d.actorType, d.actorId);
  const spec: DataSpec = { kv: k.kv, ks: k.keys, lb: k.logs, ln: k.logNames };
  if (d.kv?.length) spec.s = d.kv.map((e) => (e.valueJson === undefined ? [e.key] : [e.key, e.valueJson]));
  if (d.logs?.length) {
    spec.l = d.logs.map((l) => {
      const out: NonNullable<DataSpec['l']>[number] = { n: l.name, k: dataLogKey(d.actorType, d.actorId, l.name) };
      if (l.append?.length) out.a = l.append;
      if (l.trimBefore !== undefined) out.tb = num(l.trimBefore, 'trimBefore');
      return out;
    });
  }
  return spec;
}

/** Pairs a flat HGETALL-style reply into a map. */
export function pairs(flat: readonly (string | number)[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), String(flat[i + 1]));
  return m;
}

export function decodeInvocation(f: Map<string, string> | Record<string, string>): InvocationRecord {
  const get = f instanceof Map ? (k: string) => f.get(k) : (k: string) => f[k];
  const str = (k: string) => get(k) ?? '';
  const n = (k: string) => Number(get(k) ?? 0);
  const rec: InvocationRecord = {
    id: str('id'),
    actorType: str('actorType'),
    actorId: str('actorId'),
    method: str('method'),
    argsJson: str('argsJson'),
    partition: n('partition'),
    ttlMs: n('ttlMs'),
    seq: n('seq'),
    status: str('status') as InvocationRecord['status'],
    started: get('started') === '1',
    attempt: n('attempt'),
    wakeSeq: n('wakeSeq'),
    createdAt: n('createdAt'),
    updatedAt: n('updatedAt'),
  };
  const idempotencyKey = get('idempotencyKey');
  if (idempotencyKey !== undefined) rec.idempotencyKey = idempotencyKey;
  if (get('notBefore') !== undefined) rec.notBefore = n('notBefore');
  const meta = get('meta');
  if (meta !== undefined) rec.meta = JSON.parse(meta) as InvocationMeta;
  const replyTo = get('replyTo');
  if (replyTo !== undefined) rec.replyTo = replyTo;
  const waitingOn = get('waitingOn');
  if (waitingOn !== undefined) rec.waitingOn = waitingOn;
  const resultJson = get('resultJson');
  if (resultJson !== undefined) rec.resultJson = resultJson;
  const error = get('error');
  if (error !== undefined) rec.error = JSON.parse(error) as ErrorInfo;
  if (get('expiresAt') !== undefined) rec.expiresAt = n('expiresAt');
  return rec;
}

/** Turns an insert's reply into the enqueue result, identical to what getInvocation returns later. */
export function decodeInsert(spec: InsertSpec, reply: InsertReply): EnqueueResult {
  const [dup, payload] = reply;
  if (dup === 1) return { record: decodeInvocation(pairs(payload)), duplicate: true };
  const [seq, wakeSeq, now] = payload.map(String);
  const f = pairs(spec.f);
  f.set('seq', seq ?? '0').set('wakeSeq', wakeSeq ?? '0').set('createdAt', now ?? '0').set('updatedAt', now ?? '0');
  f.set('status', 'pending').set('started', '0').set('attempt', '0');
  return { record: decodeInvocation(f), duplicate: false };
}

export function decodeJournal(values: readonly string[]): JournalEntry[] {
  return values.map((v) => JSON.parse(v) as JournalEntry).sort((a, b) => a.seq - b.seq);
}
