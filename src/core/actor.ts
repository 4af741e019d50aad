import { RuntimeStateError } from './errors.js';
import type { Duration } from './envelope.js';
import { primitiveDuration } from './primitive-args.js';
import type { InvocationContext, StepOptions } from './context.js';
import type { RetryPolicy } from './retry.js';
import type { ActorKv, ActorLog } from './actor-data.js';

/** Per actor type settings (the README's `ActorInfrastructureConfig`). */
export interface ActorInfrastructureConfig {
  /** Handler timeout per attempt, ms. Default 30000. */
  timeout?: number;
  /** How long a completed invocation's result answers duplicates, seconds. Default 86400 (24 h). */
  idempotencyTtl?: number;
  retryPolicy?: RetryPolicy;
  /**
   * Default 'standard'. 'fifo' commits the turns of one actor id in arrival order, whatever the concurrency;
   * 'standard' lets them commit as they finish (with concurrency 1 that is arrival order too).
   */
  messageOrdering?: 'fifo' | 'standard';
  /** Invocations at once per actor id. Default 1. Above 1, each turn's state write is version-checked and a turn that loses re-runs on the new state. */
  concurrency?: number;
  /** Secret references by name (`vault://…`, `env://…`, `file:///…`), read in handlers as `this.secrets.<name>`. */
  secrets?: Record<string, string>;
}

/** The seed's fourth constructor argument: `new MyActor(context, state, tracer, { secrets })`. */
export interface ActorOptions {
  /** Secret references by name; see {@link ActorInfrastructureConfig.secrets}. */
  secrets?: Record<string, string>;
}

/** Options of a one-way `send`, passed as its last argument. */
export interface SendOptions {
  /** Deliver no earlier than this from now (ms or '5m'). */
  delay: Duration;
}

const CONTEXT = Symbol.for('loom.invocationContext');
const SECRETS = Symbol.for('loom.secrets');
const SECRET_REFS = Symbol.for('loom.secretRefs');

/**
 * Base class of every actor. Subclass it, add async handler methods, and
 * register the class with the runtime. Handlers run one at a time per actor id;
 * `this.state` is committed atomically with each invocation's result.
 *
 * @example
 * class Counter extends Actor<{ n: number }> {
 *   static initialState = { n: 0 };
 *   async add(by: number) { this.state.n += by; return this.state.n; }
 * }
 */
export abstract class Actor<S extends object = Record<string, unknown>> {
  // Optional statics a subclass may declare (read by the registry, see ActorClass):
  //   static actorType = 'name'        overrides the type name (default: the class name)
  //   static initialState = { ... }    state of an actor id that has committed none
  //   static config = { timeout, idempotencyTtl, retryPolicy }
  //   static defaultHandler = 'method' target of `send({ actorId, body })` (default 'handle', else the first method the class declares)
  //   static secrets = { apiKey: 'vault://my-vault/api-key' }   read as this.secrets.apiKey
  // They are not declared here so that subclasses need no `override` keyword.

  /** The actor's durable state: read and mutate it freely inside a handler. */
  state!: S;
  /** This actor's id. */
  actorId!: string;
  /** This actor's type name. */
  actorType!: string;
  /**
   * Set by `checkIdempotency` when it finds a stored result. Typed `any` so that
   * `return this.cachedResult` type-checks in a handler declared to return the
   * stored result's type, as the seed README writes it; it holds whatever JSON
   * was passed to `storeIdempotency`.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  cachedResult: any = undefined;

  /**
   * The runtime constructs actors itself. The seed's `new MyActor(context, state, tracer, { secrets })`
   * is accepted: the first three arguments are ignored, and the secret references of the fourth are
   * resolved by `await resolveActorSecrets(actor)` from `loom/secrets`.
   */
  constructor(...args: unknown[]) {
    const opts = args[3] as ActorOptions | undefined;
    if (opts && typeof opts === 'object' && opts.secrets) (this as unknown as Record<symbol, unknown>)[SECRET_REFS] = { ...opts.secrets };
  }

