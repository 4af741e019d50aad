import type { InvocationRecord } from '../ports/store.js';
import { newSpanId, sampledAt, traceContextOf, type TraceContext } from './trace-context.js';

/** What the parts of one `Observability` share about an attempt while it runs. */
export interface AttemptScope {
  /** The trace id; '' for a root, whose trace id is made from its invocation id only where it is needed (rootTraceId). */
  traceId: string;
  /** The attempt's span (an OpenTelemetry span's id when a tracer is set). */
  spanId: string;
  epoch: number;
  /** Failed attempts before this one. */
  attempt: number;
  /** Whether this trace is recorded (the `traceparent` sampled flag, or the ratio's decision at a root). */
  sampled: boolean;
}

/** Running attempts by invocation id, so that sends, steps and the end join the attempt's trace. */
export class Scopes {
  private readonly byId = new Map<string, AttemptScope>();

  /** `ratio`: the share of root traces recorded (`traceSampleRatio`). */
  constructor(readonly ratio = 1) {}

  open(rec: InvocationRecord, epoch: number, spanId?: string): AttemptScope {
    // Read once per attempt: the trace context is parsed here and nowhere else on the attempt's path.
    const parent = traceOfRecord(rec);
    const scope: AttemptScope = {
      traceId: parent ? parent.traceId : '',
      spanId: spanId ?? newSpanId(),
      epoch,
      attempt: rec.attempt,
      sampled: parent ? (parent.flags & 1) === 1 : rootSampled(rec.id, this.ratio),
    };
    this.byId.set(rec.id, scope);
    return scope;
  }

  get(id: string): AttemptScope | undefined {
    return this.byId.get(id);
  }

  close(id: string): AttemptScope | undefined {
    const s = this.byId.get(id);
    this.byId.delete(id);
    return s;
  }
}

/** The trace context an invocation was sent with. */
export function traceOfRecord(rec: InvocationRecord): TraceContext | undefined {
  const t = rec.meta?.trace;
  return t === undefined ? undefined : traceContextOf(t);
}

/** Whether a root invocation's trace is recorded at `ratio`: decided from its trace id, the same everywhere. */
export function rootSampled(id: string, ratio: number): boolean {
  return ratio >= 1 || sampledAt(rootTraceId(id), ratio);
}

/** An attempt's trace id, made for a root when it is needed. */
export function scopeTraceId(scope: AttemptScope, invocationId: string): string {
  return scope.traceId || rootTraceId(invocationId);
}

/**
 * A root's trace id, made from its invocation id: a UUID's 32 hex digits (Loom's
 * own ids; so the trace id of a root is its invocation id without dashes), or a
 * hash of any other id.
 */
export function rootTraceId(id: string): string {
  if (isLowerHexUuid(id)) {
    const hex = id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24);
    if (hex !== ZERO32) return hex;
  }
  return hashTraceId(id);
}

const ZERO32 = '0'.repeat(32);

/**
 * The invocation a root trace id was made from, where it can be told: a
 * UUID's digits back with their dashes (the inverse of rootTraceId for Loom's
 * ids); undefined for any other id.
 */
export function rootInvocationOf(traceId: string): string | undefined {
  if (traceId.length !== 32 || traceId === ZERO32) return undefined;
  const id = `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20)}`;
  return isLowerHexUuid(id) ? id : undefined;
}

/** A lower-case UUID (Loom's invocation ids). */
export function isLowerHexUuid(id: string): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** A trace id made from any id: the same every time. */
function hashTraceId(id: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${hex(h1)}${hex(h2)}${hex(h1 ^ h2)}${hex(Math.imul(h1, h2) || 1)}`;
}

