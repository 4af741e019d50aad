import type { Tracer } from '@opentelemetry/api';
import type { AttemptEvent } from '../core/attempt.js';
import type { Envelope } from '../core/envelope.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import type { EngineObserver, EngineView, LeaseLossReason, WatchedStoreOp } from '../core/observer.js';
import type { InvocationRecord, JournalEntry } from '../ports/store.js';
import type { TraceSink } from '../ports/trace.js';
import { LoomMetrics } from './metrics.js';
import { OtelSpans } from './otel.js';
import { Scopes, scopeTraceId } from './scope.js';
import { TraceBuffer, type TraceBufferOptions } from './trace-buffer.js';
import { checkSampleRatio, newSpanId } from './trace-context.js';
import { TraceRecorder } from './trace-recorder.js';

/** What to observe. Everything is off unless asked for. */
export interface ObservabilityOptions {
  /** Prometheus metrics in their own registry (`observability.metrics`). Default false. */
  metrics?: boolean;
  /** Where reference-based trace events go (e.g. `new StoreTraceSink(store)`, `new JsonLinesSink(stream)`). */
  traceSinks?: TraceSink[];
  /** Buffer limits between the engine and the trace sinks. */
  traceBuffer?: TraceBufferOptions;
  /** An OpenTelemetry tracer (from your TracerProvider): spans per send, attempt and step. */
  tracer?: Tracer;
  /**
   * Head-based sampling: the share of traces recorded, 0..1 (default 1, every trace). Decided once at a
   * trace's root from its trace id and carried in the `traceparent` flags, so sends, calls and other
   * processes follow it; an unsampled invocation makes no trace event. Metrics count everything. With a
   * `tracer`, the tracer's sampler decides at the root instead, and trace events follow its flags.
   */
  traceSampleRatio?: number;
  logger?: Logger;
}

/**
 * The observability of one runtime: metrics, trace events and OpenTelemetry
 * spans, fed by the engine's lifecycle hooks. Give it to a runtime with
 * `runtime.observe(obs)` (or use {@link observe}). Parts that are off cost the
 * engine nothing: their hooks are not defined.
 */
export class Observability {
  readonly metrics: LoomMetrics | undefined;
  private readonly otel: OtelSpans | undefined;
  private readonly traces: TraceRecorder | undefined;
  private readonly buffer: TraceBuffer | undefined;
  private readonly scopes: Scopes;
  private view: EngineView | undefined;
  /** The hooks to hand the engine: only those some part needs. */
  readonly observer: EngineObserver;

  /** `onAttach`: called when the engine starts, before anything is observed. */
  constructor(
    options: ObservabilityOptions = {},
    private readonly onAttach?: () => void,
  ) {
    const log = options.logger ?? consoleLogger;
    this.scopes = new Scopes(checkSampleRatio(options.traceSampleRatio));
    if (options.metrics) this.metrics = new LoomMetrics();
    if (options.tracer) this.otel = new OtelSpans(options.tracer);
    if (options.traceSinks?.length) {
      const m = this.metrics;
      this.buffer = new TraceBuffer(options.traceSinks, log, (sink, n) => m?.traceDropped.inc({ sink }, n), options.traceBuffer);
      this.traces = new TraceRecorder(this.buffer, this.scopes);
    }
    this.observer = this.hooks();
  }

  /** The engine this observes, once attached. */
  get engine(): EngineView | undefined {
    return this.view;
  }

  /** Writes buffered trace events to the sinks and waits for them, giving up on a sink after `timeoutMs` (default 30 s). */
  flush(timeoutMs = 30_000): Promise<void> {
    return this.buffer?.flush(timeoutMs) ?? Promise.resolve();
  }

  /** Flushes and closes the trace sinks. */
  async close(): Promise<void> {
    await this.buffer?.close();
  }

  private hooks(): EngineObserver {
    const { metrics: m, otel, traces: t, scopes } = this;
    const tracing = otel !== undefined || t !== undefined;
    const o: EngineObserver = {
      attach: (view: EngineView) => {
        this.onAttach?.();
        this.view = view;
        m?.attach(view);
        t?.attach(view);
      },
    };
    if (tracing) {
      o.outgoing = (env: Envelope, parent: InvocationRecord | undefined) => {
        if (env.trace !== undefined) return;
        if (otel) {
          env.trace = otel.send(env, parent);
          return;
        }
        const scope = parent ? scopes.get(parent.id) : undefined;
        // A root carries nothing: its trace id is made from its invocation id wherever it is needed
        // (scope.ts), and so is its sampling decision. Nothing is made, stored or parsed per root message.
        if (!scope) return;
        // The bare traceparent string: the smallest form to check, store and read back. The flags carry the
        // root's sampling decision to every descendant.
        env.trace = '00-' + scopeTraceId(scope, parent!.id) + '-' + newSpanId() + (scope.sampled ? '-01' : '-00');
      };
      o.attemptStarted = (rec: InvocationRecord, epoch: number, resumed: boolean) => {
        const spanId = otel?.attemptStarted(rec, epoch, resumed);
        const scope = scopes.open(rec, epoch, spanId);
        t?.attemptStarted(rec, epoch, resumed, scope);
      };
    }
    if (m || t) o.accepted = (rec: InvocationRecord, duplicate: boolean, trace?: unknown) => {
      m?.accepted(rec, duplicate);
      t?.accepted(rec, duplicate, trace);
    };
    o.stepStarted = (rec: InvocationRecord, position: number, name: string) => {
      // One closure per step for every part: a step's end is called for every step.
      const t0 = m ? performance.now() : 0;
      const span = otel?.stepStarted(rec, position, name);
      const scope = t ? scopes.get(rec.id) : undefined;
      const traced = scope?.sampled === true;
      if (!m && !span && !traced) return undefined;
      return (entry: JournalEntry | undefined, err?: unknown) => {
        m?.stepEnded(rec, t0, entry !== undefined);
        span?.(entry, err);
        if (traced && entry) t!.stepJournaled(rec, position, name, entry, scope!);
      };
    };
    o.attemptEnded = (event: AttemptEvent, rec: InvocationRecord, stateVersion: number | undefined) => {
      m?.attemptEnded(event, rec);
      if (!tracing) return;
      const scope = scopes.close(rec.id);
      otel?.attemptEnded(event, rec);
      t?.attemptEnded(event, rec, stateVersion, scope);
    };
    if (m || t) {
      o.leaseAcquired = (p: number, epoch: number) => {
        m?.leaseAcquired();
        t?.leaseAcquired(p, epoch);
      };
      o.leaseLost = (p: number, epoch: number | undefined, reason: LeaseLossReason) => {
        m?.leaseLost(p, epoch, reason);
        t?.leaseLost(p, epoch, reason);
      };
      o.staleWrite = (p: number, epoch: number | undefined, id: string) => {
        m?.staleWrite();
        t?.staleWrite(p, epoch, id);
      };
    }
    if (this.buffer) o.stopped = () => this.buffer!.flush();
    if (m) {
      o.committed = (items: number, ms: number) => m.committed(items, ms);
      o.storeCall = (op: WatchedStoreOp, ok: boolean, timedOut: boolean) => m.storeCall(op, ok, timedOut);
    }
    if (!m && !tracing) delete o.stepStarted;
    if (!m && !tracing) delete o.attemptEnded;
    return o;
  }
}
