import { ALLOC_EXPORT } from './abi.js';
import { PAGE_BYTES } from './limits.js';
import type { WasmFailureKind } from './errors.js';

/** One call into a guest, as the executing thread gets it. */
export interface GuestRequest {
  method: string;
  inputJson: string;
  /** The actor's state as JSON, read by `loom.state_get`. */
  stateJson: string;
  /** What `loom.now` returns: a journaled timestamp. */
  now: number;
  /** Seed of `loom.random`: journaled, so a replay draws the same numbers. */
  seed: number;
  initialPages: number;
  maximumPages: number;
  maxOutputBytes: number;
}

/** Host calls made by a guest (`loom.call`), answered synchronously with JSON. */
export type HostCall = (name: string, argJson: string) => string;

/** How a guest call ended. `host`: a host function it called failed. */
export type GuestResult = (
  | { ok: true; output: unknown; state?: unknown; logs: string[] }
  | { ok: false; kind: WasmFailureKind | 'host'; message: string; terminal?: boolean; logs: string[] }
) & {
  /** How long the call ran on its worker, ms, as the host measured it (set by the pool). */
  elapsedMs?: number;
};

/** Thrown from a host import to stop the guest with a given failure kind. */
export class GuestAbort extends Error {
  constructor(
    readonly kind: WasmFailureKind | 'host',
    message: string,
    readonly terminal = false,
  ) {
    super(message);
  }
}

const MAX_LOG_LINES = 100;
const MAX_LOG_CHARS = 4096;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Runs one method of a guest on a fresh instance over a fresh memory capped at
 * `maximumPages`, synchronously, and classifies whatever happens. Nothing the
 * guest does escapes as an exception.
 */
export function runGuest(module: WebAssembly.Module, req: GuestRequest, hostCall: HostCall): GuestResult {
  const memory = takeMemory(req.initialPages, req.maximumPages);
  try {
    return execute(module, req, hostCall, memory);
  } finally {
    giveBackMemory(memory, req.initialPages, req.maximumPages);
  }
}

/**
 * Creating a memory costs hundreds of µs (V8 reserves its guard region), so a
 * thread keeps one per size and zeroes it between calls. A memory the guest grew
 * is dropped: it cannot shrink back.
 */
const spareMemories = new Map<string, WebAssembly.Memory>();

function takeMemory(initial: number, maximum: number): WebAssembly.Memory {
  const key = `${initial}:${maximum}`;
  const spare = spareMemories.get(key);
  if (spare) {
    spareMemories.delete(key);
    return spare;
  }
  return new WebAssembly.Memory({ initial, maximum });
}

/** Called with a grown memory the thread let go of (the pool worker collects it at once). */
let onDroppedMemory: ((bytes: number) => void) | undefined;

/** Sets what happens when a grown guest memory is dropped. */
export function setDroppedMemoryHook(hook: (bytes: number) => void): void {
  onDroppedMemory = hook;
}

function giveBackMemory(memory: WebAssembly.Memory, initial: number, maximum: number): void {
  if (memory.buffer.byteLength !== initial * PAGE_BYTES) {
    onDroppedMemory?.(memory.buffer.byteLength);
    return;
  }
  new Uint8Array(memory.buffer).fill(0);
  spareMemories.set(`${initial}:${maximum}`, memory);
}