  /**
   * This actor's secret values by name, resolved from the references its type
   * declares (`static secrets`, register config or the config file) before
   * each attempt. Never stored: keep them out of state and results.
   */
  get secrets(): Readonly<Record<string, string>> {
    const bound = (this as unknown as Record<symbol, Readonly<Record<string, string>> | undefined>)[SECRETS];
    if (bound) return bound;
    const refs = (this as unknown as Record<symbol, Record<string, string> | undefined>)[SECRET_REFS];
    throw new RuntimeStateError(
      refs
        ? `the secrets of this ${this.constructor.name} (${Object.keys(refs).join(', ')}) are not resolved yet: await resolveActorSecrets(actor) from loom/secrets first, or run the actor through the runtime`
        : `${this.constructor.name} declares no secrets: set static secrets = { name: 'vault://…' } or the secrets of its actor config`,
    );
  }

  private get ctx(): InvocationContext {
    const ctx = (this as unknown as Record<symbol, InvocationContext | undefined>)[CONTEXT];
    if (!ctx) {
      throw new RuntimeStateError(
        `durable operations are only available inside a handler that the runtime is running; ` +
          `call the actor through runtime.call()/send() instead of invoking its method directly`,
      );
    }
    return ctx;
  }

  /** The id of the invocation being handled. */
  protected get invocationId(): string {
    return this.ctx.invocation.id;
  }

  /**
   * Runs a side effect at most once per successful journal write: the result is
   * recorded and replays return it. `fn` receives a stable key; pass it to the
   * external system as its idempotency key, because a crash after `fn` ran and
   * before the result was journaled re-runs `fn` with the same key.
   */
  protected step<T>(name: string, fn: (key: string) => T | Promise<T>, opts?: StepOptions): Promise<T> {
    return this.ctx.step(name, fn, opts);
  }

  /**
   * Durable sleep: resumes later, even after a restart. A short one (`parkSleepsUpToMs`) goes on in
   * place in this process; a longer one, or one whose run is lost, leaves memory and replays.
   */
  protected sleep(duration: Duration): Promise<void> {
    return this.ctx.sleep(duration);
  }

  /** Durable sleep until a point in time. */
  protected sleepUntil(date: Date | number): Promise<void> {
    return this.ctx.sleepUntil(date);
  }

  /** Calls another actor and awaits its result durably. */
  protected call<T = unknown>(actorType: string, actorId: string, method: string, ...args: unknown[]): Promise<T> {
    return this.ctx.call<T>(actorType, actorId, method, args);
  }

  /**
   * Sends a one-way message to another actor through the outbox: it is enqueued
   * only when this invocation's turn commits. A last argument of exactly
   * `{ delay }` is taken as {@link SendOptions}.
   */
  protected send(actorType: string, actorId: string, method: string, ...args: unknown[]): void {
    const last = args[args.length - 1];
    let delayMs: number | undefined;
    if (isSendOptions(last)) {
      args = args.slice(0, -1);
      delayMs = primitiveDuration(last.delay, 'send delay');
    }
    this.ctx.send(actorType, actorId, method, args, delayMs);
  }

  /** Awaits a durable promise resolved from outside with `runtime.resolvePromise(this.promiseId(name), value)`. */
  protected promise<T = unknown>(name: string): Promise<T> {
    return this.ctx.promise<T>(name);
  }

  /** The id that resolves `promise(name)` of this invocation. */
  protected promiseId(name: string): string {
    return this.ctx.promiseId(name);
  }

  /**
   * Per-key state, beside `this.state`: `await this.kv.get(key)` reads a key (once per
   * activation), `this.kv.set(key, value)` / `delete(key)` write it with the turn. A turn
   * writes only the keys it changed. See docs/state.md.
   */
  protected get kv(): ActorKv {
    return this.ctx.kv;
  }

