import { checkEnvelopeShape, checkSize, toJson, type Envelope } from './envelope.js';
import { InvalidMessageError } from './errors.js';
import { checkTraceAndHeaders } from './message-options.js';
import { newId, partitionOf } from './ids.js';
import type { ActorRegistry } from './registry.js';
import { resolveRetryPolicy } from './retry.js';
import type { InvocationMeta, InvocationRecord, NewInvocation } from '../ports/store.js';

/** What a prepared invocation may carry besides the envelope. */
export interface PrepareExtra {
  id?: string;
  replyTo?: string;
  notBefore?: number;
  meta?: InvocationMeta;
  /** The invocation sending this message from a handler (observers read its trace context). */
  parent?: InvocationRecord;
}

/**
 * Validates a message (shape, known actor and method, plain-JSON arguments
 * within the size limit, retry policy) and builds the invocation to enqueue.
 * Throws the coded error that names what was wrong.
 */
export function prepareInvocation(
  env: Envelope,
  extra: PrepareExtra,
  registry: ActorRegistry,
  limits: { maxPayloadBytes: number; partitions: number },
): NewInvocation {
  checkEnvelopeShape(env);
  const type = registry.get(env.actorType);
  registry.method(type, env.method);
  if (type.shared?.has(env.method)) {
    throw new InvalidMessageError(
      `${env.actorType}.${env.method} is a shared (read-only) handler: it is not queued or journaled. ` +
        `Call it with runtime.call(); from a handler, call an ordinary handler instead`,
    );
  }
  const what = (): string => `the message to ${env.actorType}/${env.actorId}.${env.method}`;
  const argsJson = toJson(env.args, what, 'args');
  checkSize(argsJson, limits.maxPayloadBytes, what);
  let meta: InvocationMeta | undefined;
  if (extra.meta !== undefined || env.trace !== undefined || env.headers !== undefined) {
    if (env.trace !== undefined || env.headers !== undefined) checkTraceAndHeaders(env, limits.maxPayloadBytes);
    meta = { ...extra.meta };
    if (env.trace !== undefined) meta.trace = env.trace;
    if (env.headers !== undefined) meta.headers = env.headers;
    if (meta.retryPolicy !== undefined) resolveRetryPolicy(meta.retryPolicy);
  }
  const inv: NewInvocation = {
    id: extra.id ?? newId(),
    actorType: env.actorType,
    actorId: env.actorId,
    method: env.method,
    argsJson,
    partition: partitionOf(env.actorType, env.actorId, limits.partitions),
    ttlMs: type.idempotencyTtlMs,
  };
  if (env.idempotencyKey !== undefined) inv.idempotencyKey = env.idempotencyKey;
  if (extra.replyTo !== undefined) inv.replyTo = extra.replyTo;
  if (extra.notBefore !== undefined) inv.notBefore = extra.notBefore;
  if (meta && Object.keys(meta).length > 0) inv.meta = meta;
  return inv;
}
