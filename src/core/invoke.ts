import { bindContext, type Actor } from './actor.js';
import { Deadlines, type Deadline } from './deadlines.js';
import type { InvocationContext, Suspension } from './context.js';
import { TimeoutError } from './errors.js';
import type { RegisteredActor } from './registry.js';
import type { InvocationRecord } from '../ports/store.js';

/** How one run of a handler ended. */
export type HandlerResult = { kind: 'value'; value: unknown } | { kind: 'suspend'; s: Suspension } | { kind: 'error'; err: unknown };

/** One timer for every running handler's timeout. */
const deadlines = new Deadlines();

/**
 * Runs one attempt of a handler on a fresh actor instance over a copy of the
 * committed state: it ends with a value, a durable suspension, or an error
 * (its own, or a timeout), whichever comes first. The context is closed
 * afterwards, so a handler that goes on running past its timeout cannot write
 * anything durable.
 */
export function runHandler(
  type: RegisteredActor,
  rec: InvocationRecord,
  stateJson: string | undefined,
  ctx: InvocationContext,
): Promise<{ result: HandlerResult; actor: Actor<object> }> {
  return new Promise((resolve) => {
    let actor = undefined as unknown as Actor<object>;
    let deadline: Deadline | undefined;
    let done = false;
    const end = (result: HandlerResult): void => {
      if (done) return;
      done = true;
      if (deadline) deadlines.cancel(deadline);
      ctx.close();
      resolve({ result, actor });
    };
    try {
      actor = new (type.cls as unknown as new () => Actor<object>)();
      actor.state = JSON.parse(stateJson ?? type.initialStateJson) as object;
      actor.actorId = rec.actorId;
      actor.actorType = rec.actorType;
      bindContext(actor, ctx);
    } catch (err) {
      end({ kind: 'error', err });
      return;
    }
    ctx.onSuspend = (s) => end({ kind: 'suspend', s });
    const timeoutMs = rec.meta?.timeoutMs ?? type.timeoutMs;
    if (timeoutMs) {
      deadline = deadlines.add(timeoutMs, () =>
        end({ kind: 'error', err: new TimeoutError(`${rec.actorType}/${rec.actorId}.${rec.method} (invocation ${rec.id}) ran longer than its timeout of ${timeoutMs} ms`) }),
      );
    }
    // The handler starts on a fresh microtask, never inside the caller's stack.
    queueMicrotask(() => {
      if (done) return;
      let out: unknown;
      try {
        const args = JSON.parse(rec.argsJson) as unknown[];
        out = (actor as unknown as Record<string, (...a: unknown[]) => unknown>)[rec.method]!(...args);
      } catch (err) {
        end({ kind: 'error', err });
        return;
      }
      if (out !== null && typeof out === 'object' && typeof (out as PromiseLike<unknown>).then === 'function') {
        (out as PromiseLike<unknown>).then(
          (value) => end({ kind: 'value', value }),
          (err: unknown) => end({ kind: 'error', err }),
        );
      } else {
        end({ kind: 'value', value: out });
      }
    });
  });
}