  /**
   * An append-only log of this actor (a conversation, a history): `append(value)` adds an
   * entry with the turn, `last(n)` / `range(from, to)` read entries, `trimTo(n)` keeps the
   * newest n. A turn writes only what it appended. See docs/state.md.
   */
  protected log<T = unknown>(name: string): ActorLog<T> {
    return this.ctx.log<T>(name);
  }

  /** Journaled `Date.now()`. */
  protected now(): number {
    return this.ctx.now();
  }

  /** Journaled `Math.random()`. */
  protected random(): number {
    return this.ctx.random();
  }

  /** Journaled random UUID. */
  protected uuid(): string {
    return this.ctx.uuid();
  }

  /**
   * Branches between old and new code of a handler deterministically: true for an
   * invocation that reaches this point under this code (a marker is journaled, so its
   * replays answer true too), false for one whose journal was written here by code
   * without the patch. Synchronous; see docs/api.md "Changing handler code".
   */
  protected patched(name: string): boolean {
    return this.ctx.patched(name);
  }

  /**
   * The second stage of removing a patch: the code keeps only the new path, and a
   * marker recorded here is consumed (or journaled for new work, so that workers still
   * running the `patched(name)` code take the new path too). See docs/api.md.
   */
  protected deprecatePatch(name: string): void {
    this.ctx.patched(name, 'deprecatePatch(name)');
  }

  /**
   * True when `storeIdempotency(key, …)` was committed for this actor before (and
   * has not expired); the stored result is then in `this.cachedResult`.
   */
  async checkIdempotency(key: string): Promise<boolean> {
    const found = await this.ctx.checkIdempotency(key);
    this.cachedResult = this.ctx.cachedResult;
    return found;
  }

  /** Stores `result` under `key` for this actor, atomically with this invocation's commit. */
  async storeIdempotency(key: string, result: unknown): Promise<void> {
    this.ctx.storeIdempotency(key, result);
    return Promise.resolve();
  }
}

function isSendOptions(v: unknown): v is SendOptions {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === 'delay';
}

/** Binds an invocation context to a fresh actor instance (used by the engine). */
export function bindContext(actor: Actor<object>, ctx: InvocationContext): void {
  (actor as unknown as Record<symbol, InvocationContext>)[CONTEXT] = ctx;
}

/** The secret references given to the constructor (`{ secrets }`), if any. */
export function secretRefsOf(actor: Actor<object>): Record<string, string> | undefined {
  return (actor as unknown as Record<symbol, Record<string, string> | undefined>)[SECRET_REFS];
}

/**
 * Binds resolved secret values to an actor instance: `this.secrets.<name>`
 * reads them, and a name that was not declared fails with the declared names.
 */
export function bindSecrets(actor: Actor<object>, values: Readonly<Record<string, string>>): void {
  const owner = actor.constructor.name;
  // Printing or serializing the whole object shows names only; reading a name gives its value.
  const masked = () => Object.fromEntries(Object.keys(values).map((k) => [k, '[secret]']));
  const target = { ...values };
  Object.defineProperty(target, 'toJSON', { value: masked, enumerable: false });
  Object.defineProperty(target, Symbol.for('nodejs.util.inspect.custom'), { value: masked, enumerable: false });
  const view = new Proxy(Object.freeze(target), {
    get(target, key) {
      if (typeof key !== 'string' || key in target) return (target as Record<string | symbol, unknown>)[key];
      if (key === 'then') return undefined;
      throw new RuntimeStateError(`${owner} has no secret "${key}" (its secrets: ${Object.keys(target).join(', ') || 'none'})`);
    },
  });
  Object.defineProperty(actor, SECRETS, { value: view, enumerable: false, configurable: true });
}

/** Names that are part of the Actor API, never handlers. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'constructor', 'state', 'actorId', 'actorType', 'cachedResult', 'ctx', 'invocationId', 'step', 'sleep',
  'sleepUntil', 'call', 'send', 'promise', 'promiseId', 'now', 'random', 'uuid', 'checkIdempotency', 'storeIdempotency',
  'secrets', 'kv', 'log', 'patched', 'deprecatePatch',
]);
