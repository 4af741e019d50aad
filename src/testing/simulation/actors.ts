import type { AsyncLocalStorage } from 'node:async_hooks';
import { Actor } from '../../core/actor.js';
import type { InvocationContext, StepOptions } from '../../core/context.js';
import type { ActorClass } from '../../core/registry.js';
import { RetryableError, TerminalError } from '../../core/errors.js';

/** The handler running in the current async context, for reports of non-determinism. */
export interface HandlerScope {
  actorType: string;
  actorId: string;
  method: string;
  invocationId: string;
}

/** How a step behaves under the simulation, by step name. */
export interface StepRule {
  /** Throw this many times first (then run as usual, or as stubbed). */
  failures: number;
  error?: () => Error;
  /** Instead of running the step's function. */
  stub?: (key: string) => unknown;
  /** Virtual time the step takes. */
  latencyMs: number;
}

/** What the simulation learns from the actors it wraps. */
export interface ActorHooks {
  readonly scope: AsyncLocalStorage<HandlerScope>;
  rule(name: string): StepRule | undefined;
  /** Steps at this journal position or later must not run (a replay past its recording). */
  limit?(): number;
  /** A step's function is about to run (not a replay): its name, key and the handler it runs in. */
  stepRan(name: string, key: string, scope: HandlerScope | undefined): void;
  /** A handler asked for a durable operation (step, sleep, call, ...): where in its source. */
  opCalled?(op: string, scope: HandlerScope | undefined, stack: string): void;
  /** A handler starts an attempt (from the top: every replay runs it again). */
  handlerStarted?(scope: HandlerScope): void;
}

/** The durable operations of `Actor`, whose call sites a replay reports. */
const DURABLE_OPS = ['sleep', 'sleepUntil', 'call', 'send', 'promise', 'now', 'random', 'uuid', 'checkIdempotency'] as const;
/** The patch checks of `Actor` and the names their errors give; both are `InvocationContext.patched`. */
const PATCH_OPS = [['patched', 'patched(name)'], ['deprecatePatch', 'deprecatePatch(name)']] as const;
/** `Actor`'s (protected) invocation context, which the patch checks go through. */
type WithContext = { ctx: Pick<InvocationContext, 'patched'> };

/**
 * Wraps an actor class for the simulation: same type name, same handlers, same
 * behaviour, except that each handler runs in a scope the non-determinism checks
 * can see, and each step's function goes through the simulation's stubs, faults
 * and virtual latency. The user's class is not modified.
 */
export function simulated(cls: ActorClass, hooks: ActorHooks): ActorClass {
  const base = cls as unknown as new (...a: unknown[]) => Actor<object>;
  const typeName = cls.actorType ?? cls.name;
  const Wrapped = class extends base {
    static actorType = typeName;
    protected override step<T>(name: string, fn: (key: string) => T | Promise<T>, opts?: StepOptions): Promise<T> {
      const scope = hooks.scope.getStore();
      hooks.opCalled?.('step', scope, new Error().stack ?? '');
      const run = async (key: string): Promise<T> => {
        const position = Number(key.split(':')[1]);
        if (hooks.limit && position >= hooks.limit()) throw new TerminalError(`the replay reached the end of the recording at step "${name}"`, { code: 'LOOM_REPLAY_END' });
        hooks.stepRan(name, key, scope);
        const rule = hooks.rule(name);
        if (rule?.latencyMs) await new Promise((r) => setTimeout(r, rule.latencyMs));
        if (rule && rule.failures > 0) {
          rule.failures--;
          throw rule.error?.() ?? new RetryableError(`simulated failure of step "${name}"`);
        }
        return (rule?.stub ? rule.stub(key) : fn(key)) as T;
      };
      return super.step(name, run, opts);
    }
  };
  for (const name of handlerNames(cls)) {
    Object.defineProperty(Wrapped.prototype, name, {
      configurable: true,
      writable: true,
      value: function (this: Actor<object> & Record<string, (...a: unknown[]) => unknown>, ...args: unknown[]) {
        const original = (base.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
        const scope: HandlerScope = { actorType: this.actorType, actorId: this.actorId, method: name, invocationId: safeInvocationId(this) };
        hooks.handlerStarted?.(scope);
        return hooks.scope.run(scope, () => original.apply(this, args));
      },
    });
  }
  for (const op of DURABLE_OPS) {
    const original = (Actor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[op]!;
    Object.defineProperty(Wrapped.prototype, op, {
      configurable: true,
      writable: true,
      value: function (this: Actor<object>, ...args: unknown[]) {
        hooks.opCalled?.(op, hooks.scope.getStore(), new Error().stack ?? '');
        return original.apply(this, args);
      },
    });
  }
  // A patch check takes a journal position only when it answers true (its marker), so
  // only then is its call site reported: the sites stay in step with journal positions.
  for (const [op, primitive] of PATCH_OPS) {
    Object.defineProperty(Wrapped.prototype, op, {
      configurable: true,
      writable: true,
      value: function (this: Actor<object>, name: string) {
        const stack = new Error().stack ?? '';
        const took = (this as unknown as WithContext).ctx.patched(name, primitive);
        if (took) hooks.opCalled?.(op, hooks.scope.getStore(), stack);
        return op === 'patched' ? took : undefined;
      },
    });
  }
  // Keep the statics the registry reads (initialState, config, defaultHandler, shared, ...).
  for (const key of Object.getOwnPropertyNames(cls)) {
    if (['length', 'name', 'prototype', 'actorType'].includes(key)) continue;
    Object.defineProperty(Wrapped, key, Object.getOwnPropertyDescriptor(cls, key)!);
  }
  Object.defineProperty(Wrapped, 'name', { value: typeName });
  return Wrapped as unknown as ActorClass;
}

function safeInvocationId(actor: Actor<object>): string {
  try {
    return (actor as unknown as { invocationId: string }).invocationId;
  } catch {
    return '?';
  }
}

/** The class's own methods down to Actor, in declaration order (the registry's handlers among them). */
function handlerNames(cls: ActorClass): string[] {
  const names: string[] = [];
  for (let proto = cls.prototype as object; proto && proto !== Actor.prototype; proto = Object.getPrototypeOf(proto) as object) {
    for (const n of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, n);
      if (n !== 'constructor' && typeof d?.value === 'function' && !names.includes(n)) names.push(n);
    }
  }
  return names;
}
