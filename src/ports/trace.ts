/**
 * The TraceSink port: where reference-based trace events go. An event names
 * what happened and points at the records that hold the data (message,
 * invocation, journal position, idempotency record, state version, lease); it
 * never carries arguments, results or state.
 */

/** Every kind of trace event Loom emits. Names are stable: tools filter on them. */
export type TraceEventType =
  | 'actor:message_accepted'
  | 'actor:message_deduplicated'
  | 'actor:invocation_started'
  | 'actor:invocation_resumed'
  | 'actor:step_journaled'
  | 'actor:invocation_suspended'
  | 'actor:invocation_retried'
  | 'actor:invocation_failed'
  | 'actor:invocation_dead_lettered'
  | 'actor:invocation_completed'
  | 'lease:acquired'
  | 'lease:lost'
  | 'lease:stale_write_rejected';

/** References to the durable records an event is about; resolve them against the store. */
export interface TraceRefs {
  /** The message (an invocation is the stored form of a message). `queue_name` is the actor type. */
  message?: { message_id: string; queue_name: string; actor_id: string; method: string };
  /** The invocation and the attempt number (failed attempts before this one). */
  invocation?: { id: string; attempt: number };
  /** A journal entry of the invocation, by position (`loadJournal(id)[i].seq`). */
  journal?: { position: number; kind: string; name: string };
  /** The idempotency key; for a duplicate, `original_execution` is the invocation that ran it. */
  idempotency?: { key: string; original_execution?: string };
  /** The actor state version this event produced or read. */
  state?: { actor_type: string; actor_id: string; version: number };
  /** The partition lease involved. */
  lease?: { partition: number; epoch: number };
}

/**
 * One trace event, in the shape of the seed README. `trace_id` and `span_id`
 * are W3C ids (32 and 16 hex digits) so events join OpenTelemetry traces.
 */
export interface TraceEvent {
  trace_id: string;
  span_id?: string;
  event_type: TraceEventType;
  /** ISO 8601 time the event happened, on the worker's clock corrected to the store's. */
  at: string;
  refs: TraceRefs;
  /** The worker that emitted it. */
  worker?: string;
  /** The error's stable code, for failed, retried and dead-lettered events (never its message). */
  error_code?: string;
}

/**
 * Receives trace events in batches. A sink must not throw synchronously for
 * long: the emitter drops events (with a counter) when a sink fails or falls
 * behind, and never makes an invocation wait for one.
 */
export interface TraceSink {
  /** Writes a batch; a rejection drops that batch (counted, logged once). */
  write(events: readonly TraceEvent[]): void | Promise<void>;
  /**
   * Optional: takes a batch already in the stores' compact form instead of
   * events (the store-backed sink does), so no event object is made for it.
   */
  writeEncoded?(batch: EncodedTraceBatch): void | Promise<void>;
  /** Releases what the sink holds. */
  close?(): Promise<void>;
}

/** What `runtime.traces(...)` and the store-backed sink read by. Exactly one of the ids. */
export interface TraceQuery {
  traceId?: string;
  invocationId?: string;
  /** At most this many events, oldest first. Default 1000. */
  limit?: number;
}

/**
 * The store capability that keeps trace events beside the data they refer to,
 * bounded by a TTL and a cap on the number of events kept.
 */
export interface TraceStore {
  /** Appends events; each expires `ttlMs` after it is written, and beyond `maxEvents` the oldest go first. */
  appendTraces(events: readonly TraceEvent[], bounds: TraceBounds): Promise<void>;
  /** Optional: appends a batch already encoded (what `appendTraces` makes of events first). */
  appendEncoded?(batch: EncodedTraceBatch, bounds: TraceBounds): Promise<void>;
  /** Events of one trace or one invocation, oldest first. */
  readTraces(query: TraceQuery): Promise<TraceEvent[]>;
}

/**
 * Events of one trace and one invocation, encoded as one stored value:
 * [trace id, invocation id or '', event count, encoded group].
 */
export type EncodedTraceGroup = [traceId: string, invocationId: string, count: number, encoded: string];

/**
 * A batch of trace events in the stores' stored form, made once at a flush
 * for every store-backed sink.
 */
export interface EncodedTraceBatch {
  /** The events in it. */
  readonly count: number;
  /**
   * The groups packed as UTF-8: per group a newline, its trace id, a newline,
   * its invocation id as a JSON string ('""' for none), a newline and its
   * encoded group. No part holds a raw newline, so `\n<id>\n` finds an id.
   */
  readonly packed: Uint8Array;
  /** The number of groups. */
  readonly size: number;
  /** Group g's trace id (a root's is made from its invocation id when asked for). */
  traceId(g: number): string;
  /** Group g's invocation id ('' for none). */
  invocationId(g: number): string;
  /**
   * Group g's trace id as recorded: '' for a root, whose trace id is made from
   * its invocation id (rootTraceId), so a store's index of invocation ids finds
   * it by trace id too. Reading it makes no string.
   */
  recordedTrace(g: number): string;
  /** The groups one by one, for stores that keep a row per group (made on first call). */
  groups(): EncodedTraceGroup[];
}

/** How long and how many trace events a store keeps. */
export interface TraceBounds {
  ttlMs: number;
  maxEvents: number;
}
