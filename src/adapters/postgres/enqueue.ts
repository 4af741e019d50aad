import type { EnqueueResult, InvocationRecord, NewInvocation } from '../../ports/store.js';
import { jsonOrNull, toInvocation, type InvocationRow } from './rows.js';
import type { Session } from './session.js';

interface Item {
  item: NewInvocation;
  index: number;
}

/**
 * A row can vanish between the insert that skipped an item and the read that
 * looks for it (a concurrent sweep), or expire in that window; such items go
 * round again. More rounds than this means something is badly wrong.
 */
const MAX_ROUNDS = 5;

/**
 * Inserts invocations with the Store's dedupe rules, inside the caller's
 * transaction: an existing id, or a live invocation with the same
 * (actorType, actorId, idempotencyKey), makes the item a duplicate of it.
 * The unique index and ON CONFLICT make this hold under concurrency. Used for
 * `enqueue` and for the outbox of a turn.
 */
export async function insertInvocations(s: Session, items: readonly NewInvocation[]): Promise<EnqueueResult[]> {
  const results: (EnqueueResult | undefined)[] = new Array<EnqueueResult | undefined>(items.length);
  let todo: Item[] = items.map((item, index) => ({ item, index }));
  if (todo.some((t) => t.item.idempotencyKey !== undefined)) await supersedeExpired(s, todo);
  for (let round = 1; todo.length > 0; round++) {
    if (round > MAX_ROUNDS) throw new Error(`invocation ${todo[0]?.item.id} could be neither inserted nor found after ${MAX_ROUNDS} rounds`);
    const inserted = await s.run<InvocationRow>('enqueueInsert', insertColumns(todo));
    const fresh = new Map(inserted.rows.map((r) => [r.id, r]));
    const skipped: Item[] = [];
    for (const t of todo) {
      const row = fresh.get(t.item.id);
      // Two items may share an id; the row belongs to the one it was built from.
      if (row && sameKey(row, t.item)) {
        fresh.delete(t.item.id);
        results[t.index] = { record: toInvocation(row), duplicate: false };
      } else skipped.push(t);
    }
    todo = skipped.length === 0 ? [] : await resolveSkipped(s, skipped, results);
    if (todo.length > 0) await supersedeExpired(s, todo);
  }
  return results.map((r, i) => {
    if (!r) throw new Error(`no result for invocation ${items[i]?.id}`);
    return r;
  });
}

/** Fills in duplicates; returns the items whose blocking row expired or vanished. */
async function resolveSkipped(s: Session, skipped: Item[], results: (EnqueueResult | undefined)[]): Promise<Item[]> {
  const keyed = skipped.filter((t) => t.item.idempotencyKey !== undefined);
  const found = await s.run<InvocationRow & { expired: boolean | null }>('enqueueFindExisting', [
    skipped.map((t) => t.item.id),
    keyed.map((t) => t.item.actorType),
    keyed.map((t) => t.item.actorId),
    keyed.map((t) => t.item.idempotencyKey),
  ]);
  const byId = new Map<string, InvocationRecord>();
  const byKey = new Map<string, { record: InvocationRecord; expired: boolean }>();
  for (const row of found.rows) {
    const record = toInvocation(row);
    byId.set(record.id, record);
    if (record.idempotencyKey !== undefined) byKey.set(keyOf(record), { record, expired: row.expired === true });
  }
  const again: Item[] = [];
  for (const t of skipped) {
    const same = byId.get(t.item.id);
    const live = t.item.idempotencyKey === undefined ? undefined : byKey.get(keyOf(t.item));
    if (same) results[t.index] = { record: same, duplicate: true };
    else if (live && !live.expired) results[t.index] = { record: live.record, duplicate: true };
    else again.push(t);
  }
  return again;
}

async function supersedeExpired(s: Session, todo: Item[]): Promise<void> {
  const keyed = todo.filter((t) => t.item.idempotencyKey !== undefined);
  if (keyed.length === 0) return;
  await s.run('enqueueSupersedeExpired', [
    keyed.map((t) => t.item.id),
    keyed.map((t) => t.item.actorType),
    keyed.map((t) => t.item.actorId),
    keyed.map((t) => t.item.idempotencyKey),
  ]);
}

function insertColumns(todo: Item[]): unknown[] {
  const col = <T>(f: (i: NewInvocation) => T): T[] => todo.map((t) => f(t.item));
  return [
    col((i) => i.id),
    col((i) => i.actorType),
    col((i) => i.actorId),
    col((i) => i.method),
    col((i) => i.argsJson),
    col((i) => i.idempotencyKey ?? null),
    col((i) => i.partition),
    col((i) => i.notBefore ?? null),
    col((i) => jsonOrNull(i.meta)),
    col((i) => i.replyTo ?? null),
    col((i) => i.ttlMs),
  ];
}

function sameKey(row: InvocationRow, item: NewInvocation): boolean {
  return row.actor_type === item.actorType && row.actor_id === item.actorId && row.idempotency_key === (item.idempotencyKey ?? null);
}

function keyOf(i: { actorType: string; actorId: string; idempotencyKey?: string }): string {
  return JSON.stringify([i.actorType, i.actorId, i.idempotencyKey]);
}
