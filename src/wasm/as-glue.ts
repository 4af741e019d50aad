/**
 * AssemblyScript side of the ABI, served to the compiler as the package `loom`
 * (`import { log, getState } from "loom"` in an actor). Kept as a string so the
 * published package needs no AssemblyScript files on disk.
 */
export const AS_GLUE = String.raw`
@external("loom", "log") declare function __loom_log(ptr: usize, len: i32): void;
@external("loom", "fail") declare function __loom_fail(ptr: usize, len: i32): void;
@external("loom", "state_get") declare function __loom_state_get(): usize;
@external("loom", "state_set") declare function __loom_state_set(ptr: usize, len: i32): void;
@external("loom", "call") declare function __loom_call(namePtr: usize, nameLen: i32, argPtr: usize, argLen: i32): usize;
@external("loom", "now") declare function __loom_now(): f64;
@external("loom", "random") declare function __loom_random(): f64;

/** Writes a line to the host's log. */
export function log(message: string): void {
  const b = String.UTF8.encode(message);
  __loom_log(changetype<usize>(b), b.byteLength);
}

/** Fails the call with this message (the host raises it as a trap). Return anything afterwards. */
export function fail(message: string): void {
  const b = String.UTF8.encode(message);
  __loom_fail(changetype<usize>(b), b.byteLength);
}

/** The actor's durable state, as JSON. */
export function getState(): string {
  return __loom_take(__loom_state_get());
}

/** Replaces the actor's durable state (JSON); committed with the call's result. */
export function setState(json: string): void {
  const b = String.UTF8.encode(json);
  __loom_state_set(changetype<usize>(b), b.byteLength);
}

/** Calls a host function granted to this actor (a journaled step): JSON in, JSON out. */
export function hostCall(name: string, input: string): string {
  const n = String.UTF8.encode(name);
  const a = String.UTF8.encode(input);
  return __loom_take(__loom_call(changetype<usize>(n), n.byteLength, changetype<usize>(a), a.byteLength));
}

/** Journaled time, ms since the epoch: the same on every replay of this call. */
export function now(): f64 {
  return __loom_now();
}

/** Journaled random number in [0, 1). */
export function random(): f64 {
  return __loom_random();
}

/** The raw JSON text of a top-level field of a JSON object, or "" when absent. */
export function jsonField(json: string, key: string): string {
  let depth = 0;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c == 34) {
      const start = i + 1;
      i = __loom_skipString(json, i);
      if (depth == 1) {
        let j = i;
        while (j < n && __loom_space(json.charCodeAt(j))) j++;
        if (j < n && json.charCodeAt(j) == 58) {
          if (json.substring(start, i - 1) == key) {
            j++;
            while (j < n && __loom_space(json.charCodeAt(j))) j++;
            return json.substring(j, __loom_valueEnd(json, j));
          }
        }
      }
      continue;
    }
    if (c == 123 || c == 91) depth++;
    else if (c == 125 || c == 93) depth--;
    i++;
  }
  return "";
}

/** A top-level number field of a JSON object (NaN when absent or not a number). */
export function jsonNumber(json: string, key: string): f64 {
  const raw = jsonField(json, key);
  if (raw.length == 0) return NaN;
  return parseFloat(raw);
}

/** A top-level string field of a JSON object ("" when absent; simple escapes only). */
export function jsonString(json: string, key: string): string {
  const raw = jsonField(json, key);
  if (raw.length < 2 || raw.charCodeAt(0) != 34) return "";
  return raw.substring(1, raw.length - 1).replaceAll('\\"', '"').replaceAll("\\\\", "\\");
}

/** A JSON string literal for s. */
export function jsonQuote(s: string): string {
  return '"' + s.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n") + '"';
}

/** A JSON number for x (null when not finite). */
export function jsonNum(x: f64): string {
  if (!isFinite(x)) return "null";
  if (x == Math.floor(x) && Math.abs(x) < 9007199254740992) return (<i64>x).toString();
  return x.toString();
}

function __loom_space(c: i32): bool {
  return c == 32 || c == 9 || c == 10 || c == 13;
}

function __loom_skipString(s: string, i: i32): i32 {
  i++;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 92) i += 2;
    else if (c == 34) return i + 1;
    else i++;
  }
  return i;
}

function __loom_valueEnd(s: string, i: i32): i32 {
  let depth = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 34) {
      i = __loom_skipString(s, i);
      if (depth == 0) return i;
      continue;
    }
    if (c == 123 || c == 91) depth++;
    else if (c == 125 || c == 93) {
      if (depth == 0) return i;
      depth--;
      if (depth == 0) return i + 1;
    } else if (c == 44 && depth == 0) return i;
    i++;
  }
  return i;
}

function __loom_take(frame: usize): string {
  if (frame == 0) return "";
  return String.UTF8.decodeUnsafe(frame + 4, load<u32>(frame));
}

export function __loom_alloc(len: i32): usize {
  return heap.alloc(<usize>len);
}

export function __loom_in(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

export function __loom_out(s: string): usize {
  const b = String.UTF8.encode(s);
  const len = b.byteLength;
  const p = heap.alloc(<usize>len + 4);
  store<u32>(p, <u32>len);
  memory.copy(p + 4, changetype<usize>(b), <usize>len);
  return p;
}

export function __loom_abort(message: string | null, file: string | null, line: u32, column: u32): void {
  let text = message !== null ? message : "abort";
  if (file !== null) text += " at " + file + ":" + line.toString() + ":" + column.toString();
  fail(text);
  unreachable();
}
`;
