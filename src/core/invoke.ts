import { bindContext, type Actor } from './actor.js';
import { withTimeout, type InvocationContext, type Suspension } from './context.js';
import { TimeoutError } from './errors.js';
import type { RegisteredActor } from './registry.js';
import type { InvocationRecord } from '../ports/store.js';

/** How one run of a handler ended. */
export type HandlerResult = { kind: 'value'; value: unknown } | { kind: 'suspend'; s: Suspension } | { kind: 'error'; err: unknown };

/**
 * Runs one attempt of a handler on a fresh actor instance over a copy of the
 * committed state: it ends with a value, a durable suspension, or an error
 * (its own, or a timeout). The context is closed afterwards, so a handler that
 * goes on running past its timeout cannot write anything durable.
 */
export async function runHandler(
  type: RegisteredActor,
  rec: InvocationRecord,
  stateJson: string | undefined,
  ctx: InvocationContext,
): Promise<{ result: HandlerResult; actor: Actor<object> }> {
  const actor = new (type.cls as unknown as new () => Actor<object>)();
  actor.state = JSON.parse(stateJson ?? type.initialStateJson) as object;
  actor.actorId = rec.actorId;
  actor.actorType = rec.actorType;
  bindContext(actor, ctx);
  const timeoutMs = rec.meta?.timeoutMs ?? type.timeoutMs;
  const handler = Promise.resolve()
    .then(() => (actor as unknown as Record<string, (...a: unknown[]) => unknown>)[rec.method]!(...(JSON.parse(rec.argsJson) as unknown[])))
    .then((value): HandlerResult => ({ kind: 'value', value }));
  const raced = Promise.race([handler, ctx.suspended.then((s): HandlerResult => ({ kind: 'suspend', s }))]);
  const result = await withTimeout(raced, timeoutMs, () =>
    new TimeoutError(`${rec.actorType}/${rec.actorId}.${rec.method} (invocation ${rec.id}) ran longer than its timeout of ${timeoutMs} ms`),
  ).catch((err: unknown): HandlerResult => ({ kind: 'error', err }));
  ctx.close();
  return { result, actor };
}
