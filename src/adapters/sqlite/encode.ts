import { checkInvocationText, checkTurnText } from '../../ports/encode-items.js';
import type { JournalEntry, NewInvocation, PromiseResolution, TurnWrite } from '../../ports/store.js';

/*
 * Everything of an item that can fail before SQLite sees it (JSON of values
 * given as objects, text the driver would store altered) is done here, one item
 * at a time, outside the transaction: such an item then fails alone.
 */

/** A new invocation with its JSON columns. */
export interface EncodedInsert {
  item: NewInvocation;
  metaJson: string | null;
}

/** A turn with its JSON columns. */
export interface EncodedTurn {
  turn: TurnWrite;
  journal: { e: JournalEntry; errorJson: string | null }[] | undefined;
  /** The transition's error; null for none (a pending transition then keeps the stored one). */
  errorJson: string | null;
  outbox: EncodedInsert[] | undefined;
  resolve: { r: PromiseResolution; errorJson: string | null }[] | undefined;
}

/** JSON text of a value, refusing one that JSON.stringify would silently drop. */
function json(v: unknown, what: string): string {
  const s = JSON.stringify(v);
  if (typeof s !== 'string') throw new TypeError(`${what} is not JSON (${typeof v})`);
  return s;
}

const jsonOrNull = (v: unknown, what: string): string | null => (v === undefined || v === null ? null : json(v, what));

export function encodeInsert(item: NewInvocation): EncodedInsert {
  checkInvocationText(item);
  return { item, metaJson: jsonOrNull(item.meta, 'its trace, headers or call options') };
}

export function encodeTurn(turn: TurnWrite): EncodedTurn {
  checkTurnText(turn);
  const t = turn.transition;
  return {
    turn,
    journal: turn.journal?.map((e) => ({ e, errorJson: jsonOrNull(e.error, `the error of journal entry ${e.seq}`) })),
    errorJson: t && t.status !== 'completed' ? jsonOrNull(t.error, 'its failure record') : null,
    outbox: turn.outbox?.map(encodeInsert),
    resolve: turn.resolve?.map((r) => ({ r, errorJson: jsonOrNull(r.error, `the error resolving promise ${r.id}`) })),
  };
}
