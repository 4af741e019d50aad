/**
 * Loom: durable, exactly-once actors. The public API, as an explicit list.
 * Adapters live under their own subpaths: `loom/sqlite`, `loom/memory`, `loom/redis`,
 * `loom/postgres`, `loom/bullmq`, `loom/rabbitmq`, and the contract suites in `loom/testing`.
 */
export { Actor, type ActorInfrastructureConfig, type ActorOptions, type SendOptions } from './core/actor.js';
export type { ActorKv, ActorLog } from './core/actor-data.js';
export type { LogBounds } from './ports/actor-data.js';
export { ActorRuntime, type ActorRuntimeOptions, type CallMessage, type BodyMessage, type SendReceipt } from './runtime/actor-runtime.js';
export { RedisStateAdapter, BullMQMessageAdapter, RedisIdempotencyStore } from './seed/redis.js';
export type { Deferred, StoreOption, TransportOption } from './seed/deferred.js';
export type { StepOptions } from './core/context.js';
export type { AttemptEvent } from './core/engine.js';
export type { Envelope, Duration } from './core/envelope.js';
export type { RetryPolicy } from './core/retry.js';
export { DEFAULT_RETRY_POLICY } from './core/retry.js';
export type { Logger } from './core/logger.js';
export type { ActorClass } from './core/registry.js';
export {
  LoomError,
  ConfigError,
  UnknownActorError,
  UnknownMethodError,
  SerializationError,
  PayloadTooLargeError,
  InvalidMessageError,
  InvalidStateError,
  NoActorDataError,
  NonDeterminismError,
  TerminalError,
  RetryableError,
  TimeoutError,
  FencedError,
  StepFailedError,
  InvocationFailedError,
  RuntimeStateError,
  StoreError,
  OutcomeUnknownError,
  CallCycleError,
  NotBuiltError,
  type ErrorInfo,
} from './core/errors.js';
export type {
  Store,
  StoreCapabilities,
  NewInvocation,
  InvocationRecord,
  InvocationStatus,
  InvocationMeta,
  JournalEntry,
  TurnWrite,
  Transition,
  CommitResult,
  CommitOutcome,
  EnqueueResult,
  WriteResult,
  ItemFailure,
  ImmediateWrites,
  StateRecord,
  PromiseResolution,
} from './ports/store.js';
export type { Lease, LeaseManager, LeaseInfo } from './ports/lease.js';
export type { TraceEvent, TraceEventType, TraceRefs, TraceSink, TraceQuery, TraceStore, TraceBounds } from './ports/trace.js';
export type { EngineObserver, EngineView, LeaseLossReason, WatchedStoreOp } from './core/observer.js';
export type { Transport, TransportCapabilities, WorkNotice, Delivery } from './ports/transport.js';
export { LoomClient, type LoomClientOptions } from './admin/client.js';
export type { AdminApi, AdminFilter, AdminQuery, InvocationView, InvocationDetail, WaitingReason, BulkResult } from './admin/types.js';
