import { randomFillSync } from 'node:crypto';
import { ConfigError } from '../core/errors.js';

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

// Ids are cut from a pool of random bytes, 4 KiB filled at a time and turned into hex once: a system
// call per id, or a hex conversion per id, cost more than everything else a traced message does.
const pool = Buffer.alloc(4096);
let hexPool = '';
let used = hexPool.length;

function randomHex(digits: number): string {
  if (used + digits > hexPool.length) {
    randomFillSync(pool);
    hexPool = pool.toString('hex');
    used = 0;
  }
  const hex = hexPool.slice(used, used + digits);
  used += digits;
  return hex;
}

// A trace id is the time in seconds (8 hex digits), a random number drawn once per process (12) and a
// counter (12): unique without a random draw per id, and rising, so a store's index of trace ids takes new
// ones at its end instead of all over it (W3C trace context allows ids with a time and a constant part).
const processPart = randomHex(12);
let traceCount = 0;

/** A new 16-byte trace id, as 32 hex digits: rising time, a per-process random part, a counter. */
export function newTraceId(): string {
  const secs = Math.floor(Date.now() / 1000);
  return secs.toString(16).padStart(8, '0') + processPart + (traceCount++).toString(16).padStart(12, '0');
}
/** A random 8-byte span id, as 16 hex digits. */
export const newSpanId = (): string => randomHex(16);

/** `00-<trace>-<span>-<flags>`. */
export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags.toString(16).padStart(2, '0')}`;
}

/** Parses a `traceparent` header value; undefined when it is not a valid one. */
export function parseTraceparent(value: string): TraceContext | undefined {
  // What Loom writes itself (lower-case, version 00) is read without a regex: this runs for every traced message.
  if (value.length === 55 && isLoomTraceparent(value)) {
    const traceId = value.slice(3, 35);
    const spanId = value.slice(36, 52);
    if (traceId !== ZERO32 && spanId !== ZERO16) return { traceId, spanId, flags: hexDigit(value.charCodeAt(53)) * 16 + hexDigit(value.charCodeAt(54)) };
  }
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m || m[1] === 'ff' || m[2] === ZERO32 || m[3] === ZERO16) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, flags: parseInt(m[4]!, 16) };
}

/** The value of a lower-case hex digit's char code; -1 for anything else. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** `00-<32 hex>-<16 hex>-<2 hex>`, lower case (the length is checked by the caller). */
function isLoomTraceparent(v: string): boolean {
  if (v.charCodeAt(0) !== 48 || v.charCodeAt(1) !== 48 || v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return false;
  for (let i = 3; i < 55; i++) {
    if (i === 35 || i === 52) continue;
    if (hexDigit(v.charCodeAt(i)) < 0) return false;
  }
  return true;
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

/** The object form of an envelope's `trace` that Loom reads (Loom itself writes the bare `traceparent` string). */
export interface EnvelopeTrace {
  traceparent: string;
  tracestate?: string;
}

/**
 * Head-based sampling: whether a new trace is recorded at `ratio` (0..1). Made
 * once at the trace's root and carried in the `traceparent` flags, so every
 * descendant follows it. Deterministic from the trace id (a hash of it, so the
 * rising time and counter parts of Loom's ids do not bias it).
 */
export function sampledAt(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 0x1_0000_0000 < ratio;
}

/** Validates `traceSampleRatio`: a number from 0 to 1. */
export function checkSampleRatio(ratio: unknown): number {
  if (ratio === undefined) return 1;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new ConfigError(`observe(): traceSampleRatio must be a number from 0 to 1 (1 records every trace, 0.1 one in ten), got ${String(ratio).slice(0, 40)}`);
  }
  return ratio;
}
