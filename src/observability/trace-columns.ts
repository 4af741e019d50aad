import type { InvocationRecord } from '../ports/store.js';
import type { EncodedTraceBatch, TraceEvent, TraceEventType, TraceRefs } from '../ports/trace.js';
import { encodeColumns } from './trace-encode.js';
import { rootTraceId } from './scope.js';

/** Event types by code: the buffer and the compact stored form keep the code, not the name. */
export const EVENT_TYPES: readonly TraceEventType[] = [
  'actor:message_accepted',
  'actor:message_deduplicated',
  'actor:invocation_started',
  'actor:invocation_resumed',
  'actor:step_journaled',
  'actor:invocation_suspended',
  'actor:invocation_retried',
  'actor:invocation_failed',
  'actor:invocation_dead_lettered',
  'actor:invocation_completed',
  'lease:acquired',
  'lease:lost',
  'lease:stale_write_rejected',
];
/** Event type codes: indexes into EVENT_TYPES. */
export const K = {
  Accepted: 0,
  Deduplicated: 1,
  Started: 2,
  Resumed: 3,
  Step: 4,
  Suspended: 5,
  Retried: 6,
  Failed: 7,
  Dead: 8,
  Completed: 9,
  LeaseAcquired: 10,
  LeaseLost: 11,
  StaleWrite: 12,
} as const;

/** What an event says of its invocation, shared by every event of the invocation. */
export interface InvocationFields {
  id: string;
  actorType: string;
  actorId: string;
  method: string;
  idempotencyKey?: string | undefined;
  partition: number;
}

/**
 * Trace events as they wait for a flush: one array per field ("columns"), so
 * that recording an event on the hot path only appends numbers and references
 * it already holds. No object, time string or JSON is made per event; events
 * (for sinks that want them) and the stored form are made at the flush.
 *
 * Per kind, the numbers a, b, c, d and the strings s, t hold:
 * - accepted, deduplicated: a attempt
 * - started, resumed: a attempt, c epoch
 * - step: a attempt, b journal position, s kind, t name
 * - suspended … completed: a attempt, c epoch, d state version (-1: none), s error code
 * - lease acquired, lost: b partition, c epoch, s error code
 * - stale write: a attempt, b partition, c epoch, t invocation id
 */
export class TraceColumns {
  length = 0;
  readonly kind: number[] = [];
  readonly at: number[] = [];
  /** '' for a root's events: its trace id is made from its invocation id at the flush (rootTraceId). */
  readonly trace: string[] = [];
  readonly span: (string | undefined)[] = [];
  // The invocation's fields, copied: holding the record itself would keep its payload alive until the flush.
  readonly id: (string | undefined)[] = [];
  readonly actorType: (string | undefined)[] = [];
  readonly actorId: (string | undefined)[] = [];
  readonly method: (string | undefined)[] = [];
  readonly idempotencyKey: (string | undefined)[] = [];
  readonly partition: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly c: number[] = [];
  readonly d: number[] = [];
  readonly s: (string | undefined)[] = [];
  readonly t: (string | undefined)[] = [];
  private madeEvents: TraceEvent[] | undefined;
  private made: EncodedTraceBatch | undefined;

  constructor(public worker: string | undefined) {}

  add(kind: number, at: number, trace: string, span: string | undefined, rec: InvocationRecord | undefined, a: number, b: number, c: number, d: number, s: string | undefined, t: string | undefined): void {
    // Written by index, not pushed: a reused batch (see reset) overwrites its slots without growing.
    const n = this.length++;
    if (n === 0) {
      this.madeEvents = undefined;
      this.made = undefined;
    }
    this.kind[n] = kind;
    this.at[n] = at;
    this.trace[n] = trace;
    this.span[n] = span;
    if (rec) {
      this.id[n] = rec.id;
      this.actorType[n] = rec.actorType;
      this.actorId[n] = rec.actorId;
      this.method[n] = rec.method;
      this.idempotencyKey[n] = rec.idempotencyKey;
      this.partition[n] = rec.partition;
    } else {
      this.id[n] = undefined;
      this.actorType[n] = undefined;
      this.actorId[n] = undefined;
      this.method[n] = undefined;
      this.idempotencyKey[n] = undefined;
      this.partition[n] = 0;
    }
    this.a[n] = a;
    this.b[n] = b;
    this.c[n] = c;
    this.d[n] = d;
    this.s[n] = s;
    this.t[n] = t;
  }

  /** Sinks still to write this batch; at 0 the buffer reuses its arrays for a later batch. */
  users = 0;

  /**
   * Empties the batch for reuse. Its arrays are kept: a new batch's arrays
   * would be reallocated as they grow, and copied by every young-generation GC
   * until the flush.
   */
  reset(worker: string | undefined): void {
    this.length = 0;
    this.worker = worker;
    this.madeEvents = undefined;
    this.made = undefined;
  }

