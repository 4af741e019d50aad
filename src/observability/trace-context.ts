import { randomFillSync } from 'node:crypto';

/** A W3C trace context: which trace, and which span is the parent of what comes next. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  /** W3C trace flags; 1 = sampled. */
  flags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZERO32 = '0'.repeat(32);
const ZERO16 = '0'.repeat(16);

// Ids are cut from a pool of random bytes filled 4 KiB at a time: a system call per id cost more than
// everything else a traced message does.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}

/** A random 16-byte trace id, as 32 hex digits. */
export const newTraceId = (): string => randomHex(16);
/** A random 8-byte span id, as 16 hex digits. */
export const newSpanId = (): string => randomHex(8);

/** `00-<trace>-<span>-<flags>`. */
export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags.toString(16).padStart(2, '0')}`;
}

/** Parses a `traceparent` header value; undefined when it is not a valid one. */
export function parseTraceparent(value: string): TraceContext | undefined {
  // What Loom writes itself (lower-case, version 00) is read without a regex: this runs for every traced message.
  if (value.length === 55 && value.startsWith('00-') && value[35] === '-' && value[52] === '-') {
    const traceId = value.slice(3, 35);
    const spanId = value.slice(36, 52);
    if (HEX32.test(traceId) && HEX16.test(spanId) && traceId !== ZERO32 && spanId !== ZERO16) {
      const flags = parseInt(value.slice(53), 16);
      if (!Number.isNaN(flags)) return { traceId, spanId, flags };
    }
  }
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff' || m[2] === ZERO32 || m[3] === ZERO16) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, flags: parseInt(m[4]!, 16) };
}

/**
 * The trace context a message carries in its envelope's `trace`: a W3C
 * `traceparent` string, an object with `traceparent` (what Loom writes), or
 * the seed's `{ trace_id, span_id? }`. Anything else carries none.
 */
export function traceContextOf(trace: unknown): TraceContext | undefined {
  if (typeof trace === 'string') return parseTraceparent(trace);
  if (typeof trace !== 'object' || trace === null) return undefined;
  const t = trace as Record<string, unknown>;
  if (typeof t.traceparent === 'string') return parseTraceparent(t.traceparent);
  const id = typeof t.trace_id === 'string' ? t.trace_id.toLowerCase() : undefined;
  if (id && HEX32.test(id) && id !== ZERO32) {
    const span = typeof t.span_id === 'string' && HEX16.test(t.span_id.toLowerCase()) ? t.span_id.toLowerCase() : ZERO16;
    return { traceId: id, spanId: span, flags: 1 };
  }
  return undefined;
}

/** What Loom writes into an envelope's `trace`. */
export interface EnvelopeTrace {
  traceparent: string;
  tracestate?: string;
}
