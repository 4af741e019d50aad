import { ConfigError } from '../core/errors.js';

/** What a sandboxed call may use. Every field is optional. */
export interface WasmLimits {
  /** Largest linear memory, bytes (rounded down to 64 KiB pages). Default 16 MiB. */
  memoryBytes?: number;
  /** Wall-clock deadline of one call, ms; past it the worker running it is terminated. Default 1000. */
  timeoutMs?: number;
  /** Largest output (and state) a call may return, bytes of JSON. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Stack of the worker threads running guests, KiB. Default 512, at most 4096. */
  stackKiB?: number;
}

/** Limits with every field filled in. */
export type ResolvedLimits = Required<WasmLimits>;

export const PAGE_BYTES = 65_536;

export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({
  memoryBytes: 16 * 1024 * 1024,
  timeoutMs: 1000,
  maxOutputBytes: 1024 * 1024,
  stackKiB: 512,
});

const MAX: ResolvedLimits = { memoryBytes: 4 * 1024 ** 3 - PAGE_BYTES, timeoutMs: 3_600_000, maxOutputBytes: 64 * 1024 * 1024, stackKiB: 4096 };
const MIN: ResolvedLimits = { memoryBytes: PAGE_BYTES, timeoutMs: 1, maxOutputBytes: 16, stackKiB: 64 };

/** Merges limits over the defaults and checks each one. */
export function resolveLimits(limits: WasmLimits | undefined, what: string): ResolvedLimits {
  if (limits !== undefined && (typeof limits !== 'object' || limits === null)) {
    throw new ConfigError(`${what}: limits must be an object like { memoryBytes, timeoutMs, maxOutputBytes, stackKiB }, got ${String(limits)}`);
  }
  const out: ResolvedLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) throw new ConfigError(`${what}: unknown limit "${k}" (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    if (v === undefined) continue;
    const key = k as keyof ResolvedLimits;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < MIN[key] || v > MAX[key]) {
      throw new ConfigError(`${what}: limit ${k} must be a number from ${MIN[key]} to ${MAX[key]}, got ${String(v)}`);
    }
    out[key] = v;
  }
  return out;
}
