import type { EncodedTraceBatch } from '../ports/trace.js';
import { ByteWriter, NL, PackedBatch } from './trace-bytes.js';
import { K, type TraceColumns } from './trace-columns.js';
import { rootTraceId } from './scope.js';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const ZERO = 0x30;

/**
 * A batch of columns in the compact stored form (see decodeCompactGroup): one
 * group per trace and invocation, its invocation's fields once, per event
 * numbers. Events are linked into their groups by index and written straight
 * into UTF-8 bytes (trace-bytes.ts): no object, array or string per event.
 * A root's trace id (recorded as '') is written from its invocation id's
 * digits, and made as a string only if a store asks for the groups one by one.
 */
export function encodeColumns(c: TraceColumns): EncodedTraceBatch {
  const n = c.length;
  const next = c.next;
  const byKey = new Map<string, number>();
  const head: number[] = [];
  const tail: number[] = [];
  const count: number[] = [];
  const recAt: number[] = [];
  // Per group: the trace id as recorded ('' for a root) and the invocation id ('' for none).
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = c.id[i];
    const inv = id ?? (c.kind[i] === K.StaleWrite ? c.t[i]! : '');
    const trace = c.trace[i]!;
    // An invocation has one trace, so its id alone is the key: no string is built per event. Keys with a
    // NUL, which ids never hold, are for the rare rest: events of no invocation (lease events) by trace,
    // and the pair if an invocation shows up in a second trace.
    let key = inv ? inv : '\u0000' + trace;
    let g = byKey.get(key);
    if (g !== undefined && inv && keys[2 * g] !== trace) g = byKey.get((key = trace + '\u0000' + inv));
    if (g === undefined) {
      g = head.length;
      byKey.set(key, g);
      head.push(i);
      tail.push(i);
      count.push(1);
      recAt.push(id === undefined ? -1 : i);
      keys.push(trace, inv);
    } else {
      next[tail[g]!] = i;
      tail[g] = i;
      count[g]!++;
      if (recAt[g]! < 0 && id !== undefined) recAt[g] = i;
    }
    next[i] = -1;
  }
  const worker = c.worker === undefined ? undefined : Buffer.from(',"w":' + JSON.stringify(c.worker));
  const out = new ByteWriter(Math.ceil(n * bytesPerEvent) + 64);
  for (let g = 0; g < head.length; g++) {
    const trace = keys[2 * g]!;
    const inv = keys[2 * g + 1]!;
    out.byte(NL);
    const t0 = out.pos;
    writeTrace(out, trace, inv);
    const i0 = out.pos + 1;
    out.byte(NL);
    out.str(inv);
    const i1 = out.pos;
    out.byte(NL);
    // The group repeats the trace id and the invocation id: their bytes are copied from the lines above.
    writeGroup(out, c, inv, worker, recAt[g]!, head[g]!, t0, i0, i1);
  }
  // Sized by the last batch, so the buffer is about what is written: a store that copies it (a thread's
  // message) copies little that is unused, and a growth copy is rare.
  if (n > 0) bytesPerEvent = (out.pos / n) * 1.1;
  return new PackedBatch(out.bytes(), n, keys, count);
}

/** Bytes per event of the last batch, a little over. */
let bytesPerEvent = 120;

/** A trace id; a root's ('') from its invocation id: a Loom id's hex digits go straight in. */
function writeTrace(out: ByteWriter, trace: string, inv: string): void {
  if (trace) out.raw(trace);
  else if (!out.uuidHex(inv)) out.raw(rootTraceId(inv));
}

/** `{"v":2,"t":…,"w":… (left out when undefined),"i":…,"e":[…]}`: the bytes `JSON.stringify` writes for the group. */
function writeGroup(out: ByteWriter, c: TraceColumns, inv: string, worker: Buffer | undefined, r: number, first: number, t0: number, i0: number, i1: number): void {
  out.raw('{"v":2,"t":"');
  out.again(t0, i0 - 1);
  out.byte(0x22);
  if (worker) out.copy(worker);
  out.raw(',"i":');
  if (r >= 0) {
    out.byte(OPEN);
    out.again(i0, i1); // the invocation id: the group's key is its record's id
    out.commaStr(c.actorType[r]!);
    out.commaStr(c.actorId[r]!);
    out.commaStr(c.method[r]!);
    out.commaStr(c.idempotencyKey[r]);
    out.commaNum(c.partition[r]!);
    out.byte(CLOSE);
  } else if (inv) {
    out.byte(OPEN);
    out.again(i0, i1);
    out.byte(CLOSE);
  } else out.byte(ZERO);
  out.raw(',"e":[');
  for (let k = first; k >= 0; k = c.next[k]!) {
    if (k !== first) out.byte(COMMA);
    writeEvent(out, c, k);
  }
  out.raw(']}');
}

/** `[kind, at, span or 0, a, b, c, d]`, then `s` and `t` (0 when unset) if either is set. */
function writeEvent(out: ByteWriter, c: TraceColumns, k: number): void {
  out.byte(OPEN);
  out.num(c.kind[k]!);
  out.commaTime(c.at[k]!);
  out.commaStr(c.span[k] || undefined);
  out.commaNum(c.a[k]!);
  out.commaNum(c.b[k]!);
  out.commaNum(c.c[k]!);
  out.commaNum(c.d[k]!);
  const s = c.s[k];
  const t = c.t[k];
  if (s !== undefined || t !== undefined) {
    out.commaStr(s);
    out.commaStr(t);
  }
  out.byte(CLOSE);
}
