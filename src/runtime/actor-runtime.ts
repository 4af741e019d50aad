import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Engine, type AttemptEvent } from '../core/engine.js';
import { fromBody, isBodyMessage, toEnvelope } from './message.js';
import { echo } from '../core/echo.js';
import { checkOptions, runtimeOptionsSchema } from '../core/options.js';
import { ConfigError, InvalidMessageError, RuntimeStateError, toErrorInfo } from '../core/errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, toJson, type Duration } from '../core/envelope.js';
import { consoleLogger, toRuntimeLogger, type Logger } from '../core/logger.js';
import { ActorRegistry, checkOrdering, type ActorClass, type RegisteredActor } from '../core/registry.js';
import { outcomeOf } from '../core/outcome.js';
import { runShared, sharedCall } from '../core/shared.js';
import { resolveRetryPolicy, type RetryPolicy } from '../core/retry.js';
import type { ActorInfrastructureConfig } from '../core/actor.js';
import type { Transport } from '../ports/transport.js';
import type { SecretSource } from '../ports/secrets.js';
import { SecretResolver } from '../secrets/resolver.js';
import { redactingLogger } from '../secrets/redaction.js';
import type { EngineObserver } from '../core/observer.js';
import type { TraceEvent, TraceQuery } from '../ports/trace.js';
import { Discovery, type CapabilityCall } from '../discovery/discovery.js';
import { Schedules } from '../triggers/schedule/schedules.js';
import { wasmActorClass, type RegisterWasmOptions, type WasmActorSource } from '../wasm/actor.js';
import { sandboxedJsClass, type SandboxedJsLimits } from '../wasm/sandboxed-js.js';
import { LoomClient } from '../admin/client.js';
import { checkListQuery } from '../admin/filter.js';
import { promiseOwner, type InvocationRecord, type StateRecord, type Store } from '../ports/store.js';
import { resolveAdapter, type StoreOption, type TransportOption } from '../seed/deferred.js';

/** Options of {@link ActorRuntime}; every field is optional. */
export interface ActorRuntimeOptions {
  /** Where everything durable lives. Default: SQLite at `./.loom/loom.db` (or `dbPath`). */
  store?: StoreOption;
  /** The README's name for the store (also takes the root `RedisStateAdapter`, whose driver loads on start). */
  stateAdapter?: StoreOption;
  /**
   * Carries work notices to the worker that owns a partition (BullMQ, Redis
   * Streams, RabbitMQ, Pub/Sub, LISTEN/NOTIFY). Optional: without one, workers
   * find work enqueued by others on their next poll.
   */
  transport?: TransportOption;
  /** The README's name for the transport (also takes the root `BullMQMessageAdapter`, whose driver loads on start). */
  messageAdapter?: TransportOption;
  /**
   * The README's idempotency store: sets how long results answer duplicate keys
   * (records live in the store, committed with each turn). `defaults.idempotencyTtl` wins.
   */
  idempotencyStore?: { idempotencyTtlSeconds: number };
  /** File of the default SQLite store. */
  dbPath?: string;
  /** Defaults for every actor type (a type's `static config` overrides them). */
  defaults?: ActorInfrastructureConfig;
  /** Settings of an actor type from elsewhere (the config file): over its `static config`, under `register(cls, config)`. */
  actorSettings?: (actorType: string) => ActorInfrastructureConfig | undefined;
  /** Number of partitions actor ids hash to. Default 64. Must match across workers of one store. */
  partitions?: number;
  /** This worker's name in leases. Default `host:pid:random`. */
  workerId?: string;
  /** Partition lease TTL, ms. Default 10000. */
  leaseTtlMs?: number;
  /** How often to look for work enqueued or woken by other processes, ms. Default 250. */
  pollIntervalMs?: number;
  /** Activations kept in memory at most. Default 10000. */
  maxActivations?: number;
  /** An idle activation is evicted after this, ms. Default 60000. */
  idleTimeoutMs?: number;
  /** Largest message or result, as JSON bytes. Default 1 MiB. */
  maxPayloadBytes?: number;
  /** Handlers running at once across all actors. Default 1000. */
  maxConcurrency?: number;
  /** How often expired results and idempotency records are swept, ms. Default 60000. */
  sweepIntervalMs?: number;
  /** How long dead letters are kept, ms. Default 7 days. */
  deadLetterTtlMs?: number;
  /**
   * Start a message without an idempotency key or delay, to an idle actor this worker
   * owns, while its enqueue travels to the store; both commit in one round trip.
   * Default true. `false`: every message is durable before its handler starts.
   */
  eagerStart?: boolean;
  /**
   * A durable sleep of up to this many ms keeps its handler run in this process and
   * carries on in place when it ends, instead of leaving memory and replaying the
   * journal: the sleep is durable all the same, and after a crash, a lost lease or an
   * eviction the invocation resumes from its journal as usual. Default 10000; 0: every
   * sleep leaves memory.
   */
  parkSleepsUpToMs?: number;
  logger?: Logger;
  /**
   * Resolves the secret references actor types declare (`static secrets`, register config).
   * Default: a `SecretResolver` with the env, file and Azure Key Vault providers.
   */
  secrets?: SecretSource;
  /** Observes every finished attempt. */
  onAttempt?: (event: AttemptEvent) => void;
  /** Lifecycle hooks for traces, metrics and OpenTelemetry (see `loom/observability`). */
  observer?: EngineObserver;
}

