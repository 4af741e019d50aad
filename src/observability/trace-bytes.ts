import type { EncodedTraceBatch, EncodedTraceGroup } from '../ports/trace.js';
import { isLowerHexUuid, rootTraceId } from './scope.js';

/** A newline: the packed form's separator. */
export const NL = 0x0a;

/**
 * Writes JSON and plain text straight into UTF-8 bytes: the trace batch's
 * stored form is made here without a string, an array or a number's string
 * per event (each of those is garbage that the young-generation GC must
 * visit while the engine's own records are alive). What is not plain ASCII
 * goes through `JSON.stringify` and `Buffer.write`, so the bytes are always
 * what `JSON.stringify` would have written.
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(64, size));
  }

  /** The bytes written: a view of the writer's buffer, not a copy (a fresh writer per batch). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }

  /** Text as it is (UTF-8). */
  raw(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.pos = p - i;
        this.utf8(s);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** A JSON string literal, quotes included. */
  str(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Anything JSON escapes, and anything past ASCII: the slow path writes the whole literal.
      if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
        this.utf8(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** A number as JSON writes it. */
  num(x: number): void {
    // Small numbers (kinds, attempts, positions, epochs) come first: one or two digits, no loop.
    if (x >= 0 && x < 100 && (x | 0) === x) {
      this.room(2);
      if (x < 10) this.buf[this.pos++] = 48 + x;
      else {
        const q = (x / 10) | 0;
        this.buf[this.pos++] = 48 + q;
        this.buf[this.pos++] = 48 + x - q * 10;
      }
      return;
    }
    if (!Number.isSafeInteger(x)) {
      this.raw(JSON.stringify(x));
      return;
    }
    this.room(17);
    const buf = this.buf;
    if (x < 0) {
      buf[this.pos++] = 0x2d;
      x = -x;
    }
    let digits = 1;
    for (let t = x; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    while (x >= 10) {
      const q = Math.floor(x / 10);
      buf[--p] = 48 + (x - q * 10);
      x = q;
    }
    buf[p - 1] = 48 + x;
  }

  /** The seconds part (ms / 1000) of the last time written, and where its digits are. */
  private lastSecs = -1;
  private lastSecsAt = 0;
  private lastSecsEnd = 0;

  /**
   * A comma, then a time in ms since the epoch, as `num` writes it. The times
   * of a batch share their seconds: those digits are copied from the last
   * time written, and only the milliseconds are worked out.
   */
  commaTime(ms: number): void {
    this.byte(0x2c);
    const secs = Math.floor(ms / 1000);
    // Only a whole time of four digits or more ends in three digits of milliseconds.
    const whole = secs > 0 && Number.isSafeInteger(ms);
    if (!whole || secs !== this.lastSecs) {
      const start = this.pos;
      this.num(ms);
      if (whole) {
        this.lastSecs = secs;
        this.lastSecsAt = start;
        this.lastSecsEnd = this.pos - 3;
      }
      return;
    }
    this.again(this.lastSecsAt, this.lastSecsEnd);
    this.room(3);
    let r = ms - secs * 1000;
    const buf = this.buf;
    const p = this.pos;
    buf[p + 2] = 48 + (r % 10);
    r = (r / 10) | 0;
    buf[p + 1] = 48 + (r % 10);
    buf[p] = 48 + ((r / 10) | 0);
    this.pos = p + 3;
  }

  /** A comma, then a number. */
  commaNum(x: number): void {
    this.byte(0x2c);
    this.num(x);
  }

  /** A comma, then a JSON string, or 0 when there is none (the stored form's "unset"). */
  commaStr(s: string | undefined): void {
    this.byte(0x2c);
    if (s === undefined) this.byte(0x30);
    else this.str(s);
  }

  /** Bytes written before, from `start` to `end`, again. */
  again(start: number, end: number): void {
    const n = end - start;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    // Ids and digits: a loop beats a call into the runtime at these lengths.
    if (n <= 64) for (let i = start; i < end; i++) buf[p++] = buf[i]!;
    else {
      buf.copyWithin(p, start, end);
      p += n;
    }
    this.pos = p;
  }

  /** Bytes as they are. */
  copy(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /**
   * A lower-case UUID's 32 hex digits, without its dashes (rootTraceId's form
   * of a Loom invocation id). False, writing nothing, for anything else or
   * for the all-zero UUID.
   */
  uuidHex(id: string): boolean {
    if (!isLowerHexUuid(id)) return false;
    this.room(32);
    const buf = this.buf;
    let p = this.pos;
    let any = 0;
    for (let i = 0; i < 36; i++) {
      const c = id.charCodeAt(i);
      if (c === 0x2d) continue;
      any |= c ^ 0x30;
      buf[p++] = c;
    }
    if (any === 0) return false;
    this.pos = p;
    return true;
  }

  private utf8(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
}

/**
 * A batch in its packed form (see EncodedTraceBatch): the bytes, and what a
 * store that keeps one row per group needs, made from them on demand.
 */
export class PackedBatch implements EncodedTraceBatch {
  private made: EncodedTraceGroup[] | undefined;

  /** `recordedKeys`: per group its trace id as recorded ('' for a root) and its invocation id. */
  constructor(
    readonly packed: Uint8Array,
    readonly count: number,
    private readonly recordedKeys: readonly string[],
    private readonly counts: readonly number[],
  ) {}

  get size(): number {
    return this.counts.length;
  }

  recordedTrace(g: number): string {
    return this.recordedKeys[2 * g]!;
  }

  invocationId(g: number): string {
    return this.recordedKeys[2 * g + 1]!;
  }

  traceId(g: number): string {
    return this.recordedKeys[2 * g] || rootTraceId(this.recordedKeys[2 * g + 1]!);
  }

  groups(): EncodedTraceGroup[] {
    if (this.made) return this.made;
    // Lines: '', then per group its trace id, its invocation id as JSON and its JSON (none holds a raw newline).
    const lines = Buffer.from(this.packed.buffer, this.packed.byteOffset, this.packed.byteLength).toString('utf8').split('\n');
    const out = new Array<EncodedTraceGroup>(this.size);
    for (let g = 0; g < out.length; g++) out[g] = [this.traceId(g), this.invocationId(g), this.counts[g]!, lines[3 * g + 3]!];
    return (this.made = out);
  }

  /** Several batches as one (a sink that fell behind writes them together). */
  static join(batches: readonly EncodedTraceBatch[]): EncodedTraceBatch {
    if (batches.length === 1) return batches[0]!;
    const recorded: string[] = [];
    const counts: number[] = [];
    for (const b of batches) {
      // The buffer's own batches give their counts as they are; any other is split into groups for them.
      const own = b instanceof PackedBatch ? b.counts : b.groups().map((g) => g[2]);
      for (let g = 0; g < b.size; g++) {
        recorded.push(b.recordedTrace(g), b.invocationId(g));
        counts.push(own[g]!);
      }
    }
    return new PackedBatch(
      Buffer.concat(batches.map((b) => b.packed)),
      batches.reduce((n, b) => n + b.count, 0),
      recorded,
      counts,
    );
  }
}

/** Groups made one by one (from events) as a batch. */
export function packGroups(groups: readonly EncodedTraceGroup[]): PackedBatch {
  const out = new ByteWriter(groups.reduce((n, g) => n + g[3].length + 64, 0));
  const keys: string[] = [];
  let count = 0;
  for (const g of groups) {
    out.byte(NL);
    out.raw(g[0]);
    out.byte(NL);
    out.str(g[1]);
    out.byte(NL);
    out.raw(g[3]);
    keys.push(g[0], g[1]);
    count += g[2];
  }
  return new PackedBatch(out.bytes(), count, keys, groups.map((g) => g[2]));
}
