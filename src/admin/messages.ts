import { checkEnvelopeShape, checkSize, parseDuration, toJson, type Envelope } from '../core/envelope.js';
import { checkTraceAndHeaders, messageTimeout } from '../core/message-options.js';
import { newId, partitionOf } from '../core/ids.js';
import { InvalidMessageError } from '../core/errors.js';
import { resolveRetryPolicy } from '../core/retry.js';
import type { CallMessage } from '../runtime/actor-runtime.js';
import type { InvocationMeta, NewInvocation } from '../ports/store.js';

/** What building an invocation without a registry needs. */
export interface MessageLimits {
  partitions: number;
  maxPayloadBytes: number;
  idempotencyTtlMs: number;
  now: number;
}

/**
 * Builds the invocation a client enqueues. A client registers no actors, so it
 * checks the message's shape, JSON and size but not the type or method: a worker
 * dead-letters a message to an unknown handler with `LOOM_UNKNOWN_ACTOR`/`LOOM_UNKNOWN_METHOD`.
 */
export function buildInvocation(msg: CallMessage, limits: MessageLimits): NewInvocation {
  if (typeof msg !== 'object' || msg === null) throw new InvalidMessageError(`a message must be an object, got ${msg === null ? 'null' : typeof msg}`);
  const env: Envelope = { actorType: msg.actorType, actorId: msg.actorId, method: msg.method, args: msg.args ?? [] };
  if (msg.idempotencyKey !== undefined) env.idempotencyKey = msg.idempotencyKey;
  checkEnvelopeShape(env);
  const what = (): string => `the message to ${env.actorType}/${env.actorId}.${env.method}`;
  const argsJson = toJson(env.args, what, 'args');
  checkSize(argsJson, limits.maxPayloadBytes, what);
  const inv: NewInvocation = {
    id: newId(),
    actorType: env.actorType,
    actorId: env.actorId,
    method: env.method,
    argsJson,
    partition: partitionOf(env.actorType, env.actorId, limits.partitions),
    ttlMs: limits.idempotencyTtlMs,
  };
  if (env.idempotencyKey !== undefined) inv.idempotencyKey = env.idempotencyKey;
  if (msg.delay !== undefined) inv.notBefore = limits.now + parseDuration(msg.delay, 'delay');
  const meta: InvocationMeta = {};
  if (msg.trace !== undefined) meta.trace = env.trace = msg.trace;
  if (msg.headers !== undefined) meta.headers = env.headers = msg.headers;
  if (env.trace !== undefined || env.headers !== undefined) checkTraceAndHeaders(env, limits.maxPayloadBytes);
  if (msg.retryPolicy !== undefined) {
    resolveRetryPolicy(msg.retryPolicy);
    meta.retryPolicy = msg.retryPolicy;
  }
  if (msg.timeout !== undefined) meta.timeoutMs = messageTimeout(msg.timeout);
  if (Object.keys(meta).length > 0) inv.meta = meta;
  return inv;
}
