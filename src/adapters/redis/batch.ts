import { InvalidMessageError, outcomeUnknown } from '../../core/errors.js';
import { checkInvocationText, checkTurnText } from '../../ports/encode-items.js';
import type { CommitResult, EnqueueResult, NewInvocation, TurnWrite } from '../../ports/store.js';
import { decodeInsert, insertSpec, turnSpec, type InsertReply, type InsertSpec, type TurnSpec } from './codec.js';
import type { RedisConnection, ScriptCall } from './connection.js';

/** An item of a write with its script call, encoded before anything is sent: one that cannot be fails alone. */
export interface EncodedCall<S> {
  spec: S;
  call: ScriptCall;
}

/** One enqueue script per item. Pipelined in order, an item sees the ones before it, so keys shared within a batch dedupe too. */
export function enqueueCall(item: NewInvocation): EncodedCall<InsertSpec> {
  checkInvocationText(item);
  const spec = insertSpec(item);
  return { spec, call: { name: 'enqueue', args: [JSON.stringify(spec)] } };
}

/** Group commit: every turn is its own script (atomic alone), all in one round trip. */
export function commitCall(turn: TurnWrite): EncodedCall<TurnSpec> {
  checkTurnText(turn);
  const spec = turnSpec(turn);
  return { spec, call: { name: 'commit', args: [JSON.stringify(spec)] } };
}

export function decodeEnqueue(spec: InsertSpec, reply: unknown): EnqueueResult {
  return decodeInsert(spec, reply as InsertReply);
}

export function decodeCommit(spec: TurnSpec, reply: unknown): CommitResult {
  const [outcome, ...inserted] = reply as unknown[];
  if (outcome === 'fenced' || outcome === 'conflict') return { outcome };
  const outbox = spec.ob ?? [];
  return { outcome: 'ok', enqueued: inserted.map((r, j) => decodeInsert(outbox[j]!, r as InsertReply)) };
}

/**
 * Errors Redis answers before a script has written anything: it refuses the
 * script's first write (memory, a replica, a failed save) or never runs it.
 * (A script is stopped by OOM only at its first write: past it, Redis lets it finish.)
 */
const BEFORE_ANY_WRITE = /^(OOM|READONLY|MISCONF|NOAUTH|WRONGPASS|LOADING|BUSY|MASTERDOWN|NOSCRIPT)\b/;

/**
 * What one failed call of a write pipeline tells its caller. Redis does not
 * roll a script back, so an error from a script that may have written already
 * is an unknown outcome, never "not stored".
 */
export function callError(conn: RedisConnection, what: string, err: Error): Error {
  const message = err.message;
  if (err.name === 'ReplyError') {
    // The scripts answer LOOM_REFUSED before their first write, for an argument they cannot decode.
    const refused = /LOOM_REFUSED (.*)/.exec(message);
    if (refused) return new InvalidMessageError(`the Redis store at ${conn.where} refused ${what}: ${refused[1]}. Nothing of it was stored.`);
    if (BEFORE_ANY_WRITE.test(message)) return conn.error(`writing ${what}`, err);
    return outcomeUnknown(`the Redis script writing ${what} at ${conn.where} failed part-way (${message}); some of its writes may have been applied`, err);
  }
  return outcomeUnknown(`${what} was sent to Redis at ${conn.where} and the connection failed before its answer (${message})`, err);
}
