import { InvalidMessageError, LoomError, SerializationError } from '../core/errors.js';
import { textProblem } from '../core/text.js';
import { echo } from '../core/echo.js';
import type { ItemFailure, NewInvocation, TurnWrite } from './store.js';

/*
 * For adapters' `write`: each item is encoded (and its text checked) on its own
 * before the batch is sent, so that an item the store could not take fails alone,
 * with its own error, and never enters the batch it would have failed.
 */

/** The items of a batch that encoded, and the failures of those that did not. */
export interface Encoded<E> {
  /** The encoded items, in input order. */
  ok: E[];
  /** Input index of each `ok` item; undefined when every item encoded (the usual case, which allocates nothing more). */
  at: number[] | undefined;
  /** Why each item that did not encode failed, by input index. */
  failed: Map<number, Error> | undefined;
}

/** Encodes each item; one that throws is left out with its error (a non-Loom error becomes a SerializationError naming `what`). */
export function encodeEach<I, E>(items: readonly I[], encode: (item: I) => E, what: (item: I) => string): Encoded<E> {
  const out: Encoded<E> = { ok: [], at: undefined, failed: undefined };
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let e: E;
    try {
      e = encode(item);
    } catch (err) {
      if (!out.failed) {
        out.failed = new Map();
        out.at = out.ok.map((_, j) => j);
      }
      out.failed.set(i, notEncodable(what(item), err));
      continue;
    }
    out.ok.push(e);
    out.at?.push(i);
  }
  return out;
}

/** The results of the encoded items (in `ok` order) put back in input order, each failure in its item's slot. */
export function placeResults<R>(n: number, enc: Encoded<unknown>, results: readonly (R | ItemFailure)[]): (R | ItemFailure)[] {
  if (!enc.failed || !enc.at) return results as (R | ItemFailure)[];
  const out = new Array<R | ItemFailure>(n);
  for (const [i, err] of enc.failed) out[i] = { failed: err };
  enc.at.forEach((i, j) => (out[i] = results[j]!));
  return out;
}

function notEncodable(what: string, err: unknown): Error {
  if (err instanceof LoomError) return err;
  return new SerializationError(`${what} cannot be stored: ${(err as Error)?.message ?? String(err)}. Nothing of it was stored; the rest of its batch was.`, { cause: err });
}

/** Names a new invocation in errors. */
export const describeInvocation = (i: NewInvocation): string => `the message to ${i.actorType}/${i.actorId}.${i.method} (invocation ${i.id})`;
/** Names a turn in errors. */
export const describeTurn = (t: TurnWrite): string => `the write of invocation ${t.invocationId}`;

function checkText<T>(value: string | undefined, field: string, owner: T, describe: (owner: T) => string): void {
  if (value === undefined) return;
  const problem = textProblem(value);
  if (problem) {
    throw new InvalidMessageError(`${describe(owner)} cannot be stored: its ${field} ${echo(value)} ${problem}, which the store cannot keep as text. Nothing of it was stored.`);
  }
}

/** Throws an InvalidMessageError naming the field when a text field of the invocation could not be stored as given. */
export function checkInvocationText(i: NewInvocation): void {
  checkText(i.id, 'id', i, describeInvocation);
  checkText(i.actorType, 'actorType', i, describeInvocation);
  checkText(i.actorId, 'actorId', i, describeInvocation);
  checkText(i.method, 'method', i, describeInvocation);
  checkText(i.idempotencyKey, 'idempotencyKey', i, describeInvocation);
  checkText(i.replyTo, 'replyTo', i, describeInvocation);
}

/** `checkInvocationText` for everything a turn writes as text: step names, promise ids, idempotency keys, outbox messages. */
export function checkTurnText(t: TurnWrite): void {
  checkText(t.invocationId, 'invocation id', t, describeTurn);
  // The field's name is built only for an entry at fault: this runs for every entry of every turn.
  if (t.journal) for (const e of t.journal) if (textProblem(e.name)) checkText(e.name, `journal entry name (position ${e.seq})`, t, describeTurn);
  if (t.transition?.status === 'pending') checkText(t.transition.waitingOn, 'promise it waits on', t, describeTurn);
  if (t.state) {
    checkText(t.state.actorType, 'actorType', t, describeTurn);
    checkText(t.state.actorId, 'actorId', t, describeTurn);
  }
  if (t.idempotency) for (const r of t.idempotency) checkText(r.key, 'idempotency key', t, describeTurn);
  if (t.outbox) for (const m of t.outbox) checkInvocationText(m);
  if (t.resolve) for (const r of t.resolve) checkText(r.id, 'promise id', t, describeTurn);
  if (t.data) checkDataWrite(t);
}

/** The text and numbers of a turn's actor data: keys and log names are stored as raw text, `trimBefore` as an index. */
function checkDataWrite(t: TurnWrite): void {
  const d = t.data!;
  checkText(d.actorType, 'actor data type', t, describeTurn);
  checkText(d.actorId, 'actor data id', t, describeTurn);
  if (d.kv) for (const e of d.kv) if (textProblem(e.key)) checkText(e.key, 'actor data key', t, describeTurn);
  if (!d.logs) return;
  for (const l of d.logs) {
    if (textProblem(l.name)) checkText(l.name, 'log name', t, describeTurn);
    if (l.trimBefore !== undefined && !Number.isSafeInteger(l.trimBefore)) {
      throw new InvalidMessageError(`${describeTurn(t)} cannot be stored: the trimBefore of log ${echo(l.name)} is ${String(l.trimBefore)}; give a whole number (a log index). Nothing of it was stored.`);
    }
  }
}
