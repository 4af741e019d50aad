import { Actor, RESERVED_NAMES, type ActorInfrastructureConfig } from './actor.js';
import { ConfigError, UnknownActorError, UnknownMethodError } from './errors.js';
import { capText, echo } from './echo.js';
import { toJson } from './envelope.js';
import { MAX_ACTOR_CONCURRENCY, actorConfigSchema, checkOptions } from './options.js';
import type { MailboxPolicy } from './mailbox.js';
import { resolveRetryPolicy, type ResolvedRetryPolicy } from './retry.js';
import type { SecretSource } from '../ports/secrets.js';

/** A class that extends {@link Actor}, with the optional statics Loom reads. */
export type ActorClass = (abstract new (...args: never[]) => Actor<object>) & {
  /** Overrides the actor type name (defaults to the class name). */
  actorType?: string;
  /** State of an actor id that has never committed any. */
  initialState?: object;
  /** Timeouts, idempotency TTL and retry policy for this actor type. */
  config?: ActorInfrastructureConfig;
  /** Method run by `runtime.send({ actorId, body })` messages that name no method. Default `'handle'`, else the first method the class declares. */
  defaultHandler?: string;
  /** Read-only handlers that `runtime.call` runs at once, even while the actor is busy or suspended, on its last committed state. */
  shared?: readonly string[];
  /** Secret references by name, read in handlers as `this.secrets.<name>`. */
  secrets?: Record<string, string>;
};

/** An actor type as the runtime knows it, with its settings resolved. */
export interface RegisteredActor {
  name: string;
  cls: ActorClass;
  handlers: ReadonlySet<string>;
  initialStateJson: string;
  timeoutMs: number;
  idempotencyTtlMs: number;
  retryPolicy: ResolvedRetryPolicy;
  defaultHandler: string;
  /** Set when `concurrency` is above 1. */
  policy?: MailboxPolicy;
  /** `static shared`: read-only handlers, run outside the mailbox. */
  shared?: ReadonlySet<string>;
  /** The type's secret references and where their values come from, when it declares any. */
  secrets?: { refs: Readonly<Record<string, string>>; source: SecretSource };
}

export interface RegistryDefaults {
  /** `messageOrdering` and `concurrency` of `ActorRuntime({ defaults })`. */
  ordering?: Pick<ActorInfrastructureConfig, 'messageOrdering' | 'concurrency'>;
  timeoutMs: number;
  idempotencyTtlMs: number;
  retryPolicy: ResolvedRetryPolicy;
  /** Resolves secret references of the types that declare some. */
  secrets?: SecretSource;
  /** Settings of a type from outside the code (the config file), between `static config` and `register` overrides. */
  settingsFor?: (actorType: string) => ActorInfrastructureConfig | undefined;
}

/** The actor types a runtime can run. */
export class ActorRegistry {
  private readonly types = new Map<string, RegisteredActor>();
  /** Whether any registered type has shared handlers (calls look them up only then). */
  anyShared = false;
  /** Whether any registered type orders several invocations at once by arrival ('fifo', concurrency above 1). */
  anyFifo = false;

  constructor(private readonly defaults: RegistryDefaults) {}

  register(cls: ActorClass, overrides?: ActorInfrastructureConfig): RegisteredActor {
    if (typeof cls !== 'function' || !(cls.prototype instanceof Actor)) {
      throw new ConfigError(`runtime.register() takes a class that extends Actor; got ${describe(cls)}`);
    }
    const name: unknown = cls.actorType ?? cls.name;
    if (typeof name !== 'string' || !name || name.length > 512) {
      throw new ConfigError(`an actor class needs a name of 1 to 512 characters: give it one, or set static actorType (got ${echo(name)})`);
    }
    const existing = this.types.get(name);
    if (existing && existing.cls !== cls) {
      throw new ConfigError(`actor type ${echo(name)} is already registered by another class; set static actorType to tell them apart`);
    }
    const fromConfig = this.defaults.settingsFor?.(name);
    checkOptions(actorConfigSchema, cls.config, { whole: `${name}.config`, prefix: `${name}.config.` });
    checkOptions(actorConfigSchema, fromConfig, { whole: `the settings of ${name} from the configuration`, prefix: `actors.${name}.` });
    checkOptions(actorConfigSchema, overrides, { whole: `the config given to register(${name})`, prefix: `${name}.config.` });
    const config = { ...this.defaults.ordering, ...cls.config, ...fromConfig, ...overrides };
    const policy = checkOrdering(name, config);
    const handlers = handlerNames(cls);
    // Body messages go to `static defaultHandler`, else `handle`, else the first method the class declares (not a shared one).
    const shared = sharedNames(name, cls, handlers);
    const first = [...handlers].find((h) => !shared?.has(h));
    const defaultHandler = cls.defaultHandler ?? (handlers.has('handle') ? 'handle' : (first ?? 'handle'));
    if (cls.defaultHandler && !handlers.has(cls.defaultHandler)) {
      throw new ConfigError(`${name}.defaultHandler names ${echo(cls.defaultHandler)}, which is not a method of ${name}`);
    }
    const initialStateJson = initialJson(name, cls.initialState);
    const entry: RegisteredActor = {
      name,
      cls,
      handlers,
      initialStateJson,
      timeoutMs: positive(config.timeout, this.defaults.timeoutMs, `${name}.config.timeout`),
      idempotencyTtlMs:
        config.idempotencyTtl === undefined
          ? this.defaults.idempotencyTtlMs
          : positive(config.idempotencyTtl, 0, `${name}.config.idempotencyTtl`) * 1000,
      retryPolicy: resolveRetryPolicy(this.defaults.retryPolicy, cls.config?.retryPolicy, fromConfig?.retryPolicy, overrides?.retryPolicy),
      defaultHandler,
    };
    if (policy) entry.policy = policy;
    if (policy?.fifo) this.anyFifo = true;
    if (shared) {
      entry.shared = shared;
      this.anyShared = true;
    }
    const refs = { ...cls.secrets, ...cls.config?.secrets, ...fromConfig?.secrets, ...overrides?.secrets };
    if (Object.keys(refs).length > 0) {
      if (!this.defaults.secrets) throw new ConfigError(`${name} declares secrets, but this runtime has no secret source`);
      this.defaults.secrets.check(refs, `${name}.secrets`);
      entry.secrets = { refs: Object.freeze(refs), source: this.defaults.secrets };
    }
    this.types.set(name, entry);
    return entry;
  }