/** A request/response or one-way message to an actor. */
export interface CallMessage<A extends unknown[] = unknown[]> {
  actorType: string;
  actorId: string;
  method: string;
  args?: A;
  idempotencyKey?: string;
  trace?: unknown;
  headers?: Record<string, string>;
  /** Per-call retry policy, over the actor type's. */
  retryPolicy?: RetryPolicy;
  /** Per-call handler timeout, ms. */
  timeout?: number;
  /** Run no earlier than this from now. */
  delay?: Duration;
}

/** The README's message shape: the type comes from the id, the body goes to the default handler. */
export interface BodyMessage {
  actorId: string;
  body: unknown;
  actorType?: string;
  method?: string;
  idempotencyKey?: string;
  trace?: unknown;
  headers?: Record<string, string>;
  delay?: Duration;
}

/** What `send` resolves with once the message is durably accepted. */
export interface SendReceipt {
  invocationId: string;
  /** True when the idempotency key matched an earlier message (nothing new was enqueued). */
  duplicate: boolean;
}

/**
 * Runs actors durably. With no options it stores everything in an embedded
 * SQLite file (`./.loom/loom.db`) and needs no server.
 *
 * @example
 * const runtime = new ActorRuntime();
 * runtime.register(PaymentProcessor);
 * await runtime.start();
 * const receipt = await runtime.call({ actorType: 'PaymentProcessor', actorId: 'p-1', method: 'charge', args: [order], idempotencyKey: 'order-123' });
 */
export class ActorRuntime {
  private readonly registry: ActorRegistry;
  private engine: Engine | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private storeInstance: Store | undefined;
  /** The options this runtime was created with. */
  readonly options: ActorRuntimeOptions;
  private readonly log: Logger;
  private readonly observers: EngineObserver[] = [];
  private discoveryInstance: Discovery | undefined;
  private schedulesInstance: Schedules | undefined;

