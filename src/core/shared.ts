import { bindContext, type Actor } from './actor.js';
import { withTimeout, type InvocationContext } from './context.js';
import { InvalidMessageError, RuntimeStateError, TimeoutError } from './errors.js';
import { isInstance, messageOf } from './failure.js';
import { messageTimeout } from './message-options.js';
import { toJson } from './envelope.js';
import { newId } from './ids.js';
import type { ActorRegistry, RegisteredActor } from './registry.js';
import type { Store } from '../ports/store.js';

/** A call to a read-only shared handler. */
export interface SharedCall {
  actorType: string;
  actorId: string;
  method: string;
  args: unknown[];
  timeoutMs?: number;
}

/** Checks a `runtime.call` message to a shared handler: options that need a journal are refused, not ignored. */
export function sharedCall(msg: { actorType: string; actorId: string; method: string; args?: unknown[]; idempotencyKey?: string; delay?: unknown; retryPolicy?: unknown; timeout?: number }): SharedCall {
  const what = `${msg.actorType}.${msg.method} is a shared (read-only) handler, run at once and not journaled`;
  for (const opt of ['idempotencyKey', 'delay', 'retryPolicy'] as const) {
    if (msg[opt] !== undefined) throw new InvalidMessageError(`${what}: ${opt} does not apply to it; drop ${opt} from the call`);
  }
  if (typeof msg.actorId !== 'string' || msg.actorId === '') throw new InvalidMessageError(`${what}: actorId must be a non-empty string`);
  const args = msg.args ?? [];
  if (!Array.isArray(args)) throw new InvalidMessageError(`${what}: args must be an array`);
  const call: SharedCall = { actorType: msg.actorType, actorId: msg.actorId, method: msg.method, args: JSON.parse(toJson(args, () => `the args of ${msg.actorType}.${msg.method}`, 'args')) as unknown[] };
  if (msg.timeout !== undefined) call.timeoutMs = messageTimeout(msg.timeout);
  return call;
}

/**
 * Runs a read-only shared handler (`static shared = ['getBalance']`) outside the
 * actor's mailbox: at once, even while the actor runs or is suspended, against
 * its last committed state, deep-frozen so that the handler cannot change it.
 * Nothing is journaled or committed, so durable operations (step, sleep, call,
 * send, storeIdempotency, promise) are refused; checkIdempotency reads.
 */
export async function runShared(store: Store, registry: ActorRegistry, call: SharedCall, now: () => number): Promise<unknown> {
  const type = registry.get(call.actorType);
  const st = await store.loadState(call.actorType, call.actorId);
  const actor = new (type.cls as unknown as new () => Actor<object>)();
  actor.state = deepFreeze(JSON.parse(st?.stateJson ?? type.initialStateJson) as object);
  actor.actorId = call.actorId;
  actor.actorType = call.actorType;
  bindContext(actor, readOnlyContext(type, call, store, now));
  const timeoutMs = call.timeoutMs ?? type.timeoutMs;
  const what = `${call.actorType}/${call.actorId}.${call.method}`;
  const run = Promise.resolve().then(() => (actor as unknown as Record<string, (...a: unknown[]) => unknown>)[call.method]!(...call.args));
  try {
    const value = await withTimeout(run, timeoutMs || undefined, () => new TimeoutError(`shared handler ${what} ran longer than its timeout of ${timeoutMs} ms`));
    // The result leaves as JSON, like every other result: no shared reference into the frozen state.
    return value === undefined ? undefined : (JSON.parse(toJson(value, () => `the result of shared handler ${what}`, 'result')) as unknown);
  } catch (err) {
    if (isInstance(err, TypeError) && /read.only|not extensible|Cannot (add|delete|assign)/i.test(messageOf(err))) {
      throw new RuntimeStateError(`shared handler ${what} tried to change this.state (${messageOf(err)}); shared handlers are read-only: move the change to a handler not listed in static shared`);
    }
    throw err;
  }
}

function readOnlyContext(type: RegisteredActor, call: SharedCall, store: Store, now: () => number): InvocationContext {
  const refuse = (op: string) => (): never => {
    throw new RuntimeStateError(
      `${op}() is not available in ${type.name}.${call.method}: it is a shared (read-only) handler, which runs outside the actor's turn and records nothing; ` +
        `remove ${call.method} from static shared to make it an ordinary handler`,
    );
  };
  const ctx = {
    invocation: { id: `shared:${call.actorType}/${call.actorId}.${call.method}` },
    cachedResult: undefined as unknown,
    step: refuse('step'),
    sleep: refuse('sleep'),
    sleepUntil: refuse('sleepUntil'),
    call: refuse('call'),
    send: refuse('send'),
    promise: refuse('promise'),
    promiseId: refuse('promiseId'),
    storeIdempotency: refuse('storeIdempotency'),
    now: () => now(),
    random: () => Math.random(),
    uuid: () => newId(),
    async checkIdempotency(key: string): Promise<boolean> {
      const found = await store.getActorIdempotency(call.actorType, call.actorId, key, now());
      ctx.cachedResult = found?.result;
      return found !== undefined;
    },
  };
  return ctx as unknown as InvocationContext;
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v as object);
  return Object.freeze(o);
}