  /** The registered type, or an error that lists the known types. */
  get(actorType: string): RegisteredActor {
    const entry = this.types.get(actorType);
    if (!entry) {
      const known = [...this.types.keys()];
      throw new UnknownActorError(
        `no actor type ${echo(actorType)} is registered on this runtime` +
          (known.length ? ` (registered: ${known.join(', ')})` : ' (none are registered)') +
          `; call runtime.register(${capText(String(actorType), 100)}) before start()`,
      );
    }
    return entry;
  }

  /** Whether a message names a shared (read-only) handler of a registered type. */
  isShared(msg: { actorType: string; method: string }): boolean {
    return this.types.get(msg.actorType)?.shared?.has(msg.method) === true;
  }

  has(actorType: string): boolean {
    return this.types.has(actorType);
  }

  /** Checks that `method` is a handler of the type. */
  method(entry: RegisteredActor, method: string): void {
    if (!entry.handlers.has(method)) {
      throw new UnknownMethodError(
        `actor type "${entry.name}" has no handler ${echo(method)}` +
          (entry.handlers.size ? ` (handlers: ${[...entry.handlers].join(', ')})` : ' (it defines no handler methods)'),
      );
    }
  }

  /**
   * The type for a seed-style message that gives only an actorId: the type whose
   * kebab-case name prefixes the id ('order-processor-123' → OrderProcessor),
   * else the only registered type.
   */
  typeForActorId(actorId: string): RegisteredActor {
    let best: RegisteredActor | undefined;
    for (const entry of this.types.values()) {
      const prefix = kebab(entry.name);
      if (actorId === prefix || actorId.startsWith(`${prefix}-`) || actorId.startsWith(`${prefix}:`)) {
        if (!best || prefix.length > kebab(best.name).length) best = entry;
      }
    }
    if (best) return best;
    if (this.types.size === 1) return this.types.values().next().value as RegisteredActor;
    throw new UnknownActorError(
      `message for actorId ${echo(actorId)} names no actorType, and no registered type matches its prefix ` +
        `(registered: ${[...this.types.keys()].map((n) => `${n} → "${kebab(n)}-…"`).join(', ') || 'none'}); ` +
        `pass actorType, or name the actor id after its type`,
    );
  }

  list(): RegisteredActor[] {
    return [...this.types.values()];
  }
}

function handlerNames(cls: ActorClass): Set<string> {
  const names = new Set<string>();
  for (let proto = cls.prototype as object; proto && proto !== Actor.prototype; proto = Object.getPrototypeOf(proto) as object) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      if (RESERVED_NAMES.has(key) || key.startsWith('_')) continue;
      const desc = Object.getOwnPropertyDescriptor(proto, key);
      if (desc && typeof desc.value === 'function') names.add(key);
    }
  }
  return names;
}

function sharedNames(name: string, cls: ActorClass, handlers: ReadonlySet<string>): ReadonlySet<string> | undefined {
  const list: unknown = cls.shared;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every((m) => typeof m === 'string')) {
    throw new ConfigError(`${name}.shared must be an array of handler names, such as ['getBalance']; got ${echo(list)}`);
  }
  for (const m of list as string[]) {
    if (!handlers.has(m)) throw new ConfigError(`${name}.shared names ${echo(m)}, which is not a handler of ${name} (handlers: ${[...handlers].join(', ')})`);
  }
  return list.length ? new Set(list as string[]) : undefined;
}

const MAX_CONCURRENCY = MAX_ACTOR_CONCURRENCY;

/**
 * Checks `messageOrdering` and `concurrency`, and returns the mailbox policy they
 * make: undefined for one invocation at a time (the default, where both orderings
 * are the arrival order).
 */
export function checkOrdering(name: string, config: ActorInfrastructureConfig): MailboxPolicy | undefined {
  const { messageOrdering, concurrency } = config;
  if (messageOrdering !== undefined && messageOrdering !== 'fifo' && messageOrdering !== 'standard') {
    throw new ConfigError(`${name}.config.messageOrdering must be 'fifo' or 'standard', got ${echo(messageOrdering)}`);
  }
  if (concurrency === undefined || concurrency === 1) return undefined;
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new ConfigError(`${name}.config.concurrency must be an integer from 1 to ${MAX_CONCURRENCY}, got ${echo(concurrency)}`);
  }
  return { slots: concurrency, fifo: messageOrdering === 'fifo' };
}

/** The JSON of `static initialState`: a plain object or array (the state every handler of the type starts from). */
function initialJson(name: string, initial: unknown): string {
  if (initial === undefined) return '{}';
  if (typeof initial !== 'object' || initial === null) throw new ConfigError(`${name}.initialState must be a plain object, got ${echo(initial)}`);
  try {
    return toJson(initial, `${name}.initialState`, 'initialState');
  } catch (cause) {
    throw new ConfigError((cause as Error).message, { cause });
  }
}

function positive(v: number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ConfigError(`${what} must be a number >= 0, got ${echo(v)}`);
  return v;
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'} that does not extend Actor`;
  return v === null ? 'null' : typeof v;
}