  constructor(options: ActorRuntimeOptions = {}) {
    checkOptions(runtimeOptionsSchema, options, { whole: 'ActorRuntime options', prefix: 'ActorRuntime option ' });
    if (options.store && options.stateAdapter && options.store !== options.stateAdapter) {
      throw new ConfigError('pass either store or stateAdapter (they are the same thing), not both');
    }
    if (options.transport && options.messageAdapter && options.transport !== options.messageAdapter) {
      throw new ConfigError('pass either transport or messageAdapter (they are the same thing), not both');
    }
    this.options = options;
    this.log = redactingLogger(toRuntimeLogger(options.logger ?? consoleLogger));
    const d = options.defaults ?? {};
    checkOrdering('ActorRuntime defaults', d);
    this.registry = new ActorRegistry({
      ordering: { messageOrdering: d.messageOrdering, concurrency: d.concurrency },
      timeoutMs: d.timeout ?? 30_000,
      idempotencyTtlMs: (d.idempotencyTtl ?? options.idempotencyStore?.idempotencyTtlSeconds ?? 86_400) * 1000,
      retryPolicy: resolveRetryPolicy(d.retryPolicy),
      secrets: options.secrets ?? new SecretResolver(),
      ...(options.actorSettings ? { settingsFor: options.actorSettings } : {}),
    });
  }

  /** Makes an actor class runnable here. Chainable. */
  register(cls: ActorClass, config?: ActorInfrastructureConfig): this {
    this.registry.register(cls, config);
    return this;
  }

  /** Runs a WebAssembly module (or a composition, one step per stage) as a durable actor type. Chainable. See docs/wasm.md. */
  registerWasm(type: string, source: WasmActorSource, options?: RegisterWasmOptions): this {
    return this.register(wasmActorClass(type, source, options), options?.config);
  }

  /** Runs untrusted JavaScript (top-level `function name(input, state)` handlers) in QuickJS as a durable actor type. Chainable. */
  registerSandboxedJs(type: string, source: string, limits?: SandboxedJsLimits): this {
    return this.register(sandboxedJsClass(type, source, limits));
  }

  /** The registered actor types with their handlers and resolved settings, for tools such as Studio. */
  get actorTypes(): readonly RegisteredActor[] {
    return this.registry.list();
  }

  /** The store in use (after `start()`). */
  get store(): Store {
    if (!this.storeInstance) throw new RuntimeStateError('the runtime has no store until start() is called');
    return this.storeInstance;
  }

  /** Opens the store, takes partition leases and resumes unfinished invocations. Called by the first call/send if needed. */
  start(): Promise<void> {
    this.starting ??= this.open();
    return this.starting;
  }

  private async open(): Promise<void> {
    const chosen = this.options.store ?? this.options.stateAdapter;
    const store = chosen ? await resolveAdapter(chosen) : await defaultStore(this.options.dbPath);
    const transport = this.options.transport ?? this.options.messageAdapter;
    const notices: Transport | undefined = transport ? await resolveAdapter(transport) : undefined;
    await store.init({ logger: this.log });
    this.storeInstance = store;
    const o = this.options;
    this.engine = new Engine({
      store,
      registry: this.registry,
      log: this.log,
      owner: o.workerId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      partitions: o.partitions ?? 64,
      leaseTtlMs: o.leaseTtlMs ?? 10_000,
      pollIntervalMs: o.pollIntervalMs ?? 250,
      maxActivations: o.maxActivations ?? 10_000,
      idleTimeoutMs: o.idleTimeoutMs ?? 60_000,
      maxPayloadBytes: o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      maxConcurrency: o.maxConcurrency ?? 1000,
      sweepIntervalMs: o.sweepIntervalMs ?? 60_000,
      deadLetterTtlMs: o.deadLetterTtlMs ?? 7 * 86_400_000,
      eagerStart: o.eagerStart ?? true,
      parkSleepsUpToMs: o.parkSleepsUpToMs ?? 10_000,
      ...(o.onAttempt ? { onAttempt: o.onAttempt } : {}),
      ...(o.observer ? { observer: o.observer } : {}),
      ...(notices ? { transport: notices } : {}),
    });
    for (const ob of this.observers) this.engine.addObserver(ob);
    await this.engine.start();
    if (store.schedules) this.schedules.start();
  }

