/**
 * `loom/observability`: reference-based trace events, Prometheus metrics,
 * OpenTelemetry spans and the health server.
 */
export { observe, observabilityOf } from './observe.js';
export { Observability, type ObservabilityOptions } from './observability.js';
export { createHealthServer, type HealthServer, type HealthServerOptions } from './health-server.js';
export type { HealthReport } from './health.js';
export { LoomMetrics } from './metrics.js';
export { OtelSpans } from './otel.js';
export { StoreTraceSink, type StoreTraceSinkOptions } from './sinks/store-sink.js';
export { JsonLinesSink } from './sinks/json-lines.js';
export type { TraceBufferOptions } from './trace-buffer.js';
export { PortInUseError } from './errors.js';
export { formatTraceparent, parseTraceparent, traceContextOf, type TraceContext, type EnvelopeTrace } from './trace-context.js';
export type { TraceEvent, TraceEventType, TraceRefs, TraceSink, TraceQuery, TraceStore, TraceBounds } from '../ports/trace.js';
export type { EngineObserver, EngineView, LeaseLossReason, WatchedStoreOp } from '../core/observer.js';
