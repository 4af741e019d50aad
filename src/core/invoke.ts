import { bindContext, bindSecrets, type Actor } from './actor.js';
import { Deadlines, type Deadline } from './deadlines.js';
import type { InvocationContext, Suspension } from './context.js';
import { TimeoutError } from './errors.js';
import type { RegisteredActor } from './registry.js';
import type { InvocationRecord } from '../ports/store.js';

/** How one run of a handler ended. */
export type HandlerResult =
  | { kind: 'value'; value: unknown }
  /** `resume`, for a sleep: wakes the suspended run in place, and its end goes to `done` (a fresh timeout runs). */
  | { kind: 'suspend'; s: Suspension; resume?: (done: HandlerDone) => void }
  | { kind: 'error'; err: unknown };

/** Receives the end of a handler run, once, never inside the caller's or the handler's stack. */
export type HandlerDone = (result: HandlerResult, actor: Actor<object>) => void;

const onValue = (end: (r: HandlerResult) => void) => (value: unknown) => end({ kind: 'value', value });
const onError = (end: (r: HandlerResult) => void) => (err: unknown) => end({ kind: 'error', err });

/**
 * Ends a handler run with what the handler returned. An async handler returns a
 * native promise: its own `then` is used, read from the prototype so that an own
 * `then` on the instance is not called. Anything else that may be a thenable
 * (what a non-async handler returns) is adopted the way `await` would adopt it,
 * through a new promise: a `then` getter or method that throws rejects it, a
 * second resolve or a reject after a resolve is ignored, a thenable that resolves
 * with another is followed, and one that never settles is ended by the timeout.
 */
function settleReturned(out: unknown, end: (r: HandlerResult) => void): void {
  if (out === null || (typeof out !== 'object' && typeof out !== 'function')) return end({ kind: 'value', value: out });
  try {
    if (out instanceof Promise) {
      Promise.prototype.then.call(out, onValue(end), onError(end));
      return;
    }
    let then: unknown;
    try {
      then = (out as { then?: unknown }).then;
    } catch (err) {
      return end({ kind: 'error', err });
    }
    if (typeof then !== 'function') return end({ kind: 'value', value: out });
    new Promise<unknown>((resolve, reject) => {
      (then as (this: unknown, ok: (v: unknown) => void, fail: (e: unknown) => void) => void).call(out, resolve, reject);
    }).then(onValue(end), onError(end));
  } catch (err) {
    // `instanceof` on a proxy whose getPrototypeOf trap throws, or a promise look-alike that is not one.
    end({ kind: 'error', err });
  }
}

/** One timer for every running handler's timeout. */
const deadlines = new Deadlines();

function armTimeout(timeoutMs: number, rec: InvocationRecord, end: (r: HandlerResult) => void): Deadline {
  return deadlines.add(timeoutMs, () =>
    end({ kind: 'error', err: new TimeoutError(`${rec.actorType}/${rec.actorId}.${rec.method} (invocation ${rec.id}) ran longer than its timeout of ${timeoutMs} ms`) }),
  );
}

/**
 * Runs one attempt of a handler on a fresh actor instance over a copy of the
 * committed state: it ends with a value, a durable suspension, or an error
 * (its own, or a timeout), whichever comes first. The context is closed
 * afterwards, so a handler that goes on running past its timeout cannot write
 * anything durable.
 *
 * A callback rather than a promise: a call on a store in the process then goes
 * from the handler's return to its commit without another microtask.
 */
export function runHandler(type: RegisteredActor, rec: InvocationRecord, stateJson: string | undefined, ctx: InvocationContext, done: HandlerDone): void {
  let actor = undefined as unknown as Actor<object>;
  let deadline: Deadline | undefined;
  let ended = false;
  const end = (result: HandlerResult): void => {
    if (ended) return;
    ended = true;
    if (deadline) deadlines.cancel(deadline);
    deadline = undefined;
    ctx.close();
    done(result, actor);
  };
  const timeoutMs = rec.meta?.timeoutMs ?? type.timeoutMs;
  // A suspension is reported from inside the handler's own call (sleep, awaiting a promise): the end waits a microtask.
  ctx.onSuspend = (s) => {
    if (ended) return;
    const wake = s.wake;
    // A woken sleep goes on as a new attempt would: its own timeout, its end to the new `done`.
    const resume = wake && ((next: HandlerDone): void => {
      done = next;
      ended = false;
      if (timeoutMs) deadline = armTimeout(timeoutMs, rec, end);
      wake();
    });
    queueMicrotask(() => end(resume ? { kind: 'suspend', s, resume } : { kind: 'suspend', s }));
  };
  if (timeoutMs) deadline = armTimeout(timeoutMs, rec, end);
  const start = (secrets: Readonly<Record<string, string>> | undefined): void => {
    if (ended) return;
    let out: unknown;
    try {
      actor = new (type.cls as unknown as new () => Actor<object>)();
      if (secrets) bindSecrets(actor, secrets);
      actor.state = JSON.parse(stateJson ?? type.initialStateJson) as object;
      actor.actorId = rec.actorId;
      actor.actorType = rec.actorType;
      bindContext(actor, ctx);
      const args = JSON.parse(rec.argsJson) as unknown[];
      out = (actor as unknown as Record<string, (...a: unknown[]) => unknown>)[rec.method]!(...args);
    } catch (err) {
      end({ kind: 'error', err });
      return;
    }
    settleReturned(out, end);
  };
  // The handler starts on a fresh microtask, never inside the caller's stack.
  queueMicrotask(() => {
    if (ended) return;
    if (!type.secrets) return start(undefined);
    // Secrets are resolved before the handler, within its timeout; cached values come back synchronously.
    let values: ReturnType<typeof type.secrets.source.resolve>;
    try {
      values = type.secrets.source.resolve(type.secrets.refs);
    } catch (err) {
      end({ kind: 'error', err });
      return;
    }
    if (typeof (values as PromiseLike<unknown>).then === 'function') {
      (values as PromiseLike<Readonly<Record<string, string>>>).then(start, (err: unknown) => end({ kind: 'error', err }));
    } else start(values as Readonly<Record<string, string>>);
  });
}