  /**
   * Adds lifecycle hooks (what `loom/observability` uses); before or after
   * `start()`. Returns a function that removes them.
   */
  observe(observer: EngineObserver): () => void {
    if (this.engine) return this.engine.addObserver(observer);
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
      this.engine?.removeObserver(observer);
    };
  }

  /** Trace events kept by the store-backed sink, of one trace or one invocation, oldest first. */
  async traces(query: TraceQuery): Promise<TraceEvent[]> {
    await this.ready();
    if (!this.store.traces) throw new ConfigError(`the store in use (${this.store.constructor.name}) does not keep trace events`);
    return this.store.traces.readTraces(query);
  }

  private async ready(): Promise<Engine> {
    await this.start();
    return this.engine!;
  }

  /**
   * Invokes a handler and resolves with its result (or rejects with its final error).
   * With `capability` instead of `actorType`/`actorId`, calls an actor found through `discovery`.
   */
  call<T = unknown>(msg: CallMessage | CapabilityCall): Promise<T> {
    if ((msg as CapabilityCall | null)?.capability !== undefined) return this.discovery.call<T>(msg as CapabilityCall);
    // A running runtime needs no async frame of its own here: one per call adds up on the memory store.
    const engine = this.engine;
    if (!engine?.isRunning) return this.callWhenReady<T>(msg as CallMessage);
    if (this.registry.anyShared && this.registry.isShared(msg as CallMessage)) return this.callShared<T>(msg as CallMessage);
    try {
      return engine.call(...toEnvelope(msg as CallMessage)).then(outcomeOf<T>);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async callWhenReady<T>(msg: CallMessage): Promise<T> {
    const engine = await this.ready();
    if (this.registry.anyShared && this.registry.isShared(msg)) return this.callShared<T>(msg);
    return outcomeOf<T>(await engine.call(...toEnvelope(msg)));
  }

  /** A read-only shared handler: run at once on the last committed state (see `runShared`). */
  private async callShared<T>(msg: CallMessage): Promise<T> {
    const engine = await this.ready();
    return (await runShared(this.store, this.registry, sharedCall(msg), () => engine.now())) as T;
  }

  /**
   * One-way message: resolves once it is durably accepted. Takes either a full
   * message (`actorType`, `actorId`, `method`, `args`) or the README's
   * `{ actorId, body }`, which goes to the type named by the id's prefix
   * ('order-processor-1' → OrderProcessor) and its `static defaultHandler` (else `handle`, else its only
   * handler) with `body` as the argument.
   */
  async send(msg: CallMessage | BodyMessage): Promise<SendReceipt> {
    const engine = await this.ready();
    const full = isBodyMessage(msg) ? fromBody(msg, this.registry) : (msg as CallMessage);
    const { record, duplicate } = await engine.accept(...toEnvelope(full));
    return { invocationId: record.id, duplicate };
  }

  /** Waits for an invocation accepted with `send` and returns its result. */
  async result<T = unknown>(invocationId: string): Promise<T> {
    const engine = await this.ready();
    return outcomeOf<T>(await engine.awaitResult(invocationId));
  }

  /** Resolves a durable promise awaited with `this.promise(name)`; false if it was already resolved. */
  async resolvePromise(id: string, value?: unknown): Promise<boolean> {
    const engine = await this.ready();
    await this.checkPromiseId(id);
    return engine.resolvePromise(id, { valueJson: toJson(value === undefined ? null : value, `the value for promise ${id}`) });
  }

  /** Rejects a durable promise: the awaiting handler sees the error thrown. */
  async rejectPromise(id: string, reason: unknown): Promise<boolean> {
    const engine = await this.ready();
    await this.checkPromiseId(id);
    return engine.resolvePromise(id, { error: { ...toErrorInfo(reason), terminal: true } });
  }

  private async checkPromiseId(id: string): Promise<void> {
    const owner = typeof id === 'string' && id.startsWith('promise:') ? promiseOwner(id) : undefined;
    if (!owner) {
      throw new InvalidMessageError(`${echo(id)} is not a durable promise id; use the id a handler got from this.promiseId(name) (it looks like promise:<invocation>#<name>)`);
    }
    const rec = await this.store.getInvocation(owner);
    if (!rec) throw new InvalidMessageError(`promise ${echo(id)} belongs to invocation ${echo(owner)}, which the store does not know (mistyped, or finished and swept)`);
  }

  /** Inspect and re-drive messages that exhausted their retries. */
  readonly deadLetters = {
    list: async (query?: { limit?: number; actorType?: string }): Promise<InvocationRecord[]> => {
      const checked = checkListQuery(query, 'deadLetters.list');
      await this.ready();
      return this.store.listDeadLetters(checked);
    },
    /** Puts a dead letter back in its actor's mailbox with a fresh retry budget; its journal is kept. */
    redrive: async (invocationId: string): Promise<InvocationRecord> => {
      const engine = await this.ready();
      const rec = await engine.redrive(invocationId);
      if (!rec) throw new InvalidMessageError(`invocation ${echo(invocationId)} is not in the dead letters (unknown, already redriven, or never failed)`);
      return rec;
    },
  };

  private adminClient: LoomClient | undefined;
  /** Queries and operator actions on this runtime's store (see `LoomClient`); types not registered here read as `unknown-type`. */
  get admin(): LoomClient {
    this.adminClient ??= new LoomClient(
      // The store itself comes from `host.store()` once the runtime is ready (it may be a seed adapter built at start).
      { store: {} as Store, partitions: this.options.partitions ?? 64 },
      { ready: async () => void (await this.ready()), store: () => this.store, isKnownType: (t) => this.registry.has(t) },
    );
    return this.adminClient;
  }

  /** An invocation as stored, or undefined. */
  async getInvocation(id: string): Promise<InvocationRecord | undefined> {
    await this.ready();
    return this.store.getInvocation(id);
  }

  /** An actor's committed state, or undefined when it has none yet. */
  async getState<S = unknown>(actorType: string, actorId: string): Promise<S | undefined> {
    await this.ready();
    const st: StateRecord | undefined = await this.store.loadState(actorType, actorId);
    return st ? (JSON.parse(st.stateJson) as S) : undefined;
  }

  /** Resolves when no handler is running and nothing runnable is queued here. */
  async drain(): Promise<void> {
    await (await this.ready()).drain();
  }

  /** Service discovery on this runtime's store: `register`, `find`, `unregister` (see `loom/discovery`). */
  get discovery(): Discovery {
    return (this.discoveryInstance ??= new Discovery(this, this.log));
  }

  /** Durable schedules on this runtime's store: `put`, `pause`, `resume`, `delete`, `list` (see `loom/triggers`). */
  get schedules(): Schedules {
    return (this.schedulesInstance ??= new Schedules(this, this.log));
  }

  /** The actor type that a `{ actorId, body }` message to this id goes to. */
  typeOf(actorId: string): string {
    return this.registry.typeForActorId(actorId).name;
  }

  /** Partitions this worker holds. */
  get partitions(): number[] {
    return this.engine?.ownedPartitions ?? [];
  }

  /** Actors with an activation or queued work in memory. */
  get activeActors(): number {
    return this.engine?.activeActors ?? 0;
  }

  /** Stops taking work, lets running handlers finish (up to `graceMs`), releases leases and closes the store. */
  stop(graceMs?: number): Promise<void> {
    if (!this.starting) return Promise.resolve();
    this.stopping ??= this.shutdown(this.starting, graceMs);
    return this.stopping;
  }

  private async shutdown(starting: Promise<void>, graceMs?: number): Promise<void> {
    await starting.catch(() => {});
    this.schedulesInstance?.stop();
    await this.discoveryInstance?.close();
    await this.engine?.stop(graceMs);
    await this.storeInstance?.close();
  }

  /** Same as {@link stop}. */
  close(): Promise<void> {
    return this.stop();
  }
}

async function defaultStore(path: string | undefined): Promise<Store> {
  const { SqliteStore } = await import('../adapters/sqlite/store.js');
  return new SqliteStore(path ? { path } : {});
}