function execute(module: WebAssembly.Module, req: GuestRequest, hostCall: HostCall, memory: WebAssembly.Memory): GuestResult {
  const logs: string[] = [];
  let failure: string | undefined;
  let state: unknown;
  let stateSet = false;
  let rng = (req.seed >>> 0) || 0x9e3779b9;
  let alloc: (len: number) => number = () => 0;

  const read = (ptr: number, len: number, what: string, cap = req.maxOutputBytes): string => {
    if (len > cap) throw new GuestAbort('resource_limit', `${what} is ${len} bytes, over the limit of ${cap}`);
    const buf = memory.buffer;
    if (ptr < 0 || len < 0 || ptr + len > buf.byteLength) throw new GuestAbort('bad_output', `${what} points outside the guest's memory (${ptr}+${len})`);
    try {
      return decoder.decode(new Uint8Array(buf, ptr, len));
    } catch {
      throw new GuestAbort('bad_output', `${what} is not valid UTF-8`);
    }
  };
  const frame = (text: string): number => {
    const bytes = encoder.encode(text);
    const ptr = alloc(bytes.length + 4) >>> 0;
    const buf = memory.buffer;
    if (ptr === 0 || ptr + 4 + bytes.length > buf.byteLength) throw new GuestAbort('resource_limit', `${ALLOC_EXPORT}(${bytes.length + 4}) returned no usable memory`);
    new DataView(buf).setUint32(ptr, bytes.length, true);
    new Uint8Array(buf, ptr + 4, bytes.length).set(bytes);
    return ptr;
  };
  const imports = {
    env: { memory },
    loom: {
      log: (ptr: number, len: number) => {
        const line = read(ptr >>> 0, len >>> 0, 'a log line', MAX_LOG_CHARS * 4);
        if (logs.length < MAX_LOG_LINES) logs.push(line.slice(0, MAX_LOG_CHARS));
      },
      fail: (ptr: number, len: number) => {
        failure = read(ptr >>> 0, len >>> 0, 'the error message', MAX_LOG_CHARS * 4).slice(0, MAX_LOG_CHARS);
      },
      state_get: () => frame(stateSet ? JSON.stringify(state) : req.stateJson),
      state_set: (ptr: number, len: number) => {
        state = parseJson(read(ptr >>> 0, len >>> 0, 'the state'), 'the state');
        stateSet = true;
      },
      call: (namePtr: number, nameLen: number, argPtr: number, argLen: number) => {
        const name = read(namePtr >>> 0, nameLen >>> 0, 'a host function name', 256);
        const argJson = read(argPtr >>> 0, argLen >>> 0, `the argument of host function ${name}`);
        parseJson(argJson, `the argument of host function ${name}`);
        return frame(hostCall(name, argJson));
      },
      now: () => req.now,
      random: () => {
        rng ^= rng << 13;
        rng ^= rng >>> 17;
        rng ^= rng << 5;
        return (rng >>> 0) / 4294967296;
      },
    },
  };
  try {
    const instance = new WebAssembly.Instance(module, imports);
    const exp = instance.exports as Record<string, unknown>;
    const fn = exp[req.method];
    if (typeof fn !== 'function') return { ok: false, kind: 'bad_module', message: `the module exports no method "${req.method}"`, logs };
    alloc = exp[ALLOC_EXPORT] as (len: number) => number;
    const input = encoder.encode(req.inputJson);
    const inPtr = alloc(input.length) >>> 0;
    if (inPtr === 0 && input.length > 0) throw new GuestAbort('resource_limit', `${ALLOC_EXPORT}(${input.length}) failed for the input`);
    if (inPtr + input.length > memory.buffer.byteLength) throw new GuestAbort('bad_output', `${ALLOC_EXPORT} returned a pointer outside memory`);
    new Uint8Array(memory.buffer, inPtr, input.length).set(input);
    const outPtr = (fn as (p: number, l: number) => number)(inPtr, input.length) >>> 0;
    if (failure !== undefined) return { ok: false, kind: 'trap', message: `the guest reported an error: ${failure}`, logs };
    if (outPtr === 0) return { ok: false, kind: 'bad_output', message: `${req.method} returned no output frame (pointer 0)`, logs };
    const buf = memory.buffer;
    if (outPtr + 4 > buf.byteLength) return { ok: false, kind: 'bad_output', message: `${req.method} returned a frame pointer outside memory (${outPtr})`, logs };
    const len = new DataView(buf).getUint32(outPtr, true);
    const output = parseJson(read(outPtr + 4, len, 'the output'), 'the output');
    return stateSet ? { ok: true, output, state, logs } : { ok: true, output, logs };
  } catch (err) {
    return { ok: false, ...classify(err, failure, memory, req.maximumPages), logs };
  }
}

function classify(err: unknown, failure: string | undefined, memory: WebAssembly.Memory, maximumPages: number): { kind: WasmFailureKind | 'host'; message: string; terminal?: boolean } {
  if (err instanceof GuestAbort) return { kind: err.kind, message: err.message, terminal: err.terminal };
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof WebAssembly.LinkError || err instanceof WebAssembly.CompileError) return { kind: 'bad_module', message: `the module does not link: ${msg}` };
  if (err instanceof RangeError && /call stack/i.test(msg)) return { kind: 'resource_limit', message: `the guest exhausted its stack (${msg})` };
  // A failed memory.grow is invisible to the host; allocators then trap. A trap with the memory at its
  // cap, or past half of it (a doubling grow would not fit), is taken for memory exhaustion.
  const used = memory.buffer.byteLength;
  const cap = maximumPages * PAGE_BYTES;
  if (used >= cap || (err instanceof WebAssembly.RuntimeError && used * 2 > cap)) {
    return { kind: 'resource_limit', message: `the guest ran out of memory at its cap of ${maximumPages} pages (${cap / 1048576} MiB, ${(used / 1048576).toFixed(1)} MiB in use): ${failure ?? msg}` };
  }
  if (failure !== undefined) return { kind: 'trap', message: `the guest reported an error: ${failure}` };
  if (err instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: `the guest trapped: ${msg}` };
  return { kind: 'trap', message: `the guest failed: ${msg}` };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GuestAbort('bad_output', `${what} is not valid JSON: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
  }
}