  /** The events, as sinks that take `TraceEvent`s receive them (made once per batch). */
  events(): TraceEvent[] {
    if (this.madeEvents) return this.madeEvents;
    const out = new Array<TraceEvent>(this.length);
    const iso = isoCache();
    for (let i = 0; i < this.length; i++) {
      out[i] = makeEvent(this.kind[i]!, iso(this.at[i]!), this.traceAt(i), this.span[i], this.worker, this.fields(i), this.a[i]!, this.b[i]!, this.c[i]!, this.d[i]!, this.s[i], this.t[i]);
    }
    return (this.madeEvents = out);
  }

  /** Event i's trace id: a root's is made from its invocation id. */
  private traceAt(i: number): string {
    return this.trace[i] || rootTraceId(this.id[i] ?? this.t[i]!);
  }

  private fields(i: number): InvocationFields | undefined {
    const id = this.id[i];
    if (id === undefined) return undefined;
    return { id, actorType: this.actorType[i]!, actorId: this.actorId[i]!, method: this.method[i]!, idempotencyKey: this.idempotencyKey[i], partition: this.partition[i]! };
  }

  /** The batch in the compact stored form, made once (trace-encode.ts). */
  encoded(): EncodedTraceBatch {
    return (this.made ??= encodeColumns(this));
  }

  /** Per event, the next event of its group (-1: none): the encoder's, reused across flushes. */
  readonly next: number[] = [];

  /** Lets go of what was made for the sinks, once they are done with it: kept until the batch is reused, it would outlive young-generation GCs. */
  dropMade(): void {
    this.madeEvents = undefined;
    this.made = undefined;
  }
}

/** Reads a group in the compact stored form back into events. */
export function decodeCompactGroup(g: { t: string; w?: string; i: 0 | [string, string?, string?, string?, (string | 0)?, number?]; e: (number | string)[][] }): TraceEvent[] {
  const iso = isoCache();
  const i = g.i;
  const rec: InvocationFields | undefined =
    i === 0 ? undefined : { id: i[0], actorType: i[1] ?? '', actorId: i[2] ?? '', method: i[3] ?? '', idempotencyKey: i[4] || undefined, partition: i[5] ?? 0 };
  return g.e.map((e) =>
    makeEvent(e[0] as number, iso(e[1] as number), g.t, (e[2] as string) || undefined, g.w, rec, e[3] as number, e[4] as number, e[5] as number, e[6] as number, typeof e[7] === 'string' ? e[7] : undefined, typeof e[8] === 'string' ? e[8] : undefined),
  );
}

/** ISO strings of millisecond times; events of a batch share few milliseconds, and so the strings. */
function isoCache(): (ms: number) => string {
  let last = NaN;
  let s = '';
  return (ms) => {
    if (ms !== last) {
      last = ms;
      s = new Date(ms).toISOString();
    }
    return s;
  };
}

function makeEvent(kind: number, at: string, trace_id: string, span: string | undefined, worker: string | undefined, r: InvocationFields | undefined, a: number, b: number, c: number, d: number, s: string | undefined, t: string | undefined): TraceEvent {
  const refs: TraceRefs = {};
  let error_code: string | undefined;
  switch (kind) {
    case K.Accepted:
    case K.Deduplicated:
      refs.message = message(r!);
      refs.invocation = { id: r!.id, attempt: a };
      if (r!.idempotencyKey !== undefined) refs.idempotency = kind === K.Deduplicated ? { key: r!.idempotencyKey, original_execution: r!.id } : { key: r!.idempotencyKey };
      break;
    case K.Started:
    case K.Resumed:
      refs.message = message(r!);
      refs.invocation = { id: r!.id, attempt: a };
      refs.lease = { partition: r!.partition, epoch: c };
      break;
    case K.Step:
      refs.invocation = { id: r!.id, attempt: a };
      refs.journal = { position: b, kind: s!, name: t! };
      break;
    case K.LeaseAcquired:
    case K.LeaseLost:
      refs.lease = { partition: b, epoch: c };
      error_code = s;
      break;
    case K.StaleWrite:
      refs.invocation = { id: t!, attempt: a };
      refs.lease = { partition: b, epoch: c };
      break;
    default:
      refs.invocation = { id: r!.id, attempt: a };
      refs.lease = { partition: r!.partition, epoch: c };
      if (r!.idempotencyKey !== undefined) refs.idempotency = { key: r!.idempotencyKey };
      if (d >= 0) refs.state = { actor_type: r!.actorType, actor_id: r!.actorId, version: d };
      error_code = s;
  }
  const event: TraceEvent = { trace_id, event_type: EVENT_TYPES[kind]!, at, refs };
  if (span) event.span_id = span;
  if (worker !== undefined) event.worker = worker;
  if (error_code) event.error_code = error_code;
  return event;
}

function message(r: InvocationFields): NonNullable<TraceRefs['message']> {
  return { message_id: r.id, queue_name: r.actorType, actor_id: r.actorId, method: r.method };
}
