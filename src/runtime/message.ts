import type { MessageOptions } from '../core/accept.js';
import { parseDuration, type Envelope } from '../core/envelope.js';
import { InvalidMessageError, LoomError, messageOf } from '../core/errors.js';
import { echo } from '../core/echo.js';
import { messageTimeout } from '../core/message-options.js';
import type { ActorRegistry } from '../core/registry.js';
import type { InvocationMeta } from '../ports/store.js';
import type { BodyMessage, CallMessage } from './actor-runtime.js';

const NO_OPTIONS: MessageOptions = Object.freeze({});

/**
 * The envelope and options of a `call` or `send`. Every field is read once, here:
 * a message object whose getter or proxy trap throws is an InvalidMessageError,
 * not a raw error from deep inside the engine. Options left out cost nothing.
 */
export function toEnvelope(msg: CallMessage): [Envelope, MessageOptions] {
  if (typeof msg !== 'object' || msg === null) throw new InvalidMessageError(`a message must be an object, got ${echo(msg)}`);
  try {
    const env: Envelope = { actorType: msg.actorType, actorId: msg.actorId, method: msg.method, args: msg.args ?? [] };
    if (msg.idempotencyKey !== undefined) env.idempotencyKey = msg.idempotencyKey;
    if (msg.trace !== undefined) env.trace = msg.trace;
    if (msg.headers !== undefined) env.headers = msg.headers;
    if (msg.retryPolicy === undefined && msg.timeout === undefined && msg.delay === undefined) return [env, NO_OPTIONS];
    const options: MessageOptions = {};
    if (msg.delay !== undefined) options.delayMs = parseDuration(msg.delay, 'delay');
    if (msg.retryPolicy !== undefined || msg.timeout !== undefined) {
      const meta: InvocationMeta = {};
      if (msg.retryPolicy !== undefined) meta.retryPolicy = msg.retryPolicy;
      if (msg.timeout !== undefined) meta.timeoutMs = messageTimeout(msg.timeout);
      options.meta = meta;
    }
    return [env, options];
  } catch (err) {
    throw unreadable(err);
  }
}

/** The README's `{ actorId, body }` as a full message: the type from the id's prefix, the body to its default handler. */
export function fromBody(msg: BodyMessage, registry: ActorRegistry): CallMessage {
  try {
    if (typeof msg.actorId !== 'string' || !msg.actorId) throw new InvalidMessageError(`a { actorId, body } message needs a non-empty string actorId, got ${echo(msg.actorId)}`);
    const type = msg.actorType ? registry.get(msg.actorType) : registry.typeForActorId(msg.actorId);
    const out: CallMessage = { actorType: type.name, actorId: msg.actorId, method: msg.method ?? type.defaultHandler, args: [msg.body] };
    if (msg.idempotencyKey !== undefined) out.idempotencyKey = msg.idempotencyKey;
    if (msg.trace !== undefined) out.trace = msg.trace;
    if (msg.headers !== undefined) out.headers = msg.headers;
    if (msg.delay !== undefined) out.delay = msg.delay;
    return out;
  } catch (err) {
    throw unreadable(err);
  }
}

/** Whether `send` got the README's `{ actorId, body }` form. */
export function isBodyMessage(msg: unknown): msg is BodyMessage {
  try {
    return typeof msg === 'object' && msg !== null && 'body' in msg && !('args' in msg);
  } catch {
    return false;
  }
}

function unreadable(err: unknown): LoomError {
  if (err instanceof LoomError) return err;
  return new InvalidMessageError(`the message could not be read: ${messageOf(err)}. Pass a plain object, not one with getters or a proxy`);
}
